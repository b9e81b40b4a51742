"""The conformance run: every case schemathesis generates from openapi.yaml, checked against the target."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import requests
import schemathesis
from schemathesis import Case
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import ignored_auth

from contract_tests.plugin import CaseResult, ContractRun

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_conformance(
    case: Case[Any], contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """Each check that fails is kept (the first case that fails it, and how often it failed) and the
    run goes on: the plugin reports one JUnit case per failed check after this test, rather than
    this one case failing on the first."""
    contract_run.generated.reserve(case)  # its number in the order drawn, whichever thread sends it
    contract_run.start_workers(
        lambda drawn, own: send(drawn, contract_run, target_url, own, [ignored_auth]),
        lambda drawn, result: take(drawn, result, contract_run, target_url, session),
    )
    if contract_run.in_flight is not None:
        contract_run.in_flight.submit(case)  # sent by a worker; taken in the order drawn (`in_flight.py`)
        return
    # ignored_auth re-sends an accepted request without and with a wrong key. Once that has
    # shown the server enforces auth, it is left out, as schemathesis' own runner does:
    # enforcement is a property of the operation, and each probe could send mail.
    excluded = [ignored_auth] if contract_run.auth_confirmed else []
    contract_run.take(case, send(case, contract_run, target_url, session, excluded))


def send(
    case: Case[Any],
    contract_run: ContractRun,
    target_url: str,
    session: requests.Session,
    excluded: list[Any],
) -> CaseResult:
    """The case sent and its answer checked (but `excluded`): the answer, and the checks that failed."""
    headers = {"Authorization": contract_run.settings.api_key.reveal()}
    response = case.call(base_url=target_url, headers=headers, session=session)
    return response, _checked(case, response, headers, target_url, session, excluded_checks=excluded)


def take(
    case: Case[Any], result: CaseResult, contract_run: ContractRun, target_url: str, session: requests.Session
) -> None:
    """A case a worker sent, taken in the order drawn. The workers leave ignored_auth out; it runs here,
    on the first case accepted in that order, as it does when the cases go one at a time (an answer
    that is not 2xx makes it send nothing): the same requests whatever WORKERS is."""
    response, _ = result
    first = not contract_run.auth_confirmed and 200 <= response.status_code < 300
    contract_run.take(case, result)
    if first:
        headers = {"Authorization": contract_run.settings.api_key.reveal()}
        with contract_run.in_flight.slot() if contract_run.in_flight else nullcontext():
            checked = _checked(case, response, headers, target_url, session, checks=[ignored_auth])
        contract_run.take(case, (response, checked))


def _checked(
    case: Case[Any],
    response: Any,
    headers: dict[str, str],
    target_url: str,
    session: requests.Session,
    **which: Any,
) -> FailureGroup | None:
    """The checks that failed on `response` (None: none did); `which` names the checks, or those left out."""
    try:
        # As call_and_validate does, with the transport the checks that send need.
        case.validate_response(
            response,
            headers=headers,
            transport_kwargs={"base_url": target_url, "session": session, "headers": dict(headers)},
            **{name: value for name, value in which.items() if value},
        )
    except FailureGroup as group:
        return group
    return None


def test_something_was_accepted(contract_run: ContractRun) -> None:
    """A run in which the server accepted nothing proves nothing (every answer 401 passes schemathesis)."""
    assert contract_run.accepted > 0, (
        "The server accepted none of the valid requests: check API_KEY (is it a valid token?) and FROM"
        " (is it a mailbox of that token's user?). Nothing about the contract was shown."
    )
