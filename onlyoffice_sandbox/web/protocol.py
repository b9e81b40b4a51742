"""uvicorn's HTTP protocol (httptools) with two bounds a production front end has and uvicorn lacks.

- The head of a request (request line and headers) may be at most `max_head_bytes`: past that, the
  answer is 400 in the error envelope and the connection is closed, before more is buffered. (uvicorn
  buffered a 256 MB header, 510 MB of memory, before the app could answer 401.)
- A request must arrive whole within `request_seconds` of its first byte (or of the connection, for
  the first one): past that, 408 and the connection is closed. (Half-sent requests were held open
  for good.) Idle keep-alive connections are uvicorn's own `timeout_keep_alive`.
What it adds for speed alone is in `fast_path.py`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from onlyoffice_sandbox.problems import HRESULT_ARGUMENT
from onlyoffice_sandbox.web.envelope import JSON_TYPE

_END_OF_HEAD = b"\r\n\r\n"


def _envelope(status: int, reason: str, message: str) -> bytes:
    body = json.dumps(
        {
            "status": 1,
            "statusCode": status,
            "error": {"message": message, "hresult": HRESULT_ARGUMENT, "data": {}},
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {JSON_TYPE}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


def bounded(max_head_bytes: int, request_seconds: float) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http=` setting, with these bounds."""

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._in_head = True
            self._head_bytes = 0
            self._tail = b""  # the last bytes seen, for an end of head split across reads
            # When the request in progress must have arrived whole (None between requests), and the
            # one timer that checks it: a timer armed and cancelled for every request cost more.
            self._due: float | None = None
            self._timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._expect_by(self.loop.time() + request_seconds)

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                end = data.find(_END_OF_HEAD) if not self._tail else -1
                if end >= 0:  # the whole head in this read, as it nearly always is
                    self._head_bytes += end + len(_END_OF_HEAD)
                else:
                    seen = self._tail + data
                    end = seen.find(_END_OF_HEAD)
                    self._head_bytes += (
                        len(data) if end < 0 else max(0, end + len(_END_OF_HEAD) - len(self._tail))
                    )
                    self._tail = seen[-(len(_END_OF_HEAD) - 1) :]
                if self._head_bytes > max_head_bytes:
                    message = f"Request header fields are larger than {max_head_bytes} bytes"
                    self._refuse(_envelope(400, "Bad Request", message))
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._due is None:
                self._expect_by(self.loop.time() + request_seconds)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._due = None
            self._in_head, self._head_bytes, self._tail = True, 0, b""
            super().on_message_complete()

        def _expect_by(self, due: float) -> None:
            self._due = due
            if self._timer is None:
                self._timer = self.loop.call_at(due, self._check)

        def _check(self) -> None:
            self._timer = None
            if self._due is None:
                return  # between requests: uvicorn's keep-alive timeout rules the idle connection
            if self.loop.time() < self._due:  # a later request than the one it was armed for
                self._timer = self.loop.call_at(self._due, self._check)
                return
            self._due = None
            # Past its head the request has its cycle (before, `cycle` is the last request's): if the
            # app answered already (a 413 before the body ended), uvicorn closes the connection.
            if not self._in_head and self.cycle is not None and self.cycle.response_started:
                return
            message = f"The request did not arrive whole within {request_seconds:g} s"
            self._refuse(_envelope(408, "Request Timeout", message))

        def _stop_timer(self) -> None:
            self._due = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _refuse(self, answer: bytes) -> None:
            self._stop_timer()
            if not self.transport.is_closing():
                self.transport.write(answer)
                self.transport.close()

    return BoundedHttpToolsProtocol
