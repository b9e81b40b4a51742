"""The pages: an index, the captured mail (a list and one page per message), the outbox, the docs.

Server-rendered with Jinja2 (autoescape on). One script of ours (static/viewer.js, the only one
the pages' Content-Security-Policy allows) sizes a message's HTML frame to its content and
reloads a list page when the server says, by server-sent events (`events`), that mail or the
outbox changed: no polling loop in the page. A message's HTML part is shown in a sandboxed
iframe from its own URL, with no script and nothing loaded but its own `cid:` parts (pointed at
their URLs; `html_part.py` also checks it for what mail clients will not show). Lists come from
the index written at capture and are paginated; a message file is read and parsed only for its
own page, in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.templating import Jinja2Templates

from onlyoffice_contract import spec
from onlyoffice_sandbox import api_spec, mailparse, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.mailstore import MailStore, Query, Summary, normal_message_id
from onlyoffice_sandbox.outbox.records import subjects as outbox_subjects
from onlyoffice_sandbox.outbox.records import version as outbox_version
from onlyoffice_sandbox.web import api, html_part
from onlyoffice_sandbox.web.access import tenant

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
DOCS = {"send": STATIC / "docs" / "openapi.html", "sandbox": STATIC / "docs" / "sandbox-api.html"}
PAGE_SIZE = 50
SOURCE_SHOWN = 1_000_000  # characters of a message's source shown inline; the .eml has all of it
CELL_SHOWN = 300

# No script but our own file, nothing framed but a message's own HTML part, no form posted elsewhere,
# no connection but to the page's own events.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:;"
    " frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A message's HTML part: a sandbox of its own with no script, no form, no navigation; of its origin
# only so that the page's script can measure its height (`allow-same-origin` without
# `allow-scripts`: nothing in it runs). It loads nothing but images of its own message's parts.
MAIL_HTML_POLICY = (
    "sandbox allow-same-origin; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
    " frame-ancestors 'self'"
)
# An inline part shown as an image: only raster types a browser renders and never runs.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
EVENTS_POLL_SECONDS = 0.5  # how often a page's event stream looks for a change (on the server)
EVENTS_SECONDS = 15.0  # a stream ends after this; the page's EventSource reconnects, with its version
# A download is never rendered by the browser as a page of this origin.
DOWNLOAD_POLICY = "sandbox; default-src 'none'"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


def when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    ctx: Context = request.app.state.context
    base = f"{request.url.scheme}://{request.headers.get('host', ctx.settings.host)}"
    response = templates.TemplateResponse(
        request, name, {"base": base, "nav": "", "live": None, **context}, status_code=status
    )
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 10 else 1


def _pager(total: int, page: int, **params: str) -> dict[str, Any]:
    pages = max(1, math.ceil(total / PAGE_SIZE))

    def query_for(number: int) -> str:
        return urlencode({**{k: v for k, v in params.items() if v}, "page": number})

    return {"page": min(page, pages), "pages": pages, "query_for": query_for}


def _store(request: Request) -> MailStore | None:
    ctx: Context = request.app.state.context
    return ctx.mail


def _index_context(request: Request, mail_count: int) -> dict[str, Any]:
    ctx: Context = request.app.state.context
    return {
        "method": spec.OPERATION_METHOD.upper(),
        "path": spec.OPERATION_PATH,
        "capture": ctx.mail is not None,
        "relay": ctx.settings.smtp or "",
        "mail_count": mail_count,
        "mailboxes": tenant(request).mailboxes,
    }


async def _version(request: Request) -> str:
    """What the pages show, as one text that changes when mail is captured or the outbox changes."""
    ctx: Context = request.app.state.context
    seen_as = tenant(request)
    if seen_as is ctx.tenants.default:  # the sandbox's owner: any change
        mail = await asyncio.to_thread(ctx.mail.last_seq) if ctx.mail is not None else 0
        return f"{mail}:{await ctx.outbox.aread(outbox_version())}"
    # A tenant's page changes with its own mail and records alone: another's tells it nothing.
    within = await api.scope(ctx, request)
    mail = await asyncio.to_thread(ctx.mail.count, within) if ctx.mail is not None else 0
    return f"{mail}:{await ctx.outbox.aread(outbox_version(seen_as.id))}"


async def events(request: Request) -> Response:
    """Server-sent events for a page: `change` once what it shows (its `since` version) is out of
    date. The page reloads on it: the looking for a change is done here, on the server, not in the page."""
    since = request.query_params.get("since", "")[:200]

    async def stream() -> AsyncIterator[bytes]:
        yield b"retry: 1000\n\n"  # after a stream ends, the browser asks again a second later
        loop = asyncio.get_running_loop()
        end = loop.time() + EVENTS_SECONDS
        while loop.time() < end:
            now = await _version(request)
            if now != since:
                yield f"event: change\ndata: {now}\n\n".encode()
                return
            await asyncio.sleep(EVENTS_POLL_SECONDS)

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def home(request: Request) -> Response:
    store = _store(request)
    within = await api.scope(request.app.state.context, request)  # the caller's tenant's mail
    count = await asyncio.to_thread(store.count, within) if store else 0
    return _render(request, "index.html", live=await _version(request), **_index_context(request, count))


def _row(summary: Summary) -> dict[str, Any]:
    return {
        "key": summary.key,
        "received": when(summary.received),
        "sender": summary.sender,
        "recipients": summary.recipients,
        "envelope": mailparse.shortened(", ".join(summary.rcpt_tos), mailparse.SUMMARY_SHOWN),
        "subject": summary.subject,
        "size": summary.size,
        "attachments": summary.attachments,
        "copies": summary.copies,
    }


async def mail_list(request: Request) -> Response:
    ctx: Context = request.app.state.context
    q = request.query_params.get("q", "")[:2000]
    page = _page_number(request)
    total, rows = 0, []
    if ctx.mail is not None:
        store, query = ctx.mail, dataclasses.replace(await api.scope(ctx, request), text=q)
        total = await asyncio.to_thread(store.count, query)
        rows = await asyncio.to_thread(store.find, query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return _render(
        request,
        "mail_list.html",
        nav="mail",
        live=await _version(request),
        q=q,
        total=total,
        rows=[_row(s) for s in rows],
        capture=ctx.mail is not None,
        relay=ctx.settings.smtp or "",
        **_pager(total, page, q=q),
    )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, float) and value > 1e9:  # a time stamp
        value = when(value)
    return mailparse.shortened("" if value is None else str(value), CELL_SHOWN)


async def _message(request: Request) -> tuple[Summary, bytes] | Response:
    store = _store(request)
    key = request.path_params["key"]
    shown = await api.visible(request.app.state.context, request, key)  # the caller's tenant's mail
    summary = await asyncio.to_thread(store.get, key) if store and shown else None
    content = await asyncio.to_thread(store.read, key) if store and summary else None
    if summary is None or content is None:
        return Response("Not Found: no captured message by that key", 404, media_type="text/plain")
    return summary, content


def _view(content: bytes) -> dict[str, Any]:
    """Everything the message page shows of the file; runs in a worker thread."""
    message = mailparse.parse(content)
    html = mailparse.body(message, "html")
    parts = mailparse.attachments(message)
    return {
        "headers": mailparse.headers(message),
        "text": mailparse.body(message, "plain"),
        "html": html,
        "html_check": None if html is None else html_part.check(html, html_part.inline_parts(parts)),
        "attachments": parts,
        "source": mailparse.shortened(content.decode("utf-8", "replace"), SOURCE_SHOWN),
    }


async def mail_message(request: Request) -> Response:
    ctx: Context = request.app.state.context
    found = await _message(request)
    if isinstance(found, Response):
        return found
    summary, content = found
    view = await asyncio.to_thread(_view, content)
    record = await ctx.outbox.aread(outbox.record_of(summary.message_id, summary.key))
    delivery = [(name, _shown(value)) for name, value in (record or {}).items()]
    return _render(
        request,
        "mail_message.html",
        nav="mail",
        m=_row(summary) | {"mail_from": summary.mail_from, "copies": summary.copies},
        envelope=mailparse.shortened(", ".join(summary.rcpt_tos), 5000),
        delivery=delivery,
        **view,
    )


def _shown_html(key: str, content: bytes) -> str | None:
    """The HTML part with its `cid:` links pointed at the parts they name; runs in a worker thread."""
    message = mailparse.parse(content)
    html = mailparse.body(message, "html")
    if html is None:
        return None
    parts = html_part.inline_parts(mailparse.attachments(message))
    return html_part.point_cids(html, parts, lambda index: f"/sandbox/mail/{key}/inline/{index}")


async def mail_html(request: Request) -> Response:
    found = await _message(request)
    if isinstance(found, Response):
        return found
    html = await asyncio.to_thread(_shown_html, found[0].key, found[1])
    if html is None:
        return Response("Not Found: the message has no HTML part", 404, media_type="text/plain")
    headers = {
        "Content-Security-Policy": MAIL_HTML_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


def _download_headers(file_name: str) -> dict[str, str]:
    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in file_name)[:100]
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name or "download"}";'
        f" filename*=UTF-8''{quote(file_name[:200], safe='')}",
        "Content-Security-Policy": DOWNLOAD_POLICY,
        "X-Content-Type-Options": "nosniff",
    }


async def _part(request: Request, what: str) -> tuple[mailparse.Attachment, bytes] | Response:
    """The message's part by the path's index, or the page's answer when there is none."""
    found = await _message(request)
    if isinstance(found, Response):
        return found
    raw_index = request.path_params["index"]
    index = int(raw_index) if raw_index.isdigit() and len(raw_index) < 6 else -1
    part = await asyncio.to_thread(lambda: mailparse.attachment_content(mailparse.parse(found[1]), index))
    if part is None:
        return Response(f"Not Found: no {what} by that index", 404, media_type="text/plain")
    return part


