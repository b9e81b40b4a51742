"""Results CI can show (issue 24): verdict.json, the GitHub step summary and annotations, replay files and
`onlyoffice-contract replay FILE`, against the embedded sandbox and a faulty variant; and the small
defects of the output, each shown on a run."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.asgi import Seen, recording
from harness.faulty_sandboxes import FAULTS, strict_settings
from harness.sandboxes import TOKEN, running
from harness.suite import DOMAIN, SuiteRun, run_suite
from onlyoffice_contract import spec
from onlyoffice_contract.facts import RuleId

pytestmark = pytest.mark.suite_run

CRASH = next(f for f in FAULTS if f.name == "a 500 on valid input (any cc)")
QUICK = {"SEED": "3", "MAX_EXAMPLES": "10"}
GITHUB = {"GITHUB_ACTIONS": "true"}
CRASHED = {"status": 1, "statusCode": 500, "error": {"message": "x", "hresult": 1, "data": {}}}


def verdict_of(report_dir: Path) -> dict[str, Any]:
    content: dict[str, Any] = json.loads((report_dir / "verdict.json").read_text())
    return content


def every_file(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def annotations_of(run: SuiteRun) -> list[str]:
    return [line for line in run.output.splitlines() if line.startswith("::error ")]


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> tuple[SuiteRun, Path, Path]:
    """One run against a faulty variant (a 500 for any cc), under GitHub Actions."""
    folder = tmp_path_factory.mktemp("failing")
    summary = folder / "summary.md"
    with running(strict_settings(folder), CRASH.wrap) as url:
        run = run_suite(
            folder / "report",
            BASE_URL=url,
            **GITHUB,
            GITHUB_STEP_SUMMARY=str(summary),
            **QUICK,
        )
    return run, folder / "report", summary


def test_verdict_json_of_a_failing_run(failing: tuple[SuiteRun, Path, Path]) -> None:
    run, report, _ = failing
    assert run.returncode == 1, run.output[-3000:]
    verdict = verdict_of(report)
    assert verdict["verdict"] == "does not conform"
    assert verdict["exit_status"] == 1
    assert verdict["line"] == run.output.splitlines()[-1]
    assert verdict["seed"] == 3
    # The suite's own list (pytest's short summary after it names test ids: contract_tests/...).
    listed = [line for line in run.output.splitlines() if re.match(r"FAILED (?!contract_tests/)", line)]
    assert verdict["counts"]["failures"] == len(verdict["failures"]) == len(listed) >= 2
    checks = {f["check"] for f in verdict["failures"]}
    assert {"Server error", "rule: only cc"} <= checks
    [only_cc] = [f for f in verdict["failures"] if f["check"] == "rule: only cc"]
    assert only_cc["rule"] == RuleId.ONLY_CC.sentence
    assert only_cc["id"] == RuleId.ONLY_CC.value
    assert only_cc["reproduce"].startswith("curl -X PUT")
    assert Path(only_cc["replay"]).is_file()
    assert TOKEN not in every_file(report)  # verdict.json, JUnit, coverage and replay files


def test_one_annotation_per_failure_and_a_step_summary(failing: tuple[SuiteRun, Path, Path]) -> None:
    run, report, summary = failing
    failures = verdict_of(report)["failures"]
    found = annotations_of(run)
    assert len(found) == len(failures)
    for failure in failures:
        title = "contract%3A " + failure["check"].replace(":", "%3A").replace(",", "%2C")
        assert any(line.startswith(f"::error title={title}::") for line in found), (title, found)
    assert run.output.splitlines()[-1].startswith("DOES NOT CONFORM: ")  # annotations come before it
    text = summary.read_text()
    assert text.startswith("## ONLYOFFICE send contract: DOES NOT CONFORM")
    for failure in failures:
        assert failure["check"] in text
    assert TOKEN not in text + run.output


def replay(file: Path, tmp_path: Path, **variables: str) -> SuiteRun:
    return run_suite(tmp_path, "replay", str(file), **variables)


def replay_file(report: Path, check: str) -> Path:
    [found] = [f["replay"] for f in verdict_of(report)["failures"] if f["check"] == check]
    return Path(found)


@pytest.mark.parametrize("check", ["rule: only cc", "Server error"])
def test_a_replay_reproduces_the_failure_on_the_faulty_server_and_not_on_the_sandbox(
    failing: tuple[SuiteRun, Path, Path], tmp_path: Path, check: str
) -> None:
    _, report, _ = failing
    file = replay_file(report, check)
    content = json.loads(file.read_text())
    assert "Authorization" not in json.dumps(content)
    with running(strict_settings(tmp_path / "faulty"), CRASH.wrap) as url:
        again = replay(file, tmp_path / "r1", BASE_URL=url)
    assert again.returncode == 1, again.output
    assert again.output.splitlines()[-1].startswith(f"REPRODUCED: {check}")
    # The embedded sandbox (no BASE_URL) conforms: the same request is answered as the contract says.
    fixed = replay(file, tmp_path / "r2", API_KEY="", FROM="")
    assert fixed.returncode == 0, fixed.output
    assert fixed.output.splitlines()[-1].startswith(f"NOT REPRODUCED: {check}")
    assert TOKEN not in again.output + fixed.output


def test_a_replay_confines_its_recipients_and_never_follows_the_file_elsewhere(
    failing: tuple[SuiteRun, Path, Path], tmp_path: Path
) -> None:
    """A replay file edited to reach real people: the request still goes to RECIPIENT_DOMAIN only."""
    _, report, _ = failing
    content = json.loads(replay_file(report, "rule: only cc").read_text())
    body = json.loads(content["body"])
    body.update(to=["someone@gmail.com"], cc=["Boss <boss@example.com>"], bcc=["x@corp.example"])
    content["body"] = json.dumps(body)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(content))
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        again = replay(edited, tmp_path / "r", BASE_URL=url, MAX_SENDS="1")
    assert again.returncode in (0, 1), again.output
    [sent] = [s for s in seen if s.method == "PUT" and spec.OPERATION_PATH in s.path]
    delivered_to = json.loads(sent.body)
    for field in ("to", "cc", "bcc"):
        for address in delivered_to[field]:
            assert re.search(rf"@{re.escape(DOMAIN)}>?$", address), address
    assert sent.headers["authorization"] == TOKEN  # from the environment, never from the file


def test_a_file_that_is_not_a_replay_is_a_usage_error(tmp_path: Path) -> None:
    file = tmp_path / "x.json"
    file.write_text('{"method": "DELETE", "path": "/"}')
    again = replay(file, tmp_path / "r", BASE_URL="http://127.0.0.1:9")
    assert again.returncode == 4
    assert "is not a replay file the suite wrote" in again.output


def test_a_conforming_run_against_the_embedded_sandbox(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    run = run_suite(
        tmp_path / "report",
        API_KEY="",
        FROM="",
        TIER="smoke",
        SEED="5",
        **GITHUB,
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert run.returncode == 0, run.output[-3000:]
    verdict = verdict_of(tmp_path / "report")
    assert (verdict["verdict"], verdict["failures"], verdict["target"]) == (
        "conforms",
        [],
        "the embedded sandbox",
    )
    assert verdict["tier"] == "smoke"
    assert verdict["counts"]["accepted"] > 0
    assert annotations_of(run) == []
    assert summary.read_text().startswith("## ONLYOFFICE send contract: CONFORMS")
    assert list((tmp_path / "report" / "replay").glob("*.json")) == []


# -- the small defects ----------------------------------------------------------


def test_progress_collected_count_and_junit_agree_on_a_failing_run(
    failing: tuple[SuiteRun, Path, Path],
) -> None:
    """Before: 98% at the end of a passing run, [103%] on a failing one, and 55 collected but 56 (or
    more) cases in JUnit, unexplained."""
    run, _, _ = failing
    percents = [int(p) for p in re.findall(r"\[\s*(\d+)%\]", run.output)]
    assert percents
    assert max(percents) == 100 == percents[-1]
    [collected] = re.findall(r"collected (\d+) items", run.output)
    suite = ET.fromstring(run.junit).find("testsuite")  # noqa: S314 (the report the run just wrote)
    assert suite is not None
    # The cases beyond those collected: one per check the fuzzing run failed, named by a property...
    extra = [
        c for c in suite.iter("testcase") if any(p.attrib["name"] == "check" for p in c.iter("property"))
    ]
    # ... and schemathesis' own case of the operation.
    operation = [c for c in suite.iter("testcase") if c.attrib["name"].startswith("test_conformance[")]
    assert extra
    assert len(operation) == 1
    total = int(suite.attrib["tests"])
    assert total == int(collected) + 1 + len(extra)
    assert (
        f"JUnit: {total} test cases: the {collected} collected, 1 for schemathesis' fuzzing run of the"
        f" operation, and one for each of the {len(extra)} checks it failed" in run.output
    )


def test_progress_ends_at_100_percent_on_a_passing_run(tmp_path: Path) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", TIER="smoke", SEED="6")
    assert run.returncode == 0, run.output[-3000:]
    percents = [int(p) for p in re.findall(r"\[\s*(\d+)%\]", run.output)]
    assert max(percents) == 100 == percents[-1]
    [collected] = re.findall(r"collected (\d+) items", run.output)
    total = int(re.findall(r'tests="(\d+)"', run.junit)[0])
    assert f"JUnit: {total} test cases: the {collected} collected, 1 for" in run.output


def test_the_header_names_the_suites_own_config_file(failing: tuple[SuiteRun, Path, Path]) -> None:
    run, _, _ = failing
    assert "configfile: pytest.ini" in run.output
    assert "dev/null" not in run.output


def test_a_failure_line_never_shows_a_repr_of_notset(tmp_path: Path) -> None:
    """A case with no body (the coverage phase sends some) that fails: its line shows no body, not
    `<schemathesis.core.NotSet object at 0x...>`. Every answer to a body-less send is a 500 here."""

    def crash_without_body(app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "PUT" and scope["path"] == spec.OPERATION_PATH:
                declared = dict(scope["headers"]).get(b"content-length", b"0")
                if declared in (b"0", b""):
                    body = json.dumps(CRASHED).encode()
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": [(b"content-type", b"application/json; charset=UTF-8")],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
            await app(scope, receive, send)

        return wrapped

    with running(strict_settings(tmp_path), crash_without_body) as url:
        assert httpx.put(url + spec.OPERATION_PATH, headers={"Authorization": TOKEN}).status_code == 500
        run = run_suite(tmp_path / "report", BASE_URL=url, **QUICK)
    assert run.returncode == 1, run.output[-3000:]
    failed = [line for line in run.output.splitlines() if line.startswith("FAILED Server error")]
    assert failed, run.output[-3000:]
    assert "NotSet" not in run.output
    assert "NotSet" not in (tmp_path / "report" / "contract-coverage.md").read_text()


def test_a_mail_sink_that_cannot_be_read_stops_the_run_once(tmp_path: Path) -> None:
    run = run_suite(tmp_path, API_KEY="", FROM="", MAIL_SINK=f"maildir:{tmp_path / 'nowhere'}")
    assert run.returncode == 4
    line = run.output.splitlines()[-1]
    assert line.startswith("usage: MAIL_SINK: no Maildir at")
    assert run.output.count(line) == 1
    assert 'failures="1"' in run.junit
