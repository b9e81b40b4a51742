"""Delivery in a process of its own, beside the HTTP server.

Composing and delivering mail (and, without a relay, capturing it) costs far more than
accepting it. In a child process it neither holds the server's GIL nor delays an answer,
and it runs at a lower priority, so under load the server answers first and the outbox
drains after. The two share only the outbox file (SQLite WAL) and a pipe:

- the server writes a byte to the pipe after each commit, so the child looks at once;
- when the server dies, even by SIGKILL, the pipe closes, and the child finishes the
  message in hand, records it and exits;
- the child holds a lock on `<outbox>.delivery.lock` while it runs, so a restarted
  server's child waits for the one before it to finish: no message is sent by two.

The server side is `Courier`; `python -m onlyoffice_sandbox.courier FD` is the child. It is
given only what delivery needs, in its environment (SANDBOX_DELIVERY, JSON): never a token, and
nothing on its command line, which every user of the machine can read.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from onlyoffice_sandbox import capture
from onlyoffice_sandbox.delivery import Delivery
from onlyoffice_sandbox.outbox import Outbox
from onlyoffice_sandbox.settings import Settings

log = logging.getLogger("onlyoffice_sandbox.courier")

NICENESS = 10  # below the server, which answers clients while this drains the outbox
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


DELIVERY_ENV = "SANDBOX_DELIVERY"


@dataclass(frozen=True)
class DeliverySettings:
    """What the delivery process needs of the sandbox's settings, and nothing else."""

    db: Path
    mail_dir: Path
    smtp_address: tuple[str, int] | None
    retry_max_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> DeliverySettings:
        return cls(settings.db, settings.mail_dir, settings.smtp_address, settings.retry_max_seconds)

    def dumps(self) -> str:
        return json.dumps({**asdict(self), "db": str(self.db), "mail_dir": str(self.mail_dir)})

    @classmethod
    def loads(cls, text: str) -> DeliverySettings:
        raw = json.loads(text)
        smtp = raw["smtp_address"]
        return cls(
            Path(raw["db"]), Path(raw["mail_dir"]), smtp and (smtp[0], int(smtp[1])), raw["retry_max_seconds"]
        )


class Courier:
    """The server's handle on the delivery process: start it, wake it, stop it, restart it if it dies."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._process: subprocess.Popen[bytes] | None = None
        self._wake_fd = -1
        self._stopping = False

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)  # waking must never block the event loop
        path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
                [sys.executable, "-m", __name__, str(read_fd)],
                pass_fds=[read_fd],
                env={
                    **os.environ,
                    "PYTHONPATH": path,
                    DELIVERY_ENV: DeliverySettings.of(self._settings).dumps(),
                },
            )
        finally:
            os.close(read_fd)
        self._wake_fd = write_fd

    def wake(self) -> None:
        """Something was committed: have the child look now. A full pipe already says so."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_fd, b"\0")

    async def watch(self) -> None:
        """Restart the child if it exits while the server runs (it should not)."""
        while not self._stopping:
            await asyncio.sleep(1.0)
            process = self._process
            if process is not None and process.poll() is not None and not self._stopping:
                log.error("the delivery process exited with %s; starting it again", process.returncode)
                os.close(self._wake_fd)
                self.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Close the pipe and wait: the child finishes the message in hand, records it and exits."""
        self._stopping = True
        if self._wake_fd >= 0:
            os.close(self._wake_fd)
            self._wake_fd = -1
        if self._process is None:
            return
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.error("the delivery process did not stop in %s s; killing it", timeout)
            self._process.kill()
            self._process.wait()


# -- the child ------------------------------------------------------------------


def _hold_lock(db: Path, give_up: threading.Event) -> bool:
    """Wait for the outbox's delivery lock; False if `give_up` is set first."""
    fd = os.open(f"{db}.delivery.lock", os.O_RDWR | os.O_CREAT, 0o600)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the kernel when this process ends
            return True
        except BlockingIOError:
            if give_up.wait(0.1):
                os.close(fd)
                return False


async def _run(wake_fd: int, settings: DeliverySettings) -> None:
    loop = asyncio.get_running_loop()
    parent_gone = asyncio.Event()
    delivery: Delivery | None = None

    def on_pipe() -> None:
        try:
            data = os.read(wake_fd, 65536)
        except BlockingIOError:
            return
        if not data:  # the server closed its end, or died
            loop.remove_reader(wake_fd)
            parent_gone.set()
            if delivery is not None:
                delivery.stop()
        elif delivery is not None:
            delivery.wake()

    os.set_blocking(wake_fd, False)
    loop.add_reader(wake_fd, on_pipe)
    give_up = threading.Event()
    locking = asyncio.ensure_future(asyncio.to_thread(_hold_lock, settings.db, give_up))
    gone = asyncio.ensure_future(parent_gone.wait())
    await asyncio.wait([locking, gone], return_when=asyncio.FIRST_COMPLETED)
    give_up.set()
    if not await locking:
        return  # the server went before this process held the lock: nothing was in hand
    box = await asyncio.to_thread(Outbox, settings.db)
    smtp_server = None
    address = settings.smtp_address
    if address is None:
        smtp_server, address = await capture.start(settings.mail_dir)
    delivery = Delivery(box, address, settings.retry_max_seconds)
    if parent_gone.is_set():
        delivery.stop()
    try:
        await delivery.run()
    finally:
        if smtp_server is not None:
            smtp_server.close()
        await asyncio.to_thread(box.close)


def main() -> None:
    wake_fd, settings = int(sys.argv[1]), DeliverySettings.loads(os.environ[DELIVERY_ENV])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops this
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:  %(name)s: %(message)s")
    asyncio.run(_run(wake_fd, settings))


if __name__ == "__main__":
    main()
