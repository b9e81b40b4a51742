"""The durable outbox: drafts and queued mail in SQLite.

One thread owns the connection and runs every operation. It takes all the
operations waiting at that moment into one transaction and commits them with
one fsync (group commit), then answers each. So a send is answered only after
its message is on disk, and many sends share the cost of the fsync.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import make_msgid
from pathlib import Path
from typing import Any, TypeVar

from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import attachments
from onlyoffice_sandbox.letter import Letter
from onlyoffice_sandbox.problems import forbidden, not_found

T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], T]

# Folders a message can be sent from; sending a draft moves it to "sent".
SENDABLE = ("drafts", "templates")
NOT_IN_DRAFTS = "Sending emails is permitted only in the Drafts folder"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    folder TEXT NOT NULL,
    fields TEXT NOT NULL,          -- the message as request fields, JSON
    state TEXT,                    -- NULL (not queued), 'queued', 'sent' or 'failed'
    message_id TEXT,               -- the Message-ID header: the same on every attempt
    date TEXT,                     -- the Date header, set when the message was accepted
    sender TEXT,                   -- the envelope sender (MAIL FROM)
    author TEXT,                   -- the From mailbox, with the account's display name
    recipients TEXT,               -- JSON list of envelope recipients
    attachments TEXT,              -- JSON list of the attached files, their bytes in base64
    notes TEXT,                    -- JSON list of strings: each leniency used, each attachment skipped
    mime BLOB,                     -- set only by versions that composed at accept: sent as it is
    delivered_to TEXT,             -- JSON list of the recipients the relay has accepted it for
    refused TEXT,                  -- JSON object: recipient -> the relay's permanent refusal
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL,
    last_error TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (state, next_attempt);
CREATE INDEX IF NOT EXISTS messages_message_id ON messages (message_id);  -- the JSON API's lookups
"""
# Columns added since the first release; an older outbox gets them at start, its queued rows
# keep their stored `mime` and are sent as they are.
_ADDED_COLUMNS = {
    "date": "TEXT",
    "author": "TEXT",
    "attachments": "TEXT",
    "delivered_to": "TEXT",
    "refused": "TEXT",
    "notes": "TEXT",
}


@dataclass(frozen=True)
class Due:
    id: int
    attempts: int


@dataclass(frozen=True)
class Queued:
    id: int
    letter: Letter
    mime: bytes | None  # from an outbox written by an older version
    attempts: int
    delivered_to: frozenset[str]  # recipients the relay has accepted it for on an earlier attempt
    refused: dict[str, str]  # recipients refused for good, with the relay's answer

    @property
    def pending(self) -> list[str]:
        """The recipients this attempt is for: the letter's, less those already done with."""
        return [r for r in self.letter.recipients if r not in self.delivered_to and r not in self.refused]


