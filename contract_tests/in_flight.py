"""WORKERS: generated cases sent from several threads, what each answer teaches taken in generation order.

In the suite's pytest run Hypothesis draws the cases from SEED alone (no feedback from answers, and
`test_conformance` never fails on a check: each failure is kept and the run goes on), so a case
need not wait for the answer to the one before. Each is sent, and its checks run, on one of
WORKERS threads; the run learns from the results (failures kept, the first case kept for each
check) on the test's own thread, in the order the cases were drawn: the same seed gives the same
cases and the same verdict whatever WORKERS is. MAX_SENDS and RATE_LIMIT hold for every thread
because every request passes through `transport.Transport`, whose counter and pacer are locked;
never more than WORKERS requests are in flight, a request the test's thread sends meanwhile
(`slot`) included.

An error (no answer, MAX_SENDS reached, throttled past the budget) stops the sending: no case is
sent after it, and it is raised once the cases already in flight have answered (`drain`), in the
test of the run, as it would have been raised by the case itself when sent one at a time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

import requests

Item = TypeVar("Item")
Result = TypeVar("Result")

# Cases drawn ahead of the oldest one still unanswered, per worker: enough to keep every worker busy
# while the oldest is slow, few enough that an error stops the run within a handful of sends.
AHEAD_PER_WORKER = 2


class InFlight(Generic[Item, Result]):
    """Runs `send(item, session)` on `workers` threads (each with a requests session of its own) and
    `take(item, result)` on the caller's thread, in the order the items were submitted."""

    def __init__(
        self,
        workers: int,
        send: Callable[[Item, requests.Session], Result],
        take: Callable[[Item, Result], None],
    ) -> None:
        self.workers = workers
        self._send, self._take = send, take
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="contract-worker")
        self._pending: deque[tuple[Item, Future[Result]]] = deque()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        # A request in flight holds one: the workers' sends, and any the caller sends meanwhile (`slot`).
        self._slots = threading.BoundedSemaphore(workers)
        self.error: BaseException | None = None  # the first error a send raised; no send after it

    def submit(self, item: Item) -> None:
        if self.error is not None:  # the run stops at the error, as it would one case at a time
            return
        self._pending.append((item, self._pool.submit(self._in_worker, item)))
        self._take_done(keep=self.workers * AHEAD_PER_WORKER)

    def drain(self) -> None:
        """Wait for every case in flight, take their results, and raise the first error, if any."""
        self._take_done(keep=0)
        self._pool.shutdown(wait=True)
        for session in self._sessions:
            session.close()
        if self.error is not None:
            raise self.error

    def _in_worker(self, item: Item) -> Result:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            with self._lock:
                self._sessions.append(session)
        with self._slots:
            return self._send(item, session)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """For a request the caller's thread sends while cases are in flight: never more than WORKERS."""
        with self._slots:
            yield

    def _take_done(self, keep: int) -> None:
        """Take the results at the head of the queue: those done, and while more than `keep` are
        pending, the oldest once it is done (waiting for it)."""
        while self._pending and (len(self._pending) > keep or self._pending[0][1].done()):
            item, future = self._pending.popleft()
            try:
                result = future.result()
            except BaseException as exc:  # raised again by drain(), on the test thread
                self.error = self.error or exc
                for _, later in self._pending:
                    later.cancel()  # not started yet: never sent
                continue
            if self.error is None:
                self._take(item, result)
