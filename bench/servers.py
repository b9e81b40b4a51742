"""The servers the benchmarks talk to, each in a child process: the minimal server, the sandbox, Prism."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from harness import processes
from harness.ports import free_port
from onlyoffice_contract.environment import Secret
from onlyoffice_sandbox import Settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
MAILBOX = "sandbox@example.test"


def _wait_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


@contextmanager
def _child(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(process)


@contextmanager
def minimal() -> Iterator[str]:
    port = free_port()
    with _child([sys.executable, "-m", "bench.minimal_server", str(port)], port) as url:
        yield url


@contextmanager
def sandbox(binder: str = "onlyoffice") -> Iterator[str]:
    """The sandbox as `make serve` runs it; `binder` is its SANDBOX_BINDER."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as folder:
        settings = Settings(
            port=port,
            tokens=(Secret(TOKEN),),
            mailboxes=(MAILBOX,),
            binder=binder,
            db=Path(folder, "outbox.sqlite3"),
            mail_dir=Path(folder, "mail"),
            files_dir=Path(folder, "files"),
        )
        with _child([sys.executable, "-m", "onlyoffice_sandbox"], port, settings.to_env()) as url:
            yield url


@contextmanager
def prism(prism_bin: Path) -> Iterator[str]:
    port = free_port()
    command = [
        str(prism_bin),
        "mock",
        str(ROOT / "openapi.yaml"),
        "-p",
        str(port),
        "-h",
        "127.0.0.1",
        "--errors",
    ]
    with _child(command, port) as url:
        yield url


@contextmanager
def delayed(url: str, milliseconds: int) -> Iterator[str]:
    """`url` (a server on loopback) behind a proxy that adds `milliseconds` each way (`delay_proxy.py`)."""
    port = free_port()
    upstream = url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "bench.delay_proxy", str(port), upstream, str(milliseconds)]
    with _child(command, port) as proxied:
        yield proxied
