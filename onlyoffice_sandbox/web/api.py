"""The sandbox's JSON API for tests (sandbox-api.yaml): captured mail, a long-poll wait for it.

Query parameters are read and checked against sandbox-api.yaml's own schemas, so a limit
is written once. Every read of the mail index runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
from datetime import UTC, datetime
from typing import Any

from openapi_schema_validator import OAS30Validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from onlyoffice_sandbox import api_spec, mailparse, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.mailstore import MailStore, Query, Summary, normal_message_id
from onlyoffice_sandbox.web import html_part
from onlyoffice_sandbox.web.access import tenant

WAIT_POLL_SECONDS = 0.05
# A query by the outbox's link (a tenant's mail, a send's) is asked again this often while it
# waits: the mail is filed a moment before the delivery records whose it is.
LINK_RECHECK_SECONDS = 0.2


class BadParameter(Exception):
    pass


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def parameters(request: Request, operation_id: str) -> dict[str, Any]:
    """The operation's query parameters, converted to their types and checked; defaults filled in."""
    found: dict[str, Any] = {}
    for name, schema in api_spec.query_parameters(operation_id).items():
        raw = request.query_params.get(name)
        if raw is None:
            if "default" in schema:
                found[name] = schema["default"]
            continue
        value: Any = raw
        try:
            if schema.get("type") == "integer":
                value = int(raw)
            elif schema.get("type") == "number":
                value = float(raw)
                if not math.isfinite(value):  # NaN passes every minimum and maximum
                    raise ValueError(raw)
        except (ValueError, OverflowError):
            raise BadParameter(f"{name}: not a {schema['type']}: {raw[:50]!r}") from None
        error = next(iter(OAS30Validator(schema).iter_errors(value)), None)
        if error is not None:
            raise BadParameter(f"{name}: {error.message[:200]}")
        found[name] = value
    return found


async def scope(ctx: Context, request: Request) -> Query:
    """The captured mail the caller's tenant sees: a tenant, the mail the delivery linked to its
    sends; the default tenant, every message but those (mail that came to the capture otherwise too)."""
    seen_as = tenant(request)
    if seen_as is ctx.tenants.default:
        keys, headers = await ctx.outbox.aread(outbox.tenant_keys(seen_as.id, mine=False))
        return Query(excluded=keys, headers=headers)
    keys, headers = await ctx.outbox.aread(outbox.tenant_keys(seen_as.id))
    return Query(keys=keys, headers=headers)


async def _query(ctx: Context, request: Request, given: dict[str, Any]) -> Query:
    within = await scope(ctx, request)
    message_ids: set[str] | None = None
    keys, headers = within.keys, within.headers
    if given.get("messageId"):
        message_ids = {normal_message_id(given["messageId"])}
    if given.get("sendId") is not None:
        # The delivery links each send to the key of its capture: sends of one template share a
        # Message-ID, so the header would find another send's mail. Not delivered yet: nothing.
        of_send = await ctx.outbox.aread(outbox.captures_of(given["sendId"], tenant(request).id))
        if isinstance(of_send, str):  # delivered before the link was kept: by its header
            header = {normal_message_id(of_send)}
            message_ids = header if message_ids is None else message_ids & header
        else:
            keys = tuple(of_send or ())  # linked to the tenant's own send (`captures_of`) alone
            headers = within.headers if within.keys is None else ()
    return Query(
        text=given.get("q") or "",
        to=given.get("to") or "",
        subject=given.get("subject") or "",
        message_ids=None if message_ids is None else tuple(message_ids),
        keys=keys,
        excluded=within.excluded,
        headers=headers,
    )


async def visible(ctx: Context, request: Request, key: str) -> bool:
    """Whether the caller's tenant may see the captured message `key`."""
    within = await scope(ctx, request)
    store = ctx.mail
    summary = await asyncio.to_thread(store.get, key) if store is not None else None
    if summary is None:
        return False
    header = normal_message_id(summary.message_id)
    if within.keys is None:
        return key not in within.excluded and header not in map(normal_message_id, within.headers)
    return key in within.keys or header in map(normal_message_id, within.headers)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def summary_json(summary: Summary, send_id: int | None) -> dict[str, Any]:
    key = summary.key
    return {
        "key": key,
        "messageId": summary.message_id,
        "sendId": send_id,
        "received": _iso(summary.received),
        "envelope": {"mailFrom": summary.mail_from, "rcptTos": summary.rcpt_tos},
        "from": summary.sender,
        "to": summary.recipients,
        "subject": summary.subject,
        "date": summary.date,
        "size": summary.size,
        "attachmentCount": summary.attachments,
        "copies": summary.copies,
        "links": {
            "page": f"/sandbox/mail/{key}",
            "raw": f"/sandbox/mail/{key}.eml",
            "api": f"/sandbox/api/messages/{key}",
        },
    }


async def _listed(ctx: Context, summaries: list[Summary], total: int) -> dict[str, Any]:
    captured = [(s.key, s.message_id) for s in summaries]
    send_ids = await ctx.outbox.aread(outbox.send_ids(captured)) if captured else {}
    return {"total": total, "messages": [summary_json(s, send_ids.get(s.key)) for s in summaries]}


