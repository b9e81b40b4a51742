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
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from onlyoffice_sandbox import faults_on_demand
from onlyoffice_sandbox.delivery import magic
from onlyoffice_sandbox.mailstore import MailStore

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


class Mailroom:
    """The aiosmtpd handler that files each message."""

    def __init__(self, store: MailStore) -> None:
        self.store = store
        self.counts = magic.Counts()

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
        if code is not None:
            if code == 421 and server.transport is not None:
                # After the reply is written: close() sends what is buffered first.
                asyncio.get_running_loop().call_soon(server.transport.close)
            return REFUSALS[code]  # only a code of DeliveryFault is ever armed (checked above)
        content: bytes = envelope.original_content or b""
        rcpt_tos = [str(r) for r in envelope.rcpt_tos]
        await asyncio.to_thread(self.store.add, content, str(envelope.mail_from or ""), rcpt_tos)
        return "250 Message accepted for delivery"


async def start(mail_dir: Path, host: str = "127.0.0.1") -> tuple[asyncio.Server, tuple[str, int], MailStore]:
    """Serve SMTP on a free port of `host`, on the running event loop; the caller closes the store."""
    store = await asyncio.to_thread(MailStore, mail_dir)
    await asyncio.to_thread(store.import_files)
    handler = Mailroom(store)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="sandbox.capture"), host, 0)
    port: int = server.sockets[0].getsockname()[1]
    return server, (host, port), store
