"""PUT /api/2.0/mail/messages/send (and `.json`, `.xml`, `.tml`) over HTTP: what comes before the
rules, and the answer.

0. an armed fault of the portal's state (an empty answer, before authentication; `faults_on_demand.py`)
1. auth (401, bare text)           2. size (413, before the body is read whole)
3. reading the body (400; `request_reader.py`, by SANDBOX_BINDER)
4. an armed fault of the API's filter or of the method (the error envelope)
5. the rules and the outbox (`sending.py`)
In onlyoffice mode the `asc_auth_key` cookie is taken as the web client sends it, and each
leniency the request needed comes back in an `X-Sandbox-Leniency` header. A request the
Authorization header authenticates gets that cookie set on its answer, as the real server sets it.
The envelope is XML on `.xml` and `.tml` unless the request is `application/json` (`envelope.py`).
"""

from __future__ import annotations

import asyncio
import functools
import time
from datetime import UTC, datetime, timedelta

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from onlyoffice_contract import leniency
from onlyoffice_sandbox import auth, request_reader, sending
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.faults_on_demand import SendFaults
from onlyoffice_sandbox.problems import Problem, bad_request, too_large
from onlyoffice_sandbox.tenants import Tenant
from onlyoffice_sandbox.web import envelope

COOKIE = "asc_auth_key"  # the web client's authentication cookie
# CookiesManager.SetCookies: HttpOnly, path /, expiring after TenantCookieSettings' default of a year.
COOKIE_LIFETIME = timedelta(days=365)
INLINE_BIND_BYTES = 64 * 1024  # bodies up to this size are read on the event loop (a thread hop costs more)
REQUEST_FAULTS = "sandbox.request_faults"  # the scope key of a request's own fault (X-Sandbox-Fault)
TENANT = "sandbox.tenant"  # the scope key of the tenant its credentials name, once looked up


def faults(request: Request, ctx: Context) -> SendFaults:
    """The faults this send meets: its own (X-Sandbox-Fault, `fault_endpoints.py`), else those armed
    for its tenant (the default tenant's for a send without valid credentials)."""
    own: SendFaults | None = request.scope.get(REQUEST_FAULTS)
    return own if own is not None else (tenant_of(request, ctx) or ctx.tenants.default).faults


def authorization(request: Request) -> str | None:
    """The Authorization header as ASP.NET reads it: several are one, joined with ','; None: none."""
    given = request.headers.getlist("authorization")
    return ",".join(given) if given else None


def tenant_of(request: Request, ctx: Context) -> Tenant | None:
    """The tenant whose valid credentials the request carries (`auth.py`, `tenants.py`): its header
    and, in onlyoffice mode, its `asc_auth_key` cookie; None: none. Looked up once a request."""
    if TENANT in request.scope:
        found: Tenant | None = request.scope[TENANT]
        return found
    cookie = None
    if ctx.settings.binder == "onlyoffice" and "cookie" in request.headers:  # parsing no cookies costs too
        cookie = request.cookies.get(COOKIE)
    found = ctx.tenants.by_credentials(authorization(request), cookie)
    request.scope[TENANT] = found
    return found


def authenticated(request: Request, ctx: Context) -> bool:
    """Whether the request carries valid credentials. The send call and its faults
    (`web/fault_endpoints.py`) both ask here."""
    return tenant_of(request, ctx) is not None


def _too_large(limit: int) -> Problem:
    return too_large(f"Request body is larger than {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:  # it left, or took too long and was closed (web/protocol.py)
        raise bad_request("The request body ended before its declared length") from None
    return b"".join(chunks)


def auth_cookie(request: Request, ctx: Context) -> str | None:
    """The Set-Cookie the real server's web app puts on the answer (Global.asax.cs Authenticate),
    whatever the answer: the `asc_auth_key` a header that authenticates gets (CookiesManager.SetCookies:
    HttpOnly, Secure over https; its value a secret); or, in onlyoffice mode, where the cookie is read,
    an `asc_auth_key` cookie that does not authenticate expired (Auth.ProcessLogout). None: neither."""
    second = int(time.time())
    tenant = tenant_of(request, ctx) or ctx.tenants.default
    value = auth.header_cookie(authorization(request), tenant.credentials)
    if value is not None:
        return _cookie_header(value, request.scope.get("scheme") == "https", second)
    if ctx.settings.binder == "onlyoffice" and "cookie" in request.headers:
        given = request.cookies.get(COOKIE)
        if given and ctx.tenants.by_token(given) is None:
            return _cleared_header(second)
    return None


@functools.lru_cache(maxsize=8)
def _cookie_header(value: str, secure: bool, second: int) -> str:
    # Written by Starlette (http.cookies) once a second: it cost a twentieth of a send's CPU.
    written = Response()
    expires = datetime.fromtimestamp(second, UTC) + COOKIE_LIFETIME
    written.set_cookie(COOKIE, value, expires=expires, httponly=True, secure=secure, samesite=None)
    return written.headers["set-cookie"]


@functools.lru_cache(maxsize=1)
def _cleared_header(second: int) -> str:
    # CookiesManager.ClearCookies: the cookie again, expired three days ago, with no value.
    written = Response()
    expires = datetime.fromtimestamp(second, UTC) - timedelta(days=3)
    written.set_cookie(COOKIE, "", expires=expires, samesite=None)
    return written.headers["set-cookie"]


async def handle(request: Request) -> Response:
    ctx: Context = request.app.state.context
    mode = ctx.settings.binder
    meets = faults(request, ctx)
    portal = meets.at_portal()
    if portal is not None:
        return envelope.empty(portal)
    cookie = auth_cookie(request, ctx)
    tenant = tenant_of(request, ctx)
    if tenant is None:
        # The challenge goes with a header that is not empty (OnAuthorizationFailed: IsNullOrEmpty).
        has_header = bool(authorization(request))
        challenged = envelope.unauthorized(request.url.hostname or "localhost", has_header)
        if cookie is not None:
            challenged.headers.append("set-cookie", cookie)
        return challenged
    content_type = request.headers.get("content-type", "")
    xml = envelope.wants_xml(request.scope["path"], content_type)
    try:
        raw = await read_body(request, ctx.settings.max_body)
        query = request.scope.get("query_string", b"")
        if len(raw) > INLINE_BIND_BYTES:  # binding is linear, but a 4 MB form is seconds of it: off the loop
            async with ctx.large_binds:
                read = await asyncio.to_thread(request_reader.read, mode, raw, content_type, query)
        else:
            read = request_reader.read(mode, raw, content_type, query)
        refused = meets.after_binding(request.headers.get("payment-info"))
        if refused is not None:
            raise refused
        message_id = await sending.accept(ctx, read, tenant)
    except Problem as problem:
        response = envelope.failure(problem, xml)
    else:
        ctx.wake_delivery()
        response = envelope.success(message_id, leniency.shown(read.leniencies), xml)
    if cookie is not None:
        response.headers.append("set-cookie", cookie)
    return response
