"""The `sandbox` fixture for an app's tests (a pytest plugin, loaded by the `pytest11` entry point).

    def test_signup_mails_a_welcome(sandbox):
        my_app.signup("bob@example.org", portal=sandbox.url, token=sandbox.token, sender=sandbox.mailbox)
        [mail] = sandbox.wait_for_mail(to="bob@example.org", subject="Welcome")
        assert "Hello Bob" in sandbox.message(mail["key"])["text"]

Each test gets a fresh sandbox: its own free port, its own folder (under pytest's
`tmp_path`), its own random token (and random Basic password: the documented default
lets nobody in), the embedded SMTP capture. Override the
`sandbox_settings` fixture to change settings (a dict of `Settings` fields). With
ONLYOFFICE_SANDBOX_URL and ONLYOFFICE_SANDBOX_TOKEN set (a sandbox already running, its own
token), each test gets a fresh tenant of that sandbox instead (`Sandbox.new_tenant`): its own
token, outbox, mail and faults, so that many tests, in many pytest-xdist workers, share one
sandbox and see only their own. The
helpers call the sandbox's JSON API (sandbox-api.yaml) with httpx; nothing here
needs the generated client.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


class SandboxError(AssertionError):
    """The sandbox answered a helper's call with an error; an assertion, so a test fails with it."""


