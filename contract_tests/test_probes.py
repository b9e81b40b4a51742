"""Probes: requests the suite sends on purpose, for what generated cases do not reach."""

from __future__ import annotations

import json
from typing import Any

import requests
from schemathesis import Case

from contract_tests.hooks import as_real_send
from contract_tests.plugin import ContractRun, spec_example
from contract_tests.rules import ACCEPTED, refused
from contract_tests.safety import make_safe
from onlyoffice_contract import spec
from onlyoffice_contract.facts import CheckId, RefusalId

# The registry's statuses of a refused key and of a body that does not bind.
UNAUTHORIZED = refused(RefusalId.UNAUTHORIZED)
INVALID = refused(RefusalId.INVALID_ARGUMENTS)


def _example_case(contract_schema: Any, contract_run: ContractRun, **body_changes: Any) -> Case[Any]:
    """The spec's own request example, made a safe real send."""
    operation = contract_schema[spec.OPERATION_PATH][spec.OPERATION_METHOD.upper()]
    settings = contract_run.settings
    body = make_safe(as_real_send(spec_example(), settings), settings.recipient_domain)
    return operation.Case(body={**body, **body_changes}, media_type="application/json")  # type: ignore[no-any-return]


def test_a_wrong_key_is_refused_in_bare_text(
    contract_schema: Any, contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """A 401 with the challenge, checked by every check: generated cases always carry the right key."""
    wrong = {"Authorization": contract_run.settings.api_key.reveal() + "-not-the-key"}
    for label, headers in (("a wrong", wrong), ("no", {})):
        case = _example_case(contract_schema, contract_run)
        response = case.call(base_url=target_url, headers=headers, session=session)
        assert response.status_code == UNAUTHORIZED, (
            f"a request with {label} Authorization was answered {response.status_code}, not {UNAUTHORIZED}"
        )
        case.validate_response(response)


# Bodies that are not a JSON object; the server must refuse each with 400 in its envelope.
MALFORMED = {
    "not JSON": b"{not json",
    "empty": b"",
    "invalid UTF-8": b'{"from": "\xff"}',
    "deeply nested": b"[" * 50_000 + b"]" * 50_000,
    "a JSON array": b"[]",
}


def test_bodies_that_are_not_json_objects_are_refused(
    contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    headers = {"Authorization": contract_run.settings.api_key.reveal(), "Content-Type": "application/json"}
    for label, raw in MALFORMED.items():
        # No timeout here: transport.py gives every request of the run REQUEST_TIMEOUT.
        response = session.put(target_url + spec.OPERATION_PATH, data=raw, headers=headers)
        title = CheckId.MALFORMED_BODIES_REFUSED.title
        assert response.status_code == INVALID, f"{title}: the {label} body got {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"{label} body: the 400 is not in the JSON error envelope") from None
        errors = [e.message for e in spec.validator("ErrorEnvelope").iter_errors(body)]
        assert not errors, f"{label} body: the 400 envelope does not match ErrorEnvelope: {errors}"
        assert body["statusCode"] == INVALID, (
            f"{label} body: envelope statusCode {body['statusCode']} for HTTP {INVALID}"
        )


def test_the_json_route_is_the_same_call(
    contract_schema: Any, contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """Every ONLYOFFICE client calls `send.json`: the server drops the suffix, so it is the same call.

    The spec names this route in its description rather than as a second operation (which
    would double every run); this probe is its check. One real send, counted in MAX_SENDS."""
    body = json.dumps(_example_case(contract_schema, contract_run).body)
    headers = {"Authorization": contract_run.settings.api_key.reveal(), "Content-Type": "application/json"}
    route = target_url + spec.OPERATION_PATH + ".json"
    response = session.put(route, data=body, headers=headers, timeout=30)
    assert response.status_code == ACCEPTED, (
        f"PUT {spec.OPERATION_PATH}.json with the spec's example:"
        f" expected {ACCEPTED}, got {response.status_code}"
    )
    errors = [e.message for e in spec.validator("SuccessEnvelope").iter_errors(response.json())]
    assert not errors, f"the .json route's answer does not match SuccessEnvelope: {errors}"
