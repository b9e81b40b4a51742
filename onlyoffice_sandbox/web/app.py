"""The sandbox as an ASGI app: the send endpoint, the pages, the JSON API; delivery in a child process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from onlyoffice_contract import spec
from onlyoffice_sandbox import drafts, faults_on_demand, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.delivery import DeliveryProcess
from onlyoffice_sandbox.mailstore import MailStore
from onlyoffice_sandbox.settings import Settings
from onlyoffice_sandbox.web import api, envelope, fast_path, fault_endpoints, send, tenant_endpoints, viewer
from onlyoffice_sandbox.web.access import Endpoint, guarded

SEND_METHOD = spec.OPERATION_METHOD.upper()
# The real server's routes take a format suffix (ApiRouteRegistrator.cs; JsonNetSerializer's
# extensions): every ONLYOFFICE client calls `send.json`; `.xml` and `.tml` answer the envelope
# in XML (`envelope.wants_xml`). Any other suffix matches no route: 404.
SEND_SUFFIXES = ("", ".json", *envelope.XML_SUFFIXES)


def transport_of(send: Send) -> Any:
    """The connection's transport, which the `drop` fault closes: uvicorn's `send` is a method of
    its request cycle, which holds it (None under another server)."""
    return getattr(getattr(send, "__self__", None), "transport", None)


class SandboxApp(Starlette):
    """Starlette, and the server's transport in each request's scope (`transport_of`); the send
    call answered first (`fast_path.SendCallFirst`)."""

    def __init__(self, send_call: Endpoint, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        paths = (spec.OPERATION_PATH + suffix for suffix in SEND_SUFFIXES)
        self._send_call_first = fast_path.SendCallFirst(send_call, SEND_METHOD, paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[fault_endpoints.TRANSPORT] = transport_of(send)
            if await self._send_call_first(self, scope, receive, send):
                return
        await super().__call__(scope, receive, send)


def _arm_from_settings(ctx: Context) -> None:
    """The faults a sandbox starts with: those its settings ask for, and no other.

    The capture's fault lives in the mail folder's index (the capture runs in the delivery
    process), so one armed by a sandbox that stopped before it was used up would otherwise
    refuse the next mail of any sandbox started on that folder: a fault is state of a running
    sandbox, not of its data."""
    settings = ctx.settings
    if ctx.mail is not None:
        ctx.mail.clear_fault(None)  # and every tenant's: tenants end with the sandbox that made them
    if settings.fault_sends:
        kind, count = faults_on_demand.parse_setting(settings.fault_sends, faults_on_demand.KINDS)
        ctx.faults.arm(kind, count, settings.fault_late_seconds)
    if settings.fault_deliveries and ctx.mail is not None:
        code, count = faults_on_demand.parse_setting(
            settings.fault_deliveries, [str(c) for c in faults_on_demand.DELIVERY_CODES]
        )
        ctx.mail.arm_fault(int(code), count)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        box = await asyncio.to_thread(outbox.Outbox, settings.db)
        # The embedded capture's mail, which the delivery process files; none with a relay.
        mail = None if settings.smtp else await asyncio.to_thread(MailStore, settings.mail_dir)
        ctx = Context(settings, box, mail=mail)
        await asyncio.to_thread(_arm_from_settings, ctx)
        await box.acall(outbox.seed(drafts.load(settings.drafts)))
        delivery = DeliveryProcess(settings)
        delivery.start()
        ctx.wake_delivery = delivery.wake
        watch = asyncio.create_task(delivery.watch(), name="delivery-watch")
        app.state.context = ctx
        app.state.mail_watch = api.MailWatch(mail) if mail else None
        try:
            yield
        finally:
            watch.cancel()
            if app.state.mail_watch is not None:
                await app.state.mail_watch.close()
            # The message in hand is delivered and recorded before the child exits.
            await asyncio.to_thread(delivery.stop)
            await asyncio.to_thread(box.close)
            if mail is not None:
                await asyncio.to_thread(mail.close)

    def page(endpoint: Endpoint, *methods: str, path: str) -> Route:
        return Route(path, guarded(endpoint), methods=list(methods or ["GET"]))

    def with_token(endpoint: Endpoint, method: str, path: str) -> Route:
        return Route(path, guarded(endpoint, always_token=True), methods=[method])

    send_call = fault_endpoints.with_faults(send.handle)
    return SandboxApp(
        send_call,
        routes=[
            *(
                Route(spec.OPERATION_PATH + suffix, send_call, methods=[SEND_METHOD])
                for suffix in SEND_SUFFIXES
            ),
            # The pages.
            page(viewer.home, path="/"),
            page(viewer.mail_list, path="/sandbox/mail"),
            page(viewer.delete_all, "POST", path="/sandbox/mail/delete"),
            page(viewer.mail_file, path="/sandbox/mail/{key}.eml"),
            page(viewer.mail_message, path="/sandbox/mail/{key}"),
            page(viewer.mail_html, path="/sandbox/mail/{key}/html"),
            page(viewer.mail_attachment, path="/sandbox/mail/{key}/attachments/{index}"),
            page(viewer.mail_inline, path="/sandbox/mail/{key}/inline/{index}"),
            page(viewer.delete_one, "POST", path="/sandbox/mail/{key}/delete"),
            page(viewer.outbox_state, path="/sandbox/outbox"),
            page(viewer.events, path="/sandbox/events"),
            page(viewer.docs, path="/docs"),
            page(viewer.docs, path="/docs/{which}"),
            page(viewer.spec_file, path="/openapi.yaml"),
            page(viewer.spec_file, path="/sandbox-api.yaml"),
            # The JSON API for tests (sandbox-api.yaml).
            page(api.list_messages, path="/sandbox/api/messages"),
            page(api.delete_messages, "DELETE", path="/sandbox/api/messages"),
            page(api.wait_for_messages, path="/sandbox/api/messages/wait"),
            page(api.get_message, path="/sandbox/api/messages/{key}"),
            page(api.delete_message, "DELETE", path="/sandbox/api/messages/{key}"),
            with_token(fault_endpoints.get_faults, "GET", "/sandbox/api/faults"),
            with_token(fault_endpoints.clear_faults, "DELETE", "/sandbox/api/faults"),
            with_token(fault_endpoints.arm_send_fault, "PUT", "/sandbox/api/faults/send"),
            with_token(fault_endpoints.arm_delivery_fault, "PUT", "/sandbox/api/faults/delivery"),
            with_token(tenant_endpoints.create_tenant, "POST", "/sandbox/api/tenants"),
            Mount("/static", StaticFiles(directory=viewer.STATIC), name="static"),
        ],
        lifespan=lifespan,
    )
