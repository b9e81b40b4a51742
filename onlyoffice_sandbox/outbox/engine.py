"""The outbox's engine: one SQLite file, a writer thread that commits in groups, a reader thread.

One thread owns the writing connection and runs every write. It takes all the operations waiting
at that moment into one transaction and commits them with one fsync (group commit), then answers
each. So a send is answered only after its message is on disk, and many sends share the cost of
the fsync. The operations themselves are in `operations.py` and `records.py`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from onlyoffice_sandbox.outbox.columns import NAMES, SCHEMA, TABLE

T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], T]

# An operation and what waits for it: a thread's concurrent future, or a coroutine's asyncio future.
Job = tuple[Operation[Any], "concurrent.futures.Future[Any] | asyncio.Future[Any]"]
Outcome = tuple[bool, Any]  # (True, result) or (False, the exception)
# How long a write waits for the other process's transaction before it fails: far longer than any
# transaction here takes (reads, which may be large, never hold the write lock).
BUSY_TIMEOUT_SECONDS = 60.0


class _Thread:
    """A thread that owns one connection and runs the operations given to it, in order."""

    def __init__(
        self, name: str, connect: Callable[[], sqlite3.Connection], run: Callable[..., None]
    ) -> None:
        # Jobs come in lists: all that one turn of an event loop asked for is one hand-over.
        self.jobs: queue.SimpleQueue[list[Job] | None] = queue.SimpleQueue()
        self.gathering: dict[asyncio.AbstractEventLoop, list[Job]] = {}  # touched on its loop only
        self._connect = connect
        self._run = run
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.thread = threading.Thread(target=self._main, args=(ready,), name=name, daemon=True)
        self.thread.start()
        ready.result()  # raises what opening the outbox raised, rather than waiting forever

    def _main(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            self._run(conn, self.jobs)
        finally:
            conn.close()


class Outbox:
    """Writes go to one writer thread (group commit); reads to a reader thread of their own, so that
    reading large rows never holds SQLite's write lock (WAL lets both run at once)."""

    def __init__(self, path: Path, records_deliveries: bool = False) -> None:
        """`records_deliveries`: this is the delivery process's outbox, whose writes only record what
        became of a message. They are committed without waiting for the disk (synchronous=NORMAL in
        WAL mode: they survive the process being killed, not the power going). A record lost so is
        a message sent again, never one lost; and the write lock, which the server's sends wait for,
        is held for microseconds, not an fsync each (its waits were the tail of the send latency)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._synchronous = "NORMAL" if records_deliveries else "FULL"
        self._lock = threading.Lock()
        self._closed = False
        self._writer = _Thread("outbox-writer", self._open, self._write_loop)
        self._reader = _Thread("outbox-reader", self._open_reader, self._read_loop)

    # -- running operations -------------------------------------------------

    def _put(self, to: _Thread, jobs: list[Job]) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the outbox is closed")
            to.jobs.put(jobs)

    def _wait(self, to: _Thread, operation: Operation[T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._put(to, [(operation, future)])
        return future.result()

    async def _await(self, to: _Thread, operation: Operation[T]) -> T:
        # A future of the loop's own, handed over with the others of this turn of the loop and
        # settled with the rest of its batch in one call back (`_settle`): `asyncio.wrap_future`
        # and a queue put each would cost a concurrent future, a chain and two thread wake-ups.
        if self._closed:
            raise RuntimeError("the outbox is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        gathering = to.gathering.setdefault(loop, [])
        if not gathering:
            loop.call_soon(self._hand_over, to, loop)
        gathering.append((operation, future))
        return await future

    def _hand_over(self, to: _Thread, loop: asyncio.AbstractEventLoop) -> None:
        jobs = to.gathering.pop(loop)
        try:
            self._put(to, jobs)
        except RuntimeError as closed:
            _settle(jobs, [(False, closed)] * len(jobs))

    def call(self, operation: Operation[T]) -> T:
        """Run `operation` in the writer thread and wait for its commit."""
        return self._wait(self._writer, operation)

    async def acall(self, operation: Operation[T]) -> T:
        return await self._await(self._writer, operation)

    def read(self, operation: Operation[T]) -> T:
        """Run a read-only `operation` in the reader thread, on one consistent snapshot."""
        return self._wait(self._reader, operation)

    async def aread(self, operation: Operation[T]) -> T:
        return await self._await(self._reader, operation)

    def close(self) -> None:
        """Commit what was submitted, then stop; later calls raise instead of waiting forever."""
        with self._lock:
            self._closed = True
            self._writer.jobs.put(None)
            self._reader.jobs.put(None)
        self._writer.thread.join()
        self._reader.thread.join()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=True, timeout=BUSY_TIMEOUT_SECONDS
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # The server's: committed means on disk, even on power loss (see __init__ for the other).
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.executescript(SCHEMA)
        # No migration: an outbox of an earlier layout is refused, clearly, rather than failing sends.
        missing = NAMES - {row[1] for row in conn.execute(f"PRAGMA table_info({TABLE})")}
        if missing:
            conn.close()
            raise RuntimeError(
                f"the outbox {self._path} was written by an earlier version of the sandbox (it lacks"
                f" the columns {sorted(missing)}): move it away and the sandbox starts a new one"
            )
        return conn

    def _open_reader(self) -> sqlite3.Connection:
        # After the writer has created the schema: the reader only reads.
        return sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=True, timeout=BUSY_TIMEOUT_SECONDS
        )

    @staticmethod
    def _read_loop(conn: sqlite3.Connection, jobs: queue.SimpleQueue[list[Job] | None]) -> None:
        while (given := jobs.get()) is not None:
            outcomes: list[Outcome] = []
            for operation, _ in given:
                try:
                    conn.execute("BEGIN")  # deferred: a read snapshot, never the write lock
                    try:
                        outcomes.append((True, operation(conn)))
                    finally:
                        conn.execute("COMMIT")
                except BaseException as exc:
                    outcomes.append((False, exc))
            _settle(given, outcomes)

    def _write_loop(self, conn: sqlite3.Connection, jobs: queue.SimpleQueue[list[Job] | None]) -> None:
        while True:
            given = jobs.get()
            if given is None:
                return
            batch = list(given)
            while len(batch) < 256:
                try:
                    more = jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    jobs.put(None)  # finish this batch, then stop
                    break
                batch += more
            self._commit(conn, batch)

    @staticmethod
    def _commit(conn: sqlite3.Connection, batch: list[Job]) -> None:
        try:
            try:
                outcomes = _transaction(conn, batch, each_alone=False)
            except _OperationFailed:
                # One failed: the batch again from the start, each operation in a savepoint of its own,
                # so that the others' writes stand. Operations only touch the database: run twice,
                # each does what it did. (A savepoint each, always, was a third of the writer's time.)
                outcomes = _transaction(conn, batch, each_alone=True)
        except BaseException as exc:
            outcomes = [(False, exc)] * len(batch)
        _settle(batch, outcomes)


class _OperationFailed(Exception):
    pass


def _transaction(conn: sqlite3.Connection, batch: list[Job], each_alone: bool) -> list[Outcome]:
    """Run the batch in one transaction and commit it. Not `each_alone`, an operation that raises
    rolls the whole transaction back (_OperationFailed); `each_alone`, it rolls back only itself."""
    outcomes: list[Outcome] = []
    try:
        conn.execute("BEGIN IMMEDIATE")
        for operation, _ in batch:
            if not each_alone:
                try:
                    outcomes.append((True, operation(conn)))
                except BaseException as exc:
                    raise _OperationFailed from exc
                continue
            conn.execute("SAVEPOINT op")
            try:
                outcomes.append((True, operation(conn)))
            except BaseException as exc:
                conn.execute("ROLLBACK TO op")
                outcomes.append((False, exc))
            conn.execute("RELEASE op")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _settle(jobs: list[Job], outcomes: list[Outcome]) -> None:
    """Give each job its outcome: a thread's future at once, a loop's futures in one call on their loop."""
    on_loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Outcome]]] = {}
    for (_, future), outcome in zip(jobs, outcomes, strict=True):
        if isinstance(future, asyncio.Future):
            on_loops.setdefault(future.get_loop(), []).append((future, outcome))
        else:
            _set(future, outcome)
    for loop, settled in on_loops.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing awaits these any more
            loop.call_soon_threadsafe(_set_all, settled)


def _set_all(settled: list[tuple[asyncio.Future[Any], Outcome]]) -> None:
    for future, outcome in settled:
        _set(future, outcome)


def _set(future: concurrent.futures.Future[Any] | asyncio.Future[Any], outcome: Outcome) -> None:
    ok, value = outcome
    # A waiter cancelled meanwhile finds nothing; what the operation did stands.
    with contextlib.suppress(asyncio.InvalidStateError, concurrent.futures.InvalidStateError):
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