@dataclass(frozen=True)
class Draft:
    id: int
    folder: str
    fields: dict[str, Any]
    message_id: str | None = None  # the Message-ID it was saved with, which its send keeps


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
        conn.executescript(_SCHEMA)
        have = {row[1] for row in conn.execute("PRAGMA table_info(messages)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in have:
                # Another process on this outbox may add it first: that is the same outcome.
                with contextlib.suppress(sqlite3.OperationalError):
                    conn.execute(f"ALTER TABLE messages ADD COLUMN {name} {kind}")
        missing = set(_ADDED_COLUMNS) - {row[1] for row in conn.execute("PRAGMA table_info(messages)")}
        if missing:
            conn.close()
            raise RuntimeError(f"the outbox {self._path} lacks columns it could not add: {sorted(missing)}")
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


# -- operations: writes run inside the writer's transaction; reads (marked) in the reader's snapshot --


def _stored_message_id(draft: dict[str, Any]) -> str:
    """The Message-ID a seeded message was saved with, in angle brackets; one made for it if none
    is given: the real server gives every message one when it saves it (ComposeEngineBase.Save)."""
    given = draft.get("mimeMessageId")
    if given:
        return f"<{given.strip().strip('<>')}>"
    sender = parse_mailbox(str(draft.get("from") or ""))
    return make_msgid(domain=sender.domain if sender is not None else "localhost")


def seed(drafts: list[dict[str, Any]]) -> Operation[int]:
    """Insert drafts, each with an `id`; one that exists already is left as it is."""

    def op(conn: sqlite3.Connection) -> int:
        added = 0
        for draft in drafts:
            fields = {k: v for k, v in draft.items() if k not in {"id", "folder", "mimeMessageId"}}
            cur = conn.execute(
                "INSERT OR IGNORE INTO messages (id, folder, fields, message_id, updated)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    int(draft["id"]),
                    draft.get("folder", "drafts"),
                    json.dumps(fields),
                    _stored_message_id(draft),
                    time.time(),
                ),
            )
            added += cur.rowcount
        return added

    return op


def find_draft(message_id: int) -> Operation[Draft]:
    """The draft to send: 404 if there is none, 403 if it is not in Drafts or Templates."""

    def op(conn: sqlite3.Connection) -> Draft:
        row = conn.execute(
            "SELECT folder, fields, message_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise not_found(f"Message not found: id {message_id}")
        if row[0] not in SENDABLE:
            raise forbidden(NOT_IN_DRAFTS)
        return Draft(message_id, row[0], json.loads(row[1]), row[2])

    return op


def _queue_values(letter: Letter) -> tuple[Any, ...]:
    return (
        json.dumps(letter.fields),
        letter.message_id,
        letter.date,
        letter.sender,
        letter.author,
        json.dumps(letter.recipients),
        attachments.dumps(letter.attachments),
        json.dumps(list(letter.notes)) if letter.notes else "[]",
        time.time(),
        time.time(),
    )


def queue_message(letter: Letter, draft: Draft | None = None) -> Operation[int]:
    """Queue a message for delivery and give its id.

    A draft moves to Sent and keeps its id; a template stays and its copy gets
    a new id. The draft's folder is checked again here, in the same
    transaction, so that two concurrent sends of one draft cannot both pass.
    A draft back in Drafts after a failed delivery (`mark`) is sent afresh: the
    earlier attempts and refusals are not this send's.
    """
    values = _queue_values(letter)

    def op(conn: sqlite3.Connection) -> int:
        if draft is not None and draft.folder == "drafts":
            cur = conn.execute(
                "UPDATE messages SET folder = 'sent', state = 'queued', fields = ?, message_id = ?,"
                " date = ?, sender = ?, author = ?, recipients = ?, attachments = ?, notes = ?,"
                " next_attempt = ?, updated = ?, attempts = 0, last_error = NULL,"
                " delivered_to = NULL, refused = NULL WHERE id = ? AND folder = 'drafts'",
                (*values, draft.id),
            )
            if cur.rowcount != 1:
                raise forbidden(NOT_IN_DRAFTS)
            return draft.id
        cur = conn.execute(
            "INSERT INTO messages (folder, state, fields, message_id, date, sender, author, recipients,"
            " attachments, notes, next_attempt, updated)"
            " VALUES ('sent', 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    return op


def queue_failed(letter: Letter, draft: Draft | None, reason: str) -> Operation[int]:
    """A message accepted and then failed for good before any attempt, in one transaction, and its id:
    the real server's send task could not build its mail (`send_task.py`), so it answered 200, put
    the message back in Drafts and sent nothing. No delivery can pick it up in between."""
    queue = queue_message(letter, draft)

    def op(conn: sqlite3.Connection) -> int:
        message = queue(conn)
        mark(message, "failed", f"the real server's send task fails: {reason}")(conn)
        return message

    return op


def keep_refused(fields: dict[str, Any], draft: Draft | None, reason: str) -> Operation[int]:
    """What a send refused for an address leaves in Drafts, and its id: the real server saves the
    message as a draft before it parses the addresses (DraftEngine.Send), so a new message becomes
    a draft, and a draft is saved with the request's fields (a template is left as it is)."""
    values = (json.dumps(fields), json.dumps([f"left in Drafts by a refused send: {reason}"]), time.time())

    def op(conn: sqlite3.Connection) -> int:
        if draft is not None and draft.folder == "drafts":
            conn.execute(
                "UPDATE messages SET fields = ?, notes = ?, updated = ? WHERE id = ? AND folder = 'drafts'",
                (*values, draft.id),
            )
            return draft.id
        cur = conn.execute(
            "INSERT INTO messages (folder, fields, notes, updated) VALUES ('drafts', ?, ?, ?)", values
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    return op


def _queued(row: tuple[Any, ...]) -> Queued:
    id_, fields, message_id, date, sender, author, recipients, attached, mime, attempts, done, refused = row
    letter = Letter(
        json.loads(fields),
        message_id,
        date or "",
        author or sender,  # an older outbox kept only the address
        json.loads(recipients),
        attachments.loads(attached or "[]"),
    )
    return Queued(
        id_, letter, mime, attempts, frozenset(json.loads(done or "[]")), json.loads(refused or "{}")
    )


def due(now: float, limit: int) -> Operation[list[Due]]:
    """(A read.) The messages whose next attempt is due, oldest first: ids only, no contents."""

    def op(conn: sqlite3.Connection) -> list[Due]:
        rows = conn.execute(
            "SELECT id, attempts FROM messages WHERE state = 'queued' AND next_attempt <= ?"
            " ORDER BY next_attempt, id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [Due(*row) for row in rows]

    return op


def load(message: int) -> Operation[Queued | None]:
    """(A read.) A queued message with all that sending it needs; None if it is no longer queued."""

    def op(conn: sqlite3.Connection) -> Queued | None:
        row = conn.execute(
            "SELECT id, fields, message_id, date, sender, author, recipients, attachments, mime, attempts,"
            " delivered_to, refused FROM messages WHERE id = ? AND state = 'queued'",
            (message,),
        ).fetchone()
        return None if row is None else _queued(row)

    return op


def next_due() -> Operation[float | None]:
    def op(conn: sqlite3.Connection) -> float | None:
        row = conn.execute("SELECT min(next_attempt) FROM messages WHERE state = 'queued'").fetchone()
        return None if row[0] is None else float(row[0])

    return op


def mark(
    message: int,
    state: str,
    error: str | None = None,
    retry_at: float | None = None,
    delivered: list[str] | None = None,
    refused: dict[str, str] | None = None,
) -> Operation[None]:
    """Record an attempt: 'sent', 'failed' (permanent), or 'queued' again with a later retry; with
    the recipients this attempt delivered to and those the relay refused for good.

    A message whose delivery failed, to no recipient at all, goes back to Drafts, as on the real
    server (`ReleaseSendingDraftOnFailure`), a new message as much as a draft: the real server
    saves every message as a draft before it sends it. Its id can be sent again."""

    def op(conn: sqlite3.Connection) -> None:
        row = conn.execute(
            "SELECT delivered_to, refused FROM messages WHERE id = ? AND state = 'queued'",
            (message,),
        ).fetchone()
        if row is None:
            return  # recorded already (by an earlier process), or not queued
        done: list[str] = json.loads(row[0] or "[]")
        done += [r for r in delivered or [] if r not in done]
        refusals = {**json.loads(row[1] or "{}"), **(refused or {})}
        conn.execute(
            "UPDATE messages SET state = ?, attempts = attempts + 1, last_error = ?, delivered_to = ?,"
            " refused = ?, next_attempt = coalesce(?, next_attempt), updated = ? WHERE id = ?",
            (state, error, json.dumps(done), json.dumps(refusals), retry_at, time.time(), message),
        )
        if state != "queued":  # done with: the attached files' bytes are not kept for ever
            text = conn.execute("SELECT attachments FROM messages WHERE id = ?", (message,)).fetchone()[0]
            conn.execute(
                "UPDATE messages SET attachments = ? WHERE id = ?",
                (attachments.without_contents(text), message),
            )
        if state == "failed" and not done:
            conn.execute("UPDATE messages SET folder = 'drafts' WHERE id = ?", (message,))

    return op


# -- read-only operations for the pages and the sandbox's API (run them with `aread`) ---------

# A delivery record's fields, in the order the JSON listing has always given them (sandbox-api.yaml's
# OutboxRecord); the other columns follow them in a full record. JSON columns, with what an empty
# one (queued, not yet attempted; or a row from an older outbox) reads as.
LISTED = (
    "id",
    "folder",
    "state",
    "message_id",
    "recipients",
    "attempts",
    "last_error",
    "delivered_to",
    "refused",
    "notes",
)
_JSON_DEFAULTS: dict[str, Callable[[], Any]] = {
    "recipients": list,
    "delivered_to": list,
    "refused": dict,
    "notes": list,
}
# The message itself, kept for delivery: not part of its delivery record, and never read for one.
_NOT_RECORD = {"fields", "attachments", "mime"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _record_columns(conn: sqlite3.Connection) -> list[str]:
    """Every column of a full record: the listed ones first, then any other (a column added later
    shows too), never the message itself."""
    have = [row[1] for row in conn.execute("PRAGMA table_info(messages)")]
    return [*LISTED, *(name for name in have if name not in LISTED and name not in _NOT_RECORD)]


def _record(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """The one builder of a delivery record: a row's columns named as the JSON names them, the JSON
    ones decoded, and an empty one as its empty array or object, never null."""
    record: dict[str, Any] = {}
    for name, value in zip(names, row, strict=True):
        if name in _JSON_DEFAULTS:
            value = json.loads(value) if value else _JSON_DEFAULTS[name]()
        record[_camel(name)] = value
    return record


def _select_records(
    conn: sqlite3.Connection, names: list[str], where: str, values: tuple[Any, ...]
) -> list[dict[str, Any]]:
    columns = ", ".join(f'"{name}"' for name in names)  # names from the table itself
    cur = conn.execute(f"SELECT {columns} FROM messages {where}", values)  # noqa: S608 - placeholders only
    return [_record(names, row) for row in cur.fetchall()]


def listing(after: int = 0, limit: int = -1) -> Operation[list[dict[str, Any]]]:
    """The messages after id `after`, oldest first, at most `limit` (-1: all), with their state;
    `notes` are what the app developer should know about each."""

    def op(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        return _select_records(conn, list(LISTED), "WHERE id > ? ORDER BY id LIMIT ?", (after, limit))

    return op


def ids_after(after: int, limit: int) -> Operation[list[int]]:
    """The ids of the next `limit` messages after id `after`, oldest first."""

    def op(conn: sqlite3.Connection) -> list[int]:
        rows = conn.execute("SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
        return [row[0] for row in rows]

    return op


def records(limit: int, offset: int) -> Operation[tuple[int, list[dict[str, Any]]]]:
    """One page of delivery records, newest first, and how many there are in all."""

    def op(conn: sqlite3.Connection) -> tuple[int, list[dict[str, Any]]]:
        total = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        page = _select_records(
            conn, _record_columns(conn), "ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return total, page

    return op


def record_of(message_id: str) -> Operation[dict[str, Any] | None]:
    """The delivery record of the message with this Message-ID header (the newest, if several)."""

    def op(conn: sqlite3.Connection) -> dict[str, Any] | None:
        where = "WHERE message_id = ? ORDER BY id DESC LIMIT 1"
        found = _select_records(conn, _record_columns(conn), where, (message_id,))
        return found[0] if found else None

    return op


def send_ids(message_ids: list[str]) -> Operation[dict[str, int]]:
    """The id the send call answered for each of these Message-ID headers that the outbox knows."""

    def op(conn: sqlite3.Connection) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(message_ids), 500):  # SQLite's limit on placeholders
            chunk = message_ids[start : start + 500]
            rows = conn.execute(
                # A template's sends share its Message-ID: the newest send wins, then (ordered by id).
                f"SELECT message_id, id FROM messages WHERE message_id IN ({', '.join('?' * len(chunk))})"  # noqa: S608
                " ORDER BY id",
                chunk,
            )
            found.update(rows.fetchall())
        return found

    return op


def message_id_of(send_id: int) -> Operation[str | None]:
    """The Message-ID header of the message the send call answered `send_id` for."""

    def op(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT message_id FROM messages WHERE id = ?", (send_id,)).fetchone()
        return None if row is None else row[0]

    return op
