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
from pathlib import Path
from typing import Any, TypeVar

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
    mime BLOB,                     -- set only by versions that composed at accept: sent as it is
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL,
    last_error TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (state, next_attempt);
"""
# Columns added since the first release; an older outbox gets them at start, its queued rows
# keep their stored `mime` and are sent as they are.
_ADDED_COLUMNS = {"date": "TEXT", "author": "TEXT", "attachments": "TEXT"}


@dataclass(frozen=True)
class Queued:
    id: int
    letter: Letter
    mime: bytes | None  # from an outbox written by an older version
    attempts: int


@dataclass(frozen=True)
class Draft:
    id: int
    folder: str
    fields: dict[str, Any]


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._jobs: queue.SimpleQueue[tuple[Operation[Any], concurrent.futures.Future[Any]] | None] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._closed = False
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="outbox-writer", daemon=True)
        self._thread.start()
        ready.result()  # raises what opening the outbox raised, rather than waiting forever

    # -- running operations -------------------------------------------------

    def _submit(self, operation: Operation[T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the outbox is closed")
            self._jobs.put((operation, future))
        return future

    def call(self, operation: Operation[T]) -> T:
        """Run `operation` in the writer thread and wait for its commit."""
        return self._submit(operation).result()

    async def acall(self, operation: Operation[T]) -> T:
        return await asyncio.wrap_future(self._submit(operation))

    def close(self) -> None:
        """Commit what was submitted, then stop; later calls raise instead of waiting forever."""
        with self._lock:
            self._closed = True
            self._jobs.put(None)
        self._thread.join()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # committed means on disk, even on power loss
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

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            conn = self._open()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                batch = [job]
                while len(batch) < 256:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._jobs.put(None)  # finish this batch, then stop
                        break
                    batch.append(more)
                self._commit(conn, batch)
        finally:
            conn.close()

    @staticmethod
    def _commit(
        conn: sqlite3.Connection, batch: list[tuple[Operation[Any], concurrent.futures.Future[Any]]]
    ) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for operation, _ in batch:
                # A savepoint each: one operation that fails leaves the others in the batch intact.
                conn.execute("SAVEPOINT op")
                try:
                    outcomes.append((True, operation(conn)))
                except BaseException as exc:
                    conn.execute("ROLLBACK TO op")
                    outcomes.append((False, exc))
                conn.execute("RELEASE op")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(False, exc)] * len(batch)
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


# -- operations: each runs inside the writer's transaction --------------------


def seed(drafts: list[dict[str, Any]]) -> Operation[int]:
    """Insert drafts, each with an `id`; one that exists already is left as it is."""

    def op(conn: sqlite3.Connection) -> int:
        added = 0
        for draft in drafts:
            fields = {k: v for k, v in draft.items() if k not in {"id", "folder"}}
            cur = conn.execute(
                "INSERT OR IGNORE INTO messages (id, folder, fields, updated) VALUES (?, ?, ?, ?)",
                (int(draft["id"]), draft.get("folder", "drafts"), json.dumps(fields), time.time()),
            )
            added += cur.rowcount
        return added

    return op


def find_draft(message_id: int) -> Operation[Draft]:
    """The draft to send: 404 if there is none, 403 if it is not in Drafts or Templates."""

    def op(conn: sqlite3.Connection) -> Draft:
        row = conn.execute("SELECT folder, fields FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise not_found(f"Message not found: id {message_id}")
        if row[0] not in SENDABLE:
            raise forbidden(NOT_IN_DRAFTS)
        return Draft(message_id, row[0], json.loads(row[1]))

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
        time.time(),
        time.time(),
    )


def queue_message(letter: Letter, draft: Draft | None = None) -> Operation[int]:
    """Queue a message for delivery and give its id.

    A draft moves to Sent and keeps its id; a template stays and its copy gets
    a new id. The draft's folder is checked again here, in the same
    transaction, so that two concurrent sends of one draft cannot both pass.
    """
    values = _queue_values(letter)

    def op(conn: sqlite3.Connection) -> int:
        if draft is not None and draft.folder == "drafts":
            cur = conn.execute(
                "UPDATE messages SET folder = 'sent', state = 'queued', fields = ?, message_id = ?,"
                " date = ?, sender = ?, author = ?, recipients = ?, attachments = ?, next_attempt = ?,"
                " updated = ? WHERE id = ? AND folder = 'drafts'",
                (*values, draft.id),
            )
            if cur.rowcount != 1:
                raise forbidden(NOT_IN_DRAFTS)
            return draft.id
        cur = conn.execute(
            "INSERT INTO messages (folder, state, fields, message_id, date, sender, author, recipients,"
            " attachments, next_attempt, updated) VALUES ('sent', 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    return op


def _queued(row: tuple[Any, ...]) -> Queued:
    id_, fields, message_id, date, sender, author, recipients, attached, mime, attempts = row
    letter = Letter(
        json.loads(fields),
        message_id,
        date or "",
        author or sender,  # an older outbox kept only the address
        json.loads(recipients),
        attachments.loads(attached or "[]"),
    )
    return Queued(id_, letter, mime, attempts)


def due(now: float, limit: int) -> Operation[list[Queued]]:
    def op(conn: sqlite3.Connection) -> list[Queued]:
        rows = conn.execute(
            "SELECT id, fields, message_id, date, sender, author, recipients, attachments, mime, attempts"
            " FROM messages"
            " WHERE state = 'queued' AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [_queued(row) for row in rows]

    return op


def next_due() -> Operation[float | None]:
    def op(conn: sqlite3.Connection) -> float | None:
        row = conn.execute("SELECT min(next_attempt) FROM messages WHERE state = 'queued'").fetchone()
        return None if row[0] is None else float(row[0])

    return op


def mark(
    message: int, state: str, error: str | None = None, retry_at: float | None = None
) -> Operation[None]:
    """Record an attempt: 'sent', 'failed' (permanent), or 'queued' again with a later retry."""

    def op(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE messages SET state = ?, attempts = attempts + 1, last_error = ?,"
            " next_attempt = coalesce(?, next_attempt), updated = ? WHERE id = ? AND state = 'queued'",
            (state, error, retry_at, time.time(), message),
        )

    return op


def listing() -> Operation[list[dict[str, Any]]]:
    def op(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT id, folder, state, message_id, recipients, attempts, last_error FROM messages ORDER BY id"
        ).fetchall()
        keys = ("id", "folder", "state", "messageId", "recipients", "attempts", "lastError")
        return [dict(zip(keys, (*r[:4], json.loads(r[4] or "[]"), *r[5:]), strict=True)) for r in rows]

    return op


# -- read-only operations for the pages and the sandbox's API --------------------------------

# The message itself, kept for delivery: not part of its delivery record.
_NOT_RECORD = {"fields", "attachments", "mime"}
_PLAIN_TEXT = {"last_error", "message_id", "date", "sender", "author", "folder", "state"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _record(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as its delivery record: every column but the message itself, named as the JSON
    listing names them, JSON text decoded. Generic, so that a column added later shows too."""
    record: dict[str, Any] = {}
    for name, value in zip(names, row, strict=True):
        if name in _NOT_RECORD:
            continue
        if isinstance(value, str) and name not in _PLAIN_TEXT and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        record[_camel(name)] = value
    if "recipients" in record and record["recipients"] is None:
        record["recipients"] = []
    return record


