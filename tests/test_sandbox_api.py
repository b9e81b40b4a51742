"""The sandbox answers as the real server does, status by status and cause by cause, with either binder.

Most rules hold in both modes (SANDBOX_BINDER onlyoffice and strict); where they differ,
a test names the mode: strict refuses what the spec refuses, onlyoffice takes what the
real server's binder takes and says so in X-Sandbox-Leniency and on the outbox row.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.form_wire import FORM_TYPE, param
from harness.sandboxes import (
    DISABLED,
    HEADERS,
    PASSWORD,
    SEND_PATH,
    TOKEN,
    outbox,
    running,
    send,
    settings_in,
    write_drafts,
)
from onlyoffice_contract import defects, spec
from onlyoffice_sandbox.web.envelope import LENIENCY_HEADER

OK = {"from": "sandbox@example.test", "to": ["bob@example.org"], "subject": "Hi", "body": "<p>Hi</p>"}
DRAFTS = [
    {"id": 501, "folder": "drafts", **OK, "subject": "Draft 501"},
    {"id": 502, "folder": "templates", **OK, "subject": "Template 502"},
    {"id": 503, "folder": "inbox", **OK},
    {"id": 504, "folder": "drafts", **OK, "body": "x" * 524289},
    {"id": 505, "folder": "drafts", **OK, "subject": "Draft 505"},
]


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One sandbox per binder, each with its drafts and a small body limit."""
    urls = {}
    with contextlib.ExitStack() as stack:
        for mode in ("onlyoffice", "strict"):
            folder = tmp_path_factory.mktemp(mode)
            drafts = write_drafts(folder, DRAFTS)
            settings = settings_in(folder, drafts=drafts, max_body=64 * 1024, binder=mode)
            urls[mode] = stack.enter_context(running(settings))
        yield urls


@pytest.fixture(params=["onlyoffice", "strict"])
def sandbox(request: pytest.FixtureRequest, sandboxes: dict[str, str]) -> str:
    url: str = sandboxes[request.param]
    return url


@pytest.fixture
def lenient(sandboxes: dict[str, str]) -> str:
    return sandboxes["onlyoffice"]


@pytest.fixture
def strict(sandboxes: dict[str, str]) -> str:
    return sandboxes["strict"]


