"""The `sandbox` fixture reaches an app's tests through the pytest11 entry point, with nothing to import."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.sandboxes import HEADERS, SEND_PATH, TOKEN, settings_in
from onlyoffice_sandbox import InProcess

APP_TEST = """
import httpx


def test_the_app_sends_a_welcome(sandbox):
    assert sandbox.token not in repr(sandbox)
    response = httpx.put(
        sandbox.url + "/api/2.0/mail/messages/send",
        headers={"Authorization": sandbox.token},
        json={"from": sandbox.address, "to": ["bob@example.org"], "subject": "Welcome, Bob"},
    )
    assert response.status_code == 200
    [mail] = sandbox.wait_for_mail(to="bob@example.org", subject="welcome")
    assert mail["sendId"] == response.json()["response"]
    headers = sandbox.message(mail["key"])["headers"]
    assert {"name": "Subject", "value": "Welcome, Bob"} in headers


def test_each_test_gets_a_fresh_sandbox(sandbox):
    assert sandbox.messages() == []
    assert sandbox.outbox() == []
"""


@pytest.mark.subprocess
def test_an_app_test_suite_gets_the_fixture_from_the_installed_package(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(APP_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PYTEST_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


@pytest.mark.waits
def test_teardown_does_not_wait_for_what_a_test_left_running(tmp_path: Path) -> None:
    """After a test armed `late` and its client timed out, teardown waited out the late answer
    (about a minute each). Requests still running get a short grace, then are cancelled.
    The bound below is a safety net a fifth of the late answer's delay, not a speed claim."""
    settings = settings_in(tmp_path)
    sandbox = InProcess(settings)
    url = sandbox.__enter__()
    stopped = threading.Event()
    try:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        httpx.put(f"{url}/sandbox/api/faults/send", json={"kind": "late", "seconds": 600}, headers=auth)
        with pytest.raises(httpx.ReadTimeout):
            httpx.put(url + SEND_PATH, json={"from": "sandbox@example.test", "to": ["b@example.org"]},
                      headers=HEADERS, timeout=1)  # fmt: skip
        # and a request body that never ends, and a wait for mail that never comes
        threading.Thread(target=_slow_body, args=(url,), daemon=True).start()
        threading.Thread(
            target=lambda: httpx.get(f"{url}/sandbox/api/messages/wait", params={"timeout": 60}, timeout=600),
            daemon=True,
        ).start()
        time.sleep(0.5)
    finally:

        def end() -> None:
            sandbox.__exit__(None, None, None)
            stopped.set()

        ender = threading.Thread(target=end, daemon=True)
        started = time.monotonic()
        ender.start()
        assert stopped.wait(120), "teardown still waiting after 120 s"
    print(f"teardown took {time.monotonic() - started:.1f} s")  # for the record (-s)


def _slow_body(url: str) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"from": "sandbox@example.test", '
        time.sleep(600)
        yield b"}"

    with contextlib.suppress(httpx.HTTPError):
        httpx.put(url + SEND_PATH, content=body(), headers=HEADERS, timeout=600)
