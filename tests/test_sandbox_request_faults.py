"""X-Sandbox-Fault: one fault for one request alone, every kind the global switch knows, each seen
in the answer, the outbox and the capture; the armed fault is neither applied nor used up by it."""

from __future__ import annotations

import json

import httpx
import pytest

from onlyoffice_contract import spec
from onlyoffice_sandbox import faults_on_demand
from onlyoffice_sandbox.pytest_plugin import Sandbox

# What each kind makes of one valid send: the status (None: no answer at all), whether the answer
# has a body (the portal's state has none), and whether the message was accepted (and so captured).
OUTCOME: dict[str, tuple[int | None, bool, bool]] = {
    "transferring": (503, False, False),
    "deactivated": (404, False, False),
    "unpaid": (402, False, False),
    "payment-required": (402, True, False),
    "mail-unavailable": (403, True, False),
    "server-error": (500, True, False),
    "late=2": (None, False, True),  # answered 2 s late: the client below gives up first
    "drop": (None, False, False),
}


def put(sandbox: Sandbox, subject: str, timeout: float = 10, **headers: str) -> httpx.Response:
    """A valid send; `fault` stands for X-Sandbox-Fault."""
    if "fault" in headers:
        headers["X-Sandbox-Fault"] = headers.pop("fault")
    body = json.dumps({"from": sandbox.address, "to": ["bob@example.org"], "subject": subject})
    auth = {"Authorization": sandbox.token, "Content-Type": "application/json"}
    url = sandbox.url + spec.OPERATION_PATH
    return httpx.put(url, content=body, headers={**auth, **headers}, timeout=timeout)


def test_every_kind_of_the_global_switch_has_its_case() -> None:
    assert {value.partition("=")[0] for value in OUTCOME} == set(faults_on_demand.KINDS)


@pytest.mark.parametrize(
    "value", [pytest.param(v, marks=pytest.mark.waits) if v.startswith("late") else v for v in OUTCOME]
)
def test_the_header_applies_its_fault_to_that_request_alone(sandbox: Sandbox, value: str) -> None:
    sandbox.fail_sends("mail-unavailable", count=3)  # armed for the next sends: untouched by this one
    status, has_body, accepted = OUTCOME[value]
    subject = f"with X-Sandbox-Fault: {value}"
    if status is None:
        with pytest.raises((httpx.ReadTimeout, httpx.RemoteProtocolError)):
            put(sandbox, subject, timeout=0.5, fault=value)
    else:
        answer = put(sandbox, subject, fault=value)
        assert answer.status_code == status, answer.text
        assert bool(answer.content) is has_body
        if has_body:
            assert spec.validator("ErrorEnvelope").is_valid(answer.json()), answer.text
    assert sandbox.faults()["send"]["remaining"] == 3
    if accepted:
        [mail] = sandbox.wait_for_mail(subject=subject)
        assert [r["id"] for r in sandbox.outbox()] == [mail["sendId"]]
    else:
        assert sandbox.outbox() == []
        assert sandbox.messages(subject=subject) == []
    sandbox.clear_faults()
    assert put(sandbox, "without the header").status_code == 200  # the next request: as usual


def test_the_portals_state_by_header_comes_before_authentication(sandbox: Sandbox) -> None:
    answer = put(sandbox, "x", Authorization="wrong", fault="transferring")
    assert (answer.status_code, answer.content) == (503, b"")
    filtered = put(sandbox, "x", Authorization="wrong", fault="mail-unavailable")
    assert filtered.status_code == 401  # a filter's fault needs an authenticated send


@pytest.mark.parametrize("value", ["nope", "late=abc", "late=nan", "late=601", "drop=1", ""])
def test_a_header_that_names_no_fault_is_refused_and_says_why(sandbox: Sandbox, value: str) -> None:
    answer = put(sandbox, "x", fault=value)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"].startswith("X-Sandbox-Fault")
    assert sandbox.outbox() == []
