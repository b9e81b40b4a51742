"""The registry of the call's facts (`onlyoffice_contract.facts`): each fact has one id, and is read by it.

Rules, refusals, checks and defects are looked up by id; limits and filter statuses are read from
openapi.yaml's `x-` extensions. These tests fail when a fact is typed a second time, or when a
module links facts by their words again.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests import rules
from harness.faulty_sandboxes import FAULTS
from onlyoffice_contract import defects, facts, spec
from onlyoffice_contract.facts import CheckId, DefectId, RefusalId, RuleId


def test_every_rule_is_probed_once_and_every_probe_has_a_rule() -> None:
    probed = rules.rule_ids()
    assert len(probed) == len(set(probed))
    assert set(probed) == set(RuleId)
    assert rules.rule_names() == [rule.sentence for rule in probed]
    assert len(set(rules.rule_names())) == len(probed)  # one sentence, one rule


def test_the_unparsable_recipient_rules_are_the_specs_recipient_fields() -> None:
    probed = {p.id for p in rules.PROBES}
    for name in spec.recipient_fields():
        assert RuleId.unparsable_in(name) in probed


def test_a_draft_is_found_by_its_rule_id() -> None:
    for draft in rules.DRAFT_PROBES:
        assert rules.draft(draft.rule_id) is draft
    with pytest.raises(LookupError, match="0 stored messages check"):
        rules.draft(RuleId.ONLY_CC)  # a rule with no stored message


def test_the_limits_are_the_specs_x_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read from openapi.yaml each time, never retyped: a spec with other limits gives other limits."""
    properties = spec.request_properties()
    assert facts.draft_body_limit() == properties["body"]["x-stored-draft-limit"] == 524288
    assert facts.attachments_total_limit() == properties["attachments"]["x-total-size-limit"] == 26214400
    changed: dict[str, Any] = {
        **properties,
        "body": {**properties["body"], "x-stored-draft-limit": 1000},
        "attachments": {**properties["attachments"], "x-total-size-limit": 2000},
    }
    monkeypatch.setattr(spec, "request_properties", lambda: changed)
    assert facts.draft_body_limit() == 1000
    assert facts.attachments_total_limit() == 2000
    assert defects.attachments_total_limit() == 2000


def test_a_missing_extension_is_named() -> None:
    with pytest.raises(LookupError, match=r"SendMessageRequest\.subject has no x-stored-draft-limit"):
        spec.extension("subject", "x-stored-draft-limit")


def test_the_statuses_a_filter_produces_are_read_from_the_spec() -> None:
    assert facts.refused_before_the_call() == (402, 503)
    assert [s for s in spec.declared_statuses() if rules.from_a_filter(s)] == [402, 503]


def test_the_specs_error_examples_are_registry_refusals() -> None:
    """Every error envelope openapi.yaml shows is a refusal of the registry: status, words, HRESULT."""
    examples = []
    for status in spec.declared_statuses():
        response = spec.resolve(spec.operation()["responses"][str(status)])
        for media in response.get("content", {}).values():
            error = media.get("example", {}).get("error") if isinstance(media.get("example"), dict) else None
            if error:
                examples.append((status, error["message"], error["hresult"]))
    assert len(examples) >= 4
    known = {(r.status, r.message, r.hresult) for r in facts.REFUSALS.values()}
    for example in examples:
        assert example in known, example


def test_refusals_fill_their_fields() -> None:
    body = facts.refusal(RefusalId.DRAFT_BODY_OVER_LIMIT)
    assert body.text(kb=facts.draft_body_limit() // 1024) == "Message body exceeded limit (512 KB)"
    assert (
        facts.refusal(RefusalId.ADDRESS_UNPARSABLE).text(field="Cc") == "Incorrect email address in Cc field"
    )


def test_each_status_defect_is_named_by_the_sentence_of_its_rule() -> None:
    for defect in defects.STATUS_DEFECTS:
        assert defect.rule is not None
        assert defect.name == defect.rule.sentence
        assert DefectId(defect.id.value) is defect.id
    assert defects.DefectId is DefectId  # one index: the registry's


def test_every_fault_is_caught_by_an_id() -> None:
    for fault in FAULTS:
        assert isinstance(fault.caught_by, RuleId | CheckId), fault.name
    caught = {f.caught_by for f in FAULTS}
    assert RuleId.DRAFT_BODY_OVER_LIMIT in caught
    assert CheckId.RESPONSE_SCHEMA_CONFORMANCE in caught


def test_what_is_printed_for_an_id() -> None:
    assert facts.printed(RuleId.ONLY_BCC) == "rule: only bcc"
    assert facts.printed(CheckId.NOT_A_SERVER_ERROR) == "Server error"
    # A rule's words come from the spec's limit, not a copy of it.
    assert str(facts.draft_body_limit()) in RuleId.DRAFT_BODY_OVER_LIMIT.sentence


REWORDED = """
from types import MappingProxyType

from onlyoffice_contract import facts

facts._SENTENCES = MappingProxyType({r: f"reworded {r.value}" for r in facts.RuleId})

from contract_tests import rules
from contract_tests.coverage import Coverage
from harness import faulty_sandboxes as faults
from onlyoffice_contract import defects

assert rules.rule_names() == [f"reworded {r.value}" for r in rules.rule_ids()]
assert all(d.name == f"reworded {d.rule.value}" for d in defects.STATUS_DEFECTS)
drafts = {f.name: f for f in faults.FAULTS if f.embedded}
assert rules.draft(facts.RuleId.DRAFT_SENDS_ONCE).rule == "reworded draft-sends-once"
print(sorted(facts.printed(f.caught_by) for f in faults.FAULTS if isinstance(f.caught_by, facts.RuleId))[0])
"""


@pytest.mark.subprocess  # a fresh interpreter, so that the reworded sentences are read first
def test_rewording_every_rule_breaks_no_link() -> None:
    """Sentences reworded before anything reads them: the probes, the defects and the faulty variants
    still find each other, by id (a draft found by a prefix of its sentence could not be found)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-c", REWORDED], cwd=root, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("rule: reworded "), run.stdout


def test_the_registry_is_the_one_index() -> None:
    """Every kind of id is reached from the registry, the binder's leniency kinds too."""
    import onlyoffice_contract
    from onlyoffice_contract import leniency

    assert facts.LeniencyKind is leniency.LeniencyKind
    for name in ("RuleId", "RefusalId", "CheckId", "DefectId", "LeniencyKind"):
        assert getattr(onlyoffice_contract, name) is getattr(facts, name)
