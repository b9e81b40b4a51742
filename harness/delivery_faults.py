"""Faults in the mail that goes out: a relay between the sandbox and a Maildir that changes what passes.

The sandbox sends through `Relay` (SANDBOX_SMTP), which files one copy per envelope recipient into
a Maildir with `Delivered-To`, as a delivery agent does, after applying its fault to the message.
The suite reads that Maildir (MAIL_SINK=maildir:...) and must fail on every fault, naming it, and
pass through the relay without one (tests/test_contract_delivery.py).

`forwarding` is the same relay in front of a real mail store instead of a Maildir: over LMTP, one
recipient a transaction (as Postfix's `lmtp_destination_recipient_limit = 1`: Dovecot writes
Delivered-To only then), or over SMTP, as the sandbox sent it (Mailpit stores one message a
transaction); tests/test_mail_sinks.py.
"""

from __future__ import annotations

import asyncio
import mailbox
import re
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from contract_tests.rules import INJECTED
from harness.ports import free_port

Change = Callable[[Message, list[str]], list[Message]]  # a message and its envelope -> what is filed


def as_is(message: Message, rcpt_tos: list[str]) -> list[Message]:
    return [message]


def _without(name: str) -> Change:
    def change(message: Message, rcpt_tos: list[str]) -> list[Message]:
        del message[name]
        return [message]

    return change


def _first_only(name: str) -> Change:
    def change(message: Message, rcpt_tos: list[str]) -> list[Message]:
        kept = message.get_all(name, [])[:1]
        del message[name]
        for value in kept:
            message[name] = value
        return [message]

    return change


def _bcc_leaked(message: Message, rcpt_tos: list[str]) -> list[Message]:
    shown = {a.lower() for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))}
    hidden = [r for r in rcpt_tos if r.lower() not in shown]
    if hidden:
        message["Bcc"] = ", ".join(hidden)
    return [message]


def _subject_mangled(message: Message, rcpt_tos: list[str]) -> list[Message]:
    """The subject's UTF-8 bytes labelled Latin-1: the classic broken encoding."""
    subject = str(make_header(decode_header(message.get("Subject", ""))))
    if not subject.isascii():
        del message["Subject"]
        message["Subject"] = Header(subject.encode("utf-8").decode("latin-1"), "iso-8859-1").encode()
    return [message]


def _parts_dropped(content_type: str) -> Change:
    """Every part of `content_type` taken out of its multipart."""

    def change(message: Message, rcpt_tos: list[str]) -> list[Message]:
        for part in message.walk():
            payload = part.get_payload()
            if part.is_multipart() and isinstance(payload, list):
                kept: list[Message[str, str] | str] = [
                    p for p in payload if isinstance(p, Message) and p.get_content_type() != content_type
                ]
                part.set_payload(kept)
        return [message]

    return change


def _never_if_important(message: Message, rcpt_tos: list[str]) -> list[Message]:
    return [] if message.get("Importance") else [message]


def _twice(message: Message, rcpt_tos: list[str]) -> list[Message]:
    return [message, message]


def only_where(header: str, change: Change) -> Change:
    """`change` on the messages that carry `header`, the others as they are: a fault kept to the mail of
    a probe or two, so that several faults fit in one run."""

    def confined(message: Message, rcpt_tos: list[str]) -> list[Message]:
        return change(message, rcpt_tos) if message.get(header) else [message]

    return confined


def combined(*changes: Change) -> Change:
    def change(message: Message, rcpt_tos: list[str]) -> list[Message]:
        filed = [message]
        for one in changes:
            filed = [out for m in filed for out in one(m, rcpt_tos)]
        return filed

    return change


