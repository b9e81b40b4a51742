"""IMAP and POP3 sinks: a catch-all mailbox of RECIPIENT_DOMAIN, read with the standard library.

    MAIL_SINK=imap://USER:PASSWORD@HOST[:PORT][/MAILBOX]   (imaps:// for TLS; MAILBOX default INBOX)
    MAIL_SINK=pop3://USER:PASSWORD@HOST[:PORT]             (pop3s:// for TLS)

User, password and mailbox are percent-decoded (`%40` for `@`, `%2F` for `/`). The copy of each
recipient is told by its `Delivered-To` (`catch_all.delivered_to`), as in a Maildir.

Read only: IMAP selects the mailbox read-only (EXAMINE) and fetches with BODY.PEEK; POP3 never
sends DELE, and reads with TOP (RETR makes Dovecot flag a message seen). IMAP searches on the
server (`UID SEARCH HEADER Delivered-To`, a substring match, so each hit is checked exactly) and
fetches each message once. POP3 cannot search: a session sees the mailbox as it was at login, so
every poll logs in anew, reads the headers of the messages it has not seen (TOP n 0, keyed by
UIDL) and fetches only those delivered to the address.

Every command and its answer must end within REQUEST_TIMEOUT and stay within a size
(`bounds.Bounds`, under imaplib's and poplib's own reading): a listing within
MAX_LISTING_BYTES, a message within MAX_MESSAGE_BYTES (an IMAP literal larger than that is refused
before it is read). A mailbox that breaks a bound, or answers in a shape its protocol does not
have, raises `SinkError`; one that cannot be reached or drops the connection is tried again until
the wait is over, and then raises `SinkError` too: neither is a message the server lost.
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
from typing import Any

from contract_tests.mail.bounds import MAX_COPIES, MAX_MESSAGE_BYTES, Bounds, SinkError, bounded_socket
from contract_tests.mail.catch_all import delivered_to, until_found
from contract_tests.mail.compare import parse
from contract_tests.settings import UsageError, masked_url
from contract_tests.terminal import shown

PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
_ALL_LINES = 2**31 - 1  # TOP with every line: the whole message
# What a library raises when the connection fails or the answer is garbled: tried again.
_TRANSIENT = (OSError, EOFError, imaplib.IMAP4.error, poplib.error_proto)


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
        self.name = f"{self.name} ({url.shown})"
        self._bounds = Bounds(self.name, timeout)
        try:
            with self._bounds.operation("opening it"):
                self._open()
        except _TRANSIENT as exc:
            raise UsageError(f"MAIL_SINK: cannot read {url.shown}: {self._said(exc)}") from None

    def _said(self, exc: BaseException) -> str:
        text = exc.args[0] if exc.args else exc
        said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return shown(f"{type(exc).__name__}: {said}".replace(self._url.password, "[Filtered]"))

    def _open(self) -> None:
        raise NotImplementedError

    def _find(self, address: str) -> list[bytes]:
        raise NotImplementedError

    def _wrong(self, what: str) -> SinkError:
        self.close()
        return SinkError(self.name, what)

    def copies(self, address: str, timeout: float) -> list[bytes]:
        def find() -> list[bytes]:
            try:
                found = self._find(address)
            except SinkError:
                self.close()
                raise
            except _TRANSIENT as exc:
                self._failure = self._said(exc)
                self.close()
                return []
            self._failure = None
            return found

        found = until_found(find, timeout, self._sleep)
        if not found and self._failure is not None:  # not "never delivered": the mailbox could not be read
            raise SinkError(self.name, f"reading it failed until the wait was over: {self._failure}")
        return found

    def close(self) -> None:
        pass


class _BoundedImap(imaplib.IMAP4):
    """imaplib, its every read under `bounds`; a literal past MAX_MESSAGE_BYTES refused unread."""

    def __init__(self, host: str, port: int, timeout: float, bounds: Bounds) -> None:
        self._bounds = bounds
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> Any:
        return bounded_socket(super()._create_socket(timeout), self._bounds)  # type: ignore[misc]

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE_BYTES:
            raise SinkError(self._bounds.sink, f"it announced a literal of {size} bytes; not read")
        return super().read(size)


class _BoundedImapSsl(_BoundedImap, imaplib.IMAP4_SSL):
    pass


class Imap(_Remote):
    name = "an IMAP mailbox"

    def __init__(self, url: MailboxUrl, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self._connection: imaplib.IMAP4 | None = None
        self._fetched: dict[bytes, bytes] = {}  # UID -> message: each fetched once
        super().__init__(url, timeout, sleep)

    def _open(self) -> None:
        url = self._url
        kind = _BoundedImapSsl if url.tls else _BoundedImap
        connection = kind(url.host, url.port, self._timeout, self._bounds)
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
            with self._bounds.operation("logging in again"):
                self._open()
        assert self._connection is not None
        with self._bounds.operation("UID SEARCH"):
            status, lines = self._connection.uid("SEARCH", "HEADER", "Delivered-To", _quoted(address))
        if status != "OK":
            raise imaplib.IMAP4.error(f"UID SEARCH answered {status}: {lines!r}")
        uids = [uid for line in lines if isinstance(line, bytes) for uid in line.split()]
        if not all(uid.isdigit() for uid in uids) or len(uids) > MAX_COPIES:
            raise self._wrong(f"its UID SEARCH answer is not up to {MAX_COPIES} UIDs: {lines!r:.200}")
        for uid in uids:
            if uid in self._fetched:
                continue
            with self._bounds.operation(f"UID FETCH {uid.decode()}", MAX_MESSAGE_BYTES + 64 * 1024):
                _, fetched = self._connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            for item in fetched:
                if isinstance(item, tuple) and isinstance(item[1], bytes):
                    said = re.search(rb"UID (\d+)", item[0])
                    if said:
                        self._fetched[said[1]] = item[1]
        stored = [self._fetched[uid] for uid in uids if uid in self._fetched]
        return [raw for raw in stored if delivered_to(parse(raw), address)]

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error, SinkError):
                self._connection.shutdown()  # not LOGOUT: a sink that misbehaves gets no further wait
            self._connection = None


class _BoundedPop3(poplib.POP3):
    """poplib, its every read under `bounds`."""

    def __init__(self, host: str, port: int, timeout: float, bounds: Bounds) -> None:
        self._bounds = bounds
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> Any:
        return bounded_socket(super()._create_socket(timeout), self._bounds)  # type: ignore[misc]


class _BoundedPop3Ssl(_BoundedPop3, poplib.POP3_SSL):
    pass


_UIDL_LINE = re.compile(rb"(\d{1,9}) ([\x21-\x7e]{1,70})")  # RFC 1939: a number, a unique-id of 1-70 chars


class Pop3(_Remote):
    name = "a POP3 mailbox"

    def __init__(self, url: MailboxUrl, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self._heads: dict[bytes, Message] = {}  # UIDL -> headers: each read once
        self._fetched: dict[bytes, bytes] = {}
        super().__init__(url, timeout, sleep)

    def _login(self) -> poplib.POP3:
        url = self._url
        kind = _BoundedPop3Ssl if url.tls else _BoundedPop3
        connection = kind(url.host, url.port, self._timeout, self._bounds)
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
        with self._bounds.operation("logging in"):
            connection = self._login()  # a POP3 session never sees mail that came after its login
        try:
            with self._bounds.operation("UIDL"):
                listed = connection.uidl()[1]
            parsed = [_UIDL_LINE.fullmatch(line) for line in listed]
            for line, each in zip(listed, parsed, strict=True):
                if each is None:
                    raise self._wrong(f"a line of its UIDL listing is not 'number unique-id': {line!r:.200}")
            found = []
            for number, uid in ((int(each[1]), each[2]) for each in parsed if each is not None):
                if uid not in self._heads:
                    with self._bounds.operation(f"TOP {number} 0"):
                        head = connection.top(number, 0)[1]
                    self._heads[uid] = parse(b"\r\n".join(head) + b"\r\n\r\n")
                if not delivered_to(self._heads[uid], address):
                    continue
                if uid not in self._fetched:
                    with self._bounds.operation(f"TOP {number} (the whole message)", MAX_MESSAGE_BYTES):
                        whole = connection.top(number, _ALL_LINES)[1]
                    self._fetched[uid] = b"\r\n".join(whole) + b"\r\n"
                found.append(self._fetched[uid])
                if len(found) > MAX_COPIES:
                    raise self._wrong(f"it holds more than {MAX_COPIES} copies for one address")
            with self._bounds.operation("QUIT"):
                connection.quit()  # no DELE was sent: QUIT removes nothing
            return found
        finally:
            connection.close()
