"""Running the sandbox: in this process (a thread), as a subprocess, or in the foreground (`serve`)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from onlyoffice_sandbox import children
from onlyoffice_sandbox.settings import DEFAULT_PASSWORD, DEFAULT_TOKEN, PREFIX, Settings
from onlyoffice_sandbox.web import fast_path
from onlyoffice_sandbox.web.access_log import Gathered
from onlyoffice_sandbox.web.app import create_app
from onlyoffice_sandbox.web.protocol import bounded

READY = "Sandbox listening on "
# Idle keep-alive connections are kept longer than clients keep them (httpx: 5 s), so that a
# client never writes a request into a connection the server is closing and loses the answer.
KEEP_ALIVE_SECONDS = 75
# On stopping, requests still running get this long to finish, then are cancelled: a send armed
# `late` for a minute (its client long gone) made a test's teardown wait that minute.
SHUTDOWN_GRACE_SECONDS = 2


def _bind(settings: Settings) -> socket.socket:
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets, and without it
    # every response written in two parts waits out the client's delayed ACK (40 ms).
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))  # port 0: a free one
    # Listening now, before the app has started, so that a client told the address (READY)
    # waits in the backlog rather than being refused while startup runs.
    sock.listen(2048)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _config(
    app: ASGIApp, settings: Settings, quiet: bool, access_logger: Gathered | None = None
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        # No X-Forwarded-* rewriting: nothing here reads the client's address but the access log, and
        # uvicorn's middleware for it was a layer around every send (bench/NOTES.md).
        proxy_headers=False,
        http=fast_path.faster(bounded(settings.max_head_bytes, settings.request_seconds), access_logger),
    )


class InProcess:
    """The sandbox served by uvicorn in a thread of this process: `with InProcess(settings) as url:`.

    `wrap`, if given, is applied to the app: tests use it to put ASGI middleware in front."""

    def __init__(self, settings: Settings, wrap: Callable[[ASGIApp], ASGIApp] | None = None) -> None:
        self.settings = settings
        self._sock = _bind(settings)
        self.url = _url(self._sock)
        app: ASGIApp = create_app(settings)
        self._server = uvicorn.Server(_config(wrap(app) if wrap else app, settings, quiet=True))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> str:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox did not start")
            self._thread.join(0.01)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join()
        self._sock.close()


class Subprocess:
    """The sandbox as a child process (`python -m onlyoffice_sandbox`); `kill()` is a hard kill.

    `settings` are its settings (written to SANDBOX_* variables; port 0 picks a free one),
    or none for every default; `url` is where it listens once entered."""

    def __init__(self, settings: Settings | None = None, cwd: Path | None = None) -> None:
        # Only the settings given here: none leak in from the caller's environment.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
        given = (settings or Settings(port=0)).to_env()
        self._env = {**inherited, **given, "PYTHONUNBUFFERED": "1"}
        self._cwd = cwd
        self.url = ""
        self.output: list[str] = []  # every line it printed, as it printed them
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Subprocess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onlyoffice_sandbox"],
            env={**self._env, "PYTHONPATH": children.pythonpath()},
            cwd=self._cwd,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith(READY):
                self.url = line[len(READY) :].split()[0]
                # Keep reading what it prints, or a full pipe would block it.
                threading.Thread(target=self.output.extend, args=(self.process.stdout,), daemon=True).start()
                return self
        raise RuntimeError(f"the sandbox exited with {self.process.wait()} before it listened")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process.stdout:
            self.process.stdout.close()


def serve(settings: Settings) -> None:
    """Run the sandbox in the foreground, with uvicorn's access log, until interrupted."""
    sock = _bind(settings)
    url = _url(sock)
    mailbox = settings.mailboxes[0] if settings.mailboxes else "(none)"
    where = (
        f"relayed to {settings.smtp}"
        if settings.smtp
        else f"captured in {settings.mail_dir}/ and {url}/sandbox/mail"
    )
    binder = (
        "onlyoffice: as production binds; each leniency in X-Sandbox-Leniency, the log and /sandbox/outbox"
        if settings.binder == "onlyoffice"
        else "strict: the spec alone"
    )
    print(f"{READY}{url}", flush=True)
    # The documented defaults are shown; a token or password of your own is a secret and never printed.
    token = (
        DEFAULT_TOKEN if settings.revealed_tokens == (DEFAULT_TOKEN,) else "(from SANDBOX_TOKENS, not shown)"
    )
    password = (
        DEFAULT_PASSWORD
        if settings.password.reveal() == DEFAULT_PASSWORD
        else "(from SANDBOX_PASSWORD, not shown)"
    )
    print(f"  token:   {token}\n  basic:   {settings.login} / {password}", flush=True)
    print(f"  mailbox: {mailbox}\n  mail:    {where}", flush=True)
    print(f"  binder:  {binder}", flush=True)
    # The sandbox's own warnings (a leniency used, an attachment skipped), beside uvicorn's lines.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:  %(name)s: %(message)s")
    with fast_path.access_log_off_the_loop() as access_logger:
        config = _config(create_app(settings), settings, quiet=False, access_logger=access_logger)
        uvicorn.Server(config).run(sockets=[sock])
