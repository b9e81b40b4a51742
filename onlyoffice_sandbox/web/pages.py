"""Read-only views: the captured mail (HTML page and .eml files) and the outbox (JSON)."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response

from onlyoffice_sandbox import outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.delivery import capture

_KEY = re.compile(r"^[0-9a-f]{24}$")
_SHOWN = ("Date", "From", "To", "Cc", "Subject", "Message-ID")


async def mail_page(request: Request) -> Response:
    ctx: Context = request.app.state.context
    rows = []
    for m in reversed(capture.stored(ctx.settings.mail_dir)):
        headers = dict(m["headers"])
        cells = [html.escape(headers.get(name, "")) for name in _SHOWN]
        envelope_to = html.escape(", ".join(m["rcptTos"]))
        link = f'<a href="/sandbox/mail/{m["key"]}.eml">.eml</a>'
        others = html.escape("\n".join(f"{k}: {v}" for k, v in m["headers"] if k not in _SHOWN))
        rows.append(
            "<tr>"
            + "".join(f"<td>{c}</td>" for c in cells)
            + f"<td>{envelope_to}</td><td>{link}</td><td><pre>{others}</pre></td></tr>"
        )
    head = "".join(f"<th>{name}</th>" for name in (*_SHOWN, "Envelope recipients", "File", "Other headers"))
    where = html.escape(str(ctx.settings.mail_dir.resolve()))
    body = (
        "<!doctype html><meta charset=utf-8><title>Sandbox mail</title>"
        "<style>body{font:14px sans-serif}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse}pre{margin:0;font-size:12px}</style>"
        f"<h1>Captured mail ({len(rows)})</h1><p>Files in <code>{where}</code></p>"
        f"<table><tr>{head}</tr>{''.join(rows)}</table>"
    )
    return HTMLResponse(body)


async def mail_file(request: Request) -> Response:
    ctx: Context = request.app.state.context
    key = request.path_params["key"]
    path = ctx.settings.mail_dir / f"{key}.eml"
    if not _KEY.match(key) or not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(path, media_type="message/rfc822")


async def outbox_state(request: Request) -> Response:
    ctx: Context = request.app.state.context
    return JSONResponse(await ctx.outbox.acall(outbox.listing()))
