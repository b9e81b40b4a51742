"""The outbox's one table, written once: the schema, the inserts, the updates, the selects and the
delivery records all read this column list."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from onlyoffice_sandbox import api_spec

TABLE = "messages"
CAPTURES = "captures"


@dataclass(frozen=True)
class Column:
    name: str
    sql: str  # its type and constraints, as CREATE TABLE takes them
    about: str
    message: bool = False  # the message itself, kept for delivery: never part of a delivery record


COLUMNS = (
    Column("id", "INTEGER PRIMARY KEY AUTOINCREMENT", "the id the send call answers"),
    Column("folder", "TEXT NOT NULL", "'drafts', 'templates' or 'sent'"),
    Column("state", "TEXT", "NULL (not queued), 'queued', 'sent' or 'failed'"),
    Column("message_id", "TEXT", "the Message-ID header: the same on every attempt"),
    Column("recipients", "TEXT", "JSON list of envelope recipients"),
    Column("attempts", "INTEGER NOT NULL DEFAULT 0", "delivery attempts made"),
    Column("last_error", "TEXT", "what the last attempt met"),
    Column("delivered_to", "TEXT", "JSON list: recipients the relay took it for"),
    Column("refused", "TEXT", "JSON object: recipient -> permanent refusal"),
    Column("notes", "TEXT", "JSON list: leniencies used, files skipped"),
    Column("date", "TEXT", "the Date header, set when the message was accepted"),
    Column("sender", "TEXT", "the envelope sender (MAIL FROM)"),
    Column("author", "TEXT", "the From mailbox, with the account's display name"),
    Column("next_attempt", "REAL", "when delivery is next tried (time.time())"),
    Column("updated", "REAL NOT NULL", "when the row last changed (time.time())"),
    Column("tenant", "TEXT NOT NULL DEFAULT ''", "the tenant whose send it is ('': the default one)"),
    Column("fields", "TEXT NOT NULL", "the message as request fields, JSON", message=True),
    Column("attachments", "TEXT", "the attached files, their bytes in base64 (attachments.py)", message=True),
)
NAMES = frozenset(column.name for column in COLUMNS)


def known(names: Iterable[str]) -> tuple[str, ...]:
    """The names, each checked to be a column: SQL is built from them, never from outside text."""
    names = tuple(names)
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise ValueError(f"not columns of the outbox: {unknown}")
    return names


def _snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda upper: "_" + upper[0].lower(), name)


# The listing's fields: the ones sandbox-api.yaml's OutboxRecord requires, in its order. A full
# record gives every other column but the message's after them.
_RECORD = api_spec.schema("OutboxRecord")
LISTED = known(_snake(name) for name in _RECORD["required"])
RECORDED = (*LISTED, *(c.name for c in COLUMNS if c.name not in LISTED and not c.message))
# The record's arrays and objects are JSON in their columns; what an empty one reads as.
_EMPTY: dict[str, Callable[[], Any]] = {
    _snake(name): {"array": list, "object": dict}[shape["type"]]
    for name, shape in _RECORD["properties"].items()
    if shape.get("type") in ("array", "object")
}

SCHEMA = "\n".join(
    [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (",
        ",\n".join(f"    {column.name} {column.sql}" for column in COLUMNS),
        ");",
        f"CREATE INDEX IF NOT EXISTS messages_due ON {TABLE} (state, next_attempt);",
        # The JSON API's lookups by header.
        f"CREATE INDEX IF NOT EXISTS messages_message_id ON {TABLE} (message_id);",
        # Which captured mail each send became (mailstore's key): sends of one template share their
        # Message-ID, so the header alone cannot tell whose mail a capture is. A send delivered in two
        # attempts (a 4xx for some recipients) has two.
        f"CREATE TABLE IF NOT EXISTS {CAPTURES} (",
        "    send_id INTEGER NOT NULL,",
        "    key TEXT NOT NULL,",
        "    PRIMARY KEY (send_id, key)",
        ") WITHOUT ROWID;",
        f"CREATE INDEX IF NOT EXISTS captures_key ON {CAPTURES} (key);",
    ]
)


# Statements are built once, at import, from names checked against the list; values go in placeholders.


def insert(names: Iterable[str], verb: str = "INSERT") -> str:
    names = known(names)
    return f"{verb} INTO {TABLE} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def update(names: Iterable[str], where: str) -> str:
    """`UPDATE ... SET a = ?, b = ? WHERE ...`: the values in the order of `names`, then the where's."""
    return f"UPDATE {TABLE} SET {', '.join(f'{name} = ?' for name in known(names))} {where}"  # noqa: S608


def select(names: Iterable[str], rest: str) -> str:
    return f"SELECT {', '.join(known(names))} FROM {TABLE} {rest}"  # noqa: S608 - names checked


def decoded(name: str, value: Any) -> Any:
    """A record column's value as the JSON API gives it: a JSON column decoded, an empty one as its
    empty array or object (queued, not yet attempted), never null."""
    empty = _EMPTY.get(name)
    if empty is None:
        return value
    return json.loads(value) if value else empty()
