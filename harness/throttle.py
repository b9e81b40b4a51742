"""A server that throttles: ASGI wrappers that answer some sends 429 with Retry-After, in the sandbox's place,
and one that notes when each request to the call arrived (for the measured send rate)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.asgi import SEND_PATHS, Wrap


def throttling(throttled: Callable[[int], bool], retry_after: str = "1") -> Wrap:
    """Answer the n-th send (PUT to the call, counted from 1) 429 with `Retry-After` when `throttled(n)`."""
    counter = itertools.count(1)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def throttle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] != "PUT" or scope["path"] not in SEND_PATHS:
                return await app(scope, receive, send)
            if not throttled(next(counter)):
                return await app(scope, receive, send)
            body = b"Too Many Requests"
            headers = [
                (b"content-type", b"text/plain"),
                (b"retry-after", retry_after.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return throttle

    return wrap


def arrivals(times: list[float]) -> Wrap:
    """`time.monotonic()` of every request to the call's path (any method: RATE_LIMIT paces them all)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def note(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"] in SEND_PATHS:
                times.append(time.monotonic())
            await app(scope, receive, send)

        return note

    return wrap
