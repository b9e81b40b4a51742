"""The sandbox as an ASGI app: the send endpoint and the pages; delivery runs in a child process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from onlyoffice_contract import spec
from onlyoffice_sandbox import drafts, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.delivery import DeliveryProcess
from onlyoffice_sandbox.settings import Settings
from onlyoffice_sandbox.web import pages, send


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        box = await asyncio.to_thread(outbox.Outbox, settings.db)
        ctx = Context(settings, box)
        await box.acall(outbox.seed(drafts.load(settings.drafts)))
        delivery = DeliveryProcess(settings)
        delivery.start()
        ctx.wake_delivery = delivery.wake
        watch = asyncio.create_task(delivery.watch(), name="delivery-watch")
        app.state.context = ctx
        try:
            yield
        finally:
            watch.cancel()
            # The message in hand is delivered and recorded before the child exits.
            await asyncio.to_thread(delivery.stop)
            await asyncio.to_thread(box.close)

    return Starlette(
        routes=[
            Route(spec.OPERATION_PATH, send.handle, methods=[spec.OPERATION_METHOD.upper()]),
            # The real server drops a format suffix; every ONLYOFFICE client calls `send.json`.
            # (`.xml` would answer in XML, which the sandbox does not speak: it is not routed.)
            Route(spec.OPERATION_PATH + ".json", send.handle, methods=[spec.OPERATION_METHOD.upper()]),
            Route("/sandbox/mail", pages.mail_page, methods=["GET"]),
            Route("/sandbox/mail/{key}.eml", pages.mail_file, methods=["GET"]),
            Route("/sandbox/outbox", pages.outbox_state, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
