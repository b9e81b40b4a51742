"""WORKERS (issue 31): generated cases in flight at once, within the run's rules.

Each rule is shown against a sandbox that counts the sends in flight and records their order:
MAX_SENDS, RATE_LIMIT and recipient confinement hold with WORKERS=4; the same seed gives the same
cases and the same verdict with WORKERS=1 and 4; the probes that follow the generated cases
(some send, then send the returned id again) see the same order.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests.in_flight import InFlight
from contract_tests.mail import MARKER
from contract_tests.safety import RECIPIENT_FIELDS
from contract_tests.settings import load
from harness.asgi import SEND_PATHS, Seen, Wrap, recording
from harness.faulty_sandboxes import strict_settings
from harness.sandboxes import running
from harness.suite import DOMAIN, coverage_report, run_suite
from harness.throttle import arrivals

# -- the executor itself, no server -------------------------------------------------------------


def test_results_are_taken_in_the_order_submitted_whichever_answers_first() -> None:
    released = [threading.Event() for _ in range(6)]
    sessions: set[int] = set()
    taken: list[int] = []

    def send(item: int, session: requests.Session) -> int:
        sessions.add(id(session))
        released[item].wait()
        return item * 10

    in_flight: InFlight[int, int] = InFlight(3, send, lambda item, result: taken.append(result))
    for item in range(6):
        in_flight.submit(item)
    for event in reversed(released):  # the last submitted answers first
        event.set()
    in_flight.drain()
    assert taken == [0, 10, 20, 30, 40, 50]
    assert 1 <= len(sessions) <= 3  # a session per worker thread, never shared between two


def test_an_error_stops_the_sending_and_is_raised_when_drained() -> None:
    sent: list[int] = []

    def send(item: int, session: requests.Session) -> int:
        sent.append(item)
        if item == 0:
            raise ConnectionError("no answer")
        return item

    taken: list[int] = []
    in_flight: InFlight[int, int] = InFlight(1, send, lambda item, result: taken.append(item))
    for item in range(6):  # the fourth waits for the first (two ahead per worker): the error is seen
        in_flight.submit(item)
    with pytest.raises(ConnectionError, match="no answer"):
        in_flight.drain()
    assert not {3, 4, 5} & set(sent)  # submitted after the error was known: never sent
    assert taken == []  # what was answered after the error teaches the run nothing


def test_workers_unset_is_one_against_the_embedded_sandbox_and_four_against_a_base_url() -> None:
    assert load({}).requests_in_flight == 1
    remote = {"BASE_URL": "https://staging.example.invalid", "API_KEY": "k", "FROM": "a@example.invalid"}
    assert load(remote).requests_in_flight == 4
    assert load({**remote, "WORKERS": "2"}).requests_in_flight == 2


# -- the suite against a sandbox that counts what is in flight ----------------------------------


@dataclass
class InFlightCount:
    now: int = 0
    peak: int = 0


def counting(count: InFlightCount) -> Wrap:
    """Counts the sends in flight; each is held a moment first, so that sends overlap when they may."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] not in SEND_PATHS:
                await app(scope, receive, send)
                return
            count.now += 1
            count.peak = max(count.peak, count.now)
            try:
                await asyncio.sleep(0.005)
                await app(scope, receive, send)
            finally:
                count.now -= 1

        return counted

    return wrap


def both(*wraps: Wrap) -> Wrap:
    def wrap(app: ASGIApp) -> ASGIApp:
        for each in reversed(wraps):
            app = each(app)
        return app

    return wrap


@dataclass
class Run:
    bodies: list[bytes]  # every send's body, in the order it arrived, the run's own token masked
    peak: int
    last_line: str
    report: dict[str, Any]
    seen: list[Seen] = field(default_factory=list)


