"""A hostile corpus against the sandbox, each binder in turn: never a 5xx, never an injected header,
a 4xx past each limit.

Payloads as JSON and as the web client's form (harness/hostile.py), then what only a raw socket
can send: a head past the limit, half-sent heads and bodies, silent connections (many at once),
and bodies past the size limit.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.hostile import BASE, JSON_TYPE, corpus
from harness.smtp_sink import SmtpSink
from onlyoffice_contract import binder as core_binder
from onlyoffice_contract import send_task, spec
from onlyoffice_contract.environment import Secret
from onlyoffice_sandbox import InProcess, Settings
from onlyoffice_sandbox.settings import BINDERS

TOKEN = "drill-token"
MAX_BODY = 256 * 1024
REQUEST_SECONDS = 2.0
HALF_SENT_AT_ONCE = 300


@dataclass
class HostileResult:
    binder: str
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    injected: int = 0
    delivered: int = 0
    # Accepted and, as on the real server, never sent: its send task cannot build them (send_task.py).
    unsendable: int = 0
    oversize: Counter[int] = field(default_factory=Counter)
    raw: Counter[str] = field(default_factory=Counter)  # "what was sent: the answer"
    outside_delivered: int = 0  # contents from outside the files folder found in delivered mail

    @property
    def payloads(self) -> int:
        return sum(self.statuses.values())


def _raw_answers(url: str, requests: list[bytes]) -> list[str]:
    """Send each (at once, on a connection each) and read what comes back: the status line, or how
    the connection ended. A silent server shows as "no answer" after the socket's own timeout."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for sent in requests:
        sock = socket.create_connection((host, int(port)), timeout=4 * REQUEST_SECONDS)
        with contextlib.suppress(OSError):  # the server may close before it has read all
            sock.sendall(sent)
        sockets.append(sock)
    answers = []
    for sock in sockets:
        with sock:
            try:
                first = sock.recv(64).split(b"\r\n", 1)[0].decode("latin-1")
                answers.append(first.removeprefix("HTTP/1.1 ") or "closed without an answer")
            except OSError as exc:
                answers.append(f"no answer ({type(exc).__name__})")
    return answers


def _raw_cases() -> dict[str, list[bytes]]:
    put = f"PUT {spec.OPERATION_PATH} HTTP/1.1\r\nHost: x\r\n"
    body_head = (
        f"{put}Authorization: {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    return {
        "a head of 1 MB (no token)": [(put + "X-Big: ").encode() + b"a" * 1_000_000],
        "half a head": [put.encode()],
        "a tenth of a body": [body_head.encode() + b"{"],
        "a connection that sends nothing": [b""],
        f"{HALF_SENT_AT_ONCE} half-sent heads at once": [put.encode()] * HALF_SENT_AT_ONCE,
    }


def run(say: Callable[[str], None]) -> list[HostileResult]:
    """The corpus against a sandbox with each binder (SANDBOX_BINDER), one after the other."""
    return [_run(binder, say) for binder in BINDERS]


def _run(binder: str, say: Callable[[str], None]) -> HostileResult:
    result = HostileResult(binder)
    sink = SmtpSink().up()
    with tempfile.TemporaryDirectory(prefix="drill-hostile-") as folder:
        settings = Settings(
            port=0,
            tokens=(Secret(TOKEN),),
            mailboxes=(str(BASE["from"]),),
            binder=binder,
            smtp=sink.address,
            max_body=MAX_BODY,
            request_seconds=REQUEST_SECONDS,
            db=Path(folder) / "outbox.sqlite3",
            files_dir=Path(folder) / "files",
            mail_dir=Path(folder) / "mail",
        )
        settings.files_dir.mkdir()
        (settings.files_dir / "1").write_bytes(b"attached")
        (Path(folder) / "secret").write_bytes(b"outside the files folder")
        (settings.files_dir / "escape").symlink_to(Path(folder) / "secret")
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
                if status == 200 and binder == "onlyoffice":
                    bound = core_binder.bind(raw, content_type).request
                    result.unsendable += send_task.delivery(bound)[0] is send_task.Reading.UNUSABLE
            for size in (MAX_BODY + 1, 4 * MAX_BODY, 64 * MAX_BODY):
                oversize = client.put(
                    spec.OPERATION_PATH, content=b" " * size, headers={"Content-Type": JSON_TYPE}
                )
                result.oversize[oversize.status_code] += 1
            say("  raw requests: huge and half-sent heads, half-sent bodies, silent connections")
            for label, requests in _raw_cases().items():
                for answer in _raw_answers(url, requests):
                    result.raw[f"{label}: {answer}"] += 1
            accepted = result.statuses[200] - result.unsendable
            deadline = time.monotonic() + 60
            while len(sink.delivered) < accepted and time.monotonic() < deadline:
                time.sleep(0.1)
    sink.down()
    result.delivered = len(sink.delivered)
    for delivered in sink.delivered:
        result.outside_delivered += b"outside the files folder" in delivered.content
        for part in delivered.message.walk():
            names = {name.lower() for name in part}
            result.injected += "x-injected" in names or "bcc" in names
    return result
