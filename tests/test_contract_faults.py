"""The suite fails on every faulty variant of the sandbox, naming the fault, and passes on the sandbox.

The faults wrap the strict sandbox. The profiles are shown against the two binders too:
the onlyoffice sandbox (what the real server accepts) passes PROFILE=onlyoffice and fails
strict; a server that takes values that do not convert fails both.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from contract_tests import profiles
from harness.asgi import Headers, Wrap, on_responses
from harness.faulty_sandboxes import FAULTS, KNOWN_DEFECTS, REAL_SERVER, Fault, strict_settings
from harness.sandboxes import MAILBOX, SEND_PATH, TOKEN, running, settings_in
from harness.suite import coverage_report, failed_ids, rule_verdict, run_suite
from onlyoffice_contract import defects, facts
from onlyoffice_contract.defects import DefectId
from onlyoffice_contract.facts import RuleId

SETTINGS = {"SEED": "3", "MAX_EXAMPLES": "30"}
LENIENT = next(f for f in FAULTS if "when they convert" in f.name)
CONVERTS_ANYTHING = next(f for f in FAULTS if "do not convert" in f.name)


def _labelling_401s(label: bytes | None, seen: list[bytes]) -> Wrap:
    """Each 401's content type into `seen`, after relabelling it `label` (None: as the sandbox said)."""

    def rewrite(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
        if status != 401:
            return status, headers, body
        if label is not None:
            kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
            headers = [*kept, (b"content-type", label)]
        seen.append(dict(headers)[b"content-type"])
        return status, headers, body

    return on_responses(rewrite)


# The real server's 401 is text/html (ASP.NET's default), a proxy's may be text/plain: both conform,
# to schemathesis' content-type check and to the suite's own.
@pytest.mark.suite_run
@pytest.mark.parametrize(
    ("label", "expected"),
    [(None, b"text/html; charset=utf-8"), (b"text/plain", b"text/plain")],
    ids=["401 as production labels it", "401 relabelled text/plain"],
)
def test_the_sandbox_itself_passes(tmp_path: Path, label: bytes | None, expected: bytes) -> None:
    seen: list[bytes] = []
    with running(strict_settings(tmp_path), _labelling_401s(label, seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, **SETTINGS)
    assert run.returncode == 0, run.output[-3000:]
    assert len(seen) >= 2, seen  # the wrong-key probe's two 401s at least
    assert set(seen) == {expected}, seen


def test_there_are_at_least_thirty_faults() -> None:
    assert len(FAULTS) >= 30
    assert len({f.name for f in FAULTS}) == len(FAULTS)


@pytest.mark.suite_run
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_the_suite_fails_on_each_fault(tmp_path: Path, fault: Fault) -> None:
    if fault.embedded:  # the suite's own embedded sandbox, behind the fault
        run = run_suite(tmp_path / "report", embedded_fault=fault.name, API_KEY="", FROM="", **SETTINGS)
    else:
        with running(strict_settings(tmp_path), fault.wrap) as url:
            run = run_suite(tmp_path / "report", BASE_URL=url, **SETTINGS)
    assert run.returncode == fault.exit_status, run.output[-3000:]
    assert facts.printed(fault.caught_by) in run.output, run.output[-3000:]
    if fault.exit_status == 1:
        assert run.output.splitlines()[-1].startswith("DOES NOT CONFORM: "), run.output[-3000:]
    if fault.exit_status == 1:  # the coverage report names what failed by its id
        assert fault.caught_by.value in failed_ids(tmp_path / "report"), coverage_report(tmp_path / "report")
    if isinstance(fault.caught_by, RuleId):  # and says that rule failed
        assert rule_verdict(tmp_path / "report", fault.caught_by)[1] == "failed"


@pytest.mark.suite_run
@pytest.mark.parametrize(
    ("fault", "passes"), [(LENIENT, True), (CONVERTS_ANYTHING, False)], ids=["lenient", "anything"]
)
def test_the_onlyoffice_profile_tolerates_exactly_what_the_binder_takes(
    tmp_path: Path, fault: Fault, passes: bool
) -> None:
    with running(strict_settings(tmp_path), fault.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, PROFILE="onlyoffice", **SETTINGS)
    assert (run.returncode == 0) is passes, run.output[-3000:]
    if not passes:
        assert "Schema-violating request accepted" in run.output


@pytest.mark.suite_run
@pytest.mark.parametrize("fault", KNOWN_DEFECTS, ids=[f.name for f in KNOWN_DEFECTS])
def test_the_real_servers_known_defects_are_deviations_under_its_profile(
    tmp_path: Path, fault: Fault
) -> None:
    """Never a pass and never a failure: named and counted, the run conforms, each reported; and the
    same server fails strict, naming the probe of each defect."""
    with running(settings_in(tmp_path, binder="onlyoffice"), fault.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, PROFILE="onlyoffice", **SETTINGS)
        strict = run_suite(tmp_path / "strict", BASE_URL=url, PROFILE="strict", **SETTINGS)
    assert run.returncode == 0, run.output[-3000:]
    reported = [line for line in run.output.splitlines() if line.startswith("known deviation: ")]
    deviations = {d["id"]: d for d in coverage_report(tmp_path / "report")["deviations"]}
    # The binder's own exceptions are met only when a generated case holds one (an empty attachment
    # before another); tests/test_defects.py proves that deviation on its own.
    required = {kind.value for kind in fault.defects} - {DefectId.BINDER_EXCEPTION.value}
    assert required <= set(deviations) <= {kind.value for kind in fault.defects}, deviations
    assert len(reported) == len(deviations) >= 1, reported
    for defect in (d for d in defects.STATUS_DEFECTS if d.id in fault.defects):
        assert any(f"[{defect.id.value}]" in line for line in reported), reported
        assert deviations[defect.id.value]["requests"] >= 1
        shown = f"known deviation of the real server: {defect.name} answers 500 [{defect.id.value}]"
        assert shown in run.junit
        assert defect.rule is not None
        count, verdict = rule_verdict(tmp_path / "report", defect.rule)
        assert count == 1
        assert verdict.startswith("known deviation of the real server")
        failed = f"{facts.printed(defect.rule)}: expected {defect.expected}, got 500"
        assert failed in strict.output, strict.output[-3000:]
        assert defect.rule.value in failed_ids(tmp_path / "strict")
    assert run.output.splitlines()[-1].endswith(f", {len(deviations)} known deviations")
    assert strict.returncode == 1, strict.output[-3000:]


@pytest.mark.suite_run
def test_a_known_defect_is_judged_on_what_the_binder_binds(tmp_path: Path) -> None:
    """A generated case whose `from` the binder reads as an unparsable address (`"from": 0` is "0"),
    answered 500 as the real server answers it: a known deviation of the generated phase under the
    profile, never "Undocumented status code" or "Server error"; under strict, exactly those."""
    fault = next(f for f in KNOWN_DEFECTS if f.defects == (DefectId.FROM_UNPARSABLE,))
    more = {"SEED": "3", "MAX_EXAMPLES": "60"}
    with running(settings_in(tmp_path, binder="onlyoffice"), fault.wrap) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, PROFILE="onlyoffice", **more)
        strict = run_suite(tmp_path / "strict", BASE_URL=url, PROFILE="strict", **more)
    assert run.returncode == 0, run.output[-3000:]
    [line] = [line for line in run.output.splitlines() if line.startswith("known deviation: ")]
    requests = int(line.rsplit("(", 1)[1].split()[0])
    assert requests > 1, line  # the probe's, and generated cases' beside it
    assert "Undocumented status code" not in run.output
    assert "Server error" not in run.output
    assert strict.returncode == 1
    assert "Undocumented status code" in strict.output, strict.output[-3000:]


@pytest.mark.suite_run
@pytest.mark.parametrize(("profile", "status"), [("onlyoffice", 0), ("strict", 4)])
def test_the_onlyoffice_sandbox_passes_its_profile_and_is_stopped_under_strict(
    tmp_path: Path, profile: str, status: int
) -> None:
    """Under strict it is not failed dozens of times for what its answers say it took leniently: the
    pre-run check stops the run and names the profile to use (tests/test_contract_preflight.py)."""
    with running(settings_in(tmp_path, binder="onlyoffice")) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, PROFILE=profile, **SETTINGS)
    assert run.returncode == status, run.output[-3000:]
    if status:
        assert run.output.splitlines()[-1].endswith("try PROFILE=onlyoffice")


@pytest.mark.subprocess  # two sandboxes, each with its delivery process
def test_the_real_server_answers_500_for_an_exception_of_its_binder(tmp_path: Path) -> None:
    """REAL_SERVER reproduces the binder-exception defect as the real server meets it: an empty attachment
    before another makes List.Insert throw before the call's try; the sandbox alone answers 400."""
    body = {"from": MAILBOX, "to": ["bob@example.invalid"], "attachments": [{}, {"fileId": 1}]}
    with running(settings_in(tmp_path, binder="onlyoffice"), REAL_SERVER.wrap) as url:
        real = httpx.put(f"{url}{SEND_PATH}", json=body, headers={"Authorization": TOKEN}, timeout=30)
    with running(settings_in(tmp_path / "plain", binder="onlyoffice")) as url:
        sandbox = httpx.put(f"{url}{SEND_PATH}", json=body, headers={"Authorization": TOKEN}, timeout=30)
    assert (real.status_code, sandbox.status_code) == (500, 400)
    found = profiles.known_defect(body, real.status_code, "onlyoffice")
    assert found is not None
    assert found.id is DefectId.BINDER_EXCEPTION
