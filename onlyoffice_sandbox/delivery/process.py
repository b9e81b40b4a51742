"""The server's handle on the delivery process: start it, wake it, stop it, restart it if it dies.

Composing and delivering mail (and, without a relay, capturing it) costs far more than
accepting it. In a child process it neither holds the server's GIL nor delays an answer,
and it runs at a lower priority, so under load the server answers first and the outbox
drains after. The two share only the outbox file (SQLite WAL) and a pipe: the server
writes a byte to the pipe after each commit, so the child looks at once; when the server
dies, even by SIGKILL, the pipe closes and the child finishes the message in hand and
exits (`child.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys

from onlyoffice_sandbox import children
from onlyoffice_sandbox.delivery.settings import ENVIRONMENT_VARIABLE, DeliverySettings
from onlyoffice_sandbox.settings import Settings

log = logging.getLogger("onlyoffice_sandbox.delivery")


_INHERITED = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "USER", "LOGNAME"})


class DeliveryProcess:
    def __init__(self, settings: Settings) -> None:
        self._settings = DeliverySettings.of(settings)
        self._process: subprocess.Popen[bytes] | None = None
        self._wake_fd = -1
        self._wake_pending = False
        self._stopping = False

    def command(self, wake_fd: int) -> list[str]:
        """The child's command line: this interpreter, the delivery package, the pipe's end."""
        return [sys.executable, "-m", "onlyoffice_sandbox.delivery", str(wake_fd)]

    def environment(self) -> dict[str, str]:
        """The child's environment: what an interpreter needs of the server's, plus its own settings.

        An allowlist, not the server's less its settings: the embedded contract run hands the
        sandbox the suite's API_KEY as its token, and the server's environment holds that too."""
        inherited = {
            k: v for k, v in os.environ.items() if k in _INHERITED or k.startswith(("LC_", "PYTHON"))
        }
        return {
            **inherited,
            "PYTHONPATH": children.pythonpath(),
            ENVIRONMENT_VARIABLE: self._settings.dumps(),
        }

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)  # waking must never block the event loop
        try:
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, this package
                self.command(read_fd), pass_fds=[read_fd], env=self.environment()
            )
        finally:
            os.close(read_fd)
        self._wake_fd = write_fd

    def wake(self) -> None:
        """Something was committed: have the child look now. One byte a turn of the event loop,
        however many sends committed in it (a write a send cost 4% of the server's time); a full
        pipe already says so."""
        if self._wake_pending:
            return
        self._wake_pending = True
        asyncio.get_running_loop().call_soon(self._write_wake)

    def _write_wake(self) -> None:
        self._wake_pending = False
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
