"""Attachments: the API carries references, and the sandbox reads the bytes from a folder.

An attachment's content is the file `<files_dir>/<storedName>` when `storedName`
is set, else `<files_dir>/<fileId>`. The real server never refuses a send for an
attachment: it copies the files after answering, and skips one it cannot find. So
does the sandbox: a reference that names no readable file (none at all, a
`storedName` that is not a plain file name, a link out of the files folder, a file
that is missing or unreadable) is skipped, and the skip is noted on the message. The
sandbox's own bounds on one message (how many parts, how many bytes) are refused
with 400, before anything is stored.
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

from onlyoffice_contract import facts
from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.mailbox import CONTROL, is_unicode
from onlyoffice_contract.wire import shown
from onlyoffice_sandbox.problems import bad_request

# type/subtype in RFC 2045 token characters; anything else (a CR/LF, a parameter) is not used.
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content_type: str
    data: bytes
    content_id: str | None  # set: an inline part


class Unreadable(Exception):
    """Why an attachment's file cannot be read; the attachment is skipped."""


def _source(item: dict[str, Any], files_dir: Path) -> Path:
    stored = item.get("storedName") or ""
    if stored:
        # A plain file name only: nothing outside the files folder can be named.
        plain = Path(stored).name == stored and stored not in {".", ".."} and not CONTROL.search(stored)
        if not plain or not is_unicode(stored):
            raise Unreadable(f"storedName {shown(stored)} is not a plain file name")
        return files_dir / stored
    file_id = item.get("fileId") or 0
    if file_id > 0:
        return files_dir / str(file_id)
    raise Unreadable("it names no file (no fileId above 0, no storedName)")


def _label(item: dict[str, Any], index: int) -> str:
    for key in ("fileName", "storedName"):
        if item.get(key):
            return shown(item[key])
    return f"#{index + 1}" if not item.get("fileId") else f"fileId {item['fileId']}"


@dataclass(frozen=True)
class Limits:
    """How much one message may attach (settings SANDBOX_MAX_ATTACHMENTS, SANDBOX_MAX_ATTACHMENT_BYTES)."""

    parts: int
    total_bytes: int  # of the parts as they go out: a file named twice counts twice


# The real server's words for the same limit (Defines.ATTACHMENTS_TOTAL_SIZE_LIMIT, 25 MB).
TOTAL_SIZE_EXCEEDED = facts.refusal(RefusalId.ATTACHMENTS_OVER_LIMIT).message


def _read(path: Path, files_dir: Path) -> bytes:
    if not path.resolve().is_relative_to(files_dir.resolve()):  # a link out of the folder
        raise Unreadable(f"{path.name} links out of the files folder")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise Unreadable(f"no such file ({path.name})") from None
    except OSError as exc:
        raise Unreadable(f"{path.name} cannot be read ({exc.strerror or type(exc).__name__})") from None


def resolve(
    items: list[dict[str, Any]], files_dir: Path, limits: Limits
) -> tuple[list[Attachment], list[str]]:
    """The attachments that can be read now, and a note for each one skipped.

    The sandbox's own bounds (how many parts, how many bytes) are refused with 400: they keep one
    request from filling the outbox. A file that cannot be read is skipped, as the real server does."""
    parts = [item for item in items if not item.get("attachedAsLink")]  # links go in the body, not as parts
    if len(parts) > limits.parts:
        raise bad_request(f"Too many attachments: {len(parts)}, at most {limits.parts}")
    resolved, skipped, contents, total = [], [], {}, 0
    for index, item in enumerate(parts):
        try:
            path = _source(item, files_dir)
            if path not in contents:  # each file read once, however many parts name it
                try:
                    size = path.stat().st_size
                except OSError:
                    size = 0  # _read says why
                if total + size > limits.total_bytes:  # refused before it is read
                    raise bad_request(f"{TOTAL_SIZE_EXCEEDED} (at most {limits.total_bytes} bytes)")
                contents[path] = _read(path, files_dir)
        except Unreadable as reason:
            skipped.append(f"attachment {_label(item, index)}: skipped, {reason}")
            continue
        data = contents[path]
        total += len(data)
        if total > limits.total_bytes:
            raise bad_request(f"{TOTAL_SIZE_EXCEEDED} (at most {limits.total_bytes} bytes)")
        name = item.get("fileName") or path.name
        given = item.get("contentType") or ""
        content_type = given if _CONTENT_TYPE.match(given) else mimetypes.guess_type(name)[0]
        content_type = (content_type or "application/octet-stream").lower()
        resolved.append(Attachment(name, content_type, data, item.get("contentId") or None))
    return resolved, skipped


_NONE = json.dumps({"files": {}, "parts": []})  # what nearly every send stores


def dumps(items: list[Attachment]) -> str:
    """The attachments as the outbox keeps them: read at accept, so a file removed later loses nothing.

    Each distinct content is kept once, however many parts name it: a request naming one file a
    hundred times stores it once (it used to store it a hundred times)."""
    if not items:
        return _NONE
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
