"""Relays that answer as real ones sometimes do: 452 past 100 recipients, a drop after DATA; and
hostile ones (harness/hostile_relay.py): a greeting dripped and never ended, a 421 greeting, an EHLO
reply that never ends, a reply line longer than any client takes, on every third connection.

Each drill sends through the sandbox into an SMTP sink (harness/smtp_sink.py) that records every
delivery, and counts per recipient what arrived: lost (accepted, never delivered to that recipient)
and duplicated (delivered twice). Sends go over plain HTTP: what is measured is delivery.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.hostile_relay import KINDS, HostileRelay
from harness.sandboxes import outbox, send
from harness.smtp_sink import SmtpSink
from onlyoffice_contract.environment import Secret
from onlyoffice_sandbox import InProcess, Settings

TOKEN = "drill-token"
MAILBOX = "drill@example.test"


@dataclass
class RelayResult:
    name: str
    messages: int
    recipients_each: int
    accepted: int = 0
    deliveries: int = 0  # SMTP transactions the relay accepted
    copies: Counter[tuple[str, str]] = field(default_factory=Counter)  # (subject, recipient): copies
    same_message_id: bool = True  # every copy of a message carried its Message-ID
    hostile_connections: int = 0  # connections on which a hostile relay misbehaved
    failed: int = 0  # messages the outbox recorded as failed for good

    @property
    def lost(self) -> int:
        wanted = {
            (f"relay-{n}", f"r{k}@example.org")
            for n in range(self.accepted)
            for k in range(self.recipients_each)
        }
        return len(wanted - set(self.copies))

    @property
    def duplicated(self) -> int:
        return sum(count - 1 for count in self.copies.values() if count > 1)


def run(
    name: str,
    sink: SmtpSink,
    messages: int,
    recipients_each: int,
    say: Callable[[str], None],
    relay: str | None = None,
) -> RelayResult:
    """Send through the sandbox to `relay` (host:port; the sink itself if None), count at the sink."""
    result = RelayResult(name, messages, recipients_each)
    recipients = [f"r{k}@example.org" for k in range(recipients_each)]
    with tempfile.TemporaryDirectory(prefix="drill-relay-") as folder:
        settings = Settings(
            port=0,
            tokens=(Secret(TOKEN),),
            mailboxes=(MAILBOX,),
            smtp=relay or sink.address,
            retry_max_seconds=0.5,
            smtp_step_seconds=1.0,  # a hostile relay's stall costs a second an attempt
            db=Path(folder) / "outbox.sqlite3",
            files_dir=Path(folder) / "files",
            mail_dir=Path(folder) / "mail",
        )
        headers = {"Authorization": TOKEN, "Content-Type": "application/json"}
        with InProcess(settings) as url:
            for n in range(messages):
                body = {"from": MAILBOX, "bcc": recipients, "subject": f"relay-{n}"}
                result.accepted += send(url, body, headers).status_code == 200
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                copies = sum(len(d.rcpt_tos) for d in list(sink.delivered))
                if copies >= result.accepted * recipients_each:
                    time.sleep(2)  # a late duplicate would still show
                    break
                time.sleep(0.2)
            result.failed = sum(1 for r in outbox(url) if r["state"] == "failed")
    ids: dict[str, set[str]] = {}
    for mail in sink.delivered:
        subject = str(mail.message["Subject"])
        ids.setdefault(subject, set()).add(str(mail.message["Message-ID"]))
        for recipient in mail.rcpt_tos:
            result.copies[(subject, recipient)] += 1
    result.deliveries = len(sink.delivered)
    result.same_message_id = all(len(found) == 1 for found in ids.values())
    say(
        f"  {name}: {result.accepted} accepted, {result.deliveries} deliveries, lost {result.lost},"
        f" duplicated {result.duplicated}"
    )
    return result


def deferring(say: Callable[[str], None]) -> RelayResult:
    """20 messages of 250 recipients each through a relay that takes 100 a transaction (452 after)."""
    sink = SmtpSink(max_recipients=100).up()
    try:
        return run("a relay that answers 452 past 100 recipients", sink, 20, 250, say)
    finally:
        sink.down()


def dropping(say: Callable[[str], None]) -> RelayResult:
    """200 messages through a relay that stores every 10th one and drops the connection before its 250."""
    sink = SmtpSink(drop_after_data_every=10).up()
    try:
        return run("a relay that drops the connection after DATA (every 10th message)", sink, 200, 1, say)
    finally:
        sink.down()


def hostile(say: Callable[[str], None]) -> list[RelayResult]:
    """50 messages of 2 recipients each through each hostile relay, misbehaving on every third
    connection (and the first two): retried until delivered, each exactly once, none failed."""
    results = []
    for kind in KINDS:
        sink = SmtpSink().up()
        relay = HostileRelay(sink, kind, hostile_first=2, hostile_every=3).up()
        try:
            result = run(f"hostile: {kind}", sink, 50, 2, say, relay=relay.address)
        finally:
            relay.down()
            sink.down()
        result.hostile_connections = relay.hostile
        results.append(result)
    return results
