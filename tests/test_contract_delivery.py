"""Proof of delivery: the suite reads the mail each accepted probe send caused and compares it with the
send (contract_tests/mail/compare.py), from the embedded sandbox's capture or a Maildir (MAIL_SINK).

Each fault of harness/delivery_faults.py changes the mail on its way from the sandbox to the Maildir;
the suite must fail naming it, and pass when the relay changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from contract_tests.mail import Embedded
from contract_tests.plugin import COVERAGE_FILE
from harness.delivery_faults import DELIVERY_FAULTS, DeliveryFault, as_is, relay
from harness.faulty_sandboxes import REAL_SERVER, strict_settings
from harness.sandboxes import MAILBOX, TOKEN, running, settings_in
from harness.suite import coverage_rows, run_suite
from onlyoffice_contract.defects import DefectId
from onlyoffice_contract.mailbox import parse_mailbox

# Few fuzzing cases: what is checked here is the probes' mail. A short wait: a fault that loses a
# mail makes its probe wait this long.
# FROM_NAME: the display name of the sandbox's account, as a live server's is given.
SENDER = parse_mailbox(MAILBOX)
assert SENDER is not None
# Few generated sends checked: theirs is the probes' check, and each read of the Maildir scans it whole.
SETTINGS = {
    "SEED": "5",
    "MAX_EXAMPLES": "5",
    "DELIVERY_TIMEOUT": "10",
    "FROM_NAME": SENDER.display_name,
    "DELIVERY_SAMPLE": "3",
    "DELIVERY_SETTLE": "0",  # but for the late copy, which needs the wait (below)
}


def _through_relay(tmp_path: Path, fault: DeliveryFault | None) -> tuple[int, str, str]:
    maildir = tmp_path / "Maildir"
    change = fault.change if fault else as_is
    late = fault is not None and fault.late_copy
    with (
        relay(maildir, change, late_copy=late) as smtp,
        running(settings_in(tmp_path, binder="strict", smtp=smtp)) as url,
    ):
        settle = {"DELIVERY_SETTLE": "2"} if late else {}
        run = run_suite(
            tmp_path / "report", BASE_URL=url, MAIL_SINK=f"maildir:{maildir}", **{**SETTINGS, **settle}
        )
    return run.returncode, run.output, (tmp_path / "report" / COVERAGE_FILE).read_text()


@pytest.mark.suite_run
def test_the_sandbox_through_a_relay_into_a_maildir_passes(tmp_path: Path) -> None:
    returncode, output, coverage = _through_relay(tmp_path, None)
    assert returncode == 0, output[-3000:]
    delivered = [line for line in coverage.splitlines() if line.startswith("| delivered mail |")]
    passed = [line for line in delivered if line.endswith("| passed |")]
    assert len(passed) >= 14, delivered  # every accepted probe, each optional field among them
    # The one probe not run against BASE_URL: a real file of the account (ATTACHMENT_FILE_ID unset).
    assert [line for line in delivered if line not in passed] == [
        "| delivered mail | a file of the account attached | 0"
        " | not run: no accepted send of its probe to check |"
    ]


@pytest.mark.suite_run
@pytest.mark.parametrize("fault", DELIVERY_FAULTS, ids=[f.name for f in DELIVERY_FAULTS])
def test_the_suite_fails_on_each_delivery_fault(tmp_path: Path, fault: DeliveryFault) -> None:
    returncode, output, coverage = _through_relay(tmp_path, fault)
    assert returncode == 1, output[-3000:]
    assert fault.caught_by in output, output[-3000:]
    if fault.every_message:  # a generated send's mail is checked as a probe's, and named by its number
        assert "FAILED delivered mail: generated send 1" in output, output[-3000:]
    assert any(
        row.startswith("| delivered mail |") and row.endswith("| failed |") for row in coverage.splitlines()
    )


@pytest.mark.suite_run
def test_the_embedded_run_checks_the_mail_in_its_capture(tmp_path: Path) -> None:
    """The default: no MAIL_SINK, no BASE_URL: the embedded sandbox's capture, through its JSON API."""
    run = run_suite(tmp_path / "report", API_KEY="", FROM="", SEED="5", MAX_EXAMPLES="5")
    assert run.returncode == 0, run.output[-3000:]
    assert "delivered mail a calendar invitation: 2 messages read, passed" in run.output


@pytest.mark.suite_run
def test_against_a_live_server_without_a_sink_the_check_is_not_run(tmp_path: Path) -> None:
    with running(strict_settings(tmp_path)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, **SETTINGS)
    assert run.returncode == 0, run.output[-3000:]
    assert "delivered mail importance: 0 messages read, not run: no MAIL_SINK" in run.output


class _Recording(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if str(url).endswith("/wait"):
            self.waits.append(float(kwargs["params"]["timeout"]))
        return super().get(url, **kwargs)


@pytest.mark.waits
def test_each_long_poll_of_the_capture_ends_within_request_timeout(tmp_path: Path) -> None:
    """The run bounds every request by REQUEST_TIMEOUT; a mail that takes longer to come is waited
    for in several polls, never in one the bound would cut off as a server that does not answer."""
    with running(strict_settings(tmp_path)) as url, _Recording() as session:
        sink = Embedded(url, session, TOKEN, request_timeout=3)
        assert sink.copies("nobody+cs-00000000-1@example.invalid", timeout=4) == []
    assert len(session.waits) >= 2
    assert all(wait <= 1 for wait in session.waits), session.waits


@pytest.mark.suite_run
def test_the_real_server_as_it_ships_conforms_to_its_profile_naming_each_deviation(tmp_path: Path) -> None:
    """A server that binds as 12.7 does, answers its three known 500s and accepts, then never sends, what
    its send task cannot build, delivering the rest through a relay: PROFILE=onlyoffice with a sink
    passes and names each deviation; strict fails it, naming a 500 and the mail never delivered."""
    maildir = tmp_path / "Maildir"
    with (
        relay(maildir) as smtp,
        running(settings_in(tmp_path, binder="onlyoffice", smtp=smtp), REAL_SERVER.wrap) as url,
    ):
        sink = {"BASE_URL": url, "MAIL_SINK": f"maildir:{maildir}", **SETTINGS}
        run = run_suite(tmp_path / "report", PROFILE="onlyoffice", **sink)
        strict = run_suite(tmp_path / "strict", PROFILE="strict", **sink)
    assert run.returncode == 0, run.output[-3000:]
    reported = {
        line.split("[", 1)[1].split("]", 1)[0]
        for line in run.output.splitlines()
        if line.startswith("known deviation: ")
    }
    # The binder's own exceptions are met only when a generated case happens to hold one (an empty
    # attachment before another): tests/test_defects.py proves that deviation on its own.
    assert reported - {DefectId.BINDER_EXCEPTION.value} == {d.value for d in DefectId} - {
        DefectId.BINDER_EXCEPTION.value
    }, run.output[-3000:]
    assert reported <= {d.value for d in DefectId}
    rows = coverage_rows(tmp_path / "report")
    for rule in ("a reply id MimeKit cannot read", "a calendar without an event"):
        messages, verdict = rows[("delivered mail", rule)]
        assert messages == 0
        assert verdict.startswith("known deviation of the real server"), verdict
    assert strict.returncode == 1, strict.output[-3000:]
    assert "rule: a from that does not parse: expected 400, got 500" in strict.output
    assert "never delivered" in strict.output, strict.output[-3000:]
