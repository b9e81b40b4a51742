"""Attachments: the API carries references, and the sandbox reads the bytes from a folder.

An attachment's content is the file `<files_dir>/<storedName>` when `storedName`
is set, else `<files_dir>/<fileId>`. The real server never refuses a send for an
attachment: it copies the files after answering, and skips one it cannot find. So
does the sandbox: a reference that names no readable file (none at all, a
`storedName` that is not a plain file name, a file that is missing or unreadable) is
skipped, and the skip is noted on the message.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from onlyoffice_contract.mailbox import CONTROL
from onlyoffice_contract.wire import shown

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
        if Path(stored).name != stored or stored in {".", ".."} or CONTROL.search(stored):
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


def resolve(items: list[dict[str, Any]], files_dir: Path) -> tuple[list[Attachment], list[str]]:
    """The attachments that can be read now, and a note for each one skipped."""
    resolved, skipped = [], []
    for index, item in enumerate(items):
        if item.get("attachedAsLink"):
            continue  # sent as a link in the body by the real server, not as a part
        try:
            path = _source(item, files_dir)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise Unreadable(f"no such file ({path.name})") from None
            except OSError as exc:
                raise Unreadable(
                    f"{path.name} cannot be read ({exc.strerror or type(exc).__name__})"
                ) from None
        except Unreadable as reason:
            skipped.append(f"attachment {_label(item, index)}: skipped, {reason}")
            continue
        name = item.get("fileName") or path.name
        given = item.get("contentType") or ""
        content_type = given if _CONTENT_TYPE.match(given) else mimetypes.guess_type(name)[0]
        content_type = (content_type or "application/octet-stream").lower()
        resolved.append(Attachment(name, content_type, data, item.get("contentId") or None))
    return resolved, skipped


def dumps(items: list[Attachment]) -> str:
    """The attachments as the outbox keeps them: read at accept, so a file removed later loses nothing."""
    return json.dumps([{**asdict(a), "data": base64.b64encode(a.data).decode()} for a in items])


def loads(text: str) -> list[Attachment]:
    return [Attachment(**{**item, "data": base64.b64decode(item["data"])}) for item in json.loads(text)]
