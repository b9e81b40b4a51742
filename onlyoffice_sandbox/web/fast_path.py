"""What the sandbox's HTTP layer does only for speed, all of it here, and what each piece saves.

Measured on 2026-12-07 as the server process's CPU time per accepted send under `make bench`'s
load (wrk, 10 connections, 10 s, the onlyoffice binder), each piece turned off against all on,
rounds interleaved, medians of 3-5 rounds in two or three runs, on a shared 2-core machine whose
noise is about +-30 us a send (bench/NOTES.md, "Speed code"); all on, a send cost 199-237 us:
- `SendCallFirst`, the send call answered before Starlette's router and middleware: +25 and +32 us
  a send without it (Starlette's middleware stack and route matching, for nothing the call uses).
- `access_log_off_the_loop` (`access_log.py`), uvicorn's access lines made and written by a thread:
  +27 and +29 us without (`logging` makes and formats a record on the event loop every request).
- `HeadWithBody`, an answer's head written with its body: +13, +3 and +24 us without (uvicorn
  writes them apart: two system calls and two TCP segments an answer). The least sure of the four.
- `success_body`, the success envelope formatted, not json-encoded: +17, +8 and +49 us without.
Each reaches into uvicorn's or Starlette's internals: tests/test_sandbox_fast_path.py pins what
it relies on to the versions it was written for, so that an upgrade fails there, not silently here.
What is not for speed stays where it was: the head and time bounds (`protocol.py`), the
connection's transport for the drop fault (`app.py`). Elsewhere, for speed, only a public setting
(uvicorn's `proxy_headers=False`, server.py) and caches of the sandbox's own work (the Set-Cookie
and Date headers made once a second, web/send.py and letter.py): none leans on a library's inside.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from onlyoffice_sandbox.web.access import Endpoint
from onlyoffice_sandbox.web.access_log import Gathered, access_log_off_the_loop

__all__ = ["HeadWithBody", "SendCallFirst", "access_log_off_the_loop", "faster", "success_body"]


class SendCallFirst:
    """The send call's requests, answered by its endpoint without Starlette's middleware and router.

    It still gets Starlette's Request and Response; an exception it raises reaches uvicorn, which
    answers 500 as Starlette's error middleware would. Its routes stay in the app's table, so that
    another method on its path gets Starlette's 405."""

    def __init__(self, endpoint: Endpoint, method: str, paths: Iterable[str]) -> None:
        self._endpoint = endpoint
        self._method = method
        self._paths = frozenset(paths)

    async def __call__(self, app: Starlette, scope: Scope, receive: Receive, send: Send) -> bool:
        """Whether it answered this request (an HTTP one); if not, the app must."""
        if scope["method"] != self._method or scope["path"] not in self._paths or scope.get("root_path"):
            return False
        scope["app"] = app  # what Starlette.__call__ sets, and Request.app reads
        response = await self._endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
        return True


_INTERIM = b"HTTP/1.1 1"  # a 100 Continue goes out at once


class HeadWithBody:
    """A request's transport, as its response cycle writes to it: the response's head is held until
    the first part of its body, and the two go out in one write. Anything else first writes what is
    held."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._held = False  # only the first write can be a head

    def write(self, data: bytes) -> None:
        if not self._held and data.startswith(b"HTTP/") and not data.startswith(_INTERIM):
            self._held, self._head = True, data
            return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._transport.write(data)

    def _flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        self._flush()
        return getattr(self._transport, name)


def faster(
    protocol: type[HttpToolsProtocol], access_logger: Gathered | None = None
) -> type[HttpToolsProtocol]:
    """`protocol` (uvicorn's httptools protocol, or a subclass) writing each head with its body, and,
    given an `access_logger`, calling it for each request's line while uvicorn's access log is on."""

    class FasterHttpToolsProtocol(protocol):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn gives its own to each request's cycle; `access_log` is on when it has handlers.
            if access_logger is not None and self.access_log:
                self.access_logger = access_logger  # only its `info` is called

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            if self.cycle is not None:  # the cycle just made for this request, which writes the answer
                self.cycle.transport = HeadWithBody(self.transport)

    return FasterHttpToolsProtocol


# The success envelope, as `envelope._json` (json.dumps, compact) writes it: formatted, not encoded.
_SUCCESS = b'{"count":1,"response":%d,"status":0,"statusCode":200}'


def success_body(message_id: int) -> bytes:
    return _SUCCESS % message_id
