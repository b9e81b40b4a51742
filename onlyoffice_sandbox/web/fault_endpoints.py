"""Faults on demand over HTTP: the guard in front of the send call (`late`, `drop`), and the
fault endpoints. The other kinds apply inside the send call, each at its stage (`web/send.py`).

The guard counts only sends that carry a valid token, after the token is checked: a 401 stays a
401. `drop` closes the connection without an answer; it needs the server's transport, which
`app.SandboxApp` puts in the request's scope (uvicorn gives it; under another server the
fault answers 500 instead).
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from onlyoffice_sandbox import api_spec, faults_on_demand
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.problems import Problem, bad_request
from onlyoffice_sandbox.web import envelope
from onlyoffice_sandbox.web.access import Endpoint, tenant
from onlyoffice_sandbox.web.api import problem
from onlyoffice_sandbox.web.send import REQUEST_FAULTS, authenticated, faults, read_body

TRANSPORT = "sandbox.transport"  # the scope key app.SandboxApp sets
GUARDED = (faults_on_demand.LATE, faults_on_demand.DROP)


def with_faults(handle: Endpoint) -> Endpoint:
    """The send call's endpoint, answering with the armed fault while one remains."""

    async def send_call(request: Request) -> Response:
        ctx: Context = request.app.state.context
        own = request.headers.get(faults_on_demand.HEADER)
        if own is not None:
            try:
                request.scope[REQUEST_FAULTS] = faults_on_demand.for_request(own)
            except ValueError as exc:  # the sandbox's own header: a misspelt fault is said, not ignored
                return envelope.failure(bad_request(str(exc)))
        meets = faults(request, ctx)
        armed = None
        # Only a send with a valid token (the header, or the web client's cookie) takes a fault;
        # with none armed, which is nearly always, the token is checked once, by `handle`.
        if meets.armed() is not None and authenticated(request, ctx):
            armed = meets.take(GUARDED)
        if armed is None:
            return await handle(request)
        if armed.kind == faults_on_demand.LATE:
            response = await handle(request)  # accepted (or refused) now, answered later
            await asyncio.sleep(armed.seconds)
            return response
        transport = request.scope.get(TRANSPORT)
        if transport is None:
            return envelope.failure(Problem(500, "The connection could not be dropped", 0))
        transport.abort()  # drop: no answer at all; the client sees the connection end
        await asyncio.sleep(0)  # let the server see the connection lost before the app returns
        return Response(status_code=500)

    return send_call


def _state(ctx: Context, request: Request) -> dict[str, Any]:
    """The faults armed for the caller's tenant. The default tenant's capture fault meets every
    delivery; another tenant's, only the mail of its own sends (`delivery/capture.py`)."""
    seen_as = tenant(request)
    armed = seen_as.faults.armed()
    delivery = ctx.mail.fault(seen_as.id) if ctx.mail is not None else None
    return {
        "send": armed.as_json() if armed else None,
        "delivery": {"code": delivery[0], "remaining": delivery[1]} if delivery else None,
        "capture": ctx.mail is not None,
    }


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: NaN and infinity pass no schema's bounds safely
        raise ValueError(text)
    return value


def _not_json(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")  # json.loads takes NaN and Infinity unless told not to


async def json_body(request: Request, schema: str, empty_is: Any = None) -> dict[str, Any] | Response:
    """The request's JSON body, checked against sandbox-api.yaml's `schema`; else the 4xx to answer.
    `empty_is`: what an empty body stands for (None: an empty body is refused)."""
    ctx: Context = request.app.state.context
    try:
        raw = await read_body(request, ctx.settings.max_body)  # the send call's limit, read as it reads
    except Problem as refused:
        return problem(refused.status, refused.message)
    if not raw.strip() and empty_is is not None:
        raw = json.dumps(empty_is).encode()
    try:
        body = json.loads(raw, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):
        return problem(400, "The body is not JSON")
    error = next(iter(api_spec.validator(schema).iter_errors(body)), None)
    if error is not None:
        return problem(400, f"{error.json_path}: {error.message}"[:300])
    assert isinstance(body, dict)
    return body


async def get_faults(request: Request) -> Response:
    ctx: Context = request.app.state.context
    state = await asyncio.to_thread(_state, ctx, request)
    return JSONResponse(state)


async def clear_faults(request: Request) -> Response:
    ctx: Context = request.app.state.context
    seen_as = tenant(request)
    seen_as.faults.clear()
    if ctx.mail is not None:
        await asyncio.to_thread(ctx.mail.clear_fault, seen_as.id)
    return JSONResponse(await asyncio.to_thread(_state, ctx, request))


async def arm_send_fault(request: Request) -> Response:
    ctx: Context = request.app.state.context
    body = await json_body(request, "SendFault")
    if isinstance(body, Response):
        return body
    tenant(request).faults.arm(
        body["kind"], body.get("count", 1), float(body.get("seconds", faults_on_demand.DEFAULT_SECONDS))
    )
    return JSONResponse(await asyncio.to_thread(_state, ctx, request))


async def arm_delivery_fault(request: Request) -> Response:
    ctx: Context = request.app.state.context
    body = await json_body(request, "DeliveryFault")
    if isinstance(body, Response):
        return body
    if ctx.mail is None:
        return problem(409, f"Mail goes to the relay {ctx.settings.smtp}: there is no capture to refuse it")
    await asyncio.to_thread(ctx.mail.arm_fault, body["code"], body.get("count", 1), tenant(request).id)
    return JSONResponse(await asyncio.to_thread(_state, ctx, request))
