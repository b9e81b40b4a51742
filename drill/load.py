"""Exactly-once under load: many concurrent sends through the sandbox into an SMTP sink, with a fault mid-run.

Each message carries its number in the subject. A send counts as accepted when it
got a 200; one whose connection never opened is retried (it cannot have been
sent); one whose answer was lost is not (it may have been stored), and is
counted as unanswered. At the end every accepted message must have arrived
exactly once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from harness.ports import free_port
from harness.smtp_sink import SmtpSink
from onlyoffice_contract.environment import Secret
from onlyoffice_sandbox import Settings, Subprocess

TOKEN = "drill-token"
MAILBOX = "Drill <drill@example.test>"


@dataclass
class LoadResult:
    name: str
    sends: int
    concurrency: int
    seconds: float = 0.0
    accepted: set[int] = field(default_factory=set)
    unanswered: set[int] = field(default_factory=set)
    unanswered_why: Counter[str] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)
    delivered: Counter[int] = field(default_factory=Counter)
    message_ids: dict[int, set[str]] = field(
        default_factory=dict
    )  # per message number, every Message-ID seen
    events: list[str] = field(default_factory=list)
    poison_state: str = "not inserted"  # the state a message that cannot be composed ended in

    @property
    def lost(self) -> list[int]:
        return sorted(n for n in self.accepted if self.delivered[n] == 0)

    @property
    def duplicated(self) -> list[int]:
        return sorted(n for n, count in self.delivered.items() if count > 1)


class Sandbox:
    """The sandbox as a child process on a fixed port, so that a restart is reached at the same URL."""

    def __init__(self, folder: Path, smtp: str) -> None:
        self.port = free_port()
        self.settings = Settings(
            port=self.port,
            tokens=(Secret(TOKEN),),
            mailboxes=(MAILBOX,),
            smtp=smtp,
            db=folder / "outbox.sqlite3",
            mail_dir=folder / "mail",
            files_dir=folder / "files",
            retry_max_seconds=1,
        )
        self.process: Subprocess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = Subprocess(self.settings).__enter__()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.__exit__(None, None, None)


async def _send_all(result: LoadResult, url: str, progress: Callable[[int], Awaitable[None]]) -> None:
    numbers = iter(range(result.sends))
    done = 0
    limits = httpx.Limits(max_connections=result.concurrency, max_keepalive_connections=result.concurrency)
    async with AuthenticatedClient(base_url=url, token=TOKEN, httpx_args={"limits": limits}) as client:

        async def worker() -> None:
            nonlocal done
            for n in numbers:
                body = SendMessageRequest(
                    from_="drill@example.test", to=[f"r{n % 97}@example.org"], subject=f"drill-{n}"
                )
                while True:
                    try:
                        await send_message.asyncio_or_raise(client=client, body=body)
                        result.accepted.add(n)
                    except errors.TransportError as exc:
                        if not exc.may_have_been_sent:
                            await asyncio.sleep(0.05)  # never reached the server: safe to try again
                            continue
                        result.unanswered.add(n)  # may have been stored: never sent twice
                        result.unanswered_why[type(exc.__cause__ or exc).__name__] += 1
                    except errors.ClientError as exc:  # a typed refusal (ApiError, UnexpectedStatus ...)
                        result.refused[getattr(exc, "status_code", 0)] += 1
                    break
                done += 1
                await progress(done)

        await asyncio.gather(*(worker() for _ in range(result.concurrency)))


def _subjects(sink: SmtpSink, ids: dict[int, set[str]] | None = None) -> Counter[int]:
    found: Counter[int] = Counter()
    for delivered in list(sink.delivered):
        subject = str(delivered.message["Subject"])
        if subject.startswith("drill-"):
            n = int(subject.removeprefix("drill-"))
            found[n] += 1
            if ids is not None:
                ids.setdefault(n, set()).add(str(delivered.message["Message-ID"]))
    return found


async def _wait_for_delivery(result: LoadResult, sink: SmtpSink, seconds: float) -> None:
    # Parsing every delivered message twice a second starved the sink, which shares this process's
    # interpreter, and slowed delivery to a crawl: the messages are parsed only once enough arrived.
    deadline = time.monotonic() + seconds
    parsed_at = -1
    while time.monotonic() < deadline:
        count = len(sink.delivered)
        if count != parsed_at and count >= len(result.accepted):
            parsed_at = count
            result.delivered = _subjects(sink)
            if not result.lost:
                break
        await asyncio.sleep(0.5)
    result.delivered = _subjects(sink, result.message_ids)


POISON_MESSAGE_ID = "<poison@drill.invalid>"


def _insert_poison(db: Path) -> None:
    """A queued row that cannot be composed (its From is not a mailbox), as a validation gap would
    leave one: delivery must record it failed and go on with the rest."""
    with sqlite3.connect(db, timeout=60) as conn:
        conn.execute(
            "INSERT INTO messages (folder, fields, state, message_id, date, sender, author, recipients,"
            " attachments, next_attempt, updated) VALUES ('sent', '{}', 'queued', ?, 'now',"
            " 'drill@example.test', 'not a mailbox', '[\"poison@example.org\"]', '[]', 0, 0)",
            (POISON_MESSAGE_ID,),
        )


def _poison_state(db: Path) -> str:
    with sqlite3.connect(db, timeout=60) as conn:
        row = conn.execute("SELECT state FROM messages WHERE message_id = ?", (POISON_MESSAGE_ID,)).fetchone()
    return "not found" if row is None else str(row[0])


def run(name: str, sends: int, concurrency: int, fault: str, say: Callable[[str], None]) -> LoadResult:
    """One load drill. fault: "relay-outage" (the SMTP relay down for 30 s mid-run)
    or "kill" (kill -9 of the sandbox and a restart mid-run)."""
    result = LoadResult(name, sends, concurrency)
    sink = SmtpSink().up()
    with tempfile.TemporaryDirectory(prefix="drill-") as folder:
        sandbox = Sandbox(Path(folder), sink.address)
        sandbox.start()
        started = time.monotonic()

        def note(event: str) -> None:
            result.events.append(f"{time.monotonic() - started:6.1f} s  {event}")
            say(f"  {event}")

        async def restore_relay() -> None:
            await asyncio.sleep(30)
            sink.up()
            note("SMTP relay back up")

        async def main() -> None:
            restore: asyncio.Task[None] | None = None

            async def progress(done: int) -> None:
                nonlocal restore
                if done % 1000 == 0:  # a count only: parsing every message here would stall the clients
                    say(f"  {done}/{sends} sent, {len(sink.delivered)} delivered")
                if done == sends // 4:
                    await asyncio.to_thread(_insert_poison, sandbox.settings.db)
                    note("a message that cannot be composed put in the outbox")
                if done == sends // 3 and fault == "relay-outage":
                    sink.down()
                    note("SMTP relay down for 30 s")
                    restore = asyncio.create_task(restore_relay())
                if done == sends // 2 and fault == "kill":
                    sandbox.kill()
                    note("sandbox killed (SIGKILL)")
                    await asyncio.to_thread(sandbox.start)
                    note("sandbox restarted on the same outbox")

            await _send_all(result, sandbox.url, progress)
            result.seconds = time.monotonic() - started
            note(f"all {sends} sends answered or given up")
            if restore is not None:
                await restore
            await _wait_for_delivery(result, sink, 180)
            note(f"{sum(result.delivered.values())} deliveries counted")
            result.poison_state = await asyncio.to_thread(_poison_state, sandbox.settings.db)
            note(f"the message that cannot be composed: {result.poison_state}")

        try:
            asyncio.run(main())
        finally:
            sandbox.stop()
            sink.down()
    return result
