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
    "captures_of",
    "ids_after",
    "linked_keys",
    "listing",
    "record_of",
    "records",
    "send_ids",
    "subjects",
    "tenant_keys",
    "tenant_of",
    "version",
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


_JSON_NAMES = {name: _camel(name) for name in RECORDED}
# Every read of the records is one tenant's (`tenants.py`; '' is the default tenant).
_LISTING = columns.select(LISTED, "WHERE id > ? AND tenant = ? ORDER BY id LIMIT ?")
_PAGE = columns.select(RECORDED, "WHERE tenant = ? ORDER BY id DESC LIMIT ? OFFSET ?")
_COUNT = f"SELECT count(*) FROM {columns.TABLE} WHERE tenant = ?"  # noqa: S608 - a constant name
_BY_HEADER = columns.select(RECORDED, "WHERE message_id = ? ORDER BY id DESC LIMIT 1")
_IDS_AFTER = columns.select(("id",), "WHERE id > ? AND tenant = ? ORDER BY id LIMIT ?")
_STATE_OF = columns.select(("message_id", "state"), "WHERE id = ? AND tenant = ?")
_KEYS_OF = (
    f"SELECT key FROM {columns.CAPTURES} JOIN {columns.TABLE} ON id = send_id"  # noqa: S608 - constants
    " WHERE send_id = ? AND tenant = ?"
)
_LINKED = f"SELECT send_id, min(key) FROM {columns.CAPTURES} WHERE send_id IN "  # noqa: S608 - a constant
_TENANT_KEYS = (
    f"SELECT DISTINCT key FROM {columns.CAPTURES} JOIN {columns.TABLE} ON id = send_id"  # noqa: S608
    " WHERE tenant = ?"
)
_TENANT_HEADERS = columns.select(
    ("message_id",), "WHERE tenant = ? AND state IS NOT NULL GROUP BY message_id"
)
_OTHER_HEADERS = columns.select(
    ("message_id",), "WHERE tenant != ? AND state IS NOT NULL GROUP BY message_id"
)
_OTHER_KEYS = (
    f"SELECT DISTINCT key FROM {columns.CAPTURES} JOIN {columns.TABLE} ON id = send_id"  # noqa: S608
    " WHERE tenant != ?"
)
_SENDS_OF = f"SELECT key, send_id FROM {columns.CAPTURES} WHERE key IN "  # noqa: S608 - a constant name
_BY_CAPTURE = columns.select(
    RECORDED,
    f"WHERE id = (SELECT max(send_id) FROM {columns.CAPTURES} WHERE key = ?)",  # noqa: S608
)
_VERSION = f"SELECT count(*), max(updated) FROM {columns.TABLE}"  # noqa: S608 - no outside text
_TENANT_VERSION = f"SELECT count(*), max(updated) FROM {columns.TABLE} WHERE tenant = ?"  # noqa: S608
_PLACEHOLDERS = 500  # SQLite's limit on the placeholders of one statement, with room to spare


