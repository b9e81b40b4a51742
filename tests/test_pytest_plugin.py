"""The `sandbox` fixture reaches an app's tests through the pytest11 entry point, with nothing to import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