async def mail_attachment(request: Request) -> Response:
    part = await _part(request, "attachment")
    if isinstance(part, Response):
        return part
    info, data = part
    return Response(data, media_type="application/octet-stream", headers=_download_headers(info.file_name))


async def mail_inline(request: Request) -> Response:
    """A part the HTML links by `cid:`: an image shown as itself, anything else only as a download."""
    part = await _part(request, "part")
    if isinstance(part, Response):
        return part
    info, data = part
    if info.content_type not in INLINE_IMAGE_TYPES:
        return Response(
            data, media_type="application/octet-stream", headers=_download_headers(info.file_name)
        )
    headers = {"Content-Security-Policy": DOWNLOAD_POLICY, "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=info.content_type, headers=headers)


async def mail_file(request: Request) -> Response:
    store = _store(request)
    key = request.path_params["key"]
    shown = await api.visible(request.app.state.context, request, key)
    path = store.path(key) if store and shown else None
    if path is None or not await asyncio.to_thread(path.is_file):
        return Response("Not Found", 404, media_type="text/plain")
    return FileResponse(path, media_type="message/rfc822", headers=_download_headers(f"{key}.eml"))


async def delete_one(request: Request) -> Response:
    store = _store(request)
    key = request.path_params["key"]
    if store is not None and await api.visible(request.app.state.context, request, key):
        await asyncio.to_thread(store.delete, key)
    return RedirectResponse("/sandbox/mail", status_code=303)


async def delete_all(request: Request) -> Response:
    store = _store(request)
    if store is not None:
        await asyncio.to_thread(store.delete_all, await api.scope(request.app.state.context, request))
    return RedirectResponse("/sandbox/mail", status_code=303)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and request.query_params.get("format") != "json"


# After the id, the subject, the state and the link to the captured mail (the template's own cells).
OUTBOX_COLUMNS = ("folder", "recipients", "attempts", "lastError", "notes", "updated")


# The JSON listing is read and written this many records at a time: a large outbox as one answer
# was 141 MB built on the event loop.
OUTBOX_BATCH = 500


async def _outbox_json(request: Request, ctx: Context) -> Response:
    """The records after `after`, oldest first: `limit` of them (with a Link to the next page when
    there may be more), or all, streamed a batch at a time, each read off the event loop."""
    try:
        given = api.parameters(request, "getOutbox")
    except api.BadParameter as exc:
        return api.problem(400, str(exc))
    after, limit = given.get("after", 0), given.get("limit")

    async def records() -> AsyncIterator[bytes]:
        last, left, first = after, limit, True
        yield b"["
        while left is None or left > 0:
            batch_size = OUTBOX_BATCH if left is None else min(OUTBOX_BATCH, left)
            batch = await ctx.outbox.aread(outbox.listing(last, batch_size, tenant(request).id))
            for record in batch:
                # ASCII, \u-escaped: a lone surrogate a request carried cannot break the answer
                yield (b"" if first else b",") + json.dumps(record, separators=(",", ":")).encode()
                first = False
            if len(batch) < batch_size:
                break
            last = batch[-1]["id"]
            left = None if left is None else left - len(batch)
        yield b"]"

    headers = {}
    if limit is not None:
        # The next page starts after the last id of this one; one look-up finds it without the records.
        ids = await ctx.outbox.aread(outbox.ids_after(after, limit, tenant(request).id))
        if len(ids) == limit:
            headers["Link"] = f'<{request.url.path}?format=json&after={ids[-1]}&limit={limit}>; rel="next"'
    return StreamingResponse(records(), media_type="application/json", headers=headers)


async def outbox_state(request: Request) -> Response:
    """JSON (the outbox, or a page of it, streamed), or for a browser the outbox page."""
    ctx: Context = request.app.state.context
    if not _wants_html(request):
        return await _outbox_json(request, ctx)
    page = _page_number(request)
    total, records = await ctx.outbox.aread(
        outbox.records(PAGE_SIZE, (page - 1) * PAGE_SIZE, tenant(request).id)
    )
    subjects = await ctx.outbox.aread(outbox_subjects([record["id"] for record in records]))
    mail = await _captured(ctx, records)
    # The columns one scans a queue by; every other field of a record is in its row's details.
    columns = [name for name in OUTBOX_COLUMNS if any(name in record for record in records)]
    rows = [
        {
            "id": record["id"],
            "subject": mailparse.shortened(subjects.get(record["id"], ""), CELL_SHOWN),
            "state": record.get("state") or "",
            "mail": mail.get(record["id"]),
            "cells": [(name, _shown(record.get(name))) for name in columns],
            "more": [(name, _shown(value)) for name, value in record.items() if name not in columns],
        }
        for record in records
    ]
    return _render(
        request,
        "outbox.html",
        nav="outbox",
        live=await _version(request),
        total=total,
        columns=columns,
        rows=rows,
        **_pager(total, page),
    )


async def _captured(ctx: Context, records: list[dict[str, Any]]) -> dict[int, str]:
    """The key of each send's captured mail that the capture still holds (the Outbox's link): the
    one its delivery linked to it (sends of one template share a Message-ID); for mail delivered
    before the link was kept, the newest with its Message-ID."""
    if ctx.mail is None or not records:
        return {}
    linked = await ctx.outbox.aread(outbox.linked_keys([record["id"] for record in records]))
    headers = {
        normal_message_id(record["messageId"]): record["id"]
        for record in records
        if record["id"] not in linked and record.get("messageId")
    }
    store = ctx.mail
    keys: dict[int, str] = {}
    if linked:
        wanted = tuple(set(linked.values()))
        held = {s.key for s in await asyncio.to_thread(store.find, Query(keys=wanted), len(wanted), 0)}
        keys.update((send, key) for send, key in linked.items() if key in held)
    if headers:
        query = Query(message_ids=tuple(headers))
        for summary in await asyncio.to_thread(store.find, query, len(headers) * 4, 0):  # newest first
            keys.setdefault(headers[normal_message_id(summary.message_id)], summary.key)
    return keys


async def docs(request: Request) -> Response:
    which = request.path_params.get("which", "send")
    path = DOCS.get(which)
    if path is None:
        return Response("Not Found", 404, media_type="text/plain")
    return FileResponse(
        path, media_type="text/html; charset=utf-8", headers={"X-Content-Type-Options": "nosniff"}
    )


async def spec_file(request: Request) -> Response:
    path = spec.SPEC_PATH if request.url.path == "/openapi.yaml" else api_spec.SPEC_PATH
    return FileResponse(path, media_type="application/yaml; charset=utf-8")
