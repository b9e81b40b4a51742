"""Mail sinks that misbehave, on loopback: an IMAP and a POP3 speaker (stdlib socketserver) and a
Mailpit API (http.server), each well-behaved up to the one command a test makes it spoil.

No real server can be made to drip an answer, announce a literal of 10**20 bytes or list without
end, which is why these exist. Each one bounds itself (a drip stops after DRIP_FOR seconds, an
endless answer after a few times the suite's own bound) so that a client without bounds is caught
by a test that fails rather than one that hangs; each counts the bytes it wrote, so a test can
tell that the suite stopped reading early.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

USER, PASSWORD = "catchall", "hostile p@ss"
DRIP_FOR = 30.0  # seconds a dripped answer lasts at most
DRIP_EVERY = 0.2  # seconds between two of its bytes
ENDLESS_BYTES = 24 * 1024 * 1024  # where an endless answer gives up: three times MAX_LISTING_BYTES


class _Speaker(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[socketserver.BaseRequestHandler], scenario: str) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.scenario = scenario
        self.written = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-answer is what tests stage


class _Handler(socketserver.StreamRequestHandler):
    server: _Speaker

    def say(self, data: bytes) -> None:
        self.wfile.write(data)
        with self.server.lock:
            self.server.written += len(data)

    def drip(self, data: bytes) -> None:
        """`data`, then more of its last line, a byte every DRIP_EVERY s, for DRIP_FOR s; then hang up."""
        for at in range(int(DRIP_FOR / DRIP_EVERY)):
            self.say(data[at : at + 1] if at < len(data) else b"1")
            if self.server.stopping.wait(DRIP_EVERY):
                break

    def endless(self, head: bytes, line: bytes) -> None:
        """`head`, then `line` (with its number) until ENDLESS_BYTES are written or the client leaves."""
        self.say(head)
        number = 0
        while self.server.written < ENDLESS_BYTES and not self.server.stopping.is_set():
            number += 1
            self.say(line.replace(b"N", str(number).encode()))


class _ImapHandler(_Handler):
    def handle(self) -> None:
        scenario = self.server.scenario
        self.say(b"* OK [CAPABILITY IMAP4rev1] hostile IMAP ready\r\n")
        for line in self.rfile:
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command = rest.upper()
            if command.startswith(b"CAPABILITY"):
                self.say(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
            elif command.startswith(b"LOGIN"):
                self.say(tag + b" OK logged in\r\n")
            elif command.startswith((b"EXAMINE", b"SELECT")):
                self.say(b"* 1 EXISTS\r\n" + tag + b" OK [READ-ONLY] done\r\n")
            elif command.startswith(b"UID SEARCH"):
                if scenario == "dripped search":
                    self.drip(b"* SEARCH 1 ")
                    return
                if scenario == "endless search":
                    self.endless(b"", b"* SEARCH N\r\n")
                    return
                self.say(b"* SEARCH 1\r\n" + tag + b" OK done\r\n")
            elif command.startswith(b"UID FETCH"):
                if scenario == "absurd literal":
                    self.say(b"* 1 FETCH (UID 1 BODY[] {" + str(10**20).encode() + b"}\r\n")
                    return
                if scenario == "huge literal":
                    self.say(b"* 1 FETCH (UID 1 BODY[] {300000000}\r\n")
                    left = 300_000_000
                    while left > 0 and not self.server.stopping.is_set():
                        self.say(b"x" * min(left, 65536))
                        left -= 65536
                    self.say(b")\r\n" + tag + b" OK done\r\n")
                    continue
                self.say(tag + b" NO nothing\r\n")
            elif command.startswith(b"LOGOUT"):
                self.say(b"* BYE\r\n" + tag + b" OK bye\r\n")
                return
            else:
                self.say(tag + b" BAD what\r\n")


class _Pop3Handler(_Handler):
    def handle(self) -> None:
        scenario = self.server.scenario
        self.say(b"+OK hostile POP3 ready\r\n")
        for line in self.rfile:
            command = line.rstrip(b"\r\n").upper()
            if command.startswith((b"USER", b"PASS")):
                self.say(b"+OK\r\n")
            elif command.startswith(b"UIDL"):
                if scenario == "endless uidl":
                    self.endless(b"+OK\r\n", b"N uid-of-message-N\r\n")
                    self.say(b".\r\n")
                elif scenario == "dripped uidl":
                    self.drip(b"+OK\r\n1 uid-1\r\n2 uid-")
                    return
                elif scenario == "malformed uidl":
                    self.say(b"+OK\r\n1 uid-1\r\nnot a uidl line\r\n.\r\n")
                else:
                    self.say(b"+OK\r\n.\r\n")
            elif command.startswith(b"QUIT"):
                self.say(b"+OK bye\r\n")
                return
            else:
                self.say(b"-ERR no\r\n")


@contextmanager
def _serving(server: _Speaker) -> Iterator[_Speaker]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def imap(scenario: str) -> Iterator[tuple[str, _Speaker]]:
    """(MAIL_SINK for it, the speaker): `scenario` is "dripped search", "endless search",
    "huge literal" (300 MB), "absurd literal" (10**20 bytes), or anything else for none."""
    with _serving(_Speaker(_ImapHandler, scenario)) as server:
        yield _url("imap", server), server


@contextmanager
def pop3(scenario: str) -> Iterator[tuple[str, _Speaker]]:
    """`scenario`: "endless uidl", "dripped uidl", "malformed uidl", or anything else for none."""
    with _serving(_Speaker(_Pop3Handler, scenario)) as server:
        yield _url("pop3", server), server


def _url(scheme: str, server: _Speaker) -> str:
    port = server.server_address[1]
    return f"{scheme}://{USER}:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:{port}"


class Mailpit:
    """A Mailpit API whose search spoils: "endless count" (messages_count 10**15, every page full of
    summaries naming the address; after 300 pages, a 500) or "string summary"."""

    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.pages = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/api/v1/messages":
                    self._json({"messages": [], "messages_count": 0})
                elif url.path == "/api/v1/search":
                    api.pages += 1
                    address = query.get("query", "").partition('"')[2].rstrip('"')
                    start = int(query.get("start", "0"))
                    if api.scenario == "string summary":
                        self._json({"messages": ["a summary that is a string"], "messages_count": 1})
                    elif api.pages > 300:
                        self.send_error(500)
                    else:
                        summaries = [
                            {"ID": f"m{start + i}", "To": [{"Address": address}]} for i in range(100)
                        ]
                        self._json({"messages": summaries, "messages_count": 10**15})
                else:
                    self._json({})

            def _json(self, value: Any) -> None:
                body = json.dumps(value).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True

    @property
    def sink(self) -> str:
        return f"mailpit:http://127.0.0.1:{self._httpd.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[Mailpit]:
        thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join()
