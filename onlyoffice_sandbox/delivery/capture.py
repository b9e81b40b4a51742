"""The embedded SMTP capture: every message, as it went out, in a folder (`mailstore.py`).

Each message is filed with its SMTP envelope (which alone shows Bcc recipients) and a
summary for the viewer, written once here. A message delivered again (a relay's retry
after the connection dropped before its 250, or the sandbox's own after a crash) is the
same message to the same envelope: it is counted, not filed twice. A different message
that claims another's Message-ID is filed beside it.

Faults on demand: while the index holds an armed fault, the next deliveries are refused
at the end of DATA with its code (421 also closes the connection, as a server that is
shutting down does), and the sender retries (4xx) or gives up (5xx).

Magic recipients (`magic.py`) choose the outcome per recipient: refused, deferred, over the
recipient limit or slow at RCPT, or the connection dropped after DATA.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from onlyoffice_sandbox import faults_on_demand, mailparse
from onlyoffice_sandbox.delivery import magic
from onlyoffice_sandbox.mailstore import MailStore, normal_message_id

# The capture faults: each SMTP code, with the reply it is sent with.
REFUSALS = {
    421: "421 4.3.2 Service not available, closing transmission channel (a sandbox fault)",
    451: "451 4.3.0 Requested action aborted: local error in processing (a sandbox fault)",
    550: "550 5.7.1 Requested action not taken: mailbox unavailable (a sandbox fault)",
}
if set(REFUSALS) != set(
    faults_on_demand.DELIVERY_CODES
):  # sandbox-api.yaml and this table must name the same codes
    raise RuntimeError(
        f"sandbox-api.yaml's delivery fault codes {faults_on_demand.DELIVERY_CODES} differ from the capture's"
    )


TenantOf = Callable[[str], Awaitable[str | None]]


class Mailroom:
    """The aiosmtpd handler that files each message. `tenant_of` names the tenant whose send has
    this Message-ID (the outbox knows it): a tenant's capture fault meets its own mail alone."""

    def __init__(self, store: MailStore, tenant_of: TenantOf | None = None) -> None:
        self.store = store
        self.counts = magic.Counts()
        self._tenant_of = tenant_of

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """An ordinary recipient is accepted; a magic one gets what its address asks for."""
        wanted = magic.of(address)
        if wanted is not None:
            reply = magic.KINDS[wanted.name].reply
            sender = str(envelope.mail_from or "")
            if wanted.name == "reject":
                return reply
            if wanted.name == "defer" and self.counts.again(sender, address, wanted.n):
                return reply
            if wanted.name == "over-limit" and envelope.rcpt_tos:
                return reply
            if wanted.name == "slow":
                await asyncio.sleep(wanted.n)
        envelope.rcpt_tos.append(address)  # a handler's RCPT hook accepts by adding it (aiosmtpd)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def _tenants_fault(self, content: bytes) -> int | None:
        """The fault armed for the tenant whose mail this is, if any tenant has one armed."""
        assert self._tenant_of is not None
        if not await asyncio.to_thread(self.store.tenant_faults_armed):
            return None
        header = mailparse.header(mailparse.parse(content), "Message-ID", 1000)
        owner = await self._tenant_of(normal_message_id(header)) if header else None
        return await asyncio.to_thread(self.store.take_fault, owner) if owner else None

    def _drops(self, envelope: Envelope) -> bool:
        sender = str(envelope.mail_from or "")
        for address in envelope.rcpt_tos:
            wanted = magic.of(address)
            if wanted is not None and wanted.name == "drop":
                return self.counts.again(sender, address, wanted.n)
        return False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self._drops(envelope) and isinstance(server.transport, asyncio.Transport):
            server.transport.abort()  # the data was read; no answer comes, nothing is filed
            return "421 4.4.2 Connection dropped (a sandbox magic recipient)"  # written nowhere
        code = await asyncio.to_thread(self.store.take_fault)
        if code is None and self._tenant_of is not None:
            code = await self._tenants_fault(envelope.original_content or b"")
        if code is not None:
            if code == 421 and server.transport is not None:
                # After the reply is written: close() sends what is buffered first.
                asyncio.get_running_loop().call_soon(server.transport.close)
            return REFUSALS[code]  # only a code of DeliveryFault is ever armed (checked above)
        content: bytes = envelope.original_content or b""
        rcpt_tos = [str(r) for r in envelope.rcpt_tos]
        await asyncio.to_thread(self.store.add, content, str(envelope.mail_from or ""), rcpt_tos)
        return "250 Message accepted for delivery"


async def start(
    mail_dir: Path, host: str = "127.0.0.1", tenant_of: TenantOf | None = None
) -> tuple[asyncio.Server, tuple[str, int], MailStore]:
    """Serve SMTP on a free port of `host`, on the running event loop; the caller closes the store."""
    store = await asyncio.to_thread(MailStore, mail_dir)
    await asyncio.to_thread(store.import_files)
    handler = Mailroom(store, tenant_of)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sandbox.capture"), host, 0)
    port: int = server.sockets[0].getsockname()[1]
    return server, (host, port), store
