"""Probes for the rules JSON Schema cannot state: each a named test, with the status it must get.

The probes are data (`rules.py`: what each sends, what it expects); these tests send them. Each
runs inside `ContractRun.probing`, which counts its requests and keeps its verdict for the
coverage report.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contract_tests import checks, deviations, rules
from contract_tests.hooks import as_real_send
from contract_tests.plugin import ContractRun, spec_example
from contract_tests.rules import DRAFT_PROBES, PROBES, SENT_AGAIN, DraftProbe, Probe
from contract_tests.safety import make_safe
from onlyoffice_contract import spec

# What a probe's answer is checked with, beside its status: its shape. Not whether the body was
# valid by the schema (these bodies are, and still must be refused), and never a re-send.
SHAPE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    checks.envelope_status_code_matches_http_status,
    checks.success_carries_a_positive_message_id,
]


def case_for(contract_schema: Any, run: ContractRun, **changes: Any) -> Case[Any]:
    """The spec's own request example, made a safe real send, with `changes`: a probe's case, which
    the hooks leave as it is."""
    settings = run.settings
    operation = contract_schema[spec.OPERATION_PATH][spec.OPERATION_METHOD.upper()]
    body = make_safe(as_real_send(spec_example(), settings), settings.recipient_domain)
    case: Case[Any] = operation.Case(body={**body, **changes}, media_type="application/json")
    run.hooks.probes.add(id(case))
    return case


def check(case: Case[Any], response: Response, rule: str, expected: int, run: ContractRun) -> None:
    """The status the rule gives, the answer's shape, and the real server's known deviation."""
    deviation = deviations.known(rule, response.status_code)
    if deviation is not None and run.settings.profile == "onlyoffice":
        # Everything else about the answer is still checked: it must be the error envelope.
        case.validate_response(response, checks=[c for c in SHAPE if c is not status_code_conformance])
        run.deviations.append(deviation)
        run.coverage.deviation(response.status_code)
        pytest.skip(f"known deviation of the real server: {rule} answers {deviation.seen}. {deviation.facts}")
    assert response.status_code == expected, (
        f"rule: {rule}: expected {expected}, got {response.status_code}: {response.text[:300]}"
    )
    case.validate_response(response, checks=[*SHAPE, not_a_server_error])


def send(
    contract_schema: Any, run: ContractRun, target_url: str, session: requests.Session, **changes: Any
) -> tuple[Case[Any], Response]:
    case = case_for(contract_schema, run, **changes)
    headers = {"Authorization": run.settings.api_key}
    return case, case.call(base_url=target_url, headers=headers, session=session)


@pytest.mark.parametrize("probe", PROBES, ids=[p.rule for p in PROBES])
def test_rule(
    probe: Probe,
    contract_schema: Any,
    contract_run: ContractRun,
    target_url: str,
    session: requests.Session,
    request: pytest.FixtureRequest,
) -> None:
    settings = contract_run.settings
    with contract_run.probing(probe.rule, request.node):
        reason = probe.not_run(settings)
        if reason is not None:
            pytest.skip(reason)
        case, response = send(contract_schema, contract_run, target_url, session, **probe.changes(settings))
        check(case, response, probe.rule, probe.expected, contract_run)


def test_rule_a_sent_message_cannot_be_sent_again(
    contract_schema: Any,
    contract_run: ContractRun,
    target_url: str,
    session: requests.Session,
    request: pytest.FixtureRequest,
) -> None:
    """The id a 200 returns names a message in Sending, then Sent, not in Drafts: sent again, 403."""
    with contract_run.probing(SENT_AGAIN, request.node):
        first, sent = send(contract_schema, contract_run, target_url, session)
        check(first, sent, "a new message", 200, contract_run)
        again, response = send(contract_schema, contract_run, target_url, session, id=sent.json()["response"])
        check(again, response, SENT_AGAIN, 403, contract_run)


@pytest.mark.parametrize("draft", DRAFT_PROBES, ids=[d.rule for d in DRAFT_PROBES])
def test_rule_of_a_stored_message(
    draft: DraftProbe,
    contract_schema: Any,
    contract_run: ContractRun,
    target_url: str,
    session: requests.Session,
    request: pytest.FixtureRequest,
) -> None:
    """A message the embedded sandbox was seeded with (`target.py`), sent by its id, each send
    getting the status the draft's folder and body give; a template's each with a new id."""
    with contract_run.probing(draft.rule, request.node):
        if not contract_run.settings.embedded:
            pytest.skip(rules.DRAFTS_NOT_RUN)
        ids = []
        for expected in draft.expected:
            case, response = send(contract_schema, contract_run, target_url, session, id=draft.id)
            check(case, response, draft.rule, expected, contract_run)
            if response.status_code == 200:
                ids.append(response.json()["response"])
        if draft.folder == "templates":
            shown = f"rule: {draft.rule}: template {draft.id} sent {len(ids)} times answered ids {ids}"
            assert len(set(ids)) == len(ids), shown
            assert draft.id not in ids, shown
