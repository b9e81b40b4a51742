"""A polite run (issue 24): RATE_LIMIT holds, a throttling server is waited for, and one that throttles past
the budget gets no verdict (exit 75), never a false red. TIER=smoke stays under 100 sends."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests

from contract_tests import pacing, rules
from contract_tests.settings import load
from harness.asgi import Seen, recording
from harness.faulty_sandboxes import strict_settings
from harness.sandboxes import running
from harness.suite import coverage_rows, rule_verdict, run_suite
from harness.throttle import arrivals, throttling


def verdict_of(report_dir: Path) -> dict[str, object]:
    content: dict[str, object] = json.loads((report_dir / "verdict.json").read_text())
    return content


@pytest.mark.suite_run
def test_rate_limit_holds_against_the_server(tmp_path: Path) -> None:
    times: list[float] = []
    with running(strict_settings(tmp_path), arrivals(times)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, TIER="smoke", SEED="3", RATE_LIMIT="5")
    assert run.returncode == 0, run.output[-3000:]
    assert len(times) > 40
    rate = (len(times) - 1) / (times[-1] - times[0])
    print(f"measured: {len(times)} requests to the call at {rate:.3f} per second (RATE_LIMIT=5)")
    assert rate <= 5.0


@pytest.mark.suite_run
def test_a_server_that_throttles_every_fifth_send_gets_a_verdict(tmp_path: Path) -> None:
    with running(strict_settings(tmp_path), throttling(lambda n: n % 5 == 0)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, TIER="smoke", SEED="3")
    assert run.returncode == 0, run.output[-3000:]
    assert run.output.splitlines()[-1].startswith("CONFORMS: ")
    verdict = verdict_of(tmp_path / "report")
    assert verdict["verdict"] == "conforms"
    throttled = verdict["counts"]["throttled"]  # type: ignore[index]
    assert throttled >= 10
    assert f"{throttled} throttled answers waited on" in run.output
    # The 429s were waited on and sent again, never judged: no undeclared status in the report.
    assert not [what for kind, what in coverage_rows(tmp_path / "report") if "429" in what]


@pytest.mark.suite_run
def test_a_server_that_starts_throttling_for_good_mid_run_gets_no_verdict(tmp_path: Path) -> None:
    """Every send after the 30th refused 429: the run stops there, no verdict, the test it was in skipped."""
    with running(strict_settings(tmp_path), throttling(lambda n: n > 30)) as url:
        run = run_suite(
            tmp_path / "report",
            BASE_URL=url,
            TIER="smoke",
            SEED="3",
            THROTTLE_BUDGET="3",
            GITHUB_ACTIONS="true",
        )
    assert run.returncode == pacing.NO_VERDICT, run.output[-3000:]
    last = run.output.splitlines()[-1]
    assert last.startswith("NO VERDICT: the server throttled the run (429, Retry-After 1)"), last
    suite = ET.fromstring(run.junit).find("testsuite")  # noqa: S314 (the report the run just wrote)
    assert suite is not None
    assert (suite.attrib["failures"], suite.attrib["errors"]) == ("0", "0"), run.junit
    assert "NO VERDICT" in run.junit  # the test it stopped is skipped with the reason
    assert verdict_of(tmp_path / "report")["verdict"] == "no verdict"
    # Under GitHub Actions: a warning, not an error (nothing failed).
    assert "::warning title=contract%3A no verdict::NO VERDICT" in run.output
    assert "::error" not in run.output


@pytest.mark.suite_run
def test_smoke_tier_runs_every_probe_in_under_a_hundred_sends(tmp_path: Path) -> None:
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, TIER="smoke", SEED="3")
    assert run.returncode == 0, run.output[-3000:]
    sends = [s for s in seen if s.method == "PUT" and "/mail/messages/send" in s.path]
    print(f"measured: TIER=smoke sent {len(sends)} requests to the call")
    assert len(sends) < 100
    for rule in rules.rule_ids():  # every probe ran (those only the embedded sandbox has: said so)
        _, verdict = rule_verdict(tmp_path / "report", rule)
        assert verdict == "passed" or verdict.startswith("not run: "), (rule, verdict)


@pytest.mark.suite_run
def test_smoke_tier_against_the_embedded_sandbox_runs_every_probe(tmp_path: Path) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", TIER="smoke", SEED="4")
    assert run.returncode == 0, run.output[-3000:]
    assert int(verdict_of(tmp_path)["counts"]["requests"]) < 100  # type: ignore[index]
    for rule in rules.rule_ids():
        count, verdict = rule_verdict(tmp_path, rule)
        assert verdict == "passed", rule
        assert count >= 1, rule


# -- the parts, one at a time --------------------------------------------------


class Clock:
    """A clock that moves only when slept on: the pacer's arithmetic, without timing anything."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def answer(status: int, retry_after: str | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def test_the_pacer_spaces_sends_by_the_rate() -> None:
    clock = Clock()
    pacer = pacing.Pacer(5, 60, sleep=clock.sleep, clock=lambda: clock.now)
    starts = []
    for _ in range(11):
        pacer.before()
        starts.append(clock.now)
    assert (len(starts) - 1) / (starts[-1] - starts[0]) <= 5
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.2