def error_of(response: httpx.Response, status: int) -> str:
    """The error envelope's message, after checking the envelope itself."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    body = response.json()
    assert spec.validator("ErrorEnvelope").is_valid(body), body
    assert body["statusCode"] == status
    message: str = body["error"]["message"]
    return message


def test_the_from_account_is_matched_as_the_real_server_matches_it(sandbox: str) -> None:
    # Any display name, the lower-cased address: the account (its other spellings are refused above).
    assert send(sandbox, {**OK, "from": '"Doe, Jane" <sandbox@example.test>'}).status_code == 200


def test_a_valid_send_is_accepted(sandbox: str) -> None:
    response = send(sandbox, OK)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    body = response.json()
    assert spec.validator("SuccessEnvelope").is_valid(body)
    assert any(m["id"] == body["response"] and m["state"] in {"queued", "sent"} for m in outbox(sandbox))


# As the real server's authorizers read the header (ASCCookieAuthorization, ASCBearerAuthorization):
# bare and whole, or `Bearer` in its exact case with the token from index 7, up to the first ','.
@pytest.mark.parametrize(
    "authorization",
    [TOKEN, f"Bearer {TOKEN}", f"Bearer {TOKEN}, and more", f"Bearer\t{TOKEN}", f"Bearer_{TOKEN}"],
)
def test_the_token_is_taken_bare_or_as_bearer(sandbox: str, authorization: str) -> None:
    assert send(sandbox, OK, {**HEADERS, "Authorization": authorization}).status_code == 200


def test_several_authorization_headers_are_read_as_one_joined_with_commas(sandbox: str) -> None:
    """ASP.NET gives `Bearer <token>,other` to the bearer authorizer, which reads up to the ','."""
    headers = [("Content-Type", "application/json"), ("Authorization", f"Bearer {TOKEN}")]
    response = httpx.put(sandbox + SEND_PATH, json=OK, headers=[*headers, ("Authorization", "other")])
    assert response.status_code == 200
    bare_twice = [headers[0], ("Authorization", TOKEN), ("Authorization", TOKEN)]  # "<token>,<token>"
    assert httpx.put(sandbox + SEND_PATH, json=OK, headers=bare_twice).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "wrong",
        f"Bearer {TOKEN}x",
        "Bearer",
        f"Basic {TOKEN}",
        f"bearer {TOKEN}",  # production compares the scheme ordinally: this is a 401 there
        f"BEARER {TOKEN}",
        f"Bearer  {TOKEN}",  # the token from index 7 is " <token>"
        f"{TOKEN}, x",  # a bare token is compared whole
    ],
)
def test_a_wrong_token_is_401_in_bare_text_with_a_challenge(sandbox: str, authorization: str) -> None:
    response = send(sandbox, OK, {**HEADERS, "Authorization": authorization})
    assert response.status_code == 401
    assert response.text == "Unauthorized"
    assert response.headers["content-type"] == "text/html; charset=utf-8"  # ASP.NET's default, as production
    # Basic's challenge, not Bearer's: ApiRouteHandler stops at the first authorizer that answers.
    assert response.headers["www-authenticate"] == 'Basic Realm="127.0.0.1"'


LOGIN = "sandbox@example.test"  # the first mailbox's address: the login by default


def basic(user_and_password: str, scheme: str = "Basic") -> dict[str, str]:
    encoded = base64.b64encode(user_and_password.encode()).decode()
    return {**HEADERS, "Authorization": f"{scheme} {encoded}"}


# ASCBasicAuthorization: the user found by email in any case, the password exact; the decoded text
# is split at every ':', and only the part after the first is the password.
@pytest.mark.parametrize(
    "credentials",
    [f"{LOGIN}:{PASSWORD}", f"{LOGIN.upper()}:{PASSWORD}", f"{LOGIN}:{PASSWORD}:what follows a colon"],
)
def test_the_users_basic_credentials_are_taken(sandbox: str, credentials: str) -> None:
    assert send(sandbox, OK, basic(credentials)).status_code == 200


@pytest.mark.parametrize(
    ("credentials", "scheme"),
    [
        (f"{LOGIN}:{PASSWORD}", "basic"),  # the scheme compared ordinally, as Bearer's
        (f"{LOGIN}:{PASSWORD}x", "Basic"),
        (f"{LOGIN}:{PASSWORD.upper()}", "Basic"),
        (f"{LOGIN}:{TOKEN}", "Basic"),  # a token is no password (the pages take one; the send call does not)
        (f"other@example.test:{PASSWORD}", "Basic"),  # a mailbox of the user is not its login
        (LOGIN, "Basic"),
    ],
)
def test_wrong_basic_credentials_are_401_with_the_basic_challenge(
    sandbox: str, credentials: str, scheme: str
) -> None:
    response = send(sandbox, OK, basic(credentials, scheme))
    assert (response.status_code, response.text) == (401, "Unauthorized")
    assert response.headers["www-authenticate"] == 'Basic Realm="127.0.0.1"'
    assert PASSWORD not in str(response.headers)


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}], ids=["none", "empty"])
def test_no_authorization_header_is_401_without_a_challenge(sandbox: str, headers: dict[str, str]) -> None:
    """The real server challenges only a header that is not empty (OnAuthorizationFailed, IsNullOrEmpty)."""
    response = send(sandbox, OK, {"Content-Type": "application/json", **headers})
    assert (response.status_code, response.text) == (401, "Unauthorized")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "www-authenticate" not in response.headers


def test_auth_comes_before_the_body(sandbox: str) -> None:
    response = httpx.put(sandbox + SEND_PATH, content=b"{not json", headers={"Authorization": "wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({**OK, "from": ""}, 400, "from"),
        ({k: v for k, v in OK.items() if k != "from"}, 400, "'from' is a required property"),
        ({**OK, "to": []}, 400, "No recipients"),
        ({**OK, "to": [], "cc": [], "bcc": []}, 400, "No recipients"),
        ({**OK, "from": "not an address"}, 400, "Incorrect email address in From field"),
        ({**OK, "from": "stranger@example.test"}, 400, "Mailbox not found"),
        # The real server matches the address as given against each account's lower-cased one.
        ({**OK, "from": "Sandbox@example.test"}, 400, "Mailbox not found"),
        ({**OK, "from": "Someone <sandbox@EXAMPLE.test>"}, 400, "Mailbox not found"),
        ({**OK, "from": DISABLED}, 403, "disabled"),
        ({**OK, "to": ["fine@example.org", "broken"]}, 400, "Incorrect email address in To field"),
        ({**OK, "bcc": ["a@b.example, c@d.example"]}, 400, "Incorrect email address in Bcc field"),
        ({**OK, "id": 999999}, 404, "not found"),
        ({**OK, "id": 503}, 403, "permitted only in the Drafts folder"),
        ({**OK, "id": 504, "body": None}, 403, "Message body exceeded limit"),  # the stored body counts
        ({**OK, "id": 2**31}, 400, "id"),
        ({**OK, "tags": ["x"]}, 400, "tags[0]"),
        ({**OK, "importance": "yes"}, 400, "importance"),
        ({**OK, "cc": [""]}, 400, "cc[0]"),
        ([OK], 400, ""),
    ],
)
def test_each_refusal_has_its_status_and_message(
    sandbox: str, payload: Any, status: int, message: str
) -> None:
    assert message in error_of(send(sandbox, payload), status)


# Bodies the spec refuses and the real server's binder takes: strict refuses them, onlyoffice takes them.
LENIENT = [
    ({**OK, "importance": "true"}, "$.importance", 'importance: "true" taken as true'),
    ({**OK, "to": "bob@example.org"}, "$.to", "to: a lone value taken as a list"),
    ({**OK, "tags": ["7"]}, "$.tags[0]", 'tags[0]: "7" taken as 7'),
    (
        {**OK, "fileLinksShareMode": 9},
        "$.fileLinksShareMode",
        "fileLinksShareMode: 9 is no FileShare member; bound as it is",
    ),
    ({**OK, "fileLinksShareMode": "Read"}, "$.fileLinksShareMode", 'fileLinksShareMode: "Read" taken as 2'),
    ({**OK, "calendarIcs": 0}, "$.calendarIcs", 'calendarIcs: 0 taken as "0"'),
    ({**OK, "requestRead": None}, "$.requestRead", "requestRead: null taken as false"),
    ({"from": OK["from"], "to": OK["to"], "Subject": "Hi"}, None, "Subject: matched as subject"),
]


@pytest.mark.parametrize(("payload", "path", "note"), LENIENT, ids=[row[2] for row in LENIENT])
def test_strict_refuses_what_the_spec_refuses(
    strict: str, payload: dict[str, Any], path: str | None, note: str
) -> None:
    if path is None:  # a name in another case is an unknown field to the spec: accepted, and ignored
        assert send(strict, payload).status_code == 200
        return
    assert f"Invalid arguments: {path}" in error_of(send(strict, payload), 400)


@pytest.mark.parametrize(("payload", "path", "note"), LENIENT, ids=[row[2] for row in LENIENT])
def test_onlyoffice_takes_what_the_real_server_takes_and_says_so(
    lenient: str,
    payload: dict[str, Any],
    path: str | None,
    note: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="onlyoffice_sandbox"):
        response = send(lenient, payload)
    assert response.status_code == 200, response.text
    message_id = response.json()["response"]
    assert note in response.headers.get_list(LENIENCY_HEADER)
    [row] = [m for m in outbox(lenient) if m["id"] == message_id]
    assert note in row["notes"]
    assert any(note in r.getMessage() and str(message_id) in r.getMessage() for r in caplog.records)


def test_a_request_as_the_spec_writes_it_needs_no_leniency(lenient: str) -> None:
    response = send(lenient, {**OK, "subject": None, "attachments": []})
    assert response.status_code == 200
    assert LENIENCY_HEADER.lower() not in response.headers
    [row] = [m for m in outbox(lenient) if m["id"] == response.json()["response"]]
    assert row["notes"] == []


@pytest.mark.parametrize("mode", ["onlyoffice", "strict"])
def test_an_unknown_field_or_attachment_member_is_named_in_the_header(
    sandboxes: dict[str, str], mode: str
) -> None:
    """The real server ignores a name it does not read; the app is told each one, from the spec's schema."""
    payload = {
        **OK,
        "subjct": "typo",
        "attachments": [{"fileId": 1, "name": "a.txt", "FileName": "b.txt"}, {"contentID": "x", "size": 1}],
    }
    response = send(sandboxes[mode], payload)
    assert response.status_code == 200, response.text
    notes = response.headers.get_list(LENIENCY_HEADER)
    assert '"subjct": not a field of the request; ignored' in notes
    assert "attachments[0].name: not a member of an attachment; ignored" in notes
    unknown = [note for note in notes if "not a field" in note or "not a member" in note]
    assert len(unknown) == 2  # FileName and contentID are declared, in another case (the binder's notes)
    [row] = [m for m in outbox(sandboxes[mode]) if m["id"] == response.json()["response"]]
    assert set(unknown) <= set(row["notes"])


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        (b'{"from": "sandbox@example.test", "to": ["b@example.org"], "a b": 1}', 400, "not an XML name"),
        (b'{"from": "sandbox@example.test", "to": ["b@example.org"], "id": "0x"}', 400, "does not convert"),
        (
            b'{"from": "sandbox@example.test", "to": ["b@example.org"], "attachments": [{}, {"fileId": 1}]}',
            400,
            "position 1",
        ),
    ],
)
def test_onlyoffice_refuses_what_the_real_server_refuses(
    lenient: str, payload: bytes, status: int, message: str
) -> None:
    response = httpx.put(lenient + SEND_PATH, content=payload, headers=HEADERS)
    assert message in error_of(response, status)


