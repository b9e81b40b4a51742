"""The embedded SMTP capture: every message, as it went out, in a folder (`mailstore.py`).

Each message is filed with its SMTP envelope (which alone shows Bcc recipients) and a
summary for the viewer, written once here. A message delivered again (a relay's retry
after the connection dropped before its 250, or the sandbox's own after a crash) is the
same message to the same envelope: it is counted, not filed twice. A different message
that claims another's Message-ID is filed beside it.

Faults on demand: while the index holds an armed fault, the next deliveries are refused
at the end of DATA with its code (421 also closes the connection, as a server that is
shutting down does), and the sender retries (4xx) or gives up (5xx).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from onlyoffice_sandbox import faults_on_demand
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

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
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