class Sandbox:
    """A running sandbox: where it is, how to reach it, and what it captured."""

    def __init__(self, url: str, token: str, mailbox: str, folder: Path, settings: Any) -> None:
        self.url = url
        self.token = token
        self.mailbox = mailbox  # the mailbox the token may send from, "Name <address>"
        self.folder = folder
        self.settings = settings
        self._http = httpx.Client(base_url=url, headers={"Authorization": token}, timeout=90)

    def __repr__(self) -> str:  # the token stays out of test reports
        return f"Sandbox(url={self.url!r}, mailbox={self.mailbox!r})"

    @property
    def address(self) -> str:
        """The mailbox's bare address, for the send call's `from`."""
        return self.mailbox.rpartition("<")[2].rstrip(">") if "<" in self.mailbox else self.mailbox

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise SandboxError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    # -- captured mail ---------------------------------------------------------------

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        """Captured messages, newest first (filters: to, subject, q, messageId, sendId, limit, offset)."""
        listed: list[dict[str, Any]] = self._call("GET", "/sandbox/api/messages", params=_params(filters))[
            "messages"
        ]
        return listed

    def message(self, key: str) -> dict[str, Any]:
        """One captured message with its headers, text, HTML, attachments and delivery record."""
        found: dict[str, Any] = self._call("GET", f"/sandbox/api/messages/{key}")
        return found

    def raw(self, key: str) -> bytes:
        """A captured message's bytes, as received."""
        response = self._http.get(f"/sandbox/mail/{key}.eml")
        if response.status_code != 200:
            raise SandboxError(f"no captured message {key}: {response.status_code}")
        return response.content

    def wait_for_mail(
        self,
        to: str | None = None,
        subject: str | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        """Wait until at least `count` captured messages match; give every match, oldest first. `to`:
        an envelope recipient's whole address (`bob@example.org`), or a domain (`example.org`: every
        recipient there); `subject`: any part of it; also q (any part of subject, From, To, Cc or a
        recipient), messageId, sendId; case never counts. Fails the test (SandboxError) after
        `timeout` seconds without."""
        params = _params({"to": to, "subject": subject, "count": count, "timeout": timeout, **filters})
        found: list[dict[str, Any]] = self._call(
            "GET", "/sandbox/api/messages/wait", params=params, timeout=timeout + 30
        )["messages"]
        return found

    def clear_mail(self) -> int:
        deleted: int = self._call("DELETE", "/sandbox/api/messages")["deleted"]
        return deleted

    def outbox(self) -> list[dict[str, Any]]:
        """Every accepted message and its delivery state."""
        listed: list[dict[str, Any]] = self._call("GET", "/sandbox/outbox")
        return listed

    # -- faults ------------------------------------------------------------------------

    def fail_sends(self, kind: str, count: int = 1, seconds: float | None = None) -> dict[str, Any]:
        """The next `count` sends get `kind` (sandbox-api.yaml's SendFault): transferring, deactivated,
        unpaid (empty answers before authentication), payment-required, mail-unavailable (the error
        envelope after binding), server-error, late (answered `seconds` late) or drop."""
        body: dict[str, Any] = {"kind": kind, "count": count}
        if seconds is not None:
            body["seconds"] = seconds
        state: dict[str, Any] = self._call("PUT", "/sandbox/api/faults/send", json=body)
        return state

    def refuse_deliveries(self, code: int, count: int = 1) -> dict[str, Any]:
        """The embedded capture answers `code` (421, 451 or 550) to the next `count` deliveries."""
        state: dict[str, Any] = self._call(
            "PUT", "/sandbox/api/faults/delivery", json={"code": code, "count": count}
        )
        return state

    def new_tenant(self, mailboxes: list[str] | None = None) -> Sandbox:
        """A tenant of this sandbox (POST /sandbox/api/tenants; this must be its own token): the same
        sandbox, seen through a token that shows only that tenant's outbox, mail and faults."""
        body = {"mailboxes": mailboxes} if mailboxes else None
        made: dict[str, Any] = self._call("POST", "/sandbox/api/tenants", json=body)
        return Sandbox(self.url, made["token"], made["mailboxes"][0], self.folder, self.settings)

    def faults(self) -> dict[str, Any]:
        state: dict[str, Any] = self._call("GET", "/sandbox/api/faults")
        return state

    def clear_faults(self) -> dict[str, Any]:
        state: dict[str, Any] = self._call("DELETE", "/sandbox/api/faults")
        return state


SHARED_URL = "ONLYOFFICE_SANDBOX_URL"  # a running sandbox the fixture makes a tenant of, per test
SHARED_TOKEN = "ONLYOFFICE_SANDBOX_TOKEN"  # noqa: S105 - the variable holding its own token


def _params(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    """Settings for the `sandbox` fixture (fields of onlyoffice_sandbox.Settings); override to change."""
    return {}


@pytest.fixture
def sandbox(tmp_path_factory: pytest.TempPathFactory, sandbox_settings: dict[str, Any]) -> Iterator[Sandbox]:
    """A fresh sandbox on a free loopback port, in a folder of its own, with the embedded capture;
    or, with ONLYOFFICE_SANDBOX_URL and ONLYOFFICE_SANDBOX_TOKEN set, a fresh tenant of that one."""
    folder = tmp_path_factory.mktemp("sandbox")
    shared = os.environ.get(SHARED_URL)
    if shared and not sandbox_settings:
        owner = Sandbox(shared, os.environ.get(SHARED_TOKEN, ""), "", folder, None)
        try:
            running = owner.new_tenant()
        finally:
            owner.close()
        try:
            yield running
        finally:
            running.close()
        return
    from onlyoffice_sandbox import InProcess, Settings  # the web framework loads only when a test asks
    from onlyoffice_sandbox.settings import DEFAULT_MAILBOX

    token = secrets.token_urlsafe(16)
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "tokens": (token,),
        "password": secrets.token_urlsafe(16),
        "mailboxes": (DEFAULT_MAILBOX,),
        "db": folder / "outbox.sqlite3",
        "mail_dir": folder / "mail",
        "files_dir": folder / "files",
        "retry_max_seconds": 0.5,
        **sandbox_settings,
    }
    settings = Settings(**values)
    with InProcess(settings) as url:
        running = Sandbox(url, settings.revealed_tokens[0], settings.mailboxes[0], folder, settings)
        try:
            yield running
        finally:
            running.close()
