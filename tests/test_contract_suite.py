"""The contract suite itself: safe against a live server, honest about what it showed, reproducible."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from contract_tests import rules
from contract_tests.mail import MARKER
from contract_tests.plugin import COVERAGE_FILE, COVERAGE_JSON
from contract_tests.safety import RECIPIENT_FIELDS
from contract_tests.strategies import mailboxes
from harness.asgi import SEND_PATHS, Seen, recording
from harness.faulty_sandboxes import FAULTS, strict_settings
from harness.sandboxes import TOKEN, running
from harness.suite import DOMAIN, coverage_report, coverage_rows, failed_ids, rule_verdict, run_suite
from onlyoffice_contract import binder, spec
from onlyoffice_contract.facts import CheckId, RuleId
from onlyoffice_contract.leniency import LeniencyKind
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


@pytest.mark.suite_run
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


@pytest.mark.suite_run
def test_max_sends_stops_the_run(tmp_path: Path) -> None:
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_SENDS="40")
    assert run.returncode == 1
    assert "usage: MAX_SENDS=40 requests were sent" in run.output
    assert len(send_calls(seen)) == 40
    assert run.output.splitlines()[-1].startswith("NO VERDICT (MAX_SENDS=40 reached")


@pytest.mark.suite_run
def test_a_file_of_the_account_is_attached_when_attachment_file_id_is_set(tmp_path: Path) -> None:
    settings = strict_settings(tmp_path)
    settings.files_dir.mkdir(parents=True)
    (settings.files_dir / "777").write_bytes(b"a file of the account")
    seen: list[Seen] = []
    with running(settings, recording(seen)) as url:
        run = run_suite(
            tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="5", ATTACHMENT_FILE_ID="777"
        )
    assert run.returncode == 0, run.output[-3000:]
    assert rule_verdict(tmp_path / "report", RuleId.FILE_OF_THE_ACCOUNT) == (1, "passed")
    bodies = [json.loads(s.body) for s in send_calls(seen) if b'"fileId": 777' in s.body]
    assert len(bodies) == 1


@pytest.mark.suite_run
def test_the_key_is_never_printed(tmp_path: Path) -> None:
    crash = next(f for f in FAULTS if f.caught_by is CheckId.NOT_A_SERVER_ERROR)
    with running(strict_settings(tmp_path), crash.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="30")
    assert run.returncode == 1
    assert "Reproduce with" in run.output
    assert "Authorization: [Filtered]" in run.output
    assert "<failure" in run.junit
    assert "Server error" in run.junit
    coverage = (tmp_path / "report" / COVERAGE_FILE).read_text()
    assert "Authorization: [Filtered]" in coverage  # the failures' curl lines
    found = (tmp_path / "report" / COVERAGE_JSON).read_text()
    assert "Authorization: [Filtered]" in found  # the JSON it is rendered from, too
    for text in (run.output, run.junit, coverage, found):
        assert TOKEN not in text


@pytest.mark.suite_run
def test_a_password_in_base_url_is_never_printed(tmp_path: Path) -> None:
    """A BASE_URL may carry credentials for a proxy in front of staging (https://user:password@host)."""
    password = "pw-4f9e1c7b-proxy"
    with running(strict_settings(tmp_path)) as url:
        base = url.replace("http://", f"http://ci:{password}@")
        run = run_suite(tmp_path / "report", BASE_URL=base, SEED="21", MAX_EXAMPLES="5")
    assert run.returncode in (0, 1, 4), run.output[-3000:]
    assert "ci:[Filtered]@" in run.output  # the target is named, its password masked
    texts = [run.output, run.junit]
    for written in (COVERAGE_FILE, COVERAGE_JSON):
        if (tmp_path / "report" / written).exists():
            texts.append((tmp_path / "report" / written).read_text())
    for text in texts:
        assert password not in text


def junit(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (the report pytest just wrote, not untrusted input)


def junit_cases(text: str) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in junit(text).iter("testcase")}


@pytest.mark.suite_run
def test_a_failing_run_names_each_failure_in_a_line_a_junit_case_and_the_report(tmp_path: Path) -> None:
    """Against a live server (BASE_URL): the failures listed before the tracebacks, each failed check of
    the fuzzing run its own JUnit case, the rule failed in the report, and the draft probes not run."""
    crash = next(f for f in FAULTS if f.caught_by is CheckId.NOT_A_SERVER_ERROR)
    with running(strict_settings(tmp_path), crash.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, SEED="21", MAX_EXAMPLES="30")
    assert run.returncode == 1
    lines = run.output.splitlines()
    assert re.fullmatch(
        r"DOES NOT CONFORM: \d+ requests, \d+ accepted, [1-9]\d* failures, 0 known deviations", lines[-1]
    ), lines[-1]
    listed = [line for line in lines if line.startswith("FAILED rule: only cc: PUT ")]
    assert listed
    assert "reproduce: curl -X PUT" in listed[0]
    assert lines.index(listed[0]) < lines.index(next(line for line in lines if " FAILURES " in line))
    assert any(line.startswith("FAILED Server error (") for line in lines)
    cases = junit_cases(run.junit)
    for check in ("Server error", "Undocumented status code"):  # one case per check of the fuzzing run
        assert cases[check].find("failure") is not None, check
    for draft in rules.DRAFT_PROBES:  # skipped with the reason, never passed: the probe and its mail's check
        named = [c for name, c in cases.items() if draft.rule in name]
        assert named, draft.rule
        for case in named:
            skipped = case.find("skipped")
            assert skipped is not None
            assert "only against the embedded sandbox" in skipped.attrib["message"]
    rows = coverage_rows(tmp_path / "report")
    report = tmp_path / "report"
    assert rule_verdict(report, RuleId.ONLY_CC) == (1, "failed")
    assert rule_verdict(report, RuleId.IMPORTANCE) == (1, "passed")
    assert rows[("status", "500 (not declared)")][1] == "failed"
    assert {RuleId.ONLY_CC.value, CheckId.NOT_A_SERVER_ERROR.value} <= failed_ids(report)
    for draft in rules.DRAFT_PROBES:
        count, verdict = rule_verdict(report, draft.rule_id)
        assert count == 0
        assert verdict.startswith("not run: only against the embedded sandbox")
    assert rule_verdict(report, RuleId.FILE_OF_THE_ACCOUNT)[1].startswith("not run: ATTACHMENT_FILE_ID")


@pytest.mark.suite_run
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
    last = run.output.splitlines()[-1]
    assert last.startswith(f"usage: {message.removeprefix('usage: ')}")
    assert run.output.count(last) == 1  # once: pytest's exit banner repeated it before
    assert 'name="preflight"' in run.junit
    assert 1 <= len(send_calls(seen)) <= 3


@pytest.mark.suite_run
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


@pytest.mark.suite_run
def test_the_same_seed_gives_the_same_cases(tmp_path: Path) -> None:
    def bodies(seed: str, run_number: int) -> list[bytes]:
        """Against a fresh sandbox each time: a probe sends again the id a first send returned."""
        seen: list[Seen] = []
        folder = tmp_path / f"{seed}-{run_number}"
        with running(strict_settings(folder), recording(seen)) as url:
            run = run_suite(folder / "report", BASE_URL=url, SEED=seed, MAX_EXAMPLES="25")
        assert run.returncode == 0, run.output[-3000:]
        # Each run's delivery token is its own (a shared catch-all holds earlier runs' mail): the
        # rest of every body is the seed's.
        marker = re.compile(MARKER.pattern.encode())
        # In any order: against a BASE_URL, WORKERS sends the generated cases four at a time
        # (test_contract_workers.py shows the order of the probes after them is kept).
        return sorted(marker.sub(b"+cs-<run>@", s.body) for s in send_calls(seen))

    first = bodies("5", 1)
    assert bodies("5", 2) == first
    assert bodies("6", 1) != first


@pytest.mark.suite_run
def test_with_no_target_it_runs_against_the_embedded_sandbox(tmp_path: Path) -> None:
    """The default run: every rule exercised and passed, every status the sandbox can produce seen,
    the others said to be out of reach, and the verdict last."""
    run = run_suite(tmp_path, API_KEY="", FROM="", SEED="8")
    assert run.returncode == 0, run.output[-3000:]
    assert "target the embedded sandbox" in run.output
    lines = run.output.splitlines()
    assert re.fullmatch(
        r"CONFORMS: \d+ requests, [1-9]\d* accepted, 0 failures, 0 known deviations", lines[-1]
    )
    assert [
        line
        for line in lines
        if re.fullmatch(r"progress: \d+ requests sent, \d+ accepted, 0 failures so far", line)
    ]
    rows = coverage_rows(tmp_path)
    for rule in rules.rule_ids():
        count, verdict = rule_verdict(tmp_path, rule)
        assert count >= 1, rule
        assert verdict == "passed", rule
    # Every one, 402 and 503 too: the portal-state probes put the embedded sandbox's portal in them.
    for status in spec.declared_statuses():
        count, verdict = rows[("status", str(status))]
        assert count >= 1, status
        assert verdict == "passed", status
    assert not [key for key in rows if key[0] == "leniency"]  # strict: no leniency
    properties = {p.attrib["name"]: p.attrib["value"] for p in junit(run.junit).iter("property")}
    assert properties["seed"] == "8"
    assert properties["target"] == "the embedded sandbox"
    assert properties["profile"] == "strict"
    assert int(properties["requests"]) == sends_of(run.output)
    assert properties["failures"] == "0"
    # One JUnit case per probe, each naming its rule in a property.
    named = [
        p.attrib["value"]
        for case in junit(run.junit).iter("testcase")
        for p in case.iter("property")
        if p.attrib["name"] == "rule"
    ]
    assert sorted(named) == sorted(rules.rule_names())


@pytest.mark.suite_run
@pytest.mark.parametrize("seed", ["101", "202", "303", "404", "505"])
def test_no_false_alarms_over_a_thousand_cases(tmp_path: Path, seed: str) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", SEED=seed, MAX_EXAMPLES="1000", MAX_SENDS="5000")
    assert run.returncode == 0, run.output[-5000:]
    assert sends_of(run.output) >= 1000
    assert "profile strict" in run.output


@pytest.mark.suite_run
@pytest.mark.parametrize("seed", ["111", "222", "333", "444", "555"])
def test_no_false_alarms_under_the_onlyoffice_profile(tmp_path: Path, seed: str) -> None:
    """The embedded target binds as the real server does; PROFILE=onlyoffice must not hold it against it."""
    run = run_suite(
        tmp_path, API_KEY="", FROM="", SEED=seed, MAX_EXAMPLES="300", MAX_SENDS="5000", PROFILE="onlyoffice"
    )
    assert run.returncode == 0, run.output[-5000:]
    assert sends_of(run.output) >= 500
    assert "profile onlyoffice" in run.output
    leniencies = coverage_report(tmp_path)["leniencies"]
    assert len(leniencies) >= 3
    assert {e["id"] for e in leniencies} <= {kind.value for kind in LeniencyKind}
    assert all(e["requests"] >= 1 and e["verdict"] == "passed" for e in leniencies)
    assert all(set(e["fields"]) <= set(spec.request_properties()) for e in leniencies)


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


def test_only_the_statuses_of_filters_before_the_call_are_out_of_reach() -> None:
    assert [s for s in spec.declared_statuses() if rules.from_a_filter(s)] == [402, 503]


@pytest.mark.parametrize(
    ("body", "kind", "field"),
    [
        ({"importance": "true"}, LeniencyKind.CONVERTED, "importance"),
        ({"attachments": [{"fileId": "12"}, {"fileId": 13}]}, LeniencyKind.CONVERTED, "attachments"),
        ({"FROM": "a@example.invalid"}, LeniencyKind.NAME_CASE, "from"),
        ({"to": "a@example.invalid"}, LeniencyKind.LONE_VALUE, "to"),
        ({"to": None}, LeniencyKind.NULL_AS_LIST, "to"),
        ({"subject": ["a", "b"]}, LeniencyKind.FIRST_OF_A_LIST, "subject"),
    ],
)
def test_a_leniency_is_reported_by_its_kind_and_field_not_its_sentence(
    body: dict[str, Any], kind: LeniencyKind, field: str
) -> None:
    """The binder's records carry the kind and the field; the coverage report groups on them."""
    found = {(item.kind, item.field) for item in binder.bind_json(body).leniencies}
    assert (kind, field) in found, found
