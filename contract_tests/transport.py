"""Every request of the run, whichever session sends it: counted, bounded in time and size, never redirected.

Schemathesis sends the cases through the run's requests session, and some of its checks send
probes of their own; the probes of `test_probes.py` use the session too. All of them end in
`requests.adapters.HTTPAdapter.send`, so that is where the rules hold, while the run lasts:

- a request to the send call past MAX_SENDS is refused (`SendCapReached`), however BASE_URL is
  written: a path prefix, a `.json` suffix or another spelling of the path counts all the same;
- a request gets REQUEST_TIMEOUT seconds in all (connect, send, answer, body), not per read: a server
  that is silent, or trickles its answer, fails the run with `NoAnswer`;
- at most MAX_ANSWER_BYTES of an answer are read (`AnswerTooLarge`): memory stays bounded;
- a redirect is never followed (requests' `get_redirect_target` finds none): a 3xx is the answer,
  and the suite's check `answers_without_redirecting` fails it. A followed 307 would carry the
  message, and to the same host the key, wherever the server pointed.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import requests.adapters
import requests.sessions
import urllib3.connection

from contract_tests.pacing import Pacer
from onlyoffice_contract import spec

# An answer to the send call is a small envelope or "Unauthorized"; a proxy's error page is a few KB.
MAX_ANSWER_BYTES = 1 << 20
_CHUNK = 64 * 1024
_OPERATION = spec.OPERATION_PATH.lower()


class SendCapReached(Exception):
    """MAX_SENDS requests were sent: the run stops rather than send more mail."""


class NoAnswer(requests.exceptions.Timeout):
    """No complete answer within REQUEST_TIMEOUT."""


class AnswerTooLarge(requests.exceptions.RequestException):
    """The answer went on past MAX_ANSWER_BYTES; the rest was not read."""


def is_send_call(request: requests.PreparedRequest) -> bool:
    """Whether `request` may reach the send call: a PUT whose path holds the operation's path.

    Matched anywhere in the path, case-insensitively, percent-decoded and with repeated slashes
    folded, so that a base path (`/honest`), a format suffix (`send.json`) or another spelling of
    the path counts; counting a request too many only makes the cap stricter."""
    if (request.method or "").upper() != spec.OPERATION_METHOD.upper():
        return False
    path = re.sub("/{2,}", "/", unquote(urlsplit(request.url or "").path)).lower()
    return _OPERATION in path


def on_the_call(request: requests.PreparedRequest) -> bool:
    """Whether `request` goes to the call's path, by any method: what RATE_LIMIT paces."""
    path = re.sub("/{2,}", "/", unquote(urlsplit(request.url or "").path)).lower()
    return _OPERATION in path


def _where(request: requests.PreparedRequest) -> str:
    return f"{request.method} {request.url}"


@dataclass
class _Watched:
    """One request under watch: its deadline, and the connections it used."""

    deadline: float
    connections: list[Any] = field(default_factory=list)
    expired: bool = False


class _Watchdog:
    """Ends a request at its deadline by shutting its socket down, which wakes the read it waits in.

    requests' timeouts bound each read, not the request: a server that sends a byte now and then
    never reaches one. The request runs in the caller's thread as always (a thread per request
    cost more than the request when the sandbox shares the interpreter); one daemon thread looks
    at the deadlines a few times a second."""

    PERIOD = 0.2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, _Watched] = {}
        self._current = threading.local()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, seconds: float) -> Iterator[_Watched]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="contract-deadlines", daemon=True)
            self._thread.start()
        watched = _Watched(time.monotonic() + seconds)
        with self._lock:
            self._watched[id(watched)] = watched
        self._current.watched = watched
        try:
            yield watched
        finally:
            self._current.watched = None
            with self._lock:  # after this, the watchdog no longer touches these connections
                del self._watched[id(watched)]

    def attach(self, connection: Any) -> None:
        """`connection` carries the request being watched in this thread (if any)."""
        watched = getattr(self._current, "watched", None)
        if watched is not None:
            watched.connections.append(connection)

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self.PERIOD):
            now = time.monotonic()
            with self._lock:
                for watched in self._watched.values():
                    if watched.expired or now < watched.deadline:
                        continue
                    watched.expired = True
                    for connection in watched.connections:
                        sock = getattr(connection, "sock", None)
                        if sock is not None:
                            with suppress(OSError):
                                sock.shutdown(socket.SHUT_RDWR)


