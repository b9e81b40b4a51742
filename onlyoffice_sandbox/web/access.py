"""Who may use the pages and the sandbox's own API (not the send call, which has its own rule).

The pages show what a mail holds: Bcc recipients, attachments, bodies. On a developer's
machine, listening on loopback only, that needs no token (SANDBOX_PAGES_AUTH=auto). Bound to
any other address, or with SANDBOX_PAGES_AUTH=token, every page and endpoint asks for one of
SANDBOX_TOKENS (or a tenant's token): bare or `Bearer` in Authorization, or as the password of
HTTP Basic credentials, which a browser asks for by itself. Fault endpoints always ask for it.
Each page and call shows the tenant its token names (`tenants.py`), without one the default.

Where no token is needed, two more rules keep a web page the developer visits from using the
sandbox: a request without the token is answered only for a loopback host name (a DNS-rebinding
page sends its own name), and a browser's cross-site request that would change something is
refused.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from onlyoffice_contract.hosts import is_loopback
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.settings import Settings
from onlyoffice_sandbox.tenants import Tenant

Endpoint = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REALM = 'Basic realm="sandbox", charset="UTF-8"'
SEEN_AS = "sandbox.seen_as"  # the scope key of the tenant a page or API call shows


def tenant(request: Request) -> Tenant:
    """The tenant whose things this page or call shows: the one its token names, else the default
    tenant (a page reached without a token, on loopback)."""
    ctx: Context = request.app.state.context
    found: Tenant | None = request.scope.get(SEEN_AS)
    return found or ctx.tenants.default


def token_needed(settings: Settings) -> bool:
    return settings.pages_auth == "token" or not is_loopback(settings.host)


def _host_name(request: Request) -> str:
    return urlsplit(f"//{request.headers.get('host', '')}").hostname or ""


def _given_token(request: Request) -> str | None:
    """The token in Authorization: Basic credentials' password, `Bearer <token>` or bare. The
    sandbox's own rule, more lenient than the send call's (`auth.py`): a scheme in any case."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip()
    if scheme.lower() != "basic":
        return header
    try:
        user_and_password = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user_and_password.partition(":")[2]


def _cross_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc != request.headers.get("host", "")


def _refusal(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/sandbox/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message, status_code=status, headers=headers)


def check(request: Request, always_token: bool = False) -> Response | None:
    """The refusal this request gets, or None when it may go on."""
    ctx: Context = request.app.state.context
    if request.method not in SAFE_METHODS and _cross_site(request):
        return _refusal(request, 403, "Refused: a request from another site may not change the sandbox")
    given = _given_token(request)
    request.scope[SEEN_AS] = ctx.tenants.by_token(given)
    has_token = request.scope[SEEN_AS] is not None
    if always_token or token_needed(ctx.settings):
        if not has_token:
            where = "this call" if always_token else f"the sandbox on {ctx.settings.host}"
            message = f"Unauthorized: {where} needs a token (as the password, with any user name)"
            return _refusal(request, 401, message, {"WWW-Authenticate": REALM})
        return None
    if not has_token and not is_loopback(_host_name(request)):
        return _refusal(
            request, 403, "Refused: without a token the sandbox answers only to a loopback host name"
        )
    return None


def guarded(endpoint: Endpoint, always_token: bool = False) -> Endpoint:
    """`endpoint`, behind `check`."""

    async def guard(request: Request) -> Response:
        return check(request, always_token) or await endpoint(request)

    guard.__name__ = endpoint.__name__
    return guard
