"""The sandbox as `onlyoffice-sandbox` runs it: what it prints, and how its HTTP protocol writes."""

from __future__ import annotations

import base64
import io
import json
import logging
import socket
import sys
import threading
from pathlib import Path

import pytest
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter

from harness.sandboxes import PASSWORD, TOKEN, running, send, settings_in, wait_until
from onlyoffice_contract import spec
from onlyoffice_sandbox import Subprocess
from onlyoffice_sandbox.web import access_log as logs
from onlyoffice_sandbox.web.fast_path import HeadWithBody


@pytest.mark.subprocess
def test_the_access_log_is_still_written_with_every_request(tmp_path: Path) -> None:
    """It is written by a thread of its own (web/access_log.py): the lines must still come, one a request."""
    with Subprocess(settings_in(tmp_path)) as sandbox:
        for n in range(3):
            body = {"from": "sandbox@example.test", "to": [f"r{n}@example.org"]}
            assert send(sandbox.url, body).status_code == 200
        assert send(sandbox.url, {"from": "x"}).status_code == 400
        basic = base64.b64encode(f"sandbox@example.test:{PASSWORD}".encode()).decode()
        wrong = base64.b64encode(f"sandbox@example.test:{PASSWORD}x".encode()).decode()
        for credentials, status in ((basic, 400), (wrong, 401)):
            headers = {"Authorization": f"Basic {credentials}", "Content-Type": "application/json"}
            assert send(sandbox.url, {"from": "x"}, headers).status_code == status

        def logged() -> list[str]:
            return [line for line in sandbox.output if "PUT /api/2.0/mail/messages/send HTTP/1.1" in line]

        wait_until(lambda: len(logged()) == 6)
    assert [line.split('" ')[-1].split()[0] for line in logged()] == [
        "200",
        "200",
        "200",
        "400",
        "400",
        "401",
    ]
    # The secrets are in neither the banner nor the log; the banner says where they came from.
    assert not any(TOKEN in line or PASSWORD in line for line in sandbox.output)
    assert any("(from SANDBOX_PASSWORD, not shown)" in line for line in sandbox.output)


def test_the_access_log_writes_every_line_in_order_and_the_rest_when_it_stops() -> None:
    """Calls gather on the event loop and are written in batches: none lost, none reordered, the
    last batch written on the way out, through the access logger's own handlers and level."""
    logger = logging.getLogger(logs.ACCESS_LOGGER)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    saved = logger.handlers, logger.level, logger.propagate
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)  # setLevel, not the attribute: it clears logging's cache of levels
    try:
        with logs.access_log_off_the_loop() as gathered:
            for n in range(5000):
                gathered.info("line %d", n)
        with logs.access_log_off_the_loop() as gathered:
            logger.setLevel(logging.WARNING)  # the logger's level still rules: no lines
            gathered.info("not shown")
    finally:
        logger.handlers, logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])
    lines = stream.getvalue().splitlines()
    assert lines == [f"{logs.ACCESS_LOGGER} INFO line {n}" for n in range(5000)]


def test_a_call_gathered_while_the_writer_takes_is_never_lost() -> None:
    """`info` runs on the event loop while the writer thread takes: with threads switched as often as
    Python allows, every call is taken once, in order (a list swapped out under `info` lost some)."""
    gathered = logs.Gathered()
    taken: list[logs.Call] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            taken.extend(gathered.take())
        taken.extend(gathered.take())

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=writer)
    try:
        thread.start()
        for n in range(200_000):
            gathered.info("line %d", n)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert [call[2][0] for call in taken] == list(range(200_000))


def _access_lines(formatter: logging.Formatter, calls: list[logs.Call]) -> list[str]:
    """What the access log writes for `calls` through one stream handler with `formatter`."""
    logger = logging.getLogger(logs.ACCESS_LOGGER)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    saved = logger.handlers, logger.level, logger.propagate
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)  # setLevel, not the attribute: it clears logging's cache of levels
    try:
        with logs.access_log_off_the_loop() as gathered:
            gathered.calls.extend(calls)
    finally:
        logger.handlers, logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])
    return stream.getvalue().splitlines()