def _select_records(conn: sqlite3.Connection, where: str, values: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM messages {where}", values)  # noqa: S608 - placeholders only
    names = [d[0] for d in cur.description]
    return [_record(names, row) for row in cur.fetchall()]


def records(limit: int, offset: int) -> Operation[tuple[int, list[dict[str, Any]]]]:
    """One page of delivery records, newest first, and how many there are in all."""

    def op(conn: sqlite3.Connection) -> tuple[int, list[dict[str, Any]]]:
        total = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        return total, _select_records(conn, "ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))

    return op


def record_of(message_id: str) -> Operation[dict[str, Any] | None]:
    """The delivery record of the message with this Message-ID header (the newest, if several)."""

    def op(conn: sqlite3.Connection) -> dict[str, Any] | None:
        found = _select_records(conn, "WHERE message_id = ? ORDER BY id DESC LIMIT 1", (message_id,))
        return found[0] if found else None

    return op


def send_ids(message_ids: list[str]) -> Operation[dict[str, int]]:
    """The id the send call answered for each of these Message-ID headers that the outbox knows."""

    def op(conn: sqlite3.Connection) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(message_ids), 500):  # SQLite's limit on placeholders
            chunk = message_ids[start : start + 500]
            rows = conn.execute(
                f"SELECT message_id, id FROM messages WHERE message_id IN ({', '.join('?' * len(chunk))})",  # noqa: S608
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
