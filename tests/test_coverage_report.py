"""The coverage report is JSON first, by the registry's ids; the Markdown is rendered from that JSON.

Built here from a Coverage fed as the transport and the probes feed it (no server): what the JSON
holds, that the Markdown says nothing the JSON does not, and that the harness reads the JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import requests

from contract_tests import coverage, rules, transport
from contract_tests.coverage import Coverage
from contract_tests.plugin import COVERAGE_FILE, COVERAGE_JSON
from contract_tests.settings import load
from harness.suite import coverage_report, coverage_rows, failed_ids, rule_verdict
from onlyoffice_contract import defects, facts, spec
from onlyoffice_contract.facts import CheckId, DefectId, RuleId


def _answer(status: int) -> tuple[requests.PreparedRequest, requests.Response]:
    request = requests.Request(
        spec.OPERATION_METHOD.upper(), "http://127.0.0.1:9/" + spec.OPERATION_PATH.lstrip("/"), json={}
    ).prepare()
    response = requests.Response()
    response.status_code = status
    return request, response


def _fails(found: Coverage, sends: transport.Transport) -> None:
    with found.probing(RuleId.ONLY_BCC, sends):
        found.observe(*_answer(400))
        raise AssertionError("rule: only bcc: expected 200, got 400")


def _fed() -> Coverage:
    """A run in which one rule passed, one failed, a known defect was met and a check failed."""
    found = Coverage(load({"SEED": "5", "RECIPIENT_DOMAIN": "example.invalid"}))
    sends = cast(transport.Transport, SimpleNamespace(sends=0))
    found.observe(*_answer(200))
    with found.probing(RuleId.ONLY_CC, sends):
        found.observe(*_answer(200))
    with pytest.raises(AssertionError, match="only bcc"):
        _fails(found, sends)
    found.failed(facts.printed(RuleId.ONLY_BCC), "PUT /x -> 400", "curl ...", "", 400, RuleId.ONLY_BCC)
    found.deviation(defects.by_id(DefectId.ATTACHMENTS_OVER_LIMIT), 500)
    title = CheckId.NOT_A_SERVER_ERROR.title
    found.failed(title, "PUT /x -> 500", "curl ...", "", 500, facts.check_titled(title))
    return found


def test_the_json_holds_rules_deviations_and_failures_by_id() -> None:
    report = _fed().report(1, "DOES NOT CONFORM")
    json.dumps(report)  # JSON, as it is written
    by_id = {r["id"]: r for r in report["rules"]}
    assert set(by_id) == {r.value for r in rules.rule_ids()}
    assert by_id["only-cc"] == {"id": "only-cc", "rule": "only cc", "requests": 0, "verdict": "passed"}
    assert by_id["only-bcc"]["verdict"] == "failed"
    assert by_id["sent-again"]["verdict"] == "not run"
    [deviation] = report["deviations"]
    assert deviation["id"] == DefectId.ATTACHMENTS_OVER_LIMIT.value
    assert [(f["kind"], f["id"]) for f in report["failures"]] == [
        ("rule", "only-bcc"),
        ("check", "not_a_server_error"),
    ]
    statuses = {s["status"]: s for s in report["statuses"]}
    assert statuses[200]["requests"] == 2
    assert statuses[400]["verdict"] == "failed"
    assert statuses[402]["verdict"] == coverage.FROM_A_FILTER  # the spec's x-refused-before-the-call
    assert report["counts"] == {"requests": 3, "accepted": 2, "failures": 2, "known_deviations": 1}


def test_the_markdown_is_rendered_from_the_json_alone() -> None:
    report = json.loads(json.dumps(_fed().report(1, "DOES NOT CONFORM")))
    text = coverage.markdown(report)
    assert "| rule | only bcc | 0 | failed |" in text
    assert "| deviation | attachments declared over 25 MB [attachments-over-limit]: 500," in text
    assert "- FAILED Server error: PUT /x -> 500; reproduce: curl ..." in text
    report["rules"] = [r for r in report["rules"] if r["id"] != "only-bcc"]
    assert "only bcc" not in coverage.markdown(report).split("## Failures")[0]  # nothing but the JSON


def test_the_harness_reads_the_json(tmp_path: Path) -> None:
    report: dict[str, Any] = _fed().report(1, "DOES NOT CONFORM")
    (tmp_path / COVERAGE_JSON).write_text(json.dumps(report))
    # No Markdown at all: the harness reads the JSON.
    assert not (tmp_path / COVERAGE_FILE).exists()
    assert coverage_report(tmp_path)["counts"]["failures"] == 2
    assert rule_verdict(tmp_path, RuleId.ONLY_BCC) == (0, "failed")
    assert failed_ids(tmp_path) == {"only-bcc", "not_a_server_error"}
    assert coverage_rows(tmp_path)[("rule", "only cc")] == (0, "passed")


def test_a_check_is_known_by_the_title_it_prints() -> None:
    assert facts.check_titled("Response violates schema") is CheckId.RESPONSE_SCHEMA_CONFORMANCE
    custom = "Custom check failed: `unauthorized_is_bare_text_with_a_challenge`"
    assert facts.check_titled(custom, CheckId.UNAUTHORIZED_CHALLENGE.title) is CheckId.UNAUTHORIZED_CHALLENGE
    redirect = "Custom check failed: `answers_without_redirecting`"
    assert facts.check_titled(redirect, "anything") is CheckId.ANSWERS_WITHOUT_REDIRECTING
    assert facts.check_titled("Some check of a newer schemathesis") is None
    assert facts.check_of_test("test_bodies_that_are_not_json_objects_are_refused", "") is (
        CheckId.MALFORMED_BODIES_REFUSED
    )
    said = f"delivered mail: {CheckId.STORED_MESSAGE_ID_KEPT.title} '<a>'"
    found = facts.check_of_test("test_delivered_mail_of_a_stored_message[x]", said)
    assert found is CheckId.STORED_MESSAGE_ID_KEPT
    said = "Custom check failed: `unauthorized_is_bare_text_with_a_challenge`\n"
    said += CheckId.UNAUTHORIZED_CHALLENGE.title
    assert (
        facts.check_of_test("test_a_wrong_key_is_refused_in_bare_text", said)
        is CheckId.UNAUTHORIZED_CHALLENGE
    )
