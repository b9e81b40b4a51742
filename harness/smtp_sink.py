"""An independent SMTP server (aiosmtpd) that records every message it is given.

It counts every delivery, duplicates included, can refuse recipients for good
(550) or past a number per transaction (452), and can go down and come back on
the same port to stage an outage.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from harness.ports import free_port


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)


@dataclass
class SmtpSink:
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    # At most this many recipients a transaction; each one past it is answered 452, as many relays do.
    max_recipients: int | None = None
    # Every n-th message is stored and then the connection dropped before the 250: the sender cannot
    # know it arrived, and sends it again (SMTP's one unavoidable duplicate).
    drop_after_data_every: int | None = None
    delivered: list[Delivered] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if self.max_recipients is not None and len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            content = envelope.original_content or b""
            self.delivered.append(Delivered(envelope.mail_from or "", list(envelope.rcpt_tos), content))
            drop = self.drop_after_data_every and len(self.delivered) % self.drop_after_data_every == 0
        if drop and isinstance(server.transport, asyncio.Transport):
            server.transport.abort()  # stored, and gone before the 250
        return "250 OK"

    def up(self) -> SmtpSink:
        if not self.port:  # chosen once: the sink comes back on the same port after down()
            self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(d.message["Message-ID"]) for d in self.delivered]
