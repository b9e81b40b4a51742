"""The sandbox as an ASGI app: the send endpoint and the pages; delivery runs in a child process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from onlyoffice_sandbox import outbox, pages, send, spec
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.courier import Courier
from onlyoffice_sandbox.settings import Settings

log = logging.getLogger("onlyoffice_sandbox")


def load_drafts(settings: Settings) -> list[dict[str, Any]]:
    """The drafts file: a JSON list of messages, each a valid request with an `id` and a `folder`."""
    if settings.drafts is None:
        return []
    drafts: list[dict[str, Any]] = json.loads(settings.drafts.read_text(encoding="utf-8"))
    validator = spec.validator(send.REQUEST_SCHEMA)
    for draft in drafts:
        fields = {k: v for k, v in draft.items() if k != "folder"}
        error = next(iter(validator.iter_errors(fields)), None)
        if error is not None or not isinstance(draft.get("id"), int) or draft["id"] < 1:
            reason = error.message if error else "needs an integer id > 0"
            raise ValueError(f"draft {draft.get('id')!r} in {settings.drafts}: {reason}")
    return drafts


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        box = await asyncio.to_thread(outbox.Outbox, settings.db)
        ctx = Context(settings, box)
        await box.acall(outbox.seed(load_drafts(settings)))
        courier = Courier(settings)
        courier.start()
        ctx.wake_delivery = courier.wake
        watch = asyncio.create_task(courier.watch(), name="courier-watch")
        app.state.context = ctx
        try:
            yield
        finally:
            watch.cancel()
            # The message in hand is delivered and recorded before the child exits.
            await asyncio.to_thread(courier.stop)
            await asyncio.to_thread(box.close)

    return Starlette(
        routes=[
            Route(spec.OPERATION_PATH, send.handle, methods=[spec.OPERATION_METHOD.upper()]),
            Route("/sandbox/mail", pages.mail_page, methods=["GET"]),
            Route("/sandbox/mail/{key}.eml", pages.mail_file, methods=["GET"]),
            Route("/sandbox/outbox", pages.outbox_state, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