ACCESS_MESSAGE = '%s - "%s %s HTTP/%s" %d'  # as uvicorn calls its access logger


@pytest.mark.parametrize("colours", [False, True])
def test_access_lines_formatted_once_a_call_are_uvicorns_lines(colours: bool) -> None:
    """A call repeated (a keep-alive connection's) is formatted once a batch: every line must still be
    the one uvicorn's own formatter makes of that call's record."""
    formatter = AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=colours)
    calls: list[logs.Call] = []
    for n in range(300):
        args = (f"127.0.0.1:{40000 + n % 3}", "PUT", spec.OPERATION_PATH, "1.1", (200, 400, 200, 413)[n % 4])
        calls.append((1_700_000_000.0 + n, ACCESS_MESSAGE, args))
    expected = []
    for created, msg, args in calls:
        record = logging.LogRecord(logs.ACCESS_LOGGER, logging.INFO, "", 0, msg, args, None)
        record.created = created
        expected.append(formatter.format(record))
    assert _access_lines(formatter, calls) == expected
    assert len(set(expected)) == 9  # three connections, three answers each: nine lines, repeated


def test_access_lines_showing_the_time_are_each_formatted() -> None:
    """A format that shows what differs between like calls (the time, here) is never reused."""
    formatter = logging.Formatter("%(created)f %(message)s")
    args = ("127.0.0.1:40000", "PUT", spec.OPERATION_PATH, "1.1", 200)
    calls: list[logs.Call] = [(1_700_000_000.0 + n, ACCESS_MESSAGE, args) for n in range(5)]
    lines = _access_lines(formatter, calls)
    assert [line.split()[0] for line in lines] == [f"{1_700_000_000.0 + n:f}" for n in range(5)]


def _exchange(url: str, request: bytes, wait_for_interim: bool = False) -> bytes:
    """One raw HTTP/1.1 exchange on a socket of its own; with `wait_for_interim`, the head is sent,
    a 100 Continue awaited, and only then the body."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head, _, body = request.partition(b"\r\n\r\n")
        if wait_for_interim:
            sock.sendall(head + b"\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(body)
        else:
            sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def test_answers_come_whole_with_their_heads_held_only_until_the_body(tmp_path: Path) -> None:
    """The protocol writes a head with its body (web/fast_path.py): a 100 Continue still goes out at
    once, a HEAD answer still ends, and every answer has its head, then its body."""
    body = json.dumps({"from": "sandbox@example.test", "to": ["r@example.org"]}).encode()
    put = (
        f"PUT {spec.OPERATION_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\n"
        f"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    with running(settings_in(tmp_path)) as url:
        answer = _exchange(url, put, wait_for_interim=True)
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), answer
        assert json.loads(payload)["statusCode"] == 200
        answer = _exchange(
            url, b"HEAD /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.1 200 "), answer
        assert answer.endswith(b"\r\n\r\n"), answer
        refused = _exchange(
            url, put.replace(TOKEN.encode(), b"wrong").replace(b"Expect: 100-continue\r\n", b"")
        )
        assert refused.startswith(b"HTTP/1.1 401 "), refused
        assert refused.endswith(b"Unauthorized"), refused


class _Recording:
    """A transport that keeps what was written: the number of writes is what is measured."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return name


def test_a_head_goes_out_with_the_first_part_of_its_body_and_before_anything_else() -> None:
    real = _Recording()
    transport = HeadWithBody(real)  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert real.writes == []
    transport.write(b"body")
    transport.write(b"more")
    assert real.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"more"]
    for then_closed in (True, False):  # closed, or asked anything else: the head goes first
        real = _Recording()
        transport = HeadWithBody(real)  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
        if then_closed:
            transport.close()
        else:
            transport.get_extra_info("peername")
        assert real.writes == [b"HTTP/1.1 500 Internal Server Error\r\n\r\n"]
    real = _Recording()
    transport = HeadWithBody(real)  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert real.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]  # an interim answer is never held
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.abort()  # the drop fault: nothing more goes out
    assert real.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    assert real.aborted
