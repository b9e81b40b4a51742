"""What the sandbox relies on inside uvicorn, Starlette and `logging` (web/fast_path.py, the bounds in
web/protocol.py, the drop fault's transport in web/app.py, web/access_log.py), pinned.

Written against uvicorn 0.54.0 (httptools 0.9.0) and Starlette 1.10.0, as requirements/lock.txt
pins them. A test here that fails after an upgrade names what moved: mend the piece that leans on
it, or drop it if `make bench` says it no longer pays (bench/NOTES.md)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.logging import AccessFormatter, DefaultFormatter
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from onlyoffice_sandbox.web import access_log, fast_path
from onlyoffice_sandbox.web.app import transport_of
from onlyoffice_sandbox.web.protocol import bounded


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_uvicorn_0_54_httptools_protocol_has_the_hooks_the_bounds_and_the_fast_path_override() -> None:
    hooks = {
        "connection_made": ["self", "transport"],
        "connection_lost": ["self", "exc"],
        "data_received": ["self", "data"],
        "on_message_begin": ["self"],
        "on_headers_complete": ["self"],
        "on_message_complete": ["self"],
    }
    for name, parameters in hooks.items():
        assert _parameters(getattr(HttpToolsProtocol, name)) == parameters, name
    # What each request's cycle is made with and keeps: the fast path swaps its transport and the
    # protocol's access logger (which the cycle is given); the time bound reads `response_started`.
    made_with = _parameters(RequestResponseCycle.__init__)
    assert {"transport", "access_logger", "access_log"} <= set(made_with)
    assert _parameters(RequestResponseCycle.send) == ["self", "message"]


def test_uvicorn_0_54_protocol_state_the_bounds_and_the_fast_path_read() -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = HttpToolsProtocol(Config(_app), ServerState(), {}, _loop=loop)
    finally:
        loop.close()
    assert protocol.loop is loop
    cycle: object = protocol.cycle
    assert cycle is None  # None until a request's head is read (typed otherwise by uvicorn)
    assert isinstance(protocol.access_log, bool)
    assert protocol.access_logger is logging.getLogger(access_log.ACCESS_LOGGER)


class _Transport(asyncio.Transport):
    """A connection that keeps what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


seen: dict[str, Any] = {}


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        seen["transport"] = transport_of(send)
        await Response(b"body", media_type="text/plain")(scope, receive, send)


async def _answered(protocol: HttpToolsProtocol) -> None:
    while protocol.cycle is None or not protocol.cycle.response_complete:
        await asyncio.sleep(0)  # the app's task runs


def test_uvicorn_0_54_writes_an_answer_through_the_fast_paths_transport_and_logger() -> None:
    """A request through the sandbox's protocol class (the bounds, then the fast path) over uvicorn's
    own: its answer goes out in one write, head and body; its access line reaches the gathered
    logger with the arguments the access log's formatting expects; the app finds the transport."""
    gathered = access_log.Gathered()
    protocol_class = fast_path.faster(bounded(8192, 30.0), gathered)
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    handler = logging.NullHandler()
    logger.addHandler(handler)  # uvicorn's access log is on when its logger has handlers
    loop = asyncio.new_event_loop()
    try:
        protocol = protocol_class(Config(_app), ServerState(), {}, _loop=loop)
        transport = _Transport()
        protocol.connection_made(transport)
        protocol.data_received(b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        loop.run_until_complete(asyncio.wait_for(_answered(protocol), 10))
        protocol.connection_lost(None)
    finally:
        logger.removeHandler(handler)
        loop.close()
    [written] = transport.writes
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert written.endswith(b"\r\n\r\nbody")
    [(_, message, args)] = gathered.calls  # no client address: the test's transport has no socket
    assert (message, args) == ('%s - "%s %s HTTP/%s" %d', ("", "GET", "/x?y=1", "1.1", 200))
    assert isinstance(seen["transport"], fast_path.HeadWithBody)


def test_uvicorns_default_access_format_is_one_the_access_log_formats_once_a_call() -> None:
    """Else every line is formatted anew: still right, but the saving measured is gone."""
    handler = logging.StreamHandler()
    access = LOGGING_CONFIG["formatters"]["access"]
    handler.setFormatter(AccessFormatter(access["fmt"], use_colors=False))
    assert access_log._same_for_the_same_call(handler)
    default = LOGGING_CONFIG["formatters"]["default"]
    handler.setFormatter(DefaultFormatter(default["fmt"], use_colors=False))
    assert access_log._same_for_the_same_call(handler)


def test_pythons_logging_formatter_keeps_its_format_where_the_access_log_reads_it() -> None:
    formatter = logging.Formatter("%(levelprefix)s %(message)s")
    assert type(formatter._style) is logging.PercentStyle
    assert formatter._style._fmt == "%(levelprefix)s %(message)s"


def test_starlette_1_10_sets_the_app_the_send_call_first_sets_and_takes_the_same_call() -> None:
    """`SendCallFirst` does what Starlette.__call__ does before routing (scope["app"], which
    Request.app reads); SandboxApp overrides that call, and calls it for everything else."""
    assert _parameters(Starlette.__call__) == ["self", "scope", "receive", "send"]
    apps: list[Any] = []

    async def endpoint(request: Request) -> Response:
        apps.append(request.app)
        return Response(b"")

    app = Starlette(routes=[Route("/", endpoint)])
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    asyncio.run(app(scope, receive, send))
    assert apps == [app]
    assert Request({"type": "http", "app": app}).app is app


def test_the_success_body_is_what_json_encoding_the_envelope_writes() -> None:
    from onlyoffice_sandbox.web import envelope

    for message_id in (0, 1, 7, 2**31, 2**63 - 1):
        payload = {"count": 1, "response": message_id, "status": 0, "statusCode": 200}
        assert fast_path.success_body(message_id) == envelope._json(payload, 200).body
