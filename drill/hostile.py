"""A hostile corpus against the sandbox: never a 5xx, never an injected header, 413 for oversize."""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from onlyoffice_sandbox import spec
from onlyoffice_sandbox.server import InProcess
from onlyoffice_sandbox.settings import Settings
from tests.smtp_sink import SmtpSink
from tests.test_sandbox_hostile import BASE, INJECTIONS, PATHS, with_value

TOKEN = "drill-token"
MAX_BODY = 256 * 1024


@dataclass
class HostileResult:
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    injected: int = 0
    delivered: int = 0
    oversize: Counter[int] = field(default_factory=Counter)

    @property
    def payloads(self) -> int:
        return sum(self.statuses.values())


def _wrong_types() -> list[tuple[str, Any]]:
    """A value of every wrong JSON type for every field, read from the spec."""
    samples = {
        "string": "x",
        "integer": 2**40,
        "boolean": True,
        "array": ["x"],
        "object": {"x": 1},
        "null": None,
    }
    cases = []
    for name, prop in spec.request_properties().items():
        kind = spec.json_type(prop)
        for other, value in samples.items():
            if other != kind:
                cases.append((f"{name} as {other}", {**BASE, name: value}))
    return cases


def corpus() -> list[tuple[str, str, bytes]]:
    """(kind, label, raw body): at least 200 hostile payloads."""
    items = []
    for path in PATHS:
        for value in INJECTIONS:
            items.append(
                ("injection", f"{path}: {value[:20]!r}", json.dumps(with_value(path, value)).encode())
            )
    for label, payload in _wrong_types():
        items.append(("wrong type", label, json.dumps(payload).encode()))
    for name, is_list in spec.mailbox_fields().items():
        long = "a" * 5000 + "@example.org"
        payload = {**BASE, name: [long, "Long " * 2000 + "<x@example.org>"] if is_list else long}
        items.append(("overlong address", name, json.dumps(payload).encode()))
    items += [
        ("malformed", "not JSON", b"{not json"),
        ("malformed", "invalid UTF-8", b'{"from": "\xff\xfe"}'),
        ("malformed", "raw NUL", b'{"from": "a\x00b"}'),
        ("malformed", "deep nesting", b"[" * 200_000 + b"]" * 200_000),
        ("malformed", "deep object nesting", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        ("malformed", "empty", b""),
        ("malformed", "a number", b"7"),
        ("malformed", "huge number", b'{"id": 1' + b"0" * 5000 + b"}"),
    ]
    return items


def run(say: Callable[[str], None]) -> HostileResult:
    result = HostileResult()
    sink = SmtpSink().up()
    with tempfile.TemporaryDirectory(prefix="drill-hostile-") as folder:
        settings = Settings(
            port=0,
            tokens=(TOKEN,),
            mailboxes=(str(BASE["from"]),),
            smtp=sink.address,
            max_body=MAX_BODY,
            db=Path(folder) / "outbox.sqlite3",
            files_dir=Path(folder) / "files",
            mail_dir=Path(folder) / "mail",
        )
        settings.files_dir.mkdir()
        (settings.files_dir / "1").write_bytes(b"attached")
        headers = {"Authorization": TOKEN, "Content-Type": "application/json"}
        with InProcess(settings) as url, httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            items = corpus()
            say(f"  {len(items)} hostile payloads")
            for kind, label, raw in items:
                status = client.put(spec.OPERATION_PATH, content=raw).status_code
                result.statuses[status] += 1
                result.by_kind[f"{kind}: {status}"] += 1
                if status >= 500:
                    result.server_errors.append(f"{kind}: {label}")
            for size in (MAX_BODY + 1, 4 * MAX_BODY, 64 * MAX_BODY):
                result.oversize[client.put(spec.OPERATION_PATH, content=b" " * size).status_code] += 1
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
