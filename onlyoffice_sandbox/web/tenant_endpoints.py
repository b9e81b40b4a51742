"""POST /sandbox/api/tenants: a tenant of its own for a test (`tenants.py`), checked against
sandbox-api.yaml's NewTenant; the default tenant's token alone may make one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.tenants import TooMany
from onlyoffice_sandbox.web.access import tenant
from onlyoffice_sandbox.web.api import problem
from onlyoffice_sandbox.web.fault_endpoints import json_body


async def create_tenant(request: Request) -> Response:
    ctx: Context = request.app.state.context
    if tenant(request) is not ctx.tenants.default:
        return problem(403, "Only the sandbox's own token (SANDBOX_TOKENS) may make tenants")
    body = await json_body(request, "NewTenant", empty_is={})
    if isinstance(body, Response):
        return body
    mailboxes = tuple(body.get("mailboxes") or ctx.settings.mailboxes)
    try:
        made, token = ctx.tenants.make(mailboxes)
    except ValueError as exc:  # a mailbox that does not parse
        return problem(400, str(exc)[:300])
    except TooMany as exc:
        return problem(409, str(exc))
    return JSONResponse({"id": made.id, "token": token, "mailboxes": list(made.mailboxes)}, status_code=201)