def run_with(folder: Path, workers: str, mail: bool = False, **settings: str) -> Run:
    """A run against a fresh sandbox; `mail`: with its delivered-mail checks, read from the sandbox."""
    seen: list[Seen] = []
    count = InFlightCount()
    with running(strict_settings(folder), both(recording(seen), counting(count))) as url:
        sink = {"MAIL_SINK": f"sandbox:{url}"} if mail else {}
        run = run_suite(folder / "report", BASE_URL=url, WORKERS=workers, **sink, **settings)
    marker = re.compile(MARKER.pattern.encode())
    sends = [s for s in seen if s.method == "PUT" and s.path in SEND_PATHS]
    bodies = [marker.sub(b"+cs-<run>@", s.body) for s in sends]
    report = coverage_report(folder / "report") if (folder / "report").exists() else {}
    return Run(bodies, count.peak, run.output.splitlines()[-1], report, seen)


@pytest.fixture(scope="module")
def one_and_four(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    """The same seed and settings, one case at a time and four in flight (the coverage phase included)."""
    folder = tmp_path_factory.mktemp("workers")
    return (
        run_with(folder / "one", "1", mail=True, SEED="31", MAX_EXAMPLES="20"),
        run_with(folder / "four", "4", mail=True, SEED="31", MAX_EXAMPLES="20"),
    )


@pytest.mark.suite_run
def test_four_workers_send_the_same_cases_and_get_the_same_verdict(one_and_four: tuple[Run, Run]) -> None:
    one, four = one_and_four
    assert one.last_line.startswith("CONFORMS: "), one.last_line
    assert four.last_line == one.last_line  # the same requests, accepted, failures, deviations
    assert Counter(four.bodies) == Counter(one.bodies)
    assert four.report["counts"] == one.report["counts"]
    assert four.report["statuses"] == one.report["statuses"]
    # The mail of the same sample of accepted sends checked: chosen by SEED, whatever the answers' order.
    assert one.report["delivered_mail"]
    assert four.report["delivered_mail"] == one.report["delivered_mail"]
    # They were in flight at once (the counting sandbox holds each a moment), never more than four.
    assert one.peak == 1
    assert 2 <= four.peak <= 4


@pytest.mark.suite_run
def test_the_probes_after_the_generated_cases_keep_their_order(one_and_four: tuple[Run, Run]) -> None:
    """Every generated case has answered before the first probe: the probes' sends (some send, then
    send the returned id again) arrive in the same order as one case at a time."""
    one, four = one_and_four
    assert one.bodies != four.bodies  # the generated cases did arrive in another order
    same_tail = 0
    while same_tail < len(one.bodies) and one.bodies[-1 - same_tail] == four.bodies[-1 - same_tail]:
        same_tail += 1
    probe_sends = sum(rule["requests"] for rule in one.report["rules"])
    assert probe_sends > 20
    assert same_tail >= probe_sends


@pytest.mark.suite_run
def test_four_workers_keep_every_recipient_in_the_recipient_domain(one_and_four: tuple[Run, Run]) -> None:
    _, four = one_and_four
    recipients: list[str] = []
    for body in four.bodies:
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            recipients += [s for name in RECIPIENT_FIELDS for s in _strings(value.get(name))]
    with_at = [r for r in recipients if "@" in r]
    assert len(with_at) > 50
    for recipient in with_at:
        for after in recipient.split("@")[1:]:
            assert re.match(re.escape(DOMAIN) + r"(?:$|[>,;])", after), recipient


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


@pytest.mark.suite_run
def test_max_sends_holds_with_four_workers(tmp_path: Path) -> None:
    run = run_with(tmp_path, "4", SEED="21", MAX_SENDS="40")
    assert len(run.bodies) == 40
    assert run.last_line.startswith("NO VERDICT (MAX_SENDS=40 reached"), run.last_line


@pytest.mark.suite_run
def test_rate_limit_holds_with_four_workers(tmp_path: Path) -> None:
    times: list[float] = []
    count = InFlightCount()
    with running(strict_settings(tmp_path), both(arrivals(times), counting(count))) as url:
        run = run_suite(
            tmp_path / "report", BASE_URL=url, TIER="smoke", SEED="3", RATE_LIMIT="20", WORKERS="4"
        )
    assert run.returncode == 0, run.output[-3000:]
    assert len(times) > 40
    rate = (len(times) - 1) / (times[-1] - times[0])
    print(f"measured: {len(times)} requests to the call at {rate:.3f} per second (RATE_LIMIT=20, WORKERS=4)")
    assert rate <= 20.0
