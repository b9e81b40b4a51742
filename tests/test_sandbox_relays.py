"""Hostile relays on loopback: each step of SMTP has a deadline and each reply a bound; what
happened is recorded per message in the relay's words; a transient failure is retried, never
failed for good; and once the relay behaves, the message arrives exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.hostile_relay import HostileRelay
from harness.sandboxes import outbox, running, send, settings_in, wait_until
from harness.smtp_sink import SmtpSink

# What the message's record says while the relay misbehaves: the relay's words, or what it broke.
SAID = {
    "421-greeting": "421 4.3.2 Too busy here, try again later",
    "drip-greeting": "greeting did not come whole in 1 s",
    "endless-ehlo": "reply to EHLO went on past 1000 lines",
    "long-line": "reply to EHLO has a line longer than 8192 bytes",
}


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    up = SmtpSink().up()
    yield up
    up.down()


def _record(url: str, send_id: int) -> dict[str, Any]:
    [record] = [r for r in outbox(url) if r["id"] == send_id]
    return record


@pytest.mark.parametrize("kind", list(SAID))
def test_a_hostile_relay_is_bounded_recorded_in_its_words_and_retried(
    kind: str, sink: SmtpSink, tmp_path: Path
) -> None:
    """A dripped greeting left the message queued with no attempt and no reason, and stalled
    delivery; an endless EHLO reply grew the delivery process to 2.9 GB; a 421 greeting was
    "unreachable"; one over-long reply line failed the message for good."""
    relay = HostileRelay(sink, kind, hostile_first=10_000).up()
    try:
        settings = settings_in(tmp_path, smtp=relay.address, smtp_step_seconds=1.0, retry_max_seconds=0.3)
        with running(settings) as url:
            response = send(url, {"from": "sandbox@example.test", "to": ["bob@example.org"], "subject": kind})
            send_id = response.json()["response"]

            def misbehaved_twice() -> bool:
                record = _record(url, send_id)
                return record["attempts"] >= 2 and SAID[kind] in (record["lastError"] or "")

            wait_until(misbehaved_twice, 60)
            record = _record(url, send_id)
            assert record["state"] == "queued", record  # retried, not failed for good
            assert sink.delivered == []
            relay.calm()
            wait_until(lambda: _record(url, send_id)["state"] == "sent", 60)
        assert [d.message["Subject"] for d in sink.delivered] == [kind]  # exactly once
        assert relay.hostile >= 2
    finally:
        relay.down()
