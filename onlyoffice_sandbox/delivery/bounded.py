"""smtplib's client with a deadline on each step and a bound on each reply.

smtplib bounds a connection only by its socket timeout, which is per read: a relay that drips
its greeting a byte every few seconds holds delivery for ever, and one that answers EHLO with
continuation lines that never end grows the process without limit (2.9 GB in 30 s). Here each
reply (the greeting, the reply to EHLO, MAIL, each RCPT, DATA, the end of the data, RSET, QUIT)
must arrive whole within `step_seconds` of its start, in lines of at most 8,192 bytes and at
most MAX_REPLY_LINES of them; the data is written within `step_seconds` too. A relay that breaks
one of these bounds gets `RelayMisbehaved`, a kind of `SMTPServerDisconnected`: the connection
is closed (what the relay says next cannot be told from what it says now), and the message waits
for its next attempt. A long reply line is the relay's fault, not the message's: smtplib made it
a "500 Line too long", which failed the message for good.
"""

from __future__ import annotations

import smtplib
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

MAX_LINE = 8192  # smtplib's own bound on one reply line (smtplib._MAXLINE)
MAX_REPLY_LINES = 1000  # an EHLO reply names a few dozen extensions at most


class RelayMisbehaved(smtplib.SMTPServerDisconnected):
    """The relay broke a bound (too slow, too long): the connection is closed; a transient failure."""


class BoundedSMTP(smtplib.SMTP):
    """An SMTP connection whose every reply is bounded in time and size (see the module's text)."""

    def __init__(self, host: str, port: int, step_seconds: float) -> None:
        self.step_seconds = step_seconds
        self._pending = bytearray()
        self._step = "the greeting"
        super().__init__(host, port, timeout=step_seconds)  # connects, and reads the greeting

    def putcmd(self, cmd: str, args: str = "") -> None:
        self._step = f"the reply to {cmd.upper()}"
        super().putcmd(cmd, args)

    def send(self, s: ReadableBuffer | str) -> None:
        # the message itself, after DATA's 354 (commands are written as str)
        if isinstance(s, bytes) and self._step == "the reply to DATA":
            self._step = "the reply to the end of the data"
        if self.sock is not None:
            # sendall's timeout bounds the whole write (Python >= 3.5), not each part of it
            self.sock.settimeout(self.step_seconds)
        super().send(s)

    def close(self) -> None:
        self._pending.clear()
        super().close()

    def _misbehaved(self, what: str) -> RelayMisbehaved:
        self.close()
        return RelayMisbehaved(f"the relay's {what}; connection closed")

    def _readline(self, deadline: float) -> bytes:
        while True:
            end = self._pending.find(b"\n", 0, MAX_LINE + 1)
            if end >= 0:
                line = bytes(self._pending[: end + 1])
                del self._pending[: end + 1]
                return line
            if len(self._pending) > MAX_LINE:
                raise self._misbehaved(f"{self._step[4:]} has a line longer than {MAX_LINE} bytes")
            left = deadline - time.monotonic()
            if left <= 0 or self.sock is None:
                raise self._misbehaved(f"{self._step[4:]} did not come whole in {self.step_seconds:g} s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(MAX_LINE)
            except TimeoutError:
                raise self._misbehaved(
                    f"{self._step[4:]} did not come whole in {self.step_seconds:g} s"
                ) from None
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}") from None
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self._pending += chunk

    def getreply(self) -> tuple[int, bytes]:
        """smtplib's reply reading (a code, then `-` for a line that continues), within the bounds."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        deadline = time.monotonic() + self.step_seconds
        lines: list[bytes] = []
        while True:
            if len(lines) >= MAX_REPLY_LINES:
                raise self._misbehaved(f"{self._step[4:]} went on past {MAX_REPLY_LINES} lines")
            line = self._readline(deadline)
            lines.append(line[4:].strip(b" \t\r\n"))
            code = line[:3]
            try:
                errcode = int(code)
            except ValueError:
                errcode = -1
                break
            if line[3:4] != b"-":
                break
        return errcode, b"\n".join(lines)
