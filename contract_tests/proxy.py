"""`onlyoffice-contract proxy --upstream URL`: a validation proxy that judges the send call as `audit` does.

It listens on loopback (uvicorn), forwards every request to the upstream and every answer back,
streaming both, and never retries, follows a redirect or changes a request. It sends through
httpcore, httpx's transport, on connections of its own (`_Connections`), not through httpx's client:
the client adds its default headers to a request, and its pool's bookkeeping cost more than the
forwarding itself. Of the send call (any route) it
keeps a copy of each body within a bound (MAX_REQUEST_BYTES, MAX_ANSWER_BYTES); after the answer
has gone out, one worker thread judges the exchange (`audit.judge`), prints its line, and on stop
the report goes to REPORT_DIR (audit.md, audit.json), as `audit` writes it. An exchange whose body
went past the bound is forwarded whole and counted as not judged.

What passes unchanged: the method, the path and query as sent (raw), every header in order with its
duplicates, the body bytes; the status, the answer's headers in order and its body bytes (raw: a
compressed answer stays compressed). What cannot: the Host header names the upstream (a portal is
chosen by its host); hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade,
Proxy-*) are the connection's, not the message's; header names reach the upstream in lower case
(the ASGI server folds them); the reason phrase and the HTTP version are the proxy's own.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import itertools
import sys
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from contract_tests import audit, traffic
from contract_tests.settings import is_loopback
from contract_tests.transport import MAX_ANSWER_BYTES

MAX_REQUEST_BYTES = 8 << 20  # a send's body is HTML and references to files: past this it is not judged
HOP_BY_HOP = {
    *(b"connection", b"keep-alive", b"transfer-encoding", b"te", b"upgrade", b"trailer"),
    *(b"proxy-authenticate", b"proxy-authorization", b"proxy-connection", b"host"),
}
BAD_GATEWAY = 502


class _Disconnected(Exception):
    pass


def _decoded(headers: traffic.Headers, body: bytes) -> bytes:
    """The answer's body as the client reads it (gzip, deflate), for judging only; forwarded raw."""
    encoding = next((v.strip().lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if encoding == "gzip":
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error:
        return body
    return body


def _chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"transfer-encoding" and b"chunked" in v.lower() for k, v in headers)


# What httpcore raises when the upstream cannot be reached or breaks off: a 502, never a retry.
UPSTREAM_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)
KEEP_ALIVE_SECONDS = 4.0  # under uvicorn's 5 s: an idle connection is dropped before the upstream drops it


class _Connections:
    """Connections to the upstream, each carrying one request at a time, the idle ones reused last-in
    first-out. httpx's own pool (httpcore's AsyncConnectionPool) re-checks every connection on every
    request; at 10 connections it halved what the proxy could forward (bench/NOTES.md)."""

    def __init__(self, upstream: httpx.URL, keep: int = 64) -> None:
        port = upstream.port or (443 if upstream.scheme == "https" else 80)
        self.origin = httpcore.Origin(upstream.raw_scheme, upstream.raw_host, port)
        self.ssl = httpx.create_ssl_context() if upstream.scheme == "https" else None
        self.keep = keep
        self.idle: list[httpcore.AsyncHTTPConnection] = []

    async def take(self) -> httpcore.AsyncHTTPConnection:
        while self.idle:
            connection = self.idle.pop()
            if connection.is_idle() and not connection.has_expired():
                return connection
            await connection.aclose()
        return httpcore.AsyncHTTPConnection(
            self.origin, ssl_context=self.ssl, keepalive_expiry=KEEP_ALIVE_SECONDS
        )

    async def give_back(self, connection: httpcore.AsyncHTTPConnection) -> None:
        if connection.is_idle() and len(self.idle) < self.keep:
            self.idle.append(connection)
        else:
            await connection.aclose()

    async def close(self) -> None:
        while self.idle:
            await self.idle.pop().aclose()


