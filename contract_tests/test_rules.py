"""Probes for the rules JSON Schema cannot state: each a named test, with the status it must get.

Generated cases are made into sends that keep every rule (hooks.py), so that a server keeping the
contract never fails; these probes break one rule each, on purpose, and expect the answer the
operation's description and the facts' validation order give. Each is a real send to a live
server, so every recipient is inside RECIPIENT_DOMAIN (or is no address at all), and each request
is counted against MAX_SENDS like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

from contract_tests import checks, deviations
from contract_tests.hooks import as_real_send
from contract_tests.plugin import ContractRun, spec_example
from contract_tests.safety import make_safe
from contract_tests.settings import SuiteSettings
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
NOT_AN_ADDRESS = "not an address"  # no RFC 5322 parser takes a mailbox without an @; it reaches nobody
NO_SUCH_ID = 2**31 - 1


@dataclass(frozen=True)
class Probe:
    rule: str
    expected: int
    changes: Callable[[SuiteSettings], dict[str, Any]]


def _in_domain(settings: SuiteSettings, local: str) -> str:
    return f"{local}@{settings.recipient_domain}"


def _unparsable_in(field: str) -> Callable[[SuiteSettings], dict[str, Any]]:
    return lambda settings: {field: [NOT_AN_ADDRESS]}


PROBES = [
    Probe(
        "a from that is not the caller's mailbox", 400, lambda s: {"from": _in_domain(s, "not-the-caller")}
    ),
    Probe("a from that does not parse", 400, lambda s: {"from": NOT_AN_ADDRESS}),
    *[
        Probe(f"a value in {field} that does not parse", 400, _unparsable_in(field))
        for field in spec.recipient_fields()
    ],
    Probe("no recipient at all", 400, lambda s: {name: [] for name in spec.recipient_fields()}),
    Probe("only cc", 200, lambda s: {"to": [], "cc": [_in_domain(s, "cc-only")], "bcc": []}),
    Probe("only bcc", 200, lambda s: {"to": [], "cc": [], "bcc": [_in_domain(s, "bcc-only")]}),
    Probe("an empty to beside a cc", 200, lambda s: {"to": [], "cc": [_in_domain(s, "beside")]}),
    Probe("an id that no message has", 404, lambda s: {"id": NO_SUCH_ID}),
    Probe(
        "fields the server does not know are ignored", 200, lambda s: {"unknownField": {"x": [1]}, "Extra": 1}
    ),
    Probe("importance", 200, lambda s: {"importance": True}),
    Probe("a delivery receipt", 200, lambda s: {"requestReceipt": True}),
    Probe("a read receipt", 200, lambda s: {"requestRead": True}),
    Probe("an autoreply", 200, lambda s: {"isAutoreply": True}),
    Probe(
        "a calendar invitation",
        200,
        lambda s: {"calendarIcs": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"},
    ),
    Probe("a reply", 200, lambda s: {"mimeReplyToId": "<contract-probe@example.invalid>"}),
    Probe(
        "a non-ASCII subject and names",
        200,
        lambda s: {
            "subject": "Zoë's Überblick ✓ 漢字",
            "to": [f'"Zoë Ünicode, Jr." <{_in_domain(s, "zoe")}>'],
        },
    ),
    Probe("tags", 200, lambda s: {"tags": [1]}),
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
        pytest.skip(f"known deviation of the real server: {rule} answers {deviation.seen}. {deviation.facts}")
    assert response.status_code == expected, (
        f"rule: {rule}: expected {expected}, got {response.status_code}: {response.text[:300]}"
    )
    case.validate_response(response, checks=[*SHAPE, not_a_server_error])


@pytest.mark.parametrize("probe", PROBES, ids=[p.rule for p in PROBES])
def test_rule(
    probe: Probe, contract_schema: Any, contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    settings = contract_run.settings
    case = case_for(contract_schema, contract_run, **probe.changes(settings))
    response = case.call(base_url=target_url, headers={"Authorization": settings.api_key}, session=session)
    check(case, response, probe.rule, probe.expected, contract_run)


def test_rule_a_sent_message_cannot_be_sent_again(
    contract_schema: Any, contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """The id a 200 returns names a message in Sending, then Sent, not in Drafts: sent again, 403."""
    settings = contract_run.settings
    headers = {"Authorization": settings.api_key}
    first = case_for(contract_schema, contract_run)
    sent = first.call(base_url=target_url, headers=headers, session=session)
    check(first, sent, "a new message", 200, contract_run)
    again = case_for(contract_schema, contract_run, id=sent.json()["response"])
    response = again.call(base_url=target_url, headers=headers, session=session)
    check(again, response, "the id just returned, sent again", 403, contract_run)