def _line_break_kept(message: Message, rcpt_tos: list[str]) -> list[Message]:
    """The hostile probe's subject written as it came, CR LF and all: its header line becomes a header."""
    subject = str(make_header(decode_header(message.get("Subject", ""))))
    if INJECTED not in subject:
        return [message]
    raw = message.as_bytes()
    head, _, rest = raw.partition(b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n")
    lines = [line for line in head.splitlines() if not line.lower().startswith(b"subject:")]
    written = re.sub(rf"\s*{INJECTED}", f"\r\n{INJECTED}", subject).encode("utf-8")
    return [message_from_bytes(b"\r\n".join([b"Subject: " + written, *lines]) + b"\r\n\r\n" + rest)]


def _sender_name_dropped(message: Message, rcpt_tos: list[str]) -> list[Message]:
    address = parseaddr(message.get("From", ""))[1]
    del message["From"]
    message["From"] = address
    return [message]


@dataclass(frozen=True)
class DeliveryFault:
    name: str
    change: Change
    caught_by: str  # what the suite's output names
    # Files every message a second time once the relay has had nothing to pass for LATE_SECONDS:
    # after the checks of the last mail have begun, before the suite's last read of it.
    late_copy: bool = False
    # It changes every message, so the generated sends' check fails too, each send by its number.
    every_message: bool = False


LATE_SECONDS = 1.5


DELIVERY_FAULTS = [
    DeliveryFault("Bcc leaked into the headers", _bcc_leaked, "Bcc: a Bcc header went out"),
    DeliveryFault("Cc dropped", _without("Cc"), "Cc: [], not"),
    DeliveryFault("the subject's encoding broken", _subject_mangled, "delivered mail: a non-ASCII subject"),
    DeliveryFault("Importance missing", _without("Importance"), "Importance: missing"),
    DeliveryFault("X-Priority missing", _without("X-Priority"), "X-Priority: 'missing', not 1"),
    DeliveryFault("In-Reply-To missing", _without("In-Reply-To"), "In-Reply-To: missing"),
    DeliveryFault("a receipt header missing", _without("Return-Receipt-To"), "Return-Receipt-To: missing"),
    DeliveryFault(
        "the calendar part missing", _parts_dropped("text/calendar"), "the text/calendar part: missing"
    ),
    DeliveryFault(
        "the application/ics attachment missing",
        _parts_dropped("application/ics"),
        "the application/ics attachment: missing",
    ),
    DeliveryFault("one Auto-Submitted of two", _first_only("Auto-Submitted"), "Auto-Submitted: 'auto-"),
    DeliveryFault("a mail never delivered", _never_if_important, "never delivered"),
    DeliveryFault("a duplicated delivery", _twice, "delivered 2 times", every_message=True),
    DeliveryFault("a late duplicated delivery", as_is, "a copy came late, after its check", late_copy=True),
    DeliveryFault(
        "a header injected (a line break in the subject kept)",
        _line_break_kept,
        f"a header the request did not cause: {INJECTED}",
    ),
    DeliveryFault(
        "the sender's display name dropped",
        _sender_name_dropped,
        "From: the display name",
        every_message=True,
    ),
]


class _Handler:
    def __init__(self, maildir: Path, change: Change, late_copy: bool) -> None:
        self._box = mailbox.Maildir(maildir, create=True)
        self._change, self._late_copy = change, late_copy
        self._filed: list[bytes] = []  # what a late copy files again
        self._timer: asyncio.TimerHandle | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        rcpt_tos = list(envelope.rcpt_tos)
        for rcpt in rcpt_tos:
            message = message_from_bytes(content, policy=policy.compat32)
            for filed in self._change(message, rcpt_tos):
                raw = f"Delivered-To: {rcpt}\r\n".encode() + filed.as_bytes()
                self._box.add(raw)
                self._filed.append(raw)
        if self._late_copy:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = asyncio.get_running_loop().call_later(LATE_SECONDS, self._file_again)
        return "250 OK"

    def _file_again(self) -> None:
        filed, self._filed = self._filed, []
        for raw in filed:
            self._box.add(raw)


def _lmtp(port: int, mail_from: str, rcpt_tos: list[str], content: bytes) -> None:
    for rcpt in rcpt_tos:
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as lmtp:
            lmtp.sendmail(mail_from, [rcpt], content)


def _smtp(port: int, mail_from: str, rcpt_tos: list[str], content: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.sendmail(mail_from, rcpt_tos, content)


class _Forwarder:
    def __init__(self, port: int, lmtp: bool, change: Change) -> None:
        self._port, self._send, self._change = port, _lmtp if lmtp else _smtp, change

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.compat32)
        rcpt_tos, mail_from = list(envelope.rcpt_tos), envelope.mail_from or ""
        loop = asyncio.get_running_loop()
        try:
            for filed in self._change(message, rcpt_tos):
                content = filed.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))  # SMTP's line ends
                await loop.run_in_executor(None, self._send, self._port, mail_from, rcpt_tos, content)
        except (OSError, smtplib.SMTPException) as exc:
            return f"451 4.3.0 not forwarded: {exc}"
        return "250 OK"


@contextmanager
def _serving(handler: object) -> Iterator[str]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        controller.stop()


def relay(maildir: Path, change: Change = as_is, late_copy: bool = False) -> AbstractContextManager[str]:
    """A relay on loopback that files into `maildir` after `change`; gives its host:port. With
    `late_copy`, each message is filed again LATE_SECONDS after the last one came."""
    return _serving(_Handler(maildir, change, late_copy))


def forwarding(port: int, change: Change = as_is, lmtp: bool = False) -> AbstractContextManager[str]:
    """A relay on loopback that passes the mail on to 127.0.0.1:`port` after `change`, over LMTP or SMTP."""
    return _serving(_Forwarder(port, lmtp, change))