def _record(names: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """The one builder of a delivery record: a row's columns named as the JSON names them."""
    return {_JSON_NAMES[name]: columns.decoded(name, value) for name, value in zip(names, row, strict=True)}


def listing(after: int = 0, limit: int = -1, tenant: str = "") -> Operation[list[dict[str, Any]]]:
    """The tenant's messages after id `after`, oldest first, at most `limit` (-1: all), with their
    state; `notes` are what the app developer should know about each."""

    def op(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        return [_record(LISTED, row) for row in conn.execute(_LISTING, (after, tenant, limit))]

    return op


def ids_after(after: int, limit: int, tenant: str = "") -> Operation[list[int]]:
    """The ids of the tenant's next `limit` messages after id `after`, oldest first."""

    def op(conn: sqlite3.Connection) -> list[int]:
        return [row[0] for row in conn.execute(_IDS_AFTER, (after, tenant, limit))]

    return op


def records(limit: int, offset: int, tenant: str = "") -> Operation[tuple[int, list[dict[str, Any]]]]:
    """One page of the tenant's full delivery records (every column but the message itself), newest
    first, and how many it has in all."""

    def op(conn: sqlite3.Connection) -> tuple[int, list[dict[str, Any]]]:
        total = conn.execute(_COUNT, (tenant,)).fetchone()[0]
        return total, [_record(RECORDED, row) for row in conn.execute(_PAGE, (tenant, limit, offset))]

    return op


def record_of(message_id: str, key: str | None = None) -> Operation[dict[str, Any] | None]:
    """The full delivery record of the send a captured message came from: the one the delivery
    linked to its capture `key`, else the newest with this Message-ID header (mail captured before
    the link was kept)."""

    def op(conn: sqlite3.Connection) -> dict[str, Any] | None:
        row = conn.execute(_BY_CAPTURE, (key,)).fetchone() if key is not None else None
        if row is None:
            row = conn.execute(_BY_HEADER, (message_id,)).fetchone()
        return None if row is None else _record(RECORDED, row)

    return op


def send_ids(captured: list[tuple[str, str]]) -> Operation[dict[str, int]]:
    """The id the send call answered for each of these captured messages, (key, Message-ID) pairs,
    mapped by key: the send the delivery linked to the key, else the newest with that Message-ID.
    Two sends of identical mail (a template sent twice in one second) file one capture with two
    copies; it is linked to both, and the newest is named."""

    def op(conn: sqlite3.Connection) -> dict[str, int]:
        found: dict[str, int] = {}
        keys = [key for key, _ in captured]
        for start in range(0, len(keys), _PLACEHOLDERS):
            chunk = keys[start : start + _PLACEHOLDERS]
            sql = f"{_SENDS_OF}({', '.join('?' * len(chunk))}) ORDER BY send_id"
            found.update(conn.execute(sql, chunk).fetchall())
        unlinked = [(key, header) for key, header in captured if key not in found and header]
        headers = [header for _, header in unlinked]
        by_header: dict[str, int] = {}
        for start in range(0, len(headers), _PLACEHOLDERS):
            chunk = headers[start : start + _PLACEHOLDERS]
            where = f"WHERE message_id IN ({', '.join('?' * len(chunk))}) ORDER BY id"
            by_header.update(conn.execute(columns.select(("message_id", "id"), where), chunk).fetchall())
        found.update((key, by_header[header]) for key, header in unlinked if header in by_header)
        return found

    return op


def captures_of(send_id: int, tenant: str = "") -> Operation[tuple[str, ...] | str | None]:
    """What the send call's `send_id` became in the capture: the keys the delivery linked to it; or,
    for a send delivered before the link was kept, its Message-ID header; None when it has no
    captured mail yet (not delivered, or no such send of the tenant's), so a waiter keeps waiting."""

    def op(conn: sqlite3.Connection) -> tuple[str, ...] | str | None:
        keys = tuple(row[0] for row in conn.execute(_KEYS_OF, (send_id, tenant)))
        if keys:
            return keys
        row = conn.execute(_STATE_OF, (send_id, tenant)).fetchone()
        if row is not None and row[1] == "sent" and row[0]:
            return str(row[0])
        return None

    return op


def linked_keys(send_ids: list[int]) -> Operation[dict[int, str]]:
    """The capture key each of these sends' delivery linked to it (the first, for a send delivered in
    two attempts); a send not linked is not in the answer."""

    def op(conn: sqlite3.Connection) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(send_ids), _PLACEHOLDERS):
            chunk = send_ids[start : start + _PLACEHOLDERS]
            sql = f"{_LINKED}({', '.join('?' * len(chunk))}) GROUP BY send_id"
            found.update(conn.execute(sql, chunk).fetchall())
        return found

    return op


def tenant_keys(tenant: str, mine: bool = True) -> Operation[tuple[tuple[str, ...], tuple[str, ...]]]:
    """What marks the captured mail of the tenant's sends (`mine`), or of every other tenant's: the
    capture keys the delivery linked to them, and their Message-ID headers, which a new message gets
    afresh and only its tenant can send a draft with; so mail filed a moment before the delivery
    records its key is already known by its header (`web/api.py`)."""

    def op(conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
        keys = tuple(row[0] for row in conn.execute(_TENANT_KEYS if mine else _OTHER_KEYS, (tenant,)))
        found = conn.execute(_TENANT_HEADERS if mine else _OTHER_HEADERS, (tenant,)).fetchall()
        headers = tuple(row[0] for row in found if row[0])
        return keys, headers

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


_TENANT_OF = columns.select(
    ("tenant",), "WHERE message_id = ? AND state IS NOT NULL ORDER BY id DESC LIMIT 1"
)


def tenant_of(message_id: str) -> Operation[str | None]:
    """The tenant whose send has this Message-ID header (the newest such send); None: none."""

    def op(conn: sqlite3.Connection) -> str | None:
        row = conn.execute(_TENANT_OF, (message_id,)).fetchone()
        return None if row is None else str(row[0])

    return op


def version(tenant: str | None = None) -> Operation[str]:
    """A text that changes whenever a message is added or any record changes (the pages' live
    refresh): of the whole outbox, or of one tenant's records."""

    def op(conn: sqlite3.Connection) -> str:
        read = conn.execute(_VERSION) if tenant is None else conn.execute(_TENANT_VERSION, (tenant,))
        count, updated = read.fetchone()
        return f"{count}:{updated or 0}"

    return op
