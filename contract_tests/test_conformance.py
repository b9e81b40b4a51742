"""The conformance run: every case schemathesis generates from openapi.yaml, checked against the target."""

from __future__ import annotations

import zlib
from typing import Any

import requests
import schemathesis
from schemathesis import Case, Config, HookContext, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.specs.openapi.checks import ignored_auth

from contract_tests import checks as _checks  # noqa: F401 - registers our checks with schemathesis
from contract_tests import profiles, safety
from contract_tests.conftest import SUITE
from contract_tests.strategies import mailboxes
from onlyoffice_sandbox import spec
from onlyoffice_sandbox.addresses import parse_mailbox

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


def _parsable(address: Any) -> Any:
    """A recipient the server's parser will read: kept if it is one mailbox, else a plain one.

    Schemathesis sometimes fills a `mailbox` string from its lists of hostile strings rather
    than from the format's strategy; such a value is not an address, whatever the schema says."""
    if not isinstance(address, str) or parse_mailbox(address) is not None:
        return address
    return f"r{zlib.crc32(address.encode('utf-8', 'surrogatepass')):08x}@{SUITE.recipient_domain}"


def as_real_send(body: dict[str, Any]) -> dict[str, Any]:
    """The body as a send that can succeed: from the run's mailbox, to addresses that parse,
    as a new message (a random draft id would only find 404), without attachments (they name
    files on the server). These are the rules the spec cannot state."""
    real = {key: value for key, value in body.items() if key != "attachments"}
    real["from"] = SUITE.from_
    if isinstance(real.get("id"), int) and real["id"] > 0:
        real["id"] = 0
    for name in safety.RECIPIENT_FIELDS:
        if isinstance(real.get(name), list):
            real[name] = [_parsable(item) for item in real[name]]
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
    valid = spec.validator(spec.request_schema_name()).is_valid
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


@schemathesis.hook
def after_call(context: HookContext, case: Case[Any], response: Response) -> None:
    """Count acceptances as they happen, before any check can stop the run."""
    global accepted
    if 200 <= response.status_code < 300:
        accepted += 1


auth_confirmed = False


@schema.parametrize()
def test_conformance(case: Case[Any], target_url: str, session: requests.Session) -> None:
    # ignored_auth re-sends an accepted request without and with a wrong key. Once that has
    # shown the server enforces auth, it is left out, as schemathesis' own runner does:
    # enforcement is a property of the operation, and each probe could send mail.
    global auth_confirmed
    excluded = [ignored_auth] if auth_confirmed else []
    response = case.call_and_validate(
        base_url=target_url,
        headers={"Authorization": SUITE.api_key},
        session=session,
        excluded_checks=excluded,
    )
    auth_confirmed = auth_confirmed or 200 <= response.status_code < 300


def test_something_was_accepted() -> None:
    """A run in which the server accepted nothing proves nothing (every answer 401 passes schemathesis)."""
    assert accepted > 0, (
        "The server accepted none of the valid requests: check API_KEY (is it a valid token?) and FROM"
        " (is it a mailbox of that token's user?). Nothing about the contract was shown."
    )


def _example_case(**body_changes: Any) -> Case[Any]:
    """The spec's own request example, made a safe real send."""
    operation = schema[spec.OPERATION_PATH][spec.OPERATION_METHOD.upper()]
    example = spec.operation()["requestBody"]["content"]["application/json"]["example"]
    body = safety.make_safe(as_real_send(example), SUITE.recipient_domain)
    return operation.Case(body={**body, **body_changes}, media_type="application/json")


def test_a_wrong_key_is_refused_in_plain_text(target_url: str, session: requests.Session) -> None:
    """A 401 with the challenge, checked by every check: generated cases always carry the right key."""
    for headers in ({"Authorization": SUITE.api_key + "-not-the-key"}, {}):
        case = _example_case()
        response = case.call(base_url=target_url, headers=headers, session=session)
        assert response.status_code == 401, (
            f"a request with {list(headers) or 'no'} Authorization was not refused"
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


def test_bodies_that_are_not_json_objects_are_refused(target_url: str, session: requests.Session) -> None:
    headers = {"Authorization": SUITE.api_key, "Content-Type": "application/json"}
    for label, raw in MALFORMED.items():
        response = session.put(target_url + spec.OPERATION_PATH, data=raw, headers=headers, timeout=30)
        assert response.status_code == 400, f"{label} body: expected 400, got {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"{label} body: the 400 is not in the JSON error envelope") from None
        errors = [e.message for e in spec.validator("ErrorEnvelope").iter_errors(body)]
        assert not errors, f"{label} body: the 400 envelope does not match ErrorEnvelope: {errors}"
        assert body["statusCode"] == 400, (
            f"{label} body: envelope statusCode {body['statusCode']} for HTTP 400"
        )
