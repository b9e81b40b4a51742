"""The embedded SMTP capture: every message, as it went out, in a folder.

Each message is `<key>.eml`, its bytes as received, with `<key>.json` beside
it: the SMTP envelope (which alone shows Bcc recipients) and when it arrived.
The key is derived from the Message-ID, so a message delivered again after a
crash replaces its own file rather than showing up twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def key_of(content: bytes) -> str:
    headers = BytesHeaderParser(policy=default).parsebytes(content)
    message_id = str(headers.get("Message-ID") or "") or hashlib.sha256(content).hexdigest()
    return hashlib.sha256(message_id.encode()).hexdigest()[:24]


class Mailroom:
    """The aiosmtpd handler that files each message."""

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir
        mail_dir.mkdir(parents=True, exist_ok=True)

    def _store(self, envelope: Envelope) -> None:
        content: bytes = envelope.original_content or b""
        key = key_of(content)
        meta = {"mailFrom": envelope.mail_from, "rcptTos": envelope.rcpt_tos, "received": time.time()}
        _write_atomically(self.mail_dir / f"{key}.eml", content)
        _write_atomically(self.mail_dir / f"{key}.json", json.dumps(meta).encode())

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.to_thread(self._store, envelope)
        return "250 Message accepted for delivery"


async def start(mail_dir: Path, host: str = "127.0.0.1") -> tuple[asyncio.Server, tuple[str, int]]:
    """Serve SMTP on a free port of `host`, on the running event loop."""
    handler = Mailroom(mail_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sandbox.capture"), host, 0)
    port: int = server.sockets[0].getsockname()[1]
    return server, (host, port)


def stored(mail_dir: Path) -> list[dict[str, Any]]:
    """The captured messages, oldest first: key, envelope and headers."""
    found = []
    for meta_path in mail_dir.glob("*.json"):
        eml = meta_path.with_suffix(".eml")
        try:
            meta = json.loads(meta_path.read_text())
            with open(eml, "rb") as f:
                headers = BytesHeaderParser(policy=default).parse(f)
        except (OSError, ValueError):
            continue  # being written right now
        found.append({"key": meta_path.stem, **meta, "headers": [(k, str(v)) for k, v in headers.items()]})
    return sorted(found, key=lambda m: (m["received"], m["key"]))
