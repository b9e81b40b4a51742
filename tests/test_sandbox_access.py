"""Who may see the captured mail (finding 10 of the hardening issue): nobody but the token's holder,
unless the sandbox listens on loopback only; and then no other site, by rebinding or by form."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.sandboxes import PASSWORD, SEND_PATH, TOKEN, running, send, settings_in
from onlyoffice_contract.hosts import is_loopback
from onlyoffice_sandbox.settings import Settings
from onlyoffice_sandbox.web.access import token_needed

PAGES = ["/", "/sandbox/mail", "/sandbox/outbox", "/sandbox/api/messages", "/docs", "/openapi.yaml"]


def basic(password: str, user: str = "anyone") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def exposed(tmp_path: Path) -> Iterator[str]:
    """Bound to every address, as in a container: reached here on loopback all the same."""
    with running(settings_in(tmp_path, host="0.0.0.0")) as url:
        yield url.replace("0.0.0.0", "127.0.0.1")


def test_bound_beyond_loopback_every_page_needs_the_token(exposed: str) -> None:
    for path in PAGES:
        response = httpx.get(exposed + path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith('Basic realm="sandbox"')
        assert TOKEN not in response.text
        assert httpx.get(exposed + path, headers=basic("wrong")).status_code == 401
    for headers in (
        basic(TOKEN),
        basic(TOKEN, user=""),
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}"},
    ):
        assert httpx.get(exposed + "/sandbox/mail", headers=headers).status_code == 200
    assert httpx.delete(exposed + "/sandbox/api/messages").status_code == 401
    # The send call keeps its own rule, the real server's: the token bare or as Bearer, or the user's
    # Basic login and password (not a token as the password, which the pages take); 401 in bare text.
    message = {"from": "sandbox@example.test", "to": ["b@example.org"]}
    assert send(exposed, message).status_code == 200
    assert httpx.put(exposed + SEND_PATH, headers=basic(TOKEN)).status_code == 401
    user = {**basic(PASSWORD, user="sandbox@example.test"), "Content-Type": "application/json"}
    assert send(exposed, message, user).status_code == 200


def test_on_loopback_the_pages_are_open_to_loopback_host_names_only(tmp_path: Path) -> None:
    with running(settings_in(tmp_path)) as url:
        port = url.rsplit(":", 1)[1]
        for path in PAGES:
            assert httpx.get(url + path).status_code == 200, path
        for host in (f"localhost:{port}", "127.0.0.1", f"[::1]:{port}"):
            assert httpx.get(url + "/sandbox/mail", headers={"Host": host}).status_code == 200, host
        # A page of another site whose name now points here (DNS rebinding) sends its own name.
        rebound = httpx.get(url + "/sandbox/mail", headers={"Host": f"evil.example:{port}"})
        assert rebound.status_code == 403
        assert (
            httpx.get(url + "/sandbox/mail", headers={"Host": "evil.example", **basic(TOKEN)}).status_code
            == 200
        )


def test_another_site_cannot_delete_mail_by_a_form(tmp_path: Path) -> None:
    with running(settings_in(tmp_path)) as url:
        for headers in (
            {"Origin": "http://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            assert httpx.post(url + "/sandbox/mail/delete", headers=headers).status_code == 403, headers
            assert httpx.delete(url + "/sandbox/api/messages", headers=headers).status_code == 403, headers
        same_site = {"Origin": url, "Sec-Fetch-Site": "same-origin"}
        assert httpx.post(url + "/sandbox/mail/delete", headers=same_site).status_code == 303


@pytest.mark.parametrize("sandbox_settings", [{"pages_auth": "token"}])
def test_the_token_can_be_asked_for_on_loopback_too(sandbox_settings: dict[str, str], tmp_path: Path) -> None:
    with running(settings_in(tmp_path, **sandbox_settings)) as url:
        assert httpx.get(url + "/sandbox/mail").status_code == 401
        assert httpx.get(url + "/sandbox/mail", headers=basic(TOKEN)).status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.7", False),
        ("sandbox.example", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert token_needed(Settings(host=host)) is not loopback
    assert token_needed(Settings(host=host, pages_auth="token"))
    with pytest.raises(ValueError, match="SANDBOX_PAGES_AUTH"):
        Settings(host=host, pages_auth="none")
