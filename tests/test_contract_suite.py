"""The contract suite itself: safe against a live server, honest about what it showed, reproducible."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from contract_tests.safety import RECIPIENT_FIELDS
from contract_tests.strategies import mailboxes
from harness.asgi import SEND_PATHS, Seen, recording
from harness.faults import FAULTS, strict_settings
from harness.sandboxes import TOKEN, running
from harness.suite import DOMAIN, run_suite
from onlyoffice_contract.mailbox import parse_mailbox

SENDS = re.compile(r"contract suite: (\d+) requests to the send call")


def sends_of(output: str) -> int:
    found = SENDS.search(output)
    assert found, output[-2000:]
    return int(found[1])


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    return []


def send_calls(seen: list[Seen]) -> list[Seen]:
    return [s for s in seen if s.method == "PUT" and s.path in SEND_PATHS]


def test_every_recipient_of_a_full_run_is_in_the_recipient_domain(tmp_path: Path) -> None:
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="150")
    assert run.returncode == 0, run.output[-3000:]
    sends = send_calls(seen)
    assert len(sends) == sends_of(run.output)  # the suite's count is every request, probes included
    assert any(s.method not in {"PUT"} for s in seen)  # the coverage phase ran (other methods) and was seen
    recipients = []
    for request in sends:
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            continue  # not JSON: names no recipient the server could read
        if isinstance(body, dict):
            recipients += [s for field in RECIPIENT_FIELDS for s in strings_in(body.get(field))]
    with_at = [r for r in recipients if "@" in r]
    assert len(with_at) > 100  # a real sample, display names and malformed ones among them
    assert any("<" in r for r in with_at)
    for recipient in with_at:
        # Every "@" is followed by the domain, then the end of that address.
        for after in recipient.split("@")[1:]:
            assert re.match(re.escape(DOMAIN) + r"(?:$|[>,;])", after), recipient


def test_max_sends_stops_the_run(tmp_path: Path) -> None:
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_SENDS="40")
    assert run.returncode == 1
    assert "usage: MAX_SENDS=40 requests were sent" in run.output
    assert len(send_calls(seen)) == 40


def test_the_key_is_never_printed(tmp_path: Path) -> None:
    crash = next(f for f in FAULTS if f.caught_by == "Server error")
    with running(strict_settings(tmp_path), crash.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="30")
    assert run.returncode == 1
    assert "Reproduce with" in run.output
    assert "Authorization: [Filtered]" in run.output
    assert "<failure" in run.junit
    assert "Server error" in run.junit
    assert TOKEN not in run.output
    assert TOKEN not in run.junit


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"API_KEY": "not-the-key"}, "usage: the server refused API_KEY"),
        (
            {"FROM": "stranger@example.test"},
            "usage: FROM='stranger@example.test' is not a mailbox of API_KEY's user",
        ),
    ],
    ids=["wrong key", "wrong FROM"],
)
def test_a_wrong_key_or_from_stops_the_run_at_once(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    """A usage error (4) that says which setting is wrong, after at most 3 requests, not hundreds."""
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="20", **variables)
    assert run.returncode == 4, run.output[-3000:]
    assert message in run.output
    assert 1 <= len(send_calls(seen)) <= 3


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"BASE_URL": "http://127.0.0.1:9", "API_KEY": ""}, "BASE_URL is set, so API_KEY must be set too"),
        ({"BASE_URL": "http://127.0.0.1:9", "FROM": ""}, "BASE_URL is set, so FROM must be set too"),
        ({"BASE_URL": "127.0.0.1:9"}, "BASE_URL must start with http:// or https://"),
        ({"MAX_EXAMPLES": "many"}, "MAX_EXAMPLES must be a whole number"),
        ({"MAX_SENDS": "0"}, "MAX_SENDS must be at least 1"),
        ({"RECIPIENT_DOMAIN": "user@example.com"}, "RECIPIENT_DOMAIN must be a domain name"),
        ({"PROFILE": "lax"}, "PROFILE must be one of strict, onlyoffice"),
    ],
)
def test_usage_errors_say_what_to_set(tmp_path: Path, variables: dict[str, str], message: str) -> None:
    run = run_suite(tmp_path, **variables)
    assert run.returncode == 4
    assert f"usage: {message}" in run.output


def test_the_same_seed_gives_the_same_cases(tmp_path: Path) -> None:
    def bodies(seed: str, run_number: int) -> list[bytes]:
        """Against a fresh sandbox each time: a probe sends again the id a first send returned."""
        seen: list[Seen] = []
        folder = tmp_path / f"{seed}-{run_number}"
        with running(strict_settings(folder), recording(seen)) as url:
            run = run_suite(folder / "report", BASE_URL=url, SEED=seed, MAX_EXAMPLES="25")
        assert run.returncode == 0, run.output[-3000:]
        return [s.body for s in send_calls(seen)]

    first = bodies("5", 1)
    assert bodies("5", 2) == first
    assert bodies("6", 1) != first


def test_with_no_target_it_runs_against_the_embedded_sandbox(tmp_path: Path) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", SEED="8")
    assert run.returncode == 0, run.output[-3000:]
    assert "target the embedded sandbox" in run.output
    assert (tmp_path / "contract-junit.xml").is_file()


@pytest.mark.parametrize("seed", ["101", "202", "303", "404", "505"])
def test_no_false_alarms_over_a_thousand_cases(tmp_path: Path, seed: str) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", SEED=seed, MAX_EXAMPLES="1000", MAX_SENDS="5000")
    assert run.returncode == 0, run.output[-5000:]
    assert sends_of(run.output) >= 1000
    assert "profile strict" in run.output


@pytest.mark.parametrize("seed", ["111", "222", "333", "444", "555"])
def test_no_false_alarms_under_the_onlyoffice_profile(tmp_path: Path, seed: str) -> None:
    """The embedded target binds as the real server does; PROFILE=onlyoffice must not hold it against it."""
    run = run_suite(
        tmp_path, API_KEY="", FROM="", SEED=seed, MAX_EXAMPLES="300", MAX_SENDS="5000", PROFILE="onlyoffice"
    )
    assert run.returncode == 0, run.output[-5000:]
    assert sends_of(run.output) >= 500
    assert "profile onlyoffice" in run.output


def test_the_makefile_passes_every_setting_through() -> None:
    from contract_tests.settings import VARIABLES

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    [listed] = re.findall(r"^CONTRACT_SETTINGS := (.*)$", makefile, re.M)
    assert sorted(listed.split()) == sorted(VARIABLES)


@settings(max_examples=500, database=None)
@given(mailboxes("example.invalid"))
def test_the_mailbox_strategy_draws_only_mailboxes_the_server_reads(text: str) -> None:
    address = parse_mailbox(text)
    assert address is not None, text
    assert address.domain == "example.invalid"
