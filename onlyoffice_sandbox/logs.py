"""The access log, written by a thread of its own rather than on the event loop.

uvicorn formats and writes each access log line in the event loop's thread, about 10% of a
send's cost under load. Here each record is queued as it is (its arguments are strings and
numbers), and formatted and written by a listener thread: the same lines, still on by default.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Iterator
from logging.handlers import QueueHandler, QueueListener

ACCESS_LOGGER = "uvicorn.access"


class _AsIs(QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the listener's handlers, not in the caller's thread


@contextlib.contextmanager
def access_log_off_the_loop() -> Iterator[None]:
    """While inside, the access logger's handlers run in a listener thread; flushed on the way out."""
    logger = logging.getLogger(ACCESS_LOGGER)
    handlers = logger.handlers[:]
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = QueueListener(records, *handlers, respect_handler_level=True)
    logger.handlers = [_AsIs(records)]
    listener.start()
    try:
        yield
    finally:
        listener.stop()  # writes what is queued
        logger.handlers = handlers
