"""The hostile corpus against the sandbox, each binder in turn: no 5xx, no injected header, 413 if too big."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.hostile import BASE, JSON_TYPE, corpus
from harness.smtp_sink import SmtpSink
from onlyoffice_contract import spec
from onlyoffice_sandbox import InProcess, Settings
from onlyoffice_sandbox.settings import BINDERS

TOKEN = "drill-token"
MAX_BODY = 256 * 1024


@dataclass
class HostileResult:
    binder: str
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    injected: int = 0
    delivered: int = 0
    oversize: Counter[int] = field(default_factory=Counter)

    @property
    def payloads(self) -> int:
        return sum(self.statuses.values())


def run(say: Callable[[str], None]) -> list[HostileResult]:
    """The corpus against a sandbox with each binder (SANDBOX_BINDER), one after the other."""
    return [_run(binder, say) for binder in BINDERS]


def _run(binder: str, say: Callable[[str], None]) -> HostileResult:
    result = HostileResult(binder)
    sink = SmtpSink().up()
    with tempfile.TemporaryDirectory(prefix="drill-hostile-") as folder:
        settings = Settings(
            port=0,
            tokens=(TOKEN,),
            mailboxes=(str(BASE["from"]),),
            binder=binder,
            smtp=sink.address,
            max_body=MAX_BODY,
            db=Path(folder) / "outbox.sqlite3",
            files_dir=Path(folder) / "files",
            mail_dir=Path(folder) / "mail",
        )
        settings.files_dir.mkdir()
        (settings.files_dir / "1").write_bytes(b"attached")
        headers = {"Authorization": TOKEN}
        with InProcess(settings) as url, httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            items = corpus()
            say(f"  {binder} binder: {len(items)} hostile payloads, JSON and form")
            for kind, label, raw, content_type in items:
                sent = client.put(spec.OPERATION_PATH, content=raw, headers={"Content-Type": content_type})
                status = sent.status_code
                result.statuses[status] += 1
                result.by_kind[f"{kind}: {status}"] += 1
                if status >= 500:
                    result.server_errors.append(f"{kind}: {label}")
            for size in (MAX_BODY + 1, 4 * MAX_BODY, 64 * MAX_BODY):
                oversize = client.put(
                    spec.OPERATION_PATH, content=b" " * size, headers={"Content-Type": JSON_TYPE}
                )
                result.oversize[oversize.status_code] += 1
            accepted = result.statuses[200]
            deadline = time.monotonic() + 60
            while len(sink.delivered) < accepted and time.monotonic() < deadline:
                time.sleep(0.1)
    sink.down()
    result.delivered = len(sink.delivered)
    for delivered in sink.delivered:
        for part in delivered.message.walk():
            names = {name.lower() for name in part}
            result.injected += "x-injected" in names or "bcc" in names
    return result
