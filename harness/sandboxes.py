"""Sandboxes for tests: settings in a temporary folder, run in-process or as a subprocess."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from onlyoffice_contract import spec
from onlyoffice_sandbox import InProcess, Settings
from onlyoffice_sandbox.settings import DEFAULT_MAILBOX

TOKEN = "test-sandbox-token-2a9c"
PASSWORD = "test-sandbox-password-5e1b"  # the password of their Basic credentials
MAILBOX = DEFAULT_MAILBOX  # the sandbox's own default account
DISABLED = "disabled@example.test"
HEADERS = {"Authorization": TOKEN, "Content-Type": "application/json"}
SEND_PATH = spec.OPERATION_PATH


def accepted_send(sandbox: Any, **fields: Any) -> int:
    """A valid send through the call to a sandbox fixture (`onlyoffice_sandbox.Sandbox`), from its
    mailbox to bob@example.org unless `fields` say otherwise; the message id of its 200."""
    body = {"from": sandbox.address, "to": ["bob@example.org"], **fields}
    response = httpx.put(sandbox.url + SEND_PATH, json=body, headers={"Authorization": sandbox.token})
    assert response.status_code == spec.success_status(), response.text
    send_id: int = response.json()["response"]
    return send_id


def settings_in(folder: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "port": 0,
        "tokens": (TOKEN,),
        "password": PASSWORD,
        "mailboxes": (MAILBOX, "Other Box <other@example.test>"),
        "disabled_mailboxes": (DISABLED,),
        "db": folder / "outbox.sqlite3",
        "mail_dir": folder / "mail",
        "files_dir": folder / "files",
        "retry_max_seconds": 0.3,
    }
    values.update(overrides)
    return Settings(**values)


def write_drafts(folder: Path, drafts: list[dict[str, Any]]) -> Path:
    path = folder / "drafts.json"
    path.write_text(json.dumps(drafts))
    return path


@contextmanager
def running(settings: Settings, wrap: Callable[[Any], Any] | None = None) -> Iterator[str]:
    with InProcess(settings, wrap) as url:
        yield url


def wait_until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for background delivery; the bound is a safety net, not a speed claim."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {condition.__doc__ or condition}")
        time.sleep(0.02)


def send(url: str, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    # JSON with \u escapes, as most clients write it: a lone surrogate can travel (httpx's own
    # encoder writes raw UTF-8, which cannot carry one).
    body = json.dumps(payload).encode()
    return httpx.put(
        url + SEND_PATH, content=body, headers=HEADERS if headers is None else headers, timeout=30
    )


def outbox(url: str) -> list[dict[str, Any]]:
    listing: list[dict[str, Any]] = httpx.get(url + "/sandbox/outbox", timeout=30).json()
    return listing