def test_the_form_wire(sandboxes: dict[str, str]) -> None:
    message = {
        "id": 0,
        "from": "sandbox@example.test",
        "to": ["bob@example.org"],
        "cc": [],
        "importance": True,
    }
    headers = {"Authorization": TOKEN, "Content-Type": FORM_TYPE}
    taken = httpx.put(sandboxes["onlyoffice"] + SEND_PATH, content=param(message), headers=headers)
    assert taken.status_code == 200, taken.text
    assert LENIENCY_HEADER.lower() not in taken.headers  # the form is a wire of the real server, no leniency
    refused = httpx.put(sandboxes["strict"] + SEND_PATH, content=param(message), headers=headers)
    assert "Unsupported content type" in error_of(refused, 400)


def test_the_json_route_is_the_same_call(sandbox: str) -> None:
    response = httpx.put(sandbox + SEND_PATH + ".json", json=OK, headers=HEADERS)
    assert response.status_code == 200
    assert spec.validator("SuccessEnvelope").is_valid(response.json())
    refused = httpx.put(sandbox + SEND_PATH + ".json", json={**OK, "from": ""}, headers=HEADERS)
    error_of(refused, 400)
    assert httpx.put(sandbox + SEND_PATH + ".json", json=OK).status_code == 401
    # .xml and .tml are routed too (tests/test_sandbox_wire.py); no other suffix is.
    for suffix in (".yaml", ".JSON", ".jsonx", ".json.json"):
        assert httpx.put(sandbox + SEND_PATH + suffix, json=OK, headers=HEADERS).status_code == 404, suffix


