"""The conformance run: every case schemathesis generates from openapi.yaml, checked against the target."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, Config, HookContext, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure

from contract_tests import checks as _checks  # noqa: F401 - registers our checks with schemathesis
from contract_tests import profiles, safety
from contract_tests.conftest import SUITE
from contract_tests.safety import CappedSession
from contract_tests.strategies import mailboxes
from onlyoffice_sandbox import spec

schemathesis.openapi.format("mailbox", mailboxes(SUITE.recipient_domain))

CONFIG = Config.from_dict(
    {
        "seed": SUITE.seed,
        # No shrinking: against a live server it would spend sends to make a report shorter.
        "generation": {
            "max-examples": SUITE.max_examples,
            "database": "none",
            "mode": "all",
            "no-shrink": True,
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_path(spec.SPEC_PATH, config=CONFIG)
accepted = 0


def as_real_send(body: dict[str, Any]) -> dict[str, Any]:
    """The body as a send that can succeed: from the run's mailbox, as a new message (a random
    draft id would only find 404), without attachments (they name files on the server, a rule
    the spec cannot state)."""
    real = {key: value for key, value in body.items() if key != "attachments"}
    real["from"] = SUITE.from_
    if isinstance(real.get("id"), int) and real["id"] > 0:
        real["id"] = 0
    return real


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Runs before every request, in every phase: the rules that keep a live server safe.

    Recipients are confined first. Then a body that is valid becomes a real send; an invalid one
    takes the real-send values too unless they would repair it (its fault is in those fields)."""
    if not isinstance(case.body, dict):
        return
    safe = safety.make_safe(case.body, SUITE.recipient_domain)
    real = as_real_send(safe)
    valid = spec.validator("SendMessageRequest").is_valid
    case.body = real if valid(safe) or not valid(real) else safe


@schemathesis.hook
def filter_failure(context: HookContext, failure: Failure, case: Case[Any], response: Response) -> bool:
    """Keep a failure unless it is "accepted invalid data" for a body that is in fact acceptable.

    Schemathesis labels some generated bodies invalid that are not (a custom
    format it cannot check, a mutation the safety rules undid); and under the
    onlyoffice profile, the real server's documented leniency is acceptable."""
    if isinstance(failure, AcceptedNegativeData):
        return not profiles.is_valid(case.body, SUITE.profile)
    return True


@schema.parametrize()
def test_conformance(case: Case[Any], target_url: str, session: CappedSession) -> None:
    global accepted
    response = case.call_and_validate(
        base_url=target_url, headers={"Authorization": SUITE.api_key}, session=session
    )
    if 200 <= response.status_code < 300:
        accepted += 1


def test_something_was_accepted() -> None:
    """A run in which the server accepted nothing proves nothing (every answer 401 passes schemathesis)."""
    assert accepted > 0, (
        "The server accepted none of the valid requests: check API_KEY (is it a valid token?) and FROM"
        " (is it a mailbox of that token's user?). Nothing about the contract was shown."
    )
