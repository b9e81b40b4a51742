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
    contract_run.generated.reserve(case)  # its number in the order drawn, whichever thread sends it
    if contract_run.in_flight is not None:
        contract_run.in_flight.submit(case)  # sent by a worker; taken in order (`in_flight.py`)
        return
    contract_run.take(case, send(case, contract_run, target_url, session))
    # ignored_auth re-sends an accepted request without and with a wrong key; once that has shown the
    # server enforces auth, the rest of the cases need not wait for one another (WORKERS).
    if contract_run.auth_confirmed:
        contract_run.start_workers(lambda case, own: send(case, contract_run, target_url, own))


def send(
    case: Case[Any], contract_run: ContractRun, target_url: str, session: requests.Session
) -> tuple[Any, FailureGroup | None]:
    """The case sent and its answer checked: the answer, and the checks that failed (or None)."""
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
        return response, group
    return response, None


def test_something_was_accepted(contract_run: ContractRun) -> None:
    """A run in which the server accepted nothing proves nothing (every answer 401 passes schemathesis)."""
    assert contract_run.accepted > 0, (
        "The server accepted none of the valid requests: check API_KEY (is it a valid token?) and FROM"
        " (is it a mailbox of that token's user?). Nothing about the contract was shown."
    )