class Proxy:
    """The ASGI app: forwards, copies what it judges, and hands the copy to the judging thread."""

    def __init__(
        self,
        upstream: str,
        report: audit.Report,
        *,
        timeout: float = 30.0,
        say: Callable[[str], None] = print,
        max_request: int = MAX_REQUEST_BYTES,
        max_answer: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.upstream = httpx.URL(upstream.rstrip("/"))
        self.report = report
        self.say = say
        self.max_request, self.max_answer = max_request, max_answer
        self.timeout = timeout
        self.not_judged = 0  # exchanges of the send call whose bodies went past the bound
        self._numbers = itertools.count(1)
        self._judging = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="judge")  # in order
        self._connections = _Connections(self.upstream)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._connections.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def stop(self) -> None:
        """Wait for the judging of every exchange seen."""
        self._judging.shutdown(wait=True)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        number = next(self._numbers)
        method: str = scope["method"]
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw_path + (b"?" + query if query else b"")
        judged = traffic.is_send_call(method, scope["path"])
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        streamed = any(k.lower() in (b"content-length", b"transfer-encoding") for k, _ in scope["headers"])
        copy = bytearray()
        over = False

        async def body() -> AsyncIterator[bytes]:
            nonlocal over
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Disconnected
                chunk = message.get("body", b"")
                if judged and not over:
                    over = len(copy) + len(chunk) > self.max_request
                    if not over:
                        copy.extend(chunk)
                if chunk:
                    yield chunk
                if not message.get("more_body"):
                    return

        if streamed:
            content: Any = body()
        else:  # no body announced: send none (a stream would go out chunked)
            content = b"".join([chunk async for chunk in body()])
        url = self.upstream.copy_with(raw_path=self.upstream.raw_path.rstrip(b"/") + target)
        framing = [(b"transfer-encoding", b"chunked")] if _chunked(scope["headers"]) else []
        request = httpcore.Request(
            method.encode(),
            httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=[(b"host", self.upstream.netloc), *headers, *framing],
            content=content,
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)},
        )
        connection = await self._connections.take()
        try:
            response = await connection.handle_async_request(request)
        except _Disconnected:
            await connection.aclose()
            return
        except UPSTREAM_ERRORS as exc:
            await connection.aclose()
            text = f"proxy: no answer from the upstream ({type(exc).__name__}); the request was not retried"
            await send(
                {
                    "type": "http.response.start",
                    "status": BAD_GATEWAY,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": text.encode()})
            self.say(f"#{number} {method} {scope['path']}: {text}")
            return
        answer = bytearray()
        answer_over = False
        kept = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP]
        try:
            await send({"type": "http.response.start", "status": response.status, "headers": kept})
            held = b""  # each chunk goes out when the next arrives, the last one with the end: one write less
            async for chunk in response.aiter_stream():
                if judged and not answer_over:
                    answer_over = len(answer) + len(chunk) > self.max_answer
                    if not answer_over:
                        answer.extend(chunk)
                if held:
                    await send({"type": "http.response.body", "body": held, "more_body": True})
                held = chunk
            await send({"type": "http.response.body", "body": held, "more_body": False})
        finally:
            await response.aclose()
            await self._connections.give_back(connection)
        if not judged:
            with self._lock:
                self.report.passed_through += 1
            return
        if over or answer_over:
            with self._lock:
                self.not_judged += 1
            self.say(f"#{number} {method} {scope['path']}: a body past the bound; forwarded, not judged")
            return
        exchange = traffic.Exchange(
            method=method,
            url=str(url),
            request_headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
            request_body=bytes(copy),
            status=response.status,
            response_headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in kept),
            response_body=bytes(answer),
        )
        exchange = dataclasses.replace(
            exchange, response_body=_decoded(exchange.response_headers, bytes(answer))
        )
        self._judging.submit(self._judge, exchange, number)

    def _judge(self, exchange: traffic.Exchange, number: int) -> None:
        with self._lock:
            judged = self.report.add(exchange, number)
            line = self.report.line(judged) if judged is not None else ""
        if line:
            self.say(line)

    def summary(self) -> list[str]:
        lines = self.report.totals()  # each entry's line was printed as it was judged
        if self.not_judged:
            lines.insert(
                -1, f"{self.not_judged} exchanges of the send call had a body past the bound: not judged"
            )
        return lines


def _config(proxy: Proxy, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        proxy,
        host=host,
        port=port,
        lifespan="on",
        server_header=False,  # the answer's headers are the upstream's alone
        date_header=False,
        access_log=False,
        log_level="warning",
    )


@contextmanager
def running(proxy: Proxy, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The proxy in a thread of this process (for tests and the bench); its URL. Judging is done on exit."""
    server = uvicorn.Server(_config(proxy, host, port))
    thread = threading.Thread(target=server.run, name="proxy", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the proxy did not start")
        threading.Event().wait(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{host if ':' not in host else f'[{host}]'}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join()
        proxy.stop()


def main(argv: list[str]) -> int:
    """`onlyoffice-contract proxy --upstream URL`: until stopped (Ctrl-C); the exit status as `audit`'s."""
    parser = argparse.ArgumentParser(
        prog="onlyoffice-contract proxy",
        description="A validation proxy on loopback: forwards each request to the upstream and its answer"
        " back unchanged, and judges the send call's exchanges as `audit` does, live and into the report"
        " written on stop.",
        epilog="Exit status on stop: 0 every exchange kept the contract, 1 one broke it, 4 usage error.",
    )
    parser.add_argument("--upstream", required=True, metavar="URL", help="the server to forward to")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address to listen on [127.0.0.1]")
    parser.add_argument("--port", type=int, default=8089, help="the port to listen on [8089]")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds the upstream may take [30]")
    audit.profile_option(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else audit.USAGE_ERROR
    if not is_loopback(f"http://{args.host if ':' not in args.host else f'[{args.host}]'}/"):
        print(f"usage: --host {args.host}: the proxy listens on loopback only", file=sys.stderr)
        return audit.USAGE_ERROR
    upstream = httpx.URL(args.upstream)
    if upstream.scheme not in ("http", "https") or not upstream.host:
        print("usage: --upstream must be an http(s) URL", file=sys.stderr)
        return audit.USAGE_ERROR
    proxy = Proxy(args.upstream, audit.Report(args.PROFILE), timeout=args.timeout, say=_say)
    where = f"{upstream.scheme}://{upstream.netloc.decode()}"  # no user or password, no path
    _say(f"proxy: http://{args.host}:{args.port} -> {where} ({args.PROFILE} profile)")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(uvicorn.Server(_config(proxy, args.host, args.port)).serve())
    proxy.stop()
    for line in proxy.summary():
        _say(line)
    md, js = proxy.report.write(args.REPORT_DIR)
    _say(f"report: {md}, {js}")
    return 1 if proxy.report.failed else 0


def _say(line: str) -> None:
    print(line, flush=True)
