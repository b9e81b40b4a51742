"""PUT /api/2.0/mail/messages/send over HTTP: what comes before the rules, and the answer.

1. auth (401, plain text)          2. size (413, before the body is read whole)
3. JSON (400)                       4. the rules and the outbox (`sending.py`)
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from onlyoffice_sandbox import sending
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.problems import Problem, bad_request, too_large
from onlyoffice_sandbox.web import envelope


def _token(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, rest = header.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else header.strip()


def authorized(header: str | None, tokens: tuple[str, ...]) -> bool:
    given = (_token(header) or "").encode()
    # Compare against every token, in constant time each, so timing tells nothing.
    matches = [hmac.compare_digest(given, token.encode()) for token in tokens]
    return bool(given) and any(matches)


async def _read_body(request: Request, limit: int) -> bytes:
    refusal = too_large(f"Request body is larger than {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise refusal
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise refusal
            chunks.append(chunk)
    except ClientDisconnect:  # it left, or took too long and was closed (web/protocol.py)
        raise bad_request("The request body ended before its declared length") from None
    return b"".join(chunks)


def _parse(raw: bytes, content_type: str) -> Any:
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise bad_request(f"Unsupported content type {media or '(none)'!r}: send application/json")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("Unable to deserialize json") from None


async def handle(request: Request) -> Response:
    ctx: Context = request.app.state.context
    header = request.headers.get("authorization")
    if not authorized(header, ctx.settings.tokens):
        return envelope.unauthorized(request.url.hostname or "localhost", header is not None)
    try:
        raw = await _read_body(request, ctx.settings.max_body)
        message_id = await sending.accept(ctx, _parse(raw, request.headers.get("content-type", "")))
    except Problem as problem:
        return envelope.failure(problem)
    ctx.wake_delivery()
    return envelope.success(message_id)