class Transport:
    """The run's rules for every request; `install()` puts them under every requests session."""

    def __init__(
        self,
        max_sends: int,
        timeout: float,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        pacer: Pacer | None = None,
    ) -> None:
        self.max_sends = max_sends
        self.pacer = pacer or Pacer(None, 0.0)
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.sends = 0
        self.cap_reached = False  # a request past MAX_SENDS was refused
        self._lock = threading.Lock()
        self._observing = threading.Lock()
        self._originals: dict[str, Any] = {}
        self._watchdog = _Watchdog()
        # Told of every answer read whole (the coverage report, the progress lines).
        self.observers: list[Callable[[requests.PreparedRequest, requests.Response], None]] = []

    def count(self, request: requests.PreparedRequest) -> None:
        if not is_send_call(request):
            return
        with self._lock:
            if self.sends >= self.max_sends:
                self.cap_reached = True
                raise SendCapReached(
                    f"usage: MAX_SENDS={self.max_sends} requests were sent and the run stopped before"
                    " sending more; raise MAX_SENDS or lower MAX_EXAMPLES"
                )
            self.sends += 1

    def send(
        self, adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kw: Any
    ) -> requests.Response:
        """The adapter's send, with the run's rules: paced, sent again while the server throttles
        (each attempt counted), its body read within the limits. Observers see the answer that stood."""
        paced, attempt = on_the_call(request), 0
        # The suite sends no cookie of its own: one here is from a session's jar, the `asc_auth_key`
        # the real server sets on a call the header authenticated. It would authenticate the probes
        # sent without a key or with a wrong one (a false red), so it never goes out.
        request.headers.pop("Cookie", None)
        while True:
            self.count(request)
            if paced:
                self.pacer.before()
            response = self._send_once(adapter, request, **kw)
            if not (paced and self.pacer.after(response, attempt, _where(request))):
                break
            attempt += 1
        with self._observing:  # one at a time, whichever thread sent it (WORKERS)
            for observer in self.observers:
                observer(request, response)
        return response

    def _send_once(
        self, adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kw: Any
    ) -> requests.Response:
        # Each phase has the timeout too: a silent server ends at the first read, not the deadline.
        kw.update(timeout=(self.timeout, self.timeout), stream=True)
        with self._watchdog.watch(self.timeout) as watched:
            try:
                response = self._read(self._originals["send"](adapter, request, **kw))
            except Exception as exc:
                if not (watched.expired or isinstance(exc, requests.exceptions.Timeout)):
                    raise
            else:
                return response
        raise NoAnswer(
            f"{_where(request)}: no complete answer within REQUEST_TIMEOUT={self.timeout:g} s; the server"
            " was silent or too slow (raise REQUEST_TIMEOUT if it is only slow)",
            request=request,
        )

    def _read(self, response: requests.Response) -> requests.Response:
        """The whole body, up to the limit, as requests would have read it (`response.content`)."""
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > self.max_answer_bytes:
                    raise AnswerTooLarge(
                        f"{_where(response.request)}: the answer ({response.status_code}) is larger than"
                        f" {self.max_answer_bytes} bytes, the most the suite reads; it stopped reading there",
                        request=response.request,
                        response=response,
                    )
                chunks.append(chunk)
        except BaseException:
            response.close()
            raise
        response._content = b"".join(chunks)
        return response

    def install(self) -> None:
        """Put the rules under every session of this process, until `uninstall()`."""
        self._originals = {
            "send": requests.adapters.HTTPAdapter.send,
            "redirect": requests.sessions.SessionRedirectMixin.get_redirect_target,
            "request": urllib3.connection.HTTPConnection.request,
        }
        transport, watchdog, request = self, self._watchdog, self._originals["request"]

        def send(adapter: requests.adapters.HTTPAdapter, sent: requests.PreparedRequest, **kw: Any) -> Any:
            return transport.send(adapter, sent, **kw)

        def attached(connection: urllib3.connection.HTTPConnection, *args: Any, **kw: Any) -> Any:
            watchdog.attach(connection)  # urllib3 sends every request through its connection's request()
            return request(connection, *args, **kw)

        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign, assignment]
        urllib3.connection.HTTPConnection.request = attached  # type: ignore[method-assign, assignment]
        requests.sessions.SessionRedirectMixin.get_redirect_target = _no_redirect  # type: ignore[method-assign, assignment]

    def uninstall(self) -> None:
        self._watchdog.stop()
        urllib3.connection.HTTPConnection.request = self._originals["request"]  # type: ignore[method-assign]
        requests.adapters.HTTPAdapter.send = self._originals["send"]  # type: ignore[method-assign]
        requests.sessions.SessionRedirectMixin.get_redirect_target = self._originals["redirect"]  # type: ignore[method-assign]


def _no_redirect(session: requests.sessions.SessionRedirectMixin, response: requests.Response) -> None:
    """requests follows what this returns; nothing, while the run lasts."""
    return None
