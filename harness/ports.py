"""Ports on loopback: a free one, one that refuses connections, and one where a connect times out."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def refusing() -> Iterator[str]:
    """The URL of a port that is bound but not listening: a connect is refused at once.

    Held bound for the test, so no other process can start listening there meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


@contextmanager
def unanswered() -> Iterator[str]:
    """The URL of a listener whose accept queue is full: a connect is never completed, and times out.

    With a backlog of 0 Linux queues one connection; the kernel drops the SYN of any later one
    (tcp_abort_on_overflow is 0 by default) instead of refusing it."""
    with ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        for _ in range(2):  # fill the queue; the second attempt may itself time out
            filler = stack.enter_context(socket.socket())
            filler.settimeout(0.2)
            try:
                filler.connect(address)
            except TimeoutError:
                break
        yield f"http://127.0.0.1:{address[1]}"
