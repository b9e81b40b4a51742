"""IMAP and POP3 sinks: a catch-all mailbox of RECIPIENT_DOMAIN, read with the standard library.

    MAIL_SINK=imap://USER:PASSWORD@HOST[:PORT][/MAILBOX]   (imaps:// for TLS; MAILBOX default INBOX)
    MAIL_SINK=pop3://USER:PASSWORD@HOST[:PORT]             (pop3s:// for TLS)

User, password and mailbox are percent-decoded (`%40` for `@`, `%2F` for `/`). The copy of each
recipient is told by its `Delivered-To` (`stored_mail.delivered_to`), as in a Maildir.

Read only: IMAP selects the mailbox read-only (EXAMINE) and fetches with BODY.PEEK; POP3 never
sends DELE, and reads with TOP (RETR makes Dovecot flag a message seen). IMAP searches on the
server (`UID SEARCH HEADER Delivered-To`, a substring match, so each hit is checked exactly) and
fetches each message once. POP3 cannot search: a session sees the mailbox as it was at login, so
every poll logs in anew, reads the headers of the messages it has not seen (TOP n 0, keyed by
UIDL) and fetches only those delivered to the address. Every socket is bounded by REQUEST_TIMEOUT.
The password never appears in a message of this module: what the server or the library says is
shown, with the URL masked.
"""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from contract_tests.delivered import parse
from contract_tests.settings import UsageError, masked_url
from contract_tests.stored_mail import delivered_to, until_found

PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
_ALL_LINES = 2**31 - 1  # TOP with every line: the whole message


@dataclass(frozen=True)
class MailboxUrl:
    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str
    shown: str  # the URL with the password masked

    @property
    def tls(self) -> bool:
        return self.scheme.endswith("s")


def parse_url(given: str) -> MailboxUrl:
    parts = urllib.parse.urlsplit(given)
    shown = masked_url(given)
    if parts.scheme not in PORTS or not parts.hostname or parts.username is None or parts.password is None:
        raise UsageError(f"MAIL_SINK must be {parts.scheme}://USER:PASSWORD@HOST[:PORT]..., not {shown}")
    try:
        port = parts.port or PORTS[parts.scheme]
    except ValueError:
        raise UsageError(f"MAIL_SINK: the port is not a number in {shown}") from None
    mailbox = urllib.parse.unquote(parts.path.lstrip("/")) or "INBOX"
    if parts.scheme.startswith("pop3") and mailbox != "INBOX":
        raise UsageError(f"MAIL_SINK: POP3 has one mailbox, no path: {shown}")
    user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password)
    return MailboxUrl(parts.scheme, parts.hostname, port, user, password, mailbox, shown)


def _quoted(text: str) -> str:
    """An IMAP quoted string (RFC 3501): backslash and double quote escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Remote:
    """A sink that reads a server: opened at once (a wrong URL or password is a usage error before
    anything is sent), then polled; a failure while polling is retried until the wait is over."""

    name = "a mailbox"

    def __init__(self, url: MailboxUrl, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self._url, self._timeout, self._sleep = url, timeout, sleep
        self._failure: str | None = None
        try:
            self._open()
        except (OSError, imaplib.IMAP4.error, poplib.error_proto) as exc:
            raise UsageError(f"MAIL_SINK: cannot read {url.shown}: {self._said(exc)}") from None
        self.name = f"{self.name} ({url.shown})"

    def _said(self, exc: BaseException) -> str:
        text = exc.args[0] if exc.args else exc
        said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{type(exc).__name__}: {said}".replace(self._url.password, "[Filtered]")

    def _open(self) -> None:
        raise NotImplementedError

    def _find(self, address: str) -> list[bytes]:
        raise NotImplementedError

    def copies(self, address: str, timeout: float) -> list[bytes]:
        def find() -> list[bytes]:
            try:
                found = self._find(address)
            except (OSError, EOFError, imaplib.IMAP4.error, poplib.error_proto) as exc:
                self._failure = self._said(exc)
                self.close()
                return []
            self._failure = None
            return found

        found = until_found(find, timeout, self._sleep)
        if not found and self._failure is not None:  # not "never delivered": the mailbox could not be read
            raise RuntimeError(f"MAIL_SINK: reading {self._url.shown} failed: {self._failure}")
        return found

    def close(self) -> None:
        pass


class Imap(_Remote):
    name = "an IMAP mailbox"

    def __init__(self, url: MailboxUrl, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self._connection: imaplib.IMAP4 | None = None
        self._fetched: dict[bytes, bytes] = {}  # UID -> message: each fetched once
        super().__init__(url, timeout, sleep)

    def _open(self) -> None:
        url = self._url
        kind = imaplib.IMAP4_SSL if url.tls else imaplib.IMAP4
        connection = kind(url.host, url.port, timeout=self._timeout)
        try:
            connection.login(url.user, url.password)
            status, said = connection.select(_quoted(url.mailbox), readonly=True)  # EXAMINE
            if status != "OK":
                raise imaplib.IMAP4.error(f"no mailbox {url.mailbox!r}: {said!r}")
        except BaseException:
            connection.shutdown()
            raise
        self._connection = connection

    def _find(self, address: str) -> list[bytes]:
        if self._connection is None:
            self._open()
        assert self._connection is not None
        _, [hits] = self._connection.uid("SEARCH", "HEADER", "Delivered-To", _quoted(address))
        uids = (hits or b"").split()
        new = [uid for uid in uids if uid not in self._fetched]
        if new:
            _, fetched = self._connection.uid("FETCH", b",".join(new).decode(), "(BODY.PEEK[])")
            for item in fetched:
                if isinstance(item, tuple):
                    uid = re.search(rb"UID (\d+)", item[0])
                    if uid:
                        self._fetched[uid[1]] = item[1]
        stored = [self._fetched[uid] for uid in uids if uid in self._fetched]
        return [raw for raw in stored if delivered_to(parse(raw), address)]

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                self._connection.logout()
            self._connection = None


class Pop3(_Remote):
    name = "a POP3 mailbox"

    def __init__(self, url: MailboxUrl, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self._heads: dict[bytes, Message] = {}  # UIDL -> headers: each read once
        self._fetched: dict[bytes, bytes] = {}
        super().__init__(url, timeout, sleep)

    def _login(self) -> poplib.POP3:
        url = self._url
        connection = (poplib.POP3_SSL if url.tls else poplib.POP3)(url.host, url.port, timeout=self._timeout)
        try:
            connection.user(url.user)
            connection.pass_(url.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _open(self) -> None:
        self._login().quit()

    def _find(self, address: str) -> list[bytes]:
        connection = self._login()  # a POP3 session never sees mail that came after its login
        try:
            found = []
            for line in connection.uidl()[1]:
                number, uid = line.split()
                if uid not in self._heads:
                    self._heads[uid] = parse(b"\r\n".join(connection.top(int(number), 0)[1]) + b"\r\n\r\n")
                if not delivered_to(self._heads[uid], address):
                    continue
                if uid not in self._fetched:
                    self._fetched[uid] = b"\r\n".join(connection.top(int(number), _ALL_LINES)[1]) + b"\r\n"
                found.append(self._fetched[uid])
            return found
        finally:
            connection.quit()  # no DELE was sent: QUIT removes nothing
