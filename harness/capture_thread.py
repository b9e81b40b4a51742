"""The sandbox's embedded SMTP capture, run alone in a thread, for tests that speak SMTP to it.

A sandbox started on the same mail folder shows what this capture files: so a test can
deliver what the send call never composes (a header `email` cannot parse, two messages
with one Message-ID, a relay's redelivery) and look at it through the pages and the API.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onlyoffice_sandbox.delivery import capture


@contextmanager
def capture_at(mail_dir: Path) -> Iterator[tuple[str, int]]:
    """The capture, filing into `mail_dir`; gives its SMTP address."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server, address, store = asyncio.run_coroutine_threadsafe(capture.start(mail_dir), loop).result(60)
    try:
        yield address
    finally:
        server.close()
        asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(60)
        store.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def deliver(address: tuple[str, int], content: bytes, mail_from: str, rcpt_tos: list[str]) -> None:
    """One delivery over SMTP, as a relay makes it; raises what the capture refuses."""
    with smtplib.SMTP(*address, timeout=60) as smtp:
        smtp.sendmail(mail_from, rcpt_tos, content)
