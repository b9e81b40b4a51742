"""The access log, written in batches by a thread of its own rather than line by line on the event loop.

uvicorn's HTTP protocol calls its access logger's `info` on the event loop for every request:
`logging` then looks up the caller's frame, builds a record and formats and writes the line, all
while the loop waits. Here the protocol is given a `Gathered` instead (`web/protocol.py`), whose
`info` only appends the call's arguments to a list. A writer thread wakes a few times a second,
makes the records and formats them with the access logger's own handlers, and writes each
handler's lines with one write and one flush. Measured, by the server's CPU time per send: a
listener thread fed record by record cost about a fifth of it (it woke for each record and took
the GIL from the loop); gathering records still left `logging`'s record-making on the loop. Same
lines, same order, still on by default; what is pending is written when the server stops. A
record's time is the time of the call; its thread is the writer's.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

ACCESS_LOGGER = "uvicorn.access"
FLUSH_SECONDS = 0.1  # how stale a line on the terminal may be

Call = tuple[float, str, tuple[Any, ...]]  # when, the message's format, its arguments


class Gathered:
    """What uvicorn's HTTP protocol is given as its access logger: `info` keeps the call, nothing else."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def info(self, msg: str, *args: Any) -> None:
        self.calls.append((time.time(), msg, args))  # one bytecode under the GIL: safe against `take`

    def take(self) -> list[Call]:
        taken, self.calls = self.calls, []
        return taken


def _records(logger: logging.Logger, calls: list[Call]) -> list[logging.LogRecord]:
    if not logger.isEnabledFor(logging.INFO):
        return []
    records = []
    for created, msg, args in calls:
        record = logger.makeRecord(logger.name, logging.INFO, "(access log)", 0, msg, args, None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        records.append(record)
    return records


def _write(records: list[logging.LogRecord], handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        due = [r for r in records if r.levelno >= handler.level and handler.filter(r)]
        if not due:
            continue
        if isinstance(handler, logging.StreamHandler):
            text = "".join(handler.format(r) + handler.terminator for r in due)
            with contextlib.suppress(OSError, ValueError):  # a closed or broken terminal loses lines only
                handler.stream.write(text)
                handler.flush()
        else:
            for record in due:
                handler.handle(record)


@contextlib.contextmanager
def access_log_off_the_loop() -> Iterator[Gathered]:
    """While inside, the calls made on the `Gathered` given are written to the access logger's
    handlers in batches by a thread; all of them on the way out."""
    logger = logging.getLogger(ACCESS_LOGGER)
    gathered = Gathered()
    stopping = threading.Event()

    def flush() -> None:
        _write(_records(logger, gathered.take()), logger.handlers)

    def writer() -> None:
        while not stopping.wait(FLUSH_SECONDS):
            flush()
        flush()

    thread = threading.Thread(target=writer, name="access-log", daemon=True)
    thread.start()
    try:
        yield gathered
    finally:
        stopping.set()
        thread.join()
        flush()  # anything logged while the writer was finishing
