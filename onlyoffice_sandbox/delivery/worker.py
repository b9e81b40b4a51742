"""The worker: takes due messages from the outbox, in batches, and hands each batch to SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import time

from onlyoffice_sandbox import outbox
from onlyoffice_sandbox.delivery.smtp import SMTP_TIMEOUT, Batch
from onlyoffice_sandbox.outbox import Outbox

BATCH = 50


class Worker:
    def __init__(
        self,
        box: Outbox,
        address: tuple[str, int],
        retry_max_seconds: float,
        step_seconds: float = SMTP_TIMEOUT,
    ) -> None:
        self._box = box
        self._retry_max = retry_max_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._batch = Batch(box, address, self._retry_at, lambda: self._stopping, step_seconds)

    def stop(self) -> None:
        """Finish the message in hand, then return from run(); nothing is left half-recorded."""
        self._stopping = True
        self._wake.set()

    def wake(self) -> None:
        """Something was queued: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            batch = await self._box.aread(outbox.due(time.time(), BATCH))
            if batch:
                await asyncio.to_thread(self._batch.deliver, batch)
                continue
            soonest = await self._box.aread(outbox.next_due())
            wait = 1.0 if soonest is None else min(max(soonest - time.time(), 0.01), 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _retry_at(self, attempts: int) -> float:
        return time.time() + min(self._retry_max, 0.25 * 2.0 ** min(attempts, 20))
