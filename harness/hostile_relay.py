"""A relay on loopback that misbehaves on chosen connections and passes the others to a real sink.

Each connection is either hostile (its greeting dripped a byte at a time and never ended, a 421
greeting, an EHLO reply that never ends, a reply line longer than any client takes) or passed
byte for byte to an `SmtpSink` (aiosmtpd), which records what is delivered. `hostile_first`
connections misbehave, then every `hostile_every`-th one (0: none); `calm()` makes every later
connection pass. So a sender that retries must deliver every message exactly once in the end.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

from harness.smtp_sink import SmtpSink

KINDS = ("drip-greeting", "421-greeting", "endless-ehlo", "long-line")


@dataclass
class HostileRelay:
    sink: SmtpSink
    kind: str
    hostile_first: int = 1
    hostile_every: int = 0
    connections: int = 0
    hostile: int = 0  # connections that misbehaved
    _calm: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _server: socket.socket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")

    def up(self) -> HostileRelay:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def down(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()

    def calm(self) -> None:
        """Every connection from now on passes to the sink."""
        self._calm.set()

    @property
    def address(self) -> str:
        assert self._server is not None
        return f"127.0.0.1:{self._server.getsockname()[1]}"

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                n = self.connections
                hostile = not self._calm.is_set() and (
                    n <= self.hostile_first or (self.hostile_every and n % self.hostile_every == 0)
                )
                self.hostile += bool(hostile)
            target = self._misbehave if hostile else self._pass
            threading.Thread(target=target, args=(client,), daemon=True).start()

    def _misbehave(self, client: socket.socket) -> None:
        with contextlib.closing(client), contextlib.suppress(OSError):
            client.settimeout(5)
            if self.kind == "drip-greeting":  # a byte at a time, and the line never ends
                client.sendall(b"220")
                while not self._stop.is_set():
                    time.sleep(0.05)
                    client.sendall(b" ")
            elif self.kind == "421-greeting":
                client.sendall(b"421 4.3.2 Too busy here, try again later\r\n")
            else:
                client.sendall(b"220 hostile.example ESMTP\r\n")
                client.recv(1024)  # EHLO
                if self.kind == "long-line":
                    client.sendall(b"250-hostile.example\r\n250 " + b"x" * 20_000 + b"\r\n")
                    client.recv(1024)  # whatever comes next, if anything
                else:  # endless-ehlo: continuation lines for as long as the client reads them
                    line = b"250-" + b"x" * 70 + b"\r\n"
                    while not self._stop.is_set():
                        client.sendall(line * 100)

    def _pass(self, client: socket.socket) -> None:
        with contextlib.closing(client), contextlib.suppress(OSError):
            upstream = socket.create_connection(("127.0.0.1", self.sink.port), timeout=30)
            with contextlib.closing(upstream):
                back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
                back.start()
                _pump(client, upstream)
                back.join(30)


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
