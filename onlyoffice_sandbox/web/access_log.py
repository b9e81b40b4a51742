"""The access log, written in batches by a thread of its own rather than line by line on the event loop.

uvicorn's HTTP protocol calls its access logger's `info` on the event loop for every request:
`logging` then looks up the caller's frame, builds a record and formats and writes the line, all
while the loop waits. Here the protocol is given a `Gathered` instead (`web/fast_path.py`, which
says what this saves), whose `info` only appends the call's arguments to a list. A writer thread
wakes a few times a second, makes the records and formats them with the access logger's own
handlers, and writes each handler's lines with one write and one flush. Measured, by the server's
CPU time per send: a listener thread fed record by record cost about a fifth of it (it woke for each
record and took the GIL from the loop); gathering records still left `logging`'s record-making on
the loop. The writer still holds the GIL while it formats, so a line that only repeats an earlier
call of its batch (a keep-alive connection's next request) is that call's line again, not formatted
anew. Same lines, same order, still on by default; what is pending is written when the server stops.
A record's time is the time of the call; its thread is the writer's.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from uvicorn.logging import AccessFormatter, DefaultFormatter

ACCESS_LOGGER = "uvicorn.access"
FLUSH_SECONDS = 0.1  # how stale a line on the terminal may be

Call = tuple[float, str, tuple[Any, ...]]  # when, the message's format, its arguments


class Gathered:
    """What uvicorn's HTTP protocol is given as its access logger: `info` keeps the call, nothing else."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def info(self, msg: str, *args: Any) -> None:
        self.calls.append((time.time(), msg, args))

    def take(self) -> list[Call]:
        # One list for ever: `info` may have read `self.calls` and not yet appended when the writer
        # takes, so a list swapped out here could still gain a line after it was written (lost, seen
        # under load). A slice and its deletion are each atomic, and appends only go past `count`.
        count = len(self.calls)
        taken = self.calls[:count]
        del self.calls[:count]
        return taken


def _record(logger: logging.Logger, call: Call) -> logging.LogRecord:
    created, msg, args = call
    record = logger.makeRecord(logger.name, logging.INFO, "(access log)", 0, msg, args, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


# The record's fields a line may show and still be the same line for the same call: uvicorn's
# access format uses only these. A line made of them alone is formatted once a batch for each
# distinct call (a keep-alive connection repeats its call exactly), which measured 26 us a line
# with uvicorn's formatter and 0.2 us so.
_SAME_FOR_THE_SAME_CALL = frozenset(
    {"levelprefix", "levelname", "levelno", "name", "message", "client_addr", "request_line", "status_code"}
)
_FORMATTERS = (logging.Formatter, DefaultFormatter, AccessFormatter)  # classes known to add nothing else
_FIELD = re.compile(r"%\((\w+)\)")


def _same_for_the_same_call(handler: logging.Handler) -> bool:
    formatter = handler.formatter
    if formatter is None or type(formatter) not in _FORMATTERS or handler.filters:
        return False
    style = formatter._style  # what the format names: uvicorn's and logging's formatters keep it here
    if type(style) is not logging.PercentStyle:
        return False
    return set(_FIELD.findall(style._fmt)) <= _SAME_FOR_THE_SAME_CALL


def _write(logger: logging.Logger, calls: list[Call]) -> None:
    if not calls or not logger.isEnabledFor(logging.INFO):
        return
    records: list[logging.LogRecord] | None = None  # made only for a handler that needs them
    for handler in logger.handlers:
        if handler.level > logging.INFO:
            continue
        if isinstance(handler, logging.StreamHandler) and _same_for_the_same_call(handler):
            lines: dict[tuple[str, tuple[Any, ...]], str] = {}
            parts = []
            for call in calls:
                key = call[1:]
                line = lines.get(key)
                if line is None:
                    line = lines[key] = handler.format(_record(logger, call)) + handler.terminator
                parts.append(line)
            _write_stream(handler, "".join(parts))
            continue
        if records is None:
            records = [_record(logger, call) for call in calls]
        due = [r for r in records if handler.filter(r)]
        if isinstance(handler, logging.StreamHandler):
            _write_stream(handler, "".join(handler.format(r) + handler.terminator for r in due))
        else:
            for record in due:
                handler.handle(record)


def _write_stream(handler: logging.StreamHandler[Any], text: str) -> None:
    if text:
        with contextlib.suppress(OSError, ValueError):  # a closed or broken terminal loses lines only
            handler.stream.write(text)
            handler.flush()


@contextlib.contextmanager
def access_log_off_the_loop() -> Iterator[Gathered]:
    """While inside, the calls made on the `Gathered` given are written to the access logger's
    handlers in batches by a thread; all of them on the way out."""
    logger = logging.getLogger(ACCESS_LOGGER)
    gathered = Gathered()
    stopping = threading.Event()

    def flush() -> None:
        _write(logger, gathered.take())

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
