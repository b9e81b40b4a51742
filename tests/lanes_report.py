"""A pytest plugin for tests/test_lanes.py: with `-p tests.lanes_report --collect-only -m EXPR`, it writes
to the file named by $LANES_REPORT every collected test, its markers, and whether `-m EXPR` kept it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_deselected: list[pytest.Item] = []


def pytest_deselected(items: list[pytest.Item]) -> None:
    _deselected.extend(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    def row(item: pytest.Item, kept: bool) -> dict[str, object]:
        markers = sorted({mark.name for mark in item.iter_markers()})
        return {"id": item.nodeid, "file": str(item.path), "markers": markers, "kept": kept}

    rows = [row(item, True) for item in session.items] + [row(item, False) for item in _deselected]
    Path(os.environ["LANES_REPORT"]).write_text(json.dumps(rows))
