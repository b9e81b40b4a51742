"""Delivery records: what the JSON API (sandbox-api.yaml's OutboxRecord) and the pages show of the
outbox's messages. All are reads: run them with `aread`, in the reader's snapshot."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from onlyoffice_sandbox.outbox import columns
from onlyoffice_sandbox.outbox.columns import LISTED, RECORDED
from onlyoffice_sandbox.outbox.engine import Operation

__all__ = [
    "LISTED",
    "ids_after",
    "listing",
    "message_id_of",
    "record_of",
    "records",
    "send_ids",
    "subjects",
    "version",
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


_JSON_NAMES = {name: _camel(name) for name in RECORDED}
_LISTING = columns.select(LISTED, "WHERE id > ? ORDER BY id LIMIT ?")
_PAGE = columns.select(RECORDED, "ORDER BY id DESC LIMIT ? OFFSET ?")
_BY_HEADER = columns.select(RECORDED, "WHERE message_id = ? ORDER BY id DESC LIMIT 1")
_IDS_AFTER = columns.select(("id",), "WHERE id > ? ORDER BY id LIMIT ?")
_HEADER_OF = columns.select(("message_id",), "WHERE id = ?")
_VERSION = f"SELECT count(*), max(updated) FROM {columns.TABLE}"  # noqa: S608 - no outside text
_PLACEHOLDERS = 500  # SQLite's limit on the placeholders of one statement, with room to spare


def _record(names: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """The one builder of a delivery record: a row's columns named as the JSON names them."""
    return {_JSON_NAMES[name]: columns.decoded(name, value) for name, value in zip(names, row, strict=True)}


def listing(after: int = 0, limit: int = -1) -> Operation[list[dict[str, Any]]]:
    """The messages after id `after`, oldest first, at most `limit` (-1: all), with their state;
    `notes` are what the app developer should know about each."""

    def op(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        return [_record(LISTED, row) for row in conn.execute(_LISTING, (after, limit))]

    return op


def ids_after(after: int, limit: int) -> Operation[list[int]]:
    """The ids of the next `limit` messages after id `after`, oldest first."""

    def op(conn: sqlite3.Connection) -> list[int]:
        return [row[0] for row in conn.execute(_IDS_AFTER, (after, limit))]

    return op


def records(limit: int, offset: int) -> Operation[tuple[int, list[dict[str, Any]]]]:
    """One page of full delivery records (every column but the message itself), newest first, and
    how many there are in all."""

    def op(conn: sqlite3.Connection) -> tuple[int, list[dict[str, Any]]]:
        total = conn.execute(f"SELECT count(*) FROM {columns.TABLE}").fetchone()[0]  # noqa: S608
        return total, [_record(RECORDED, row) for row in conn.execute(_PAGE, (limit, offset))]

    return op


def record_of(message_id: str) -> Operation[dict[str, Any] | None]:
    """The full delivery record of the message with this Message-ID header (the newest, if several)."""

    def op(conn: sqlite3.Connection) -> dict[str, Any] | None:
        row = conn.execute(_BY_HEADER, (message_id,)).fetchone()
        return None if row is None else _record(RECORDED, row)

    return op


def send_ids(message_ids: list[str]) -> Operation[dict[str, int]]:
    """The id the send call answered for each of these Message-ID headers that the outbox knows."""

    def op(conn: sqlite3.Connection) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(message_ids), _PLACEHOLDERS):
            chunk = message_ids[start : start + _PLACEHOLDERS]
            # A template's sends share its Message-ID: the newest send wins, then (ordered by id).
            where = f"WHERE message_id IN ({', '.join('?' * len(chunk))}) ORDER BY id"
            found.update(conn.execute(columns.select(("message_id", "id"), where), chunk).fetchall())
        return found

    return op


def message_id_of(send_id: int) -> Operation[str | None]:
    """The Message-ID header of the message the send call answered `send_id` for."""

    def op(conn: sqlite3.Connection) -> str | None:
        row = conn.execute(_HEADER_OF, (send_id,)).fetchone()
        return None if row is None else row[0]

    return op


def subjects(ids: list[int]) -> Operation[dict[int, str]]:
    """The subject each of these messages was sent with (the pages' Outbox column)."""

    def op(conn: sqlite3.Connection) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(ids), _PLACEHOLDERS):
            chunk = ids[start : start + _PLACEHOLDERS]
            where = f"WHERE id IN ({', '.join('?' * len(chunk))})"
            rows = conn.execute(columns.select(("id", "fields"), where), chunk).fetchall()
            for message, fields in rows:
                subject = json.loads(fields).get("subject") if fields else None
                found[message] = subject if isinstance(subject, str) else ""
        return found

    return op


def version() -> Operation[str]:
    """A text that changes whenever a message is added or any record changes (the pages' live refresh)."""

    def op(conn: sqlite3.Connection) -> str:
        count, updated = conn.execute(_VERSION).fetchone()
        return f"{count}:{updated or 0}"

    return op
