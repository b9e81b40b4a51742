"""What the sandbox's answers carry beyond the envelope, as the real server's do: the `.xml` and
`.tml` routes' XML envelope, and the `asc_auth_key` cookie set on a call the header authenticated.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import httpx
import pytest

from contract_tests.redact import MASK, Redactor
from harness.sandboxes import PASSWORD, SEND_PATH, TOKEN, outbox, running, settings_in
from onlyoffice_sandbox.web.send import COOKIE

OK = {"from": "sandbox@example.test", "to": ["bob@example.org"], "subject": "Hi", "body": "<p>Hi</p>"}
LOGIN = "sandbox@example.test"


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls = {}
    with contextlib.ExitStack() as stack:
        for mode in ("onlyoffice", "strict"):
            settings = settings_in(tmp_path_factory.mktemp(mode), binder=mode)
            urls[mode] = stack.enter_context(running(settings))
        yield urls


@pytest.fixture(params=["onlyoffice", "strict"])
def sandbox(request: pytest.FixtureRequest, sandboxes: dict[str, str]) -> str:
    url: str = sandboxes[request.param]
    return url


def xml_of(response: httpx.Response) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 (the sandbox's answer in this test, not untrusted input)


def put(url: str, suffix: str, payload: object, content_type: str | None, **headers: str) -> httpx.Response:
    sent = {"Authorization": TOKEN, **headers}
    if content_type is not None:
        sent["Content-Type"] = content_type
    return httpx.put(url + SEND_PATH + suffix, json=payload, headers=sent)


# -- .xml and .tml ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xml", ".tml"])
def test_the_xml_routes_answer_the_envelope_in_xml(sandboxes: dict[str, str], suffix: str) -> None:
    """JsonNetSerializer: the JSON envelope read back as XML under a root `result`, in the order of
    ApiStandartResponce's DataMember Order; no declaration. The onlyoffice binder reads the form."""
    url = sandboxes["onlyoffice"]
    form = "application/x-www-form-urlencoded"
    body = "from=sandbox%40example.test&to%5B%5D=bob%40example.org&subject=xml"
    response = httpx.put(
        url + SEND_PATH + suffix, content=body, headers={"Authorization": TOKEN, "Content-Type": form}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert not response.text.startswith("<?xml")
    root = xml_of(response)
    assert root.tag == "result"
    assert [(child.tag, len(child)) for child in root] == [
        ("count", 0),
        ("status", 0),
        ("statusCode", 0),
        ("response", 0),
    ]
    values = {child.tag: child.text for child in root}
    assert (values["count"], values["status"], values["statusCode"]) == ("1", "0", "200")
    assert any(m["id"] == int(values["response"] or 0) for m in outbox(url))


@pytest.mark.parametrize("suffix", [".xml", ".tml"])
def test_an_error_on_the_xml_routes_is_the_error_envelope_in_xml(sandbox: str, suffix: str) -> None:
    response = put(sandbox, suffix, {**OK, "from": "<&>"}, "text/xml")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    root = xml_of(response)
    assert [child.tag for child in root] == ["status", "statusCode", "error"]
    assert (root.findtext("status"), root.findtext("statusCode")) == ("1", "400")
    error = root.find("error")
    assert error is not None
    assert [child.tag for child in error] == ["message", "hresult", "data"]
    assert error.findtext("message")  # escaped by the XML writer, read back as text
    assert error.findtext("hresult") == "-2147024809"
    data = error.find("data")
    assert data is not None
    assert (len(data), data.text) == (0, None)


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
@pytest.mark.parametrize("suffix", [".xml", ".tml"])
def test_an_application_json_request_on_the_xml_routes_gets_json(
    sandbox: str, suffix: str, content_type: str
) -> None:
    response = put(sandbox, suffix, OK, content_type)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.json()["statusCode"] == 200


def test_a_401_on_the_xml_routes_is_the_same_bare_text(sandbox: str) -> None:
    response = httpx.put(sandbox + SEND_PATH + ".xml", json=OK, headers={"Authorization": "wrong"})
    assert (response.status_code, response.text) == (401, "Unauthorized")


def test_other_suffixes_match_no_route(sandbox: str) -> None:
    for suffix in (".XML", ".html", ".xmlx", ".tml.xml", ".yaml"):
        assert put(sandbox, suffix, OK, "application/json").status_code == 404, suffix


# -- the asc_auth_key cookie --------------------------------------------------------------------------


def cookie_of(response: httpx.Response) -> SimpleCookie:
    [header] = response.headers.get_list("set-cookie")
    cookie = SimpleCookie()
    cookie.load(header)
    return cookie


@pytest.mark.parametrize("authorization", [TOKEN, f"Bearer {TOKEN}"])
def test_a_call_the_header_authenticates_gets_the_cookie(sandbox: str, authorization: str) -> None:
    """Global.asax.cs Authenticate: AuthorizationHelper.ProcessBasicAuthorization, then
    CookiesManager.SetCookies(AuthKey, token): HttpOnly, path /, a year's expiry (over http: not Secure)."""
    response = put(sandbox, ".json", OK, "application/json", Authorization=authorization)
    assert response.status_code == 200, response.text
    morsel = cookie_of(response)[COOKIE]
    assert morsel.value == TOKEN
    assert morsel["httponly"] is True
    assert (morsel["path"], morsel["secure"], morsel["samesite"]) == ("/", "", "")
    assert morsel["expires"]
    # On a refusal after authentication too: the cookie is set before the call is routed.
    refused = put(sandbox, ".json", {**OK, "from": ""}, "application/json", Authorization=authorization)
    assert refused.status_code == 400
    assert cookie_of(refused)[COOKIE].value == TOKEN


def test_basic_credentials_get_a_session_key_as_the_cookie(sandbox: str) -> None:
    """For Basic credentials the real server issues a session key; the sandbox gives a token of the
    user, which then authenticates alone, as the web client sends it."""
    encoded = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    response = put(sandbox, "", OK, "application/json", Authorization=f"Basic {encoded}")
    assert response.status_code == 200, response.text
    key = cookie_of(response)[COOKIE].value
    assert key == TOKEN
    assert PASSWORD not in response.headers["set-cookie"]


def test_no_cookie_without_header_authentication(sandboxes: dict[str, str]) -> None:
    url = sandboxes["onlyoffice"]
    # The web client, by its cookie: nothing set.
    by_cookie = httpx.put(
        url + SEND_PATH + ".json",
        json=OK,
        headers={"Cookie": f"{COOKIE}={TOKEN}", "Content-Type": "application/json"},
    )
    assert by_cookie.status_code == 200, by_cookie.text
    assert "set-cookie" not in by_cookie.headers
    # Refused: nothing set.
    refused = put(url, "", OK, "application/json", Authorization="wrong")
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers


def test_a_cookie_that_does_not_authenticate_is_expired(sandboxes: dict[str, str]) -> None:
    """Global.asax.cs Authenticate: a cookie that fails gets Auth.ProcessLogout, which expires it
    (CookiesManager.ClearCookies), whatever the API's authorizers then make of the header."""
    url = sandboxes["onlyoffice"]
    jar = {"Cookie": f"{COOKIE}=stale", "Content-Type": "application/json"}
    refused = httpx.put(url + SEND_PATH, json=OK, headers=jar)
    assert refused.status_code == 401
    morsel = cookie_of(refused)[COOKIE]
    assert morsel.value == ""
    assert parsedate_to_datetime(morsel["expires"]) < datetime.now(UTC)
    # A Bearer header with a ',' after the token: not the web app's reading, but the API's Bearer
    # authorizer lets it in; the stale cookie is expired all the same.
    taken = httpx.put(url + SEND_PATH, json=OK, headers={**jar, "Authorization": f"Bearer {TOKEN}, x"})
    assert taken.status_code == 200, taken.text
    assert cookie_of(taken)[COOKIE].value == ""
    # A header the web app reads: the good cookie, the stale one replaced.
    replaced = httpx.put(url + SEND_PATH, json=OK, headers={**jar, "Authorization": TOKEN})
    assert cookie_of(replaced)[COOKIE].value == TOKEN


def test_the_cookie_value_is_never_logged_nor_shown(
    sandboxes: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    url = sandboxes["onlyoffice"]
    with caplog.at_level(logging.DEBUG):
        # A lone `to`: a leniency, which the sandbox logs (onlyoffice_sandbox.sending).
        response = put(url, "", {**OK, "to": "bob@example.org", "subject": "cookie"}, "application/json")
        assert response.status_code == 200
        pages = [httpx.get(url + path).text for path in ("/sandbox/outbox", "/", "/sandbox/mail")]
    assert COOKIE in response.headers["set-cookie"]
    # The sandbox's own loggers and its server's (the test's httpx client logs the headers it got).
    served = [r for r in caplog.records if r.name.startswith(("onlyoffice_sandbox", "uvicorn"))]
    assert served  # the leniency's warning at least
    assert not [r for r in served if TOKEN in r.getMessage()]
    assert all(TOKEN not in page for page in pages)


@pytest.mark.parametrize(
    "shown",
    [
        f"Set-Cookie: {COOKIE}={TOKEN}; expires=Tue, 07 Dec 2027 05:30:54 GMT; HttpOnly; Path=/",
        f"{{'set-cookie': '{COOKIE}=session-key-never-given-to-the-suite; path=/; HttpOnly'}}",
        f'{COOKIE}="a b\\073c"; Path=/',
        f"Cookie: {COOKIE.upper()} = another-key",
    ],
)
def test_the_suites_reports_mask_the_cookie(shown: str) -> None:
    """The suite knows the token, but not the session key the real server sets for Basic credentials:
    the cookie's value is masked wherever the cookie is named."""
    masked = Redactor(TOKEN).text(shown)
    assert MASK in masked
    for secret in (TOKEN, "session-key-never-given-to-the-suite", "a b", "another-key"):
        assert secret not in masked
