"""Runs the contract suite as a user does (`python -m contract_tests`) against a sandbox a test chooses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp

from contract_tests.settings import VARIABLES
from onlyoffice_sandbox.server import InProcess
from tests.sandbox_fixtures import MAILBOX, TOKEN, settings_in

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "contract.example.invalid"


@dataclass
class SuiteRun:
    returncode: int
    output: str
    junit: str


@contextmanager
def sandbox(folder: Path, wrap: Callable[[ASGIApp], ASGIApp] | None = None) -> Iterator[str]:
    with InProcess(settings_in(folder), wrap) as url:
        yield url


def run_suite(report_dir: Path, **variables: str) -> SuiteRun:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"API_KEY": TOKEN, "FROM": MAILBOX, "RECIPIENT_DOMAIN": DOMAIN, "REPORT_DIR": str(report_dir)})
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    junit_path = report_dir / "contract-junit.xml"
    junit = junit_path.read_text() if junit_path.exists() else ""
    return SuiteRun(done.returncode, done.stdout + done.stderr, junit)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def recording(seen: list[Seen]) -> Callable[[ASGIApp], ASGIApp]:
    """Middleware that keeps a copy of every request, as it arrived, before the sandbox reads it."""
    from starlette.types import Message, Receive, Scope, Send

    def wrap(app: ASGIApp) -> ASGIApp:
        async def record(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            messages: list[Message] = []
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            body = b"".join(m.get("body", b"") for m in messages)
            seen.append(Seen(scope["method"], scope["path"], headers, body))
            pending = iter(messages)

            async def replay() -> Message:
                return next(pending, None) or await receive()

            await app(scope, replay, send)

        return record

    return wrap