@pytest.mark.parametrize(
    ("cookie", "authorization", "status"),
    [
        (TOKEN, None, 200),  # the web client: the cookie alone
        (TOKEN, "wrong", 200),
        # With a cookie the API's cookie authorizer reads the cookie, not a bare header; but the web
        # app's own authentication (Global.asax.cs Authenticate) read the header before it.
        ("wrong", TOKEN, 200),
        ("wrong", f"Bearer {TOKEN}", 200),  # the bearer authorizer reads the header either way
        ("", TOKEN, 200),  # an empty cookie is no cookie
    ],
)
def test_the_web_clients_cookie(
    sandboxes: dict[str, str], cookie: str, authorization: str | None, status: int
) -> None:
    headers = {"Content-Type": "application/json", "Cookie": f"asc_auth_key={cookie}"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = httpx.put(
        sandboxes["onlyoffice"] + SEND_PATH + ".json", content=json.dumps(OK), headers=headers
    )
    assert response.status_code == status, response.text
    strict = httpx.put(sandboxes["strict"] + SEND_PATH, content=json.dumps(OK), headers=headers)
    assert strict.status_code == (200 if authorization in (TOKEN, f"Bearer {TOKEN}") else 401)


@pytest.mark.parametrize(
    ("attachment", "note"),
    [
        ({"fileId": 77, "fileName": "report.pdf"}, 'attachment "report.pdf": skipped, no such file (77)'),
        ({"storedName": "../outbox.sqlite3"}, "is not a plain file name"),
        ({"fileName": "x.txt"}, 'attachment "x.txt": skipped, it names no file'),
        ({"fileId": -1, "storedName": "", "fileName": "draft.docx"}, "it names no file"),
    ],
)
def test_an_unreadable_attachment_is_skipped_and_noted_never_refused(
    sandbox: str, attachment: dict[str, Any], note: str
) -> None:
    response = send(sandbox, {**OK, "attachments": [attachment]})
    assert response.status_code == 200, response.text
    [row] = [m for m in outbox(sandbox) if m["id"] == response.json()["response"]]
    assert any(note in n for n in row["notes"]), row["notes"]
    assert LENIENCY_HEADER.lower() not in response.headers  # the spec says so: no leniency


def test_the_server_order_of_checks(sandbox: str) -> None:
    # A mailbox that is not the caller's is found out before a draft that does not exist,
    # and a missing draft before an address that does not parse.
    both = {**OK, "from": "stranger@example.test", "id": 999999}
    assert error_of(send(sandbox, both), 400) == "Mailbox not found"
    assert "not found" in error_of(send(sandbox, {**OK, "id": 999999, "to": ["broken"]}), 404)


def test_a_draft_is_sent_once(sandbox: str) -> None:
    first = send(sandbox, {"id": 501, "from": OK["from"], "to": OK["to"]})
    assert first.status_code == 200
    assert first.json()["response"] == 501  # a draft keeps its id
    # What goes out is the request, as DraftEngine.Send builds it: the draft's stored subject
    # ("Draft 501") is not merged in, and a subject left out is an empty one.
    found = httpx.get(
        f"{sandbox}/sandbox/api/messages/wait", params={"sendId": 501}, headers=HEADERS, timeout=30
    )
    [mail] = found.json()["messages"]
    assert mail["subject"] == ""
    [state] = [m for m in outbox(sandbox) if m["id"] == 501]
    assert state["folder"] == "sent"
    again = send(sandbox, {**OK, "id": 501})
    assert "permitted only in the Drafts folder" in error_of(again, 403)


def test_a_send_refused_for_an_address_leaves_a_draft(sandbox: str) -> None:
    """The real server saves the draft before it parses the addresses (DraftEngine.Send)."""
    before = max(m["id"] for m in outbox(sandbox))
    assert "Incorrect email address" in error_of(send(sandbox, {**OK, "to": ["broken"]}), 400)
    assert "Incorrect email address" in error_of(send(sandbox, {**OK, "id": 505, "cc": ["broken"]}), 400)
    records = {m["id"]: m for m in outbox(sandbox)}
    [new] = [m for i, m in records.items() if i > before]
    left = "left in Drafts by a refused send: Incorrect email address in"
    assert (new["folder"], new["state"], new["notes"]) == ("drafts", None, [f"{left} To field: 'broken'"])
    assert (records[505]["folder"], records[505]["notes"]) == ("drafts", [f"{left} Cc field: 'broken'"])
    # Mended, the draft it left is sent as any draft is.
    assert send(sandbox, {**OK, "id": new["id"]}).json()["response"] == new["id"]


def test_a_template_can_be_sent_again_as_copies(sandbox: str) -> None:
    ids = [send(sandbox, {**OK, "id": 502}).json()["response"] for _ in range(2)]
    assert len(set(ids)) == 2
    assert 502 not in ids
    assert [m["folder"] for m in outbox(sandbox) if m["id"] == 502] == ["templates"]


def test_a_draft_body_over_the_limit_is_403(sandbox: str) -> None:
    payload = {"id": 504, "from": OK["from"], "to": OK["to"]}  # the stored body is used
    assert "Message body exceeded limit (512 KB)" in error_of(send(sandbox, payload), 403)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b'{"from": "\xff\xfe"}', "application/json"),  # invalid UTF-8
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # deep nesting
        (b'{"from": "a\x00b@example.test"}', "application/json"),  # a raw NUL: not JSON
        (json.dumps(OK).encode(), "text/plain"),
        (json.dumps(OK).encode(), ""),
        (b"null", "application/json"),
        (b"12", "application/json"),
        (b'"text"', "application/json"),
        (b"from=sandbox%40example.test&to[]=b%40example.org", "multipart/form-data; boundary=x"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(sandbox: str, body: bytes, content_type: str) -> None:
    headers = {"Authorization": TOKEN, "Content-Type": content_type}
    response = httpx.put(sandbox + SEND_PATH, content=body, headers=headers)
    assert response.status_code in {400, 413}
    error_of(response, response.status_code)


def test_an_oversize_body_is_413_in_the_envelope(sandbox: str) -> None:
    payload = {**OK, "body": "x" * (64 * 1024)}
    assert "larger than" in error_of(send(sandbox, payload), 413)


def _raw_request(url: str, head: str, body: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        return sock.recv(65536)


def test_an_oversize_body_is_refused_before_it_is_read_whole(sandbox: str) -> None:
    # A declared length of 10 GB, and only 10 bytes sent: the answer comes at once.
    head = (
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
        "Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n"
    )
    assert _raw_request(sandbox, head, b"{" * 10).startswith(b"HTTP/1.1 413")
    # Chunked with no length: refused once past the limit, the body still unfinished.
    chunk = b"x" * 70_000
    head = (
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert _raw_request(sandbox, head, f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n").startswith(
        b"HTTP/1.1 413"
    )


def test_other_methods_are_405(sandbox: str) -> None:
    for method in ("GET", "POST", "DELETE", "PATCH"):
        assert httpx.request(method, sandbox + SEND_PATH, headers=HEADERS).status_code == 405


def test_settings_from_environment_and_toml(tmp_path: Path) -> None:
    from onlyoffice_sandbox.settings import Settings

    toml = tmp_path / "sandbox.toml"
    toml.write_text('port = 9001\ntokens = ["a", "b"]\nmailboxes = ["X <x@example.test>"]\n')
    settings = Settings.from_env(
        {
            "SANDBOX_CONFIG": str(toml),
            "SANDBOX_PORT": "9002",
            "SANDBOX_MAILBOXES": "A, B <a@x.example>;c@x.example",
        }
    )
    assert settings.port == 9002  # the environment wins over the file
    assert settings.revealed_tokens == ("a", "b")
    assert settings.mailboxes == ("A, B <a@x.example>", "c@x.example")
    assert settings.smtp is None
    assert Settings.from_env({"SANDBOX_SMTP": "relay.example:2525"}).smtp_address == ("relay.example", 2525)
    with pytest.raises(ValueError, match="unknown sandbox settings: prot"):
        Settings.from_env({}, prot=1)
    with pytest.raises(ValueError, match="SANDBOX_TOKENS"):
        Settings.from_env({"SANDBOX_TOKENS": " , "})
    assert Settings.from_env({}).binder == "onlyoffice"  # what production accepts, by default
    assert Settings.from_env({"SANDBOX_BINDER": "strict"}).binder == "strict"
    with pytest.raises(ValueError, match="SANDBOX_BINDER must be one of onlyoffice, strict, not 'lax'"):
        Settings.from_env({"SANDBOX_BINDER": "lax"})


def test_the_basic_login_and_password_settings() -> None:
    from onlyoffice_sandbox.settings import DEFAULT_PASSWORD, Settings

    # as README and --help say
    assert (Settings().login, Settings().password.reveal()) == (LOGIN, DEFAULT_PASSWORD)
    assert Settings(mailboxes=("Ann <Ann@corp.example>", "b@corp.example")).login == "Ann@corp.example"
    given = Settings.from_env({"SANDBOX_USER": "ann@corp.example", "SANDBOX_PASSWORD": "pw-4b1e7"})
    assert (given.login, given.password.reveal()) == ("ann@corp.example", "pw-4b1e7")
    assert "pw-4b1e7" not in repr(given)
    assert "password=[Filtered]" in repr(given)
    # A login or password the real server could never match (it decodes ASCII and splits at ':') is
    # refused at start, in words that never show it.
    for variable, value in [
        ("PASSWORD", "pw:4b1e7"),
        ("PASSWORD", "pw-4b1é7"),
        ("PASSWORD", ""),
        ("USER", "a:b"),
    ]:
        with pytest.raises(ValueError, match=f"SANDBOX_{variable} must be printable ASCII") as refused:
            Settings.from_env({f"SANDBOX_{variable}": value})
        assert not value or value not in str(refused.value)


# -- bounds of the HTTP front end (hardening finding 9) ------------------------------------------------


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=20)  # a safety net, not a speed claim


def _answer(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_request_head_past_the_limit_is_refused_before_it_ends(tmp_path: Path) -> None:
    """A 256 MB header, no token needed, used to be buffered whole (510 MB) before the 401. Past
    SANDBOX_MAX_HEAD_BYTES the answer comes at once, while the head is still unfinished."""
    with running(settings_in(tmp_path, max_head_bytes=16384)) as url, _connect(url) as sock:
        sock.sendall(f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nX-Big: ".encode() + b"a" * 20000)
        answer = _answer(sock)  # the head never ends: only a server that gave up on it answers
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["error"]["message"] == "Request header fields are larger than 16384 bytes"


@pytest.mark.waits
@pytest.mark.parametrize(
    "sent",
    [
        b"",  # a connection that never sends a byte
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\n".encode(),  # half a head
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{".encode(),  # a tenth of a body
    ],
    ids=["nothing", "half a head", "part of a body"],
)
def test_a_request_that_does_not_arrive_in_time_is_answered_408_and_closed(
    tmp_path: Path, sent: bytes
) -> None:
    """300 half-sent requests were still held open after 100 s. Past SANDBOX_REQUEST_SECONDS the
    connection is answered and closed."""
    with running(settings_in(tmp_path, request_seconds=0.5)) as url, _connect(url) as sock:
        sock.sendall(sent)
        answer = _answer(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert "did not arrive whole within 0.5 s" in json.loads(body)["error"]["message"]


@pytest.mark.waits
def test_the_limit_runs_again_for_each_request_of_a_connection(tmp_path: Path) -> None:
    """One timer checks a connection's requests in turn: armed for the first, it must still catch a
    later request that stalls, however the two fall in time."""
    payload = json.dumps(OK).encode()
    whole = (
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    with running(settings_in(tmp_path, request_seconds=0.5)) as url, _connect(url) as sock:
        sock.sendall(whole)
        first = b""
        while b'"statusCode":200}' not in first:  # the first answer, whole; the connection stays open
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        time.sleep(0.3)  # the second request starts after the first, when the timer was armed
        sock.sendall(whole[:40])
        answer = _answer(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert "did not arrive whole within 0.5 s" in json.loads(body)["error"]["message"]


def test_a_slow_but_steady_client_within_the_limit_is_served(tmp_path: Path) -> None:
    """The bound is on the whole request, not on a pause: a request sent in pieces arrives fine."""
    payload = json.dumps(OK).encode()
    head = (
        f"PUT {SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with running(settings_in(tmp_path)) as url, _connect(url) as sock:
        for piece in (head[:10], head[10:], payload[:5], payload[5:]):
            sock.sendall(piece)
        assert _answer(sock).startswith(b"HTTP/1.1 200")


# -- limits on one message (hardening findings 6 and 8) -------------------------------------------------


def test_an_overlong_recipient_list_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """190,000 recipients in one request stalled the server 16 s, and every send with it."""
    many = [f"r{n}@example.org" for n in range(150_000)]
    with running(settings_in(tmp_path, max_recipients=1000, max_body=8 * 1024 * 1024)) as url:
        refused = send(url, {**OK, "to": many[:600], "bcc": many[600:]})
        assert "Too many recipients: 150000, at most 1000" in error_of(refused, 400)
        assert (
            send(url, {**OK, "to": many[:500], "cc": many[500:1000]}).status_code == 200
        )  # the limit itself


def test_attachments_past_the_limits_are_refused_before_they_are_read(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, max_attachments=5, max_attachment_bytes=1000)
    settings.files_dir.mkdir(parents=True)
    (settings.files_dir / "small").write_bytes(b"x" * 300)
    (settings.files_dir / "large").write_bytes(b"x" * 1001)
    with running(settings) as url:
        six = [{"storedName": "small"}] * 6
        assert "Too many attachments: 6, at most 5" in error_of(send(url, {**OK, "attachments": six}), 400)
        four = [{"storedName": "small"}] * 4  # one file, but 1,200 bytes of parts
        assert "Total size of all files exceeds limit!" in error_of(
            send(url, {**OK, "attachments": four}), 400
        )
        large = [{"storedName": "large"}]
        assert "Total size of all files exceeds limit!" in error_of(
            send(url, {**OK, "attachments": large}), 400
        )
        three = [{"storedName": "small"}] * 3
        assert send(url, {**OK, "attachments": three}).status_code == 200


def test_a_json_body_labelled_otherwise_is_not_read(sandboxes: dict[str, str]) -> None:
    """Only exactly application/json is JSON (ApiArgumentBuilder): text/json is read as a form, so `from`
    is missing; both binders answer 400 and say why."""
    headers = {"Authorization": TOKEN, "Content-Type": "text/json"}
    for mode, says in (("onlyoffice", "the body was not read"), ("strict", "Unsupported content type")):
        response = httpx.put(sandboxes[mode] + SEND_PATH, content=json.dumps(OK), headers=headers)
        assert says in error_of(response, 400), mode


def _attached(*sizes: int, same: bool = False) -> dict[str, Any]:
    items = [
        {"fileId": 9, "fileName": "a.bin" if same else f"{i}.bin", "size": s} for i, s in enumerate(sizes)
    ]
    return {**OK, "attachments": items}


def test_declared_attachment_sizes_over_25_mb_are_400(sandbox: str) -> None:
    limit = defects.attachments_total_limit()
    assert limit == 25 * 1024 * 1024
    assert "Total size of all files exceeds limit!" in error_of(
        send(sandbox, _attached(limit // 2, limit // 2 + 1)), 400
    )
    assert send(sandbox, _attached(limit // 2, limit // 2)).status_code == 200
    # Distinct by fileId, fileName and storedName: the same attachment twice is counted once.
    assert send(sandbox, _attached(limit // 2 + 1, limit // 2 + 1, same=True)).status_code == 200


def test_the_c_sharp_clients_comma_joined_cc_is_refused_and_leaves_a_draft(lenient: str) -> None:
    """ApiHelper.cs sends cc as one comma-joined string: the binder takes a list of one item, which
    does not parse as one mailbox (Parser.ToMailAddresses): 400, after the draft was saved."""
    payload = {**OK, "cc": "carol@example.net, dave@example.net"}
    assert "Incorrect email address in Cc field" in error_of(send(lenient, payload), 400)
    left = [m for m in outbox(lenient) if m["folder"] == "drafts" and "carol@example.net" in json.dumps(m)]
    assert left, "the refused send left no draft"


def test_the_c_sharp_clients_tags_string_is_refused(sandbox: str) -> None:
    """ApiHelper.cs would send tags as a JSON string: not an Int32 (Binder.cs 249-254), 400."""
    assert "tags" in error_of(send(sandbox, {**OK, "tags": "[1,2]"}), 400)
