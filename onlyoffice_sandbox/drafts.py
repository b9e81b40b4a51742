"""The drafts file (SANDBOX_DRAFTS): messages to seed at start, each a valid request, an id, a folder,
and optionally the Message-ID it was saved with (`mimeMessageId`, as the real server stores it),
which its send keeps; one is made for a message seeded without."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onlyoffice_contract import spec
from onlyoffice_sandbox.request_reader import REQUEST_SCHEMA

MESSAGE_ID = "mimeMessageId"  # the stored Message-ID, as the real server's MailMessageData names it
STORED = ("folder", MESSAGE_ID)  # what a seeded message holds beside the request's fields


def load(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    drafts: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    validator = spec.validator(REQUEST_SCHEMA)
    for draft in drafts:
        fields = {k: v for k, v in draft.items() if k not in STORED}
        error = next(iter(validator.iter_errors(fields)), None)
        if error is not None or not isinstance(draft.get("id"), int) or draft["id"] < 1:
            reason = error.message if error else "needs an integer id > 0"
            raise ValueError(f"draft {draft.get('id')!r} in {path}: {reason}")
        stored = draft.get(MESSAGE_ID)
        if stored is not None and (not isinstance(stored, str) or not stored.strip("<> ")):
            raise ValueError(f"draft {draft['id']!r} in {path}: {MESSAGE_ID} must be a Message-ID")
    return drafts