def _context(request: Request) -> tuple[Context, MailStore | None]:
    ctx: Context = request.app.state.context
    return ctx, ctx.mail


async def list_messages(request: Request) -> Response:
    ctx, store = _context(request)
    try:
        given = parameters(request, "listMessages")
    except BadParameter as exc:
        return problem(400, str(exc))
    if store is None:
        return JSONResponse({"total": 0, "messages": []})
    query = await _query(ctx, request, given)
    total = await asyncio.to_thread(store.count, query)
    found = await asyncio.to_thread(store.find, query, given["limit"], given["offset"])
    return JSONResponse(await _listed(ctx, found, total))


class MailWatch:
    """Tells waiters when the capture has filed more mail: one poll of the index's newest entry,
    shared by every waiter and running only while someone waits. It only reads (SQLite WAL):
    no lock is held that a send or a delivery would wait for."""

    def __init__(self, store: MailStore) -> None:
        self._store = store
        self._seq = 0
        self._changed = asyncio.Condition()
        self._waiters = 0
        self._task: asyncio.Task[None] | None = None

    async def _poll(self) -> None:
        while self._waiters:
            seq = await asyncio.to_thread(self._store.last_seq)
            if seq != self._seq:
                self._seq = seq
                async with self._changed:
                    self._changed.notify_all()
            await asyncio.sleep(WAIT_POLL_SECONDS)

    async def wait_past(self, seen: int, timeout: float) -> None:
        """Return once mail newer than `seen` (the index's newest entry, read by the caller) is
        filed, or after `timeout` seconds. Entries are numbered upwards and never reused, deleted
        or not (`MailStore.last_seq`)."""
        self._waiters += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll(), name="mail-watch")
        try:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: self._seq > seen), timeout)
        finally:
            self._waiters -= 1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def wait_for_messages(request: Request) -> Response:
    ctx, store = _context(request)
    try:
        given = parameters(request, "waitForMessages")
    except BadParameter as exc:
        return problem(400, str(exc))
    watch: MailWatch | None = request.app.state.mail_watch
    if store is None or watch is None:
        return problem(404, "No message: mail goes to a relay (SANDBOX_SMTP), nothing is captured here")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + given["timeout"]
    while True:
        seen = await asyncio.to_thread(store.last_seq)
        query = await _query(ctx, request, given)  # again each time: a send is linked to its mail on delivery
        total = await asyncio.to_thread(store.count, query)
        if total >= given["count"]:
            found = await asyncio.to_thread(store.find, query, 500, 0, True)
            return JSONResponse(await _listed(ctx, found, total))
        left = deadline - loop.time()
        if left <= 0:
            return problem(404, f"{total} of {given['count']} messages matched within {given['timeout']} s")
        linked = query.keys is not None or bool(query.excluded)
        await watch.wait_past(seen, min(left, LINK_RECHECK_SECONDS) if linked else left)


def _headers_json(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


async def get_message(request: Request) -> Response:
    ctx, store = _context(request)
    key = request.path_params["key"]
    shown = await visible(ctx, request, key)
    summary = await asyncio.to_thread(store.get, key) if store and shown else None
    content = await asyncio.to_thread(store.read, key) if store and summary else None
    if summary is None or content is None:
        return problem(404, "No captured message by that key")

    def read() -> dict[str, Any]:
        message = mailparse.parse(content)
        html = mailparse.body(message, "html")
        parts = mailparse.attachments(message)
        found = None if html is None else html_part.check(html, html_part.inline_parts(parts))
        return {
            "headers": _headers_json(mailparse.headers(message)),
            "text": mailparse.body(message, "plain"),
            "html": html,
            "htmlCheck": None if found is None else [dataclasses.asdict(f) for f in found],
            "attachments": [
                {
                    "index": a.index,
                    "fileName": a.file_name,
                    "contentType": a.content_type,
                    "disposition": a.disposition,
                    "contentId": a.content_id,
                    "size": a.size,
                    "url": f"/sandbox/mail/{key}/attachments/{a.index}",
                }
                for a in parts
            ],
        }

    detail = await asyncio.to_thread(read)
    record = await ctx.outbox.aread(outbox.record_of(summary.message_id, summary.key))
    body = summary_json(summary, record["id"] if record else None) | detail
    if record is not None:
        body["delivery"] = record
    return JSONResponse(body)


async def delete_message(request: Request) -> Response:
    ctx, store = _context(request)
    key = request.path_params["key"]
    shown = await visible(ctx, request, key)
    deleted = await asyncio.to_thread(store.delete, key) if store and shown else False
    return JSONResponse({"deleted": 1}) if deleted else problem(404, "No captured message by that key")


async def delete_messages(request: Request) -> Response:
    ctx, store = _context(request)
    deleted = await asyncio.to_thread(store.delete_all, await scope(ctx, request)) if store else 0
    return JSONResponse({"deleted": deleted})
