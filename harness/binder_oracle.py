"""The binder oracle (oracle/Oracle.cs on Mono), driven from Python, and the Python binder in its shape.

One `Oracle` is one Mono process: it is told SendMessage's parameters once (read from the
contract core, so they are written nowhere else), then answers a request a line. `python_answer`
gives what `binder.bind` says in the oracle's shape: every parameter with the value the method
receives (an absent one gets what the server passes: its type's default, `null` for a string,
`[]` for a list), or the refusal's status.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import IO, Any

from onlyoffice_contract import binder

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "oracle" / "build" / "oracle.exe"
SOURCE = ROOT / "oracle" / "Oracle.cs"


def missing() -> str:
    """Why the oracle cannot run here ("" when it can)."""
    if shutil.which("mono") is None:
        return "Mono is not installed (`make oracle` installs it with apt-get)"
    if not EXE.exists():
        return f"the oracle is not built: run `make oracle` ({EXE.relative_to(ROOT)} is missing)"
    if EXE.stat().st_mtime < SOURCE.stat().st_mtime:
        return f"the oracle is older than {SOURCE.relative_to(ROOT)}: run `make oracle`"
    return ""


def _kind(kind: binder.Kind) -> dict[str, Any]:
    described: dict[str, Any] = {"kind": kind.type, "bits": kind.bits}
    if kind.type == "enum":
        described |= {"name": kind.enum_name, "members": dict(kind.members)}
    if kind.type == "object":
        described["fields"] = [{"name": n, "type": _kind(k)} for n, k in kind.fields.items()]
    return described


def declaration() -> dict[str, Any]:
    return {"params": [{"name": p.name, "list": p.is_list, "type": _kind(p.kind)} for p in binder.params()]}


class Oracle:
    """A running oracle: `ask` sends one request and reads its answer."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["mono", str(EXE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._in: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        self._out: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        self._send(declaration())
        ready = self._out.readline()
        if json.loads(ready or b"null") != {"ready": True}:
            raise RuntimeError(f"the oracle did not start: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        self.asked = 0

    def _send(self, message: dict[str, Any]) -> None:
        self._in.write(json.dumps(message).encode() + b"\n")
        self._in.flush()

    def ask(self, raw: bytes, content_type: str, query: bytes = b"") -> dict[str, Any]:
        self._send(
            {
                "body": base64.b64encode(raw).decode(),
                "contentType": content_type,
                "query": base64.b64encode(query).decode(),
            }
        )
        line = self._out.readline()
        if not line:
            raise RuntimeError(f"the oracle stopped: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        self.asked += 1
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        self._in.close()
        self.process.wait(timeout=30)


_ABSENT = {"integer": 0, "boolean": False, "enum": 0, "string": None, "object": None}


def python_answer(raw: bytes, content_type: str, query: bytes = b"") -> dict[str, Any]:
    """`binder.bind`'s verdict in the oracle's shape: {"bound": {...}} or {"refused": {"status": ...}}."""
    try:
        bound = binder.bind(raw, content_type, query)
    except binder.BindError as exc:
        return {"refused": {"status": exc.status, "message": exc.message}}
    values = {}
    for p in binder.params():
        absent: Any = [] if p.is_list else _ABSENT[p.kind.type]
        values[p.name] = bound.request.get(p.name, absent)
    return {"bound": values}


def same(python: dict[str, Any], oracle: dict[str, Any]) -> bool:
    """Whether both bind the same values, or both refuse with the same status."""
    if "bound" in python or "bound" in oracle:
        return python.get("bound") == oracle.get("bound")
    return bool(python["refused"]["status"] == oracle["refused"]["status"])
