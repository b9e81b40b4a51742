"""Delivery: outages and restarts only delay mail; every accepted message arrives exactly once."""

from __future__ import annotations

import concurrent.futures
import sqlite3
from collections import Counter
from pathlib import Path

from onlyoffice_send_client import AuthenticatedClient
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from onlyoffice_sandbox.server import Subprocess
from tests.sandbox_fixtures import TOKEN, env_of, outbox, running, send, settings_in, wait_until
from tests.smtp_sink import SmtpSink


def payload(n: int) -> dict[str, object]:
    return {"from": "sandbox@example.test", "to": [f"r{n}@example.org"], "subject": f"message {n}"}


def accept(url: str, numbers: range) -> list[int]:
    ids = []
    for n in numbers:
        response = send(url, payload(n))
        assert response.status_code == 200, response.text
        ids.append(response.json()["response"])
    return ids


def assert_exactly_once(sink: SmtpSink, expected_message_ids: list[str]) -> None:
    counts = Counter(sink.message_ids())
    assert sorted(counts) == sorted(expected_message_ids)
    assert set(counts.values()) == {1}, [m for m, c in counts.items() if c > 1]


def test_an_smtp_outage_only_delays_delivery(tmp_path: Path, sink: SmtpSink) -> None:
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        accept(url, range(10))
        wait_until(lambda: len(sink.delivered) == 10)
        sink.down()
        accept(url, range(10, 20))

        def retried_while_down() -> bool:
            queued = [m for m in outbox(url) if m["state"] == "queued"]
            return len(queued) == 10 and all(m["attempts"] >= 2 for m in queued)

        wait_until(retried_while_down)
        assert len(sink.delivered) == 10
        sink.up()
        wait_until(lambda: len(sink.delivered) == 20)
        states = outbox(url)
    assert {m["state"] for m in states} == {"sent"}
    assert_exactly_once(sink, [m["messageId"] for m in states])


def test_a_kill_and_restart_with_mail_queued(tmp_path: Path, sink: SmtpSink) -> None:
    settings = settings_in(tmp_path, smtp=sink.address)
    sink.down()  # mail is accepted and stays queued
    with Subprocess(env_of(settings)) as sandbox:
        ids = accept(sandbox.url, range(15))
        sandbox.kill()  # SIGKILL: no shutdown of any kind
    with sqlite3.connect(settings.db) as db:
        stored = dict(db.execute("SELECT id, message_id FROM messages WHERE state = 'queued'").fetchall())
    assert sorted(stored) == sorted(ids)  # everything answered 200 was on disk
    assert sink.delivered == []
    sink.up()
    with Subprocess(env_of(settings)) as sandbox:
        wait_until(lambda: len(sink.delivered) == 15)
        states = outbox(sandbox.url)
    assert {m["state"] for m in states} == {"sent"}
    # The same Message-IDs as before the kill: a message keeps its identity across restarts.
    assert_exactly_once(sink, list(stored.values()))


def test_a_permanent_refusal_is_recorded_and_not_retried(tmp_path: Path, sink: SmtpSink) -> None:
    sink.refuse.add("nobody@example.org")
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        refused = send(url, {**payload(0), "to": ["nobody@example.org"]}).json()["response"]
        wait_until(lambda: any(m["id"] == refused and m["state"] == "failed" for m in outbox(url)))
        accept(url, range(1, 4))  # the worker keeps going, and never comes back to the refused one
        wait_until(lambda: len(sink.delivered) == 3)
        [state] = [m for m in outbox(url) if m["id"] == refused]
    assert state["attempts"] == 1
    assert "550" in state["lastError"]
    assert all("nobody@example.org" not in d.rcpt_tos for d in sink.delivered)


def test_concurrent_sends_are_each_delivered_once(tmp_path: Path, sink: SmtpSink) -> None:
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        client = AuthenticatedClient(base_url=url, token=TOKEN)

        def one(n: int) -> int:
            body = SendMessageRequest(from_="sandbox@example.test", to=[f"r{n}@example.org"], subject=f"m{n}")
            return send_message.sync_or_raise(client=client, body=body).response

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(one, range(300)))
        assert len(set(ids)) == 300
        wait_until(lambda: len(sink.delivered) == 300, 60)
        states = outbox(url)
    assert_exactly_once(sink, [m["messageId"] for m in states])
    assert sorted(r for d in sink.delivered for r in d.rcpt_tos) == sorted(
        f"r{n}@example.org" for n in range(300)
    )
