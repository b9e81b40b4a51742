"""The conformance run: every case schemathesis generates from openapi.yaml, checked against the target."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from schemathesis import Case
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import ignored_auth

from contract_tests.plugin import ContractRun

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_conformance(
    case: Case[Any], contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """Each check that fails is kept (the first case that fails it, and how often it failed) and the
    run goes on: the plugin reports one JUnit case per failed check after this test, rather than
    this one case failing on the first."""
    # ignored_auth re-sends an accepted request without and with a wrong key. Once that has
    # shown the server enforces auth, it is left out, as schemathesis' own runner does:
    # enforcement is a property of the operation, and each probe could send mail.
    excluded = [ignored_auth] if contract_run.auth_confirmed else []
    headers = {"Authorization": contract_run.settings.api_key.reveal()}
    response = case.call(base_url=target_url, headers=headers, session=session)
    try:
        # As call_and_validate does, with the transport the checks that send need.
        case.validate_response(
            response,
            headers=headers,
            excluded_checks=excluded,
            transport_kwargs={"base_url": target_url, "session": session, "headers": dict(headers)},
        )
    except FailureGroup as group:
        contract_run.conformance_failed(group, case, response)
    contract_run.auth_confirmed = contract_run.auth_confirmed or 200 <= response.status_code < 300


def test_something_was_accepted(contract_run: ContractRun) -> None:
    """A run in which the server accepted nothing proves nothing (every answer 401 passes schemathesis)."""
    assert contract_run.accepted > 0, (
        "The server accepted none of the valid requests: check API_KEY (is it a valid token?) and FROM"
        " (is it a mailbox of that token's user?). Nothing about the contract was shown."
    )
