"""What the send call and delivery do to the outbox: seed drafts, find the draft to send, queue a
message, keep a refused one in Drafts; find what is due, load it, record each attempt.

Each is an operation for the engine (`engine.py`): writes run in the writer's transaction (`call`,
`acall`), the reads marked so in the reader's snapshot (`read`, `aread`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import attachments
from onlyoffice_sandbox.letter import Letter
from onlyoffice_sandbox.outbox import columns
from onlyoffice_sandbox.outbox.engine import Operation
from onlyoffice_sandbox.problems import refuse

# Folders a message can be sent from; sending a draft moves it to "sent".
SENDABLE = ("drafts", "templates")


@dataclass(frozen=True)
class Due:
    id: int
    attempts: int


@dataclass(frozen=True)
class Queued:
    id: int
    letter: Letter
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


# What queueing a message writes, in `_queue_values`' order.
_QUEUED = (
    "folder",
    "state",
    "fields",
    "message_id",
    "date",
    "sender",
    "author",
    "recipients",
    "attachments",
    "notes",
    "next_attempt",
    "updated",
    "tenant",
)
# Sent afresh: the earlier attempts and refusals are not this send's.
_AFRESH = ("attempts", "last_error", "delivered_to", "refused")
_QUEUE_DRAFT = columns.update((*_QUEUED, *_AFRESH), "WHERE id = ? AND folder = 'drafts'")
_QUEUE_NEW = columns.insert(_QUEUED)
_SEED = columns.insert(("id", "folder", "fields", "message_id", "updated"), verb="INSERT OR IGNORE")
_FIND_DRAFT = columns.select(("folder", "fields", "message_id"), "WHERE id = ? AND tenant = ?")
_KEPT = ("fields", "notes", "updated")
_KEEP_DRAFT = columns.update(_KEPT, "WHERE id = ? AND folder = 'drafts'")
_KEEP_NEW = columns.insert(("folder", *_KEPT, "tenant"))
_DUE = columns.select(
    ("id", "attempts"), "WHERE state = 'queued' AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?"
)
# What delivering a message needs, in `_queued`'s order.
_LOADED = (
    "id",
    "fields",
    "message_id",
    "date",
    "author",
    "recipients",
    "attachments",
    "attempts",
    "delivered_to",
    "refused",
)
_LOAD = columns.select(_LOADED, "WHERE id = ? AND state = 'queued'")
_NEXT_DUE = f"SELECT min(next_attempt) FROM {columns.TABLE} WHERE state = 'queued'"  # noqa: S608
_MARK_READ = columns.select(
    ("delivered_to", "refused", "attempts", "next_attempt"), "WHERE id = ? AND state = 'queued'"
)
_MARK = columns.update(
    ("state", "attempts", "last_error", "delivered_to", "refused", "next_attempt", "updated"), "WHERE id = ?"
)
_ATTACHED = columns.select(("attachments",), "WHERE id = ?")
_CAPTURED = f"INSERT OR IGNORE INTO {columns.CAPTURES} (send_id, key) VALUES (?, ?)"  # noqa: S608 - a constant
_SET_ATTACHED = columns.update(("attachments",), "WHERE id = ?")
_BACK_TO_DRAFTS = columns.update(("folder",), "WHERE id = ?")


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
            values = (
                int(draft["id"]),
                draft.get("folder", "drafts"),
                json.dumps(fields),
                _stored_message_id(draft),
                time.time(),
            )
            added += conn.execute(_SEED, values).rowcount
        return added

    return op


def find_draft(message_id: int, tenant: str = "") -> Operation[Draft]:
    """The tenant's draft to send: 404 if it has none by that id, 403 if it is not in Drafts or
    Templates. Seeded drafts are the default tenant's."""

    def op(conn: sqlite3.Connection) -> Draft:
        row = conn.execute(_FIND_DRAFT, (message_id, tenant)).fetchone()
        if row is None:
            raise refuse(RefusalId.MESSAGE_NOT_FOUND, f": id {message_id}")
        if row[0] not in SENDABLE:
            raise refuse(RefusalId.NOT_IN_DRAFTS)
        return Draft(message_id, row[0], json.loads(row[1]), row[2])

    return op


def _queue_values(letter: Letter, tenant: str) -> tuple[Any, ...]:
    now = time.time()
    return (
        "sent",
        "queued",
        json.dumps(letter.fields),
        letter.message_id,
        letter.date,
        letter.sender,
        letter.author,
        json.dumps(letter.recipients),
        attachments.dumps(letter.attachments),
        json.dumps(list(letter.notes)) if letter.notes else "[]",
        now,
        now,
        tenant,
    )


