"""The delivery process (`python -m onlyoffice_sandbox.delivery FD`).

It holds a lock on `<outbox>.delivery.lock` while it runs, so a restarted server's
child waits for the one before it to finish: no message is sent by two. It reads
its settings from its environment (`DeliverySettings`), and FD is the read end of
the server's wake pipe: a byte means "look now", the end of the pipe means "the
server is gone: finish the message in hand and exit".
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from onlyoffice_sandbox import outbox
from onlyoffice_sandbox.delivery import capture
from onlyoffice_sandbox.delivery.settings import ENVIRONMENT_VARIABLE, DeliverySettings
from onlyoffice_sandbox.delivery.worker import Worker
from onlyoffice_sandbox.outbox import Outbox

NICENESS = 10  # below the server, which answers clients while this drains the outbox
# Said once when the lock is taken: why no mail goes out yet (and the signal a test waits for).
WAITING_FOR_LOCK = "waiting for the outbox's delivery lock, which another delivery process holds"
log = logging.getLogger("onlyoffice_sandbox.delivery")


def lock_path(db: Path) -> Path:
    return Path(f"{db}.delivery.lock")


def _hold_lock(db: Path, give_up: threading.Event) -> bool:
    """Wait for the outbox's delivery lock; False if `give_up` is set first."""
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the kernel when this process ends
            return True
        except BlockingIOError:
            if not said:
                log.warning("%s (%s)", WAITING_FOR_LOCK, lock_path(db))
                said = True
            if give_up.wait(0.1):
                os.close(fd)
                return False


async def _run(wake_fd: int, settings: DeliverySettings) -> None:
    loop = asyncio.get_running_loop()
    parent_gone = asyncio.Event()
    worker: Worker | None = None

    def on_pipe() -> None:
        try:
            data = os.read(wake_fd, 65536)
        except BlockingIOError:
            return
        if not data:  # the server closed its end, or died
            loop.remove_reader(wake_fd)
            parent_gone.set()
            if worker is not None:
                worker.stop()
        elif worker is not None:
            worker.wake()

    os.set_blocking(wake_fd, False)
    loop.add_reader(wake_fd, on_pipe)
    give_up = threading.Event()
    locking = asyncio.ensure_future(asyncio.to_thread(_hold_lock, settings.db, give_up))
    gone = asyncio.ensure_future(parent_gone.wait())
    await asyncio.wait([locking, gone], return_when=asyncio.FIRST_COMPLETED)
    give_up.set()
    if not await locking:
        return  # the server went before this process held the lock: nothing was in hand
    box = await asyncio.to_thread(Outbox, settings.db, True)  # records deliveries only
    smtp_server = store = None
    address = settings.smtp_address
    if address is None:
        smtp_server, address, store = await capture.start(
            settings.mail_dir, tenant_of=lambda header: box.aread(outbox.tenant_of(header))
        )
    worker = Worker(box, address, settings.retry_max_seconds, settings.smtp_step_seconds)
    if parent_gone.is_set():
        worker.stop()
    try:
        await worker.run()
    finally:
        if smtp_server is not None:
            smtp_server.close()
        if store is not None:
            await asyncio.to_thread(store.close)
        await asyncio.to_thread(box.close)


def main() -> None:
    wake_fd, settings = int(sys.argv[1]), DeliverySettings.loads(os.environ[ENVIRONMENT_VARIABLE])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops this
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:  %(name)s: %(message)s")
    asyncio.run(_run(wake_fd, settings))
