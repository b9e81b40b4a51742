"""A real HTTP server on loopback whose next answers a test scripts.

It can answer any status (499 and 520 included), stall, hang, read a request
and drop the connection, answer bytes that are not HTTP, or stream an answer
of any size, which no well-behaved server can be made to do; and it records
every request it read, so a test can count sends.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_CHUNK = 64 * 1024
# Every method a client may try; each is handled alike.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # read the request, then close the connection without answering
    hang: bool = False  # never answer: hold the connection until the server stops
    read_body: bool = True  # False: leave the request's body unread, so a large one stalls its sender
    raw: bytes | None = None  # write these bytes instead of an HTTP answer, then close
    filler: int = 0  # after `body`, this many bytes of spaces, written as the client reads them
    drip: float = 0.0  # write the filler (or `raw`) a byte at a time, this many seconds apart

    @classmethod
    def envelope(cls, payload: dict[str, Any], status: int = 200) -> Reply:
        return cls(status=status, body=json.dumps(payload).encode())


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Script = Reply | Callable[[Received], Reply]


class ScriptedServer:
    def __init__(self) -> None:
        self.reply: Script = Reply()
        self.received: list[Received] = []
        self.bytes_sent = 0  # body bytes written to clients, filler included
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                script = server.reply
                length = int(self.headers.get("Content-Length", "0") or 0)
                if callable(script):  # a script reads the request to decide
                    body = self.rfile.read(length)
                    received = Received(self.command, self.path, dict(self.headers.items()), body)
                    reply = script(received)
                else:
                    reply = script
                    body = self.rfile.read(length) if reply.read_body else b""
                    received = Received(self.command, self.path, dict(self.headers.items()), body)
                with server._lock:
                    server.received.append(received)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hang:
                    server._stopping.wait()
                if reply.drop or reply.hang:
                    self.close_connection = True
                    return
                if reply.raw is not None:
                    step = 1 if reply.drip else len(reply.raw)
                    for at in range(0, len(reply.raw), step):
                        self._write(reply.raw[at : at + step])
                        if server._stopping.wait(reply.drip):
                            break
                    self.close_connection = True
                    return
                self.send_response(reply.status, "Scripted")
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body) + reply.filler))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                self._write(reply.body)
                left = reply.filler
                while left > 0 and not server._stopping.is_set():
                    chunk = 1 if reply.drip else min(left, _CHUNK)
                    self._write(b" " * chunk)
                    self.wfile.flush()
                    left -= chunk
                    server._stopping.wait(reply.drip)

            def _write(self, data: bytes) -> None:
                self.wfile.write(data)
                with server._lock:
                    server.bytes_sent += len(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        for method in _METHODS:
            setattr(Handler, f"do_{method}", Handler._handle)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that timed out or hung up is part of what tests stage

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.split("?")[0] == path]

    @contextmanager
    def running(self) -> Iterator[ScriptedServer]:
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stopping.set()  # hanging handlers let go
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join()
