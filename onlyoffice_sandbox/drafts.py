"""The drafts file (SANDBOX_DRAFTS): messages to seed at start, each a valid request, an id, a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onlyoffice_contract import spec
from onlyoffice_sandbox.binding import REQUEST_SCHEMA


def load(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    drafts: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    validator = spec.validator(REQUEST_SCHEMA)
    for draft in drafts:
        fields = {k: v for k, v in draft.items() if k != "folder"}
        error = next(iter(validator.iter_errors(fields)), None)
        if error is not None or not isinstance(draft.get("id"), int) or draft["id"] < 1:
            reason = error.message if error else "needs an integer id > 0"
            raise ValueError(f"draft {draft.get('id')!r} in {path}: {reason}")
    return drafts
