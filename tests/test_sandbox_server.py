"""The sandbox as `onlyoffice-sandbox` runs it: what it prints."""

from __future__ import annotations

from pathlib import Path

from harness.sandboxes import TOKEN, send, settings_in, wait_until
from onlyoffice_sandbox import Subprocess


def test_the_access_log_is_still_written_with_every_request(tmp_path: Path) -> None:
    """It is written by a thread of its own now (logs.py): the lines must still come, one a request."""
    with Subprocess(settings_in(tmp_path)) as sandbox:
        for n in range(3):
            body = {"from": "sandbox@example.test", "to": [f"r{n}@example.org"]}
            assert send(sandbox.url, body).status_code == 200
        assert send(sandbox.url, {"from": "x"}).status_code == 400

        def logged() -> list[str]:
            return [line for line in sandbox.output if "PUT /api/2.0/mail/messages/send HTTP/1.1" in line]

        wait_until(lambda: len(logged()) == 4)
    assert [line.split('" ')[-1].split()[0] for line in logged()] == ["200", "200", "200", "400"]
    assert not any(TOKEN in line for line in sandbox.output)