def queue_message(letter: Letter, draft: Draft | None = None, tenant: str = "") -> Operation[int]:
    """Queue a message for delivery and give its id.

    A draft moves to Sent and keeps its id; a template stays and its copy gets
    a new id. The draft's folder is checked again here, in the same
    transaction, so that two concurrent sends of one draft cannot both pass.
    A draft back in Drafts after a failed delivery (`mark`) is sent afresh: the
    earlier attempts and refusals are not this send's.
    """
    values = _queue_values(letter, tenant)

    def op(conn: sqlite3.Connection) -> int:
        if draft is not None and draft.folder == "drafts":
            cur = conn.execute(_QUEUE_DRAFT, (*values, 0, None, None, None, draft.id))
            if cur.rowcount != 1:
                raise refuse(RefusalId.NOT_IN_DRAFTS)
            return draft.id
        cur = conn.execute(_QUEUE_NEW, values)
        assert cur.lastrowid is not None
        return cur.lastrowid

    return op


def queue_failed(letter: Letter, draft: Draft | None, reason: str, tenant: str = "") -> Operation[int]:
    """A message accepted and then failed for good before any attempt, in one transaction, and its id:
    the real server's send task could not build its mail (`send_task.py`), so it answered 200, put
    the message back in Drafts and sent nothing. No delivery can pick it up in between."""
    queue = queue_message(letter, draft, tenant)

    def op(conn: sqlite3.Connection) -> int:
        message = queue(conn)
        mark(message, "failed", f"the real server's send task fails: {reason}")(conn)
        return message

    return op


def keep_refused(
    fields: dict[str, Any], draft: Draft | None, reason: str, tenant: str = ""
) -> Operation[int]:
    """What a send refused for an address leaves in Drafts, and its id: the real server saves the
    message as a draft before it parses the addresses (DraftEngine.Send), so a new message becomes
    a draft, and a draft is saved with the request's fields (a template is left as it is)."""
    values = (json.dumps(fields), json.dumps([f"left in Drafts by a refused send: {reason}"]), time.time())

    def op(conn: sqlite3.Connection) -> int:
        if draft is not None and draft.folder == "drafts":
            conn.execute(_KEEP_DRAFT, (*values, draft.id))
            return draft.id
        cur = conn.execute(_KEEP_NEW, ("drafts", *values, tenant))
        assert cur.lastrowid is not None
        return cur.lastrowid

    return op


def _queued(row: tuple[Any, ...]) -> Queued:
    id_, fields, message_id, date, author, recipients, attached, attempts, done, refused = row
    letter = Letter(
        json.loads(fields), message_id, date, author, json.loads(recipients), attachments.loads(attached)
    )
    return Queued(id_, letter, attempts, frozenset(json.loads(done or "[]")), json.loads(refused or "{}"))


def due(now: float, limit: int) -> Operation[list[Due]]:
    """(A read.) The messages whose next attempt is due, oldest first: ids only, no contents."""

    def op(conn: sqlite3.Connection) -> list[Due]:
        return [Due(*row) for row in conn.execute(_DUE, (now, limit)).fetchall()]

    return op


def load(message: int) -> Operation[Queued | None]:
    """(A read.) A queued message with all that sending it needs; None if it is no longer queued."""

    def op(conn: sqlite3.Connection) -> Queued | None:
        row = conn.execute(_LOAD, (message,)).fetchone()
        return None if row is None else _queued(row)

    return op


def next_due() -> Operation[float | None]:
    def op(conn: sqlite3.Connection) -> float | None:
        row = conn.execute(_NEXT_DUE).fetchone()
        return None if row[0] is None else float(row[0])

    return op


def mark(
    message: int,
    state: str,
    error: str | None = None,
    retry_at: float | None = None,
    delivered: list[str] | None = None,
    refused: dict[str, str] | None = None,
    captured: str | None = None,
) -> Operation[None]:
    """Record an attempt: 'sent', 'failed' (permanent), or 'queued' again with a later retry; with
    the recipients this attempt delivered to, those the relay refused for good, and the key the
    embedded capture files what this attempt delivered under (`mailstore`).

    A message whose delivery failed, to no recipient at all, goes back to Drafts, as on the real
    server (`ReleaseSendingDraftOnFailure`), a new message as much as a draft: the real server
    saves every message as a draft before it sends it. Its id can be sent again."""

    def op(conn: sqlite3.Connection) -> None:
        row = conn.execute(_MARK_READ, (message,)).fetchone()
        if row is None:
            return  # recorded already (by an earlier process), or not queued
        done_before, refused_before, attempts, next_attempt = row
        done: list[str] = json.loads(done_before or "[]")
        done += [r for r in delivered or [] if r not in done]
        refusals = {**json.loads(refused_before or "{}"), **(refused or {})}
        retry = next_attempt if retry_at is None else retry_at
        values = (state, attempts + 1, error, json.dumps(done), json.dumps(refusals), retry, time.time())
        conn.execute(_MARK, (*values, message))
        if captured is not None:
            conn.execute(_CAPTURED, (message, captured))
        if state != "queued":  # done with: the attached files' bytes are not kept for ever
            text = conn.execute(_ATTACHED, (message,)).fetchone()[0]
            conn.execute(_SET_ATTACHED, (attachments.without_contents(text), message))
        if state == "failed" and not done:
            conn.execute(_BACK_TO_DRAFTS, ("drafts", message))

    return op
