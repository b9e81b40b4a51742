"""Where the suite reads the mail a server sent: MAIL_SINK.

- unset, against the embedded sandbox: its own capture, through the sandbox's JSON API
  (`/sandbox/api/messages/wait`, which matches the SMTP envelope, so Bcc recipients too);
- `maildir:/path`: a Maildir that the mail for RECIPIENT_DOMAIN is delivered into, by a delivery
  agent that writes `Delivered-To` (Postfix, Dovecot's LDA), one copy per recipient;
- `imap://`, `imaps://`, `pop3://`, `pop3s://`: a catch-all mailbox of that domain (`imap_pop3.py`);
- `mailpit:http://host:8025`: Mailpit's HTTP API (`mailpit.py`);
- `sandbox:http://host:8080`: the capture of a sandbox you run yourself (`sandbox.py`);
- unset, against a live server: none; the delivered-mail checks are reported as not run.

Each sink answers one question: which messages reached this address, waiting up to a bound.
"""

from __future__ import annotations

import contextlib
import mailbox
import time
from collections.abc import Callable
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Protocol

import requests

from contract_tests.mail import compare, imap_pop3
from contract_tests.mail.catch_all import delivered_to, until_found
from contract_tests.mail.mailpit import PREFIX as MAILPIT
from contract_tests.mail.mailpit import Mailpit
from contract_tests.settings import SuiteSettings, UsageError, masked_url


class Sink(Protocol):
    name: str

    def copies(self, address: str, timeout: float) -> list[bytes]:
        """The messages that reached `address`, once at least one has or `timeout` has passed; every
        copy of a message counts (a duplicated delivery shows as two)."""


class Embedded:
    """The embedded sandbox's capture, read through its JSON API (sandbox-api.yaml)."""

    name = "the embedded sandbox's capture"

    def __init__(self, base_url: str, session: requests.Session, api_key: str, request_timeout: int) -> None:
        self._base, self._session, self._headers = base_url, session, {"Authorization": api_key}
        # Every request of the run is bounded by REQUEST_TIMEOUT: each long poll ends before it.
        self._poll = max(1, min(60, request_timeout - 2))

    def copies(self, address: str, timeout: float) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            waited = self._session.get(
                f"{self._base}/sandbox/api/messages/wait",
                # Past the deadline, one look (timeout 0): a lost message costs no wait of its own.
                params={"to": address, "timeout": f"{max(0.0, min(self._poll, left)):.1f}"},
                headers=self._headers,
                timeout=self._poll + 10,
            )
            if waited.status_code != 404 or time.monotonic() >= deadline:
                break
        if waited.status_code == 404:
            return []
        waited.raise_for_status()
        found = []
        for message in waited.json()["messages"]:
            raw = self._session.get(
                f"{self._base}{message['links']['raw']}", headers=self._headers, timeout=30
            )
            raw.raise_for_status()
            found += [raw.content] * int(message.get("copies") or 1)  # a redelivery is filed once, counted
        return found


class Maildir:
    name = "a Maildir"

    def __init__(self, path: Path, sleep: Callable[[float], None] = time.sleep) -> None:
        if not path.is_dir():
            raise UsageError(f"MAIL_SINK: no Maildir at {path}")
        self._path, self._sleep = path, sleep
        # Each message's head, parsed once: a run reads the Maildir some hundred times, and parsing
        # every message at every read made the run quadratic in its mail.
        self._heads: dict[str, Message] = {}

    def copies(self, address: str, timeout: float) -> list[bytes]:
        def find() -> list[bytes]:
            box = mailbox.Maildir(self._path, create=False)
            found = []
            for key in box.iterkeys():
                with contextlib.suppress(KeyError, FileNotFoundError):  # taken away meanwhile
                    if key not in self._heads:
                        raw = box.get_bytes(key)  # the header parser stops at the blank line
                        self._heads[key] = BytesHeaderParser(policy=compare.POLICY).parsebytes(raw)
                    if delivered_to(self._heads[key], address):
                        found.append(box.get_bytes(key))
            return found

        return until_found(find, timeout, self._sleep)


def sink_for(settings: SuiteSettings, target_url: str, session: requests.Session) -> Sink | None:
    given = settings.mail_sink
    if given is None:
        if not settings.embedded:
            return None
        return Embedded(target_url, session, settings.api_key, settings.request_timeout)
    if given.startswith("maildir:"):
        return Maildir(Path(given.removeprefix("maildir:")))
    if given.startswith(MAILPIT):
        return Mailpit(given, session, settings.request_timeout)
    if given.startswith("sandbox:"):  # a sandbox you run yourself, read as the embedded one is
        from contract_tests.mail.sandbox import open_sink

        return open_sink(given, session, settings)
    scheme = given.partition("://")[0]
    if scheme in ("imap", "imaps"):
        return imap_pop3.Imap(imap_pop3.parse_url(given), settings.request_timeout)
    if scheme in ("pop3", "pop3s"):
        return imap_pop3.Pop3(imap_pop3.parse_url(given), settings.request_timeout)
    raise UsageError(
        "MAIL_SINK: maildir:/path, imap[s]://..., pop3[s]://..., mailpit:http://..., sandbox:http://...,"
        " or unset (the embedded"
        f" sandbox's capture); not {masked_url(given)!r}"
    )
