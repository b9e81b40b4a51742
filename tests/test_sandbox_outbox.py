"""The outbox's table: one column list (`outbox/columns.py`) makes it, and an outbox of another
layout is refused with a clear error instead of being migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from onlyoffice_sandbox import api_spec, outbox
from onlyoffice_sandbox.outbox import columns
from onlyoffice_sandbox.outbox.engine import Outbox

# The first release's table, as it was created: the columns added since were once added at start.
FIRST_RELEASE = """
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, folder TEXT NOT NULL, fields TEXT NOT NULL, state TEXT,
    message_id TEXT, sender TEXT, recipients TEXT, mime BLOB, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL, last_error TEXT, updated REAL NOT NULL
);
"""


def test_a_new_outbox_has_exactly_the_listed_columns(tmp_path: Path) -> None:
    Outbox(tmp_path / "outbox.sqlite3").close()
    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        made = [row[1] for row in db.execute("PRAGMA table_info(messages)")]
    assert made == [column.name for column in columns.COLUMNS]


def test_an_outbox_of_the_first_release_is_refused_clearly_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(FIRST_RELEASE)
    with pytest.raises(RuntimeError, match=r"earlier version of the sandbox .*'author'.*move it away"):
        Outbox(path)
    with sqlite3.connect(path) as db:  # left as it was found
        assert "author" not in {row[1] for row in db.execute("PRAGMA table_info(messages)")}


def test_the_listing_gives_the_fields_the_sandbox_api_requires_in_its_order(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    try:
        box.call(outbox.seed([{"id": 7, "folder": "drafts", "to": ["b@example.org"]}]))
        [listed] = box.read(outbox.listing())
        total, [full] = box.read(outbox.records(10, 0))
        assert total == 1
    finally:
        box.close()
    required = api_spec.schema("OutboxRecord")["required"]
    assert list(listed) == required
    assert list(full)[: len(required)] == required
    # The rest of a full record: every other column but the message itself.
    assert set(full) - set(required) == {"date", "sender", "author", "nextAttempt", "updated", "tenant"}
    empty = (listed["recipients"], listed["deliveredTo"], listed["refused"], listed["notes"])
    assert empty == ([], [], {}, [])


def test_statements_are_built_only_from_listed_columns() -> None:
    with pytest.raises(ValueError, match="mime"):
        columns.select(("id", "mime"), "")