@pytest.mark.parametrize(
    ("status", "header", "wait"),
    [
        (429, "3", 3.0),
        (429, None, 1.0),  # no time named: the back-off's first step
        (503, "2", 2.0),
        (503, None, None),  # a 503 that names no time is an answer (the portal's state), judged as such
        (200, "5", None),
        (400, None, None),
    ],
)
def test_which_answers_are_waited_on(status: int, header: str | None, wait: float | None) -> None:
    assert pacing.retry_after(answer(status, header), 0) == wait


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = pacing.retry_after(answer(429, when), 0)
    assert wait is not None
    assert 25 <= wait <= 30


def test_the_budget_and_the_retries_bound_the_waits() -> None:
    clock = Clock()
    pacer = pacing.Pacer(None, 10, sleep=clock.sleep, clock=lambda: clock.now)
    assert pacer.after(answer(429, "4"), 0, "PUT x")
    assert pacer.after(answer(429, "4"), 1, "PUT x")
    with pytest.raises(pacing.Throttled, match="past THROTTLE_BUDGET=10 s"):
        pacer.after(answer(429, "4"), 2, "PUT x")  # 12 s would be past 10
    assert clock.slept == [4, 4]
    assert pacer.exhausted is not None
    patient = pacing.Pacer(None, 1000, sleep=clock.sleep, clock=lambda: clock.now)
    for attempt in range(pacing.RETRIES):
        assert patient.after(answer(429), attempt, "PUT x")
    with pytest.raises(pacing.Throttled, match=f"after {pacing.RETRIES} waits"):
        patient.after(answer(429), pacing.RETRIES, "PUT x")


@pytest.mark.parametrize(
    ("environ", "rate"),
    [
        ({}, None),  # the embedded sandbox
        ({"BASE_URL": "http://127.0.0.1:8080"}, None),
        ({"BASE_URL": "http://localhost:8080"}, None),
        ({"BASE_URL": "https://portal.example.com"}, 5.0),
        ({"BASE_URL": "https://portal.example.com", "RATE_LIMIT": "0"}, None),
        ({"BASE_URL": "http://127.0.0.1:8080", "RATE_LIMIT": "2.5"}, 2.5),
    ],
)
def test_the_default_rate_is_polite_to_a_live_target_only(
    environ: dict[str, str], rate: float | None
) -> None:
    given = {"API_KEY": "k-123456", "FROM": "me@example.com", **environ}
    assert load(given).sends_per_second == rate


@pytest.mark.parametrize(
    ("tier", "max_examples", "max_sends"),
    [("smoke", 30, 150), ("standard", 150, 2000), ("deep", 1000, 6000)],
)
def test_tiers_set_defaults_that_a_setting_overrides(tier: str, max_examples: int, max_sends: int) -> None:
    settings = load({"TIER": tier})
    assert (settings.max_examples, settings.max_sends) == (max_examples, max_sends)
    assert load({"TIER": tier, "MAX_EXAMPLES": "7"}).max_examples == 7
