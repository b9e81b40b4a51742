"""A mail sink that misbehaves, and the bounds every read of a sink is held to.

The suite reads delivered mail from a store the user points it at (MAIL_SINK). What that store
says is evidence about the server only while the store behaves: a sink that drips an answer, sends
a literal of 10**20 bytes, lists without end or answers in a shape its protocol does not have
is not a server that lost mail. Such a sink raises `SinkError`, which ends the run with exit 4 and
names the sink (`plugin.py`), never a verdict on the server.

`Bounds` holds one operation of a sink (a command and its answer) to a deadline for the whole
operation, not for each read (a byte every few seconds never trips a socket timeout), and to a
number of bytes. `bounded_socket` puts a socket's reads under it, below imaplib's and poplib's
own line reading, so that no read of theirs escapes it.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from contract_tests.terminal import shown

# The largest message a sink may hand over: the server's attachments add up to 25 MiB at most
# (base64 makes that 34 MiB) beside a body of a few MiB.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# The largest listing (a SEARCH, a UIDL, a page of Mailpit's search): a catch-all of 100,000
# messages lists in a few MiB.
MAX_LISTING_BYTES = 8 * 1024 * 1024
# The most copies of one address a sink may claim: every checked address is this run's own.
MAX_COPIES = 1000


class SinkError(Exception):
    """The mail sink misbehaved: the run ends with exit 4, naming the sink; the server is not judged."""

    def __init__(self, sink: str, what: str) -> None:
        self.sink, self.what = sink, shown(what)
        super().__init__(f"sink error: MAIL_SINK {sink}: {self.what}")


class Bounds:
    """The deadline and the byte budget of the operation a sink is in; `sink` names it in errors."""

    def __init__(self, sink: str, seconds: float) -> None:
        self.sink, self.seconds = sink, seconds
        self._deadline = time.monotonic() + seconds
        self._left = MAX_LISTING_BYTES
        self._what = "opening it"

    @contextmanager
    def operation(self, what: str, budget: int = MAX_LISTING_BYTES) -> Iterator[None]:
        """Inside: reads end by `seconds` from now and take at most `budget` bytes in all."""
        self._deadline, self._left, self._what = time.monotonic() + self.seconds, budget, what
        yield

    def left(self) -> float:
        """Seconds left for this operation; a SinkError when none are."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise SinkError(self.sink, f"{self._what} took longer than {self.seconds:g} s (REQUEST_TIMEOUT)")
        return left

    def take(self, count: int, what: str = "") -> None:
        """Count `count` bytes against the budget (before they are read, where the size is announced)."""
        self._left -= count
        if self._left < 0:
            shown_what = what or f"the answer to {self._what}"
            raise SinkError(self.sink, f"{shown_what} is larger than this suite reads; not read further")


class _Reader(io.RawIOBase):
    """A socket's reads, each under what is left of the operation's deadline and budget."""

    def __init__(self, sock: socket.socket, bounds: Bounds) -> None:
        self._sock, self._bounds = sock, bounds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._bounds.left())
        try:
            count = self._sock.recv_into(buffer)
        except TimeoutError:
            self._bounds.left()  # past the deadline: a SinkError that says so
            raise
        self._bounds.take(count)
        return count


class _Socket:
    """A socket whose `makefile("rb")` (what imaplib and poplib read through) is bounded."""

    def __init__(self, sock: socket.socket, bounds: Bounds) -> None:
        self._sock, self._bounds = sock, bounds

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "rb":
            return io.BufferedReader(_Reader(self._sock, self._bounds))
        return self._sock.makefile(mode, *args, **kwargs)  # type: ignore[call-overload]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def bounded_socket(sock: socket.socket, bounds: Bounds) -> Any:
    return _Socket(sock, bounds)
