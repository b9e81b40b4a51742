"""ASGI wrappers that tests put in front of the sandbox: one records requests, the others rewrite them.

A wrapper is a function from an ASGI app to an ASGI app (`InProcess(settings, wrap)`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onlyoffice_contract import spec

Wrap = Callable[[ASGIApp], ASGIApp]
Headers = list[tuple[bytes, bytes]]
# (status, headers, body, the request's headers) -> (status, headers, body)
ResponseRewrite = Callable[[int, Headers, bytes, Headers], tuple[int, Headers, bytes]]
# (request headers, request body) -> (request headers, request body)
RequestRewrite = Callable[[Headers, bytes], tuple[Headers, bytes]]


async def read_request(receive: Receive) -> tuple[list[Message], bytes]:
    """Every message of the request's body, and the body."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    return messages, b"".join(m.get("body", b"") for m in messages)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives `messages` again, then whatever comes after them."""
    pending = iter(messages)

    async def replayed() -> Message:
        return next(pending, None) or await receive()

    return replayed


def _with_length(headers: Headers, body: bytes) -> Headers:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(len(body)).encode())]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def recording(seen: list[Seen]) -> Wrap:
    """Keep a copy of every request, as it arrived, before the sandbox reads it."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def record(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            messages, body = await read_request(receive)
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            seen.append(Seen(scope["method"], scope["path"], headers, body))
            await app(scope, replay(messages, receive), send)

        return record

    return wrap


SEND_PATHS = (spec.OPERATION_PATH, spec.OPERATION_PATH + ".json")  # the real server drops the suffix


def _is_send_call(scope: Scope) -> bool:
    return bool(scope["type"] == "http" and scope["path"] in SEND_PATHS)


def on_requests(rewrite: RequestRewrite) -> Wrap:
    """Rewrite every request of the send call before the sandbox sees it."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def rewritten(scope: Scope, receive: Receive, send: Send) -> None:
            if not _is_send_call(scope):
                return await app(scope, receive, send)
            _, body = await read_request(receive)
            headers, body = rewrite(list(scope["headers"]), body)
            message = {"type": "http.request", "body": body, "more_body": False}
            await app({**scope, "headers": _with_length(headers, body)}, replay([message], receive), send)

        return rewritten

    return wrap


def on_responses(rewrite: ResponseRewrite) -> Wrap:
    """Rewrite every answer of the send call."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def rewritten(scope: Scope, receive: Receive, send: Send) -> None:
            if not _is_send_call(scope):
                return await app(scope, receive, send)
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    status, headers, body = rewrite(
                        start["status"], list(start["headers"]), b"".join(chunks), list(scope["headers"])
                    )
                    await send(
                        {
                            "type": "http.response.start",
                            "status": status,
                            "headers": _with_length(headers, body),
                        }
                    )
                    await send({"type": "http.response.body", "body": body})

            await app(scope, receive, capture)

        return rewritten

    return wrap


# (the request's JSON body, or None) -> an answer (status, JSON body) instead of the sandbox's, or None
Answer = Callable[[Any], tuple[int, Any] | None]


def answering(answer: Answer) -> Wrap:
    """Answer some requests of the send call in the wrapper's place; pass the others to the sandbox."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def answered(scope: Scope, receive: Receive, send: Send) -> None:
            if not _is_send_call(scope):
                return await app(scope, receive, send)
            messages, body = await read_request(receive)
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError):
                payload = None
            given = answer(payload)
            if given is None:
                return await app(scope, replay(messages, receive), send)
            status, reply = given
            content = json.dumps(reply).encode()
            headers = [(b"content-type", b"application/json; charset=UTF-8")]
            await send(
                {"type": "http.response.start", "status": status, "headers": _with_length(headers, content)}
            )
            await send({"type": "http.response.body", "body": content})

        return answered

    return wrap


def mounted_under(prefix: str) -> Wrap:
    """The sandbox under a base path, as behind a reverse proxy: `/honest/api/...` reaches `/api/...`."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] == "http" and path.startswith(prefix + "/"):
                inner = path[len(prefix) :]
                scope = {**scope, "path": inner, "raw_path": inner.encode("latin-1")}
            await app(scope, receive, send)

        return mounted

    return wrap
