"""The sandbox as `onlyoffice-sandbox` runs it: what it prints."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from harness.sandboxes import TOKEN, send, settings_in, wait_until
from onlyoffice_sandbox import Subprocess, logs


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


def test_the_access_log_writes_every_line_in_order_and_the_rest_when_it_stops() -> None:
    """Lines gather on the event loop and are written in batches: none lost, none reordered, the
    last batch written on the way out."""
    logger = logging.getLogger(logs.ACCESS_LOGGER)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = logger.handlers, logger.level, logger.propagate
    logger.handlers, logger.level, logger.propagate = [handler], logging.INFO, False
    try:
        with logs.access_log_off_the_loop():
            for n in range(5000):
                logger.info("line %d", n)
            assert logger.handlers != [handler]  # gathered, not written by the caller
    finally:
        logger.handlers, logger.level, logger.propagate = saved
    assert stream.getvalue().splitlines() == [f"line {n}" for n in range(5000)]
