"""Attachments: the API carries references, and the sandbox reads the bytes from a folder.

An attachment's content is the file `<files_dir>/<storedName>` when `storedName`
is set, else `<files_dir>/<fileId>`. A reference that names no readable file is
refused with 400, before anything is stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onlyoffice_contract.mailbox import CONTROL, is_unicode
from onlyoffice_sandbox.problems import bad_request

# type/subtype in RFC 2045 token characters; anything else (a CR/LF, a parameter) is not used.
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content_type: str
    data: bytes
    content_id: str | None  # set: an inline part


def _source(item: dict[str, Any], files_dir: Path) -> tuple[Path, str]:
    stored = item.get("storedName") or ""
    if stored:
        # A plain file name only: nothing outside the files folder can be named.
        plain = Path(stored).name == stored and stored not in {".", ".."} and not CONTROL.search(stored)
        if not plain or not is_unicode(stored):
            raise bad_request(f"Attachment storedName is not a file name: {stored!r}")
        return files_dir / stored, f"storedName {stored!r}"
    file_id = item.get("fileId", 0)
    if file_id > 0:
        return files_dir / str(file_id), f"fileId {file_id}"
    raise bad_request("Attachment names no file: set fileId or storedName")


@dataclass(frozen=True)
class Limits:
    """How much one message may attach (settings SANDBOX_MAX_ATTACHMENTS, SANDBOX_MAX_ATTACHMENT_BYTES)."""

    parts: int
    total_bytes: int  # of the parts as they go out: a file named twice counts twice


# The real server's words for the same limit (Defines.ATTACHMENTS_TOTAL_SIZE_LIMIT, 25 MB).
TOTAL_SIZE_EXCEEDED = "Total size of all files exceeds limit!"


def resolve(items: list[dict[str, Any]], files_dir: Path, limits: Limits) -> list[Attachment]:
    parts = [item for item in items if not item.get("attachedAsLink")]  # links go in the body, not as parts
    if len(parts) > limits.parts:
        raise bad_request(f"Too many attachments: {len(parts)}, at most {limits.parts}")
    resolved, contents, total = [], {}, 0
    for item in parts:
        path, what = _source(item, files_dir)
        if not path.resolve().is_relative_to(files_dir.resolve()):  # a link out of the folder
            raise bad_request(f"Attachment not found: {what}")
        try:
            if path not in contents:  # each file read once, however many parts name it
                total_if_read = total + path.stat().st_size
                if total_if_read > limits.total_bytes:  # refused before it is read
                    raise bad_request(f"{TOTAL_SIZE_EXCEEDED} (at most {limits.total_bytes} bytes)")
                contents[path] = path.read_bytes()
        except OSError:
            raise bad_request(f"Attachment not found: {what}") from None
        data = contents[path]
        total += len(data)
        if total > limits.total_bytes:
            raise bad_request(f"{TOTAL_SIZE_EXCEEDED} (at most {limits.total_bytes} bytes)")
        name = item.get("fileName") or path.name
        given = item.get("contentType") or ""
        content_type = given if _CONTENT_TYPE.match(given) else mimetypes.guess_type(name)[0]
        content_type = (content_type or "application/octet-stream").lower()
        resolved.append(Attachment(name, content_type, data, item.get("contentId") or None))
    return resolved


def dumps(items: list[Attachment]) -> str:
    """The attachments as the outbox keeps them: read at accept, so a file removed later loses nothing.

    Each distinct content is kept once, however many parts name it: a request naming one file a
    hundred times stores it once (it used to store it a hundred times)."""
    files = {hashlib.sha256(a.data).hexdigest(): a.data for a in items}
    parts = [
        {"file_name": a.file_name, "content_type": a.content_type, "content_id": a.content_id}
        | {"sha256": hashlib.sha256(a.data).hexdigest(), "size": len(a.data)}
        for a in items
    ]
    encoded = {digest: base64.b64encode(data).decode() for digest, data in files.items()}
    return json.dumps({"files": encoded, "parts": parts})


def loads(text: str) -> list[Attachment]:
    stored = json.loads(text)
    if isinstance(stored, list):  # as versions before this one kept them: the bytes in each part
        return [Attachment(**{**item, "data": base64.b64decode(item["data"])}) for item in stored]
    files = {digest: base64.b64decode(data) for digest, data in stored["files"].items()}  # one copy each
    return [
        Attachment(p["file_name"], p["content_type"], files[p["sha256"]], p["content_id"])
        for p in stored["parts"]
    ]


def without_contents(text: str | None) -> str | None:
    """What the outbox keeps once a message is done with (sent or failed): the parts, not the bytes."""
    if not text:
        return text
    stored = json.loads(text)
    if isinstance(stored, list):
        stored = {"parts": [{k: v for k, v in item.items() if k != "data"} for item in stored]}
    return json.dumps({"files": {}, "parts": stored["parts"]})
