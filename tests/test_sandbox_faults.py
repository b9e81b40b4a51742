"""Faults on demand, each seen as an app sees it: through the generated client, sync and async.

Send faults answer as the real server does at the stage where it answers them: the portal's
state before authentication (503, 404, 402 with an empty body), the API's pre-call filter after
the body is bound (402, 403 in the error envelope), a defect in the method (500), or late, or
not at all. Delivery faults make the embedded capture refuse with 421, 451 or 550, which the
outbox's record shows.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from harness import sandboxes
from harness.sandbox_api import conforms
from harness.sandboxes import MAILBOX, TOKEN, outbox, running, settings_in, wait_until, write_drafts
from onlyoffice_contract import spec
from onlyoffice_sandbox.pytest_plugin import Sandbox, SandboxError

# What the client raises for each fault answered in the envelope (or not at all), the status it
# carries (None: no answer at all), and whether it says the mail may have been sent.
EXPECTED: dict[str, tuple[type[errors.ClientError], int | None, str, bool]] = {
    "payment-required": (errors.ApiError, 402, "PaymentRequired", False),
    "mail-unavailable": (errors.ApiError, 403, "Forbidden", False),
    "server-error": (errors.UnexpectedStatus, 500, "Object reference not set", True),
    "drop": (errors.ConnectionLost, None, "no valid answer came back", True),
}
# The portal's state: answered before authentication, with an empty body (Global.asax.cs).
PORTAL = {"transferring": 503, "deactivated": 404, "unpaid": 402}


def request(subject: str = "fault test") -> SendMessageRequest:
    return SendMessageRequest(from_="sandbox@example.test", to=["bob@example.org"], subject=subject)


def client(sandbox: Sandbox, **kwargs: Any) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=sandbox.url, token=sandbox.token, **kwargs)


def send(sandbox: Sandbox, mode: str, subject: str = "fault test", **kwargs: Any) -> int:
    if mode == "sync":
        return send_message.sync_or_raise(client=client(sandbox, **kwargs), body=request(subject)).response
    return asyncio.run(
        send_message.asyncio_or_raise(client=client(sandbox, **kwargs), body=request(subject))
    ).response


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_send_fault_is_its_typed_error_and_nothing_is_accepted(
    sandbox: Sandbox, kind: str, mode: str
) -> None:
    state = sandbox.fail_sends(kind)
    assert state["send"] == {"kind": kind, "remaining": 1, "seconds": 5}
    error, status, words, may_have_been_sent = EXPECTED[kind]
    with pytest.raises(error, match=words) as raised:
        send(sandbox, mode)
    assert raised.value.may_have_been_sent is may_have_been_sent
    if status is not None:
        assert getattr(raised.value, "status_code", None) == status
        envelope = httpx.Response(status, content=raised.value.content).json()  # type: ignore[attr-defined]
        assert spec.validator("ErrorEnvelope").is_valid(envelope), envelope
        # System.Web.HttpException (E_FAIL) from the filters; NullReferenceException (E_POINTER) for the 500
        hresult = -2147467261 if status == 500 else -2147467259
        assert (envelope["statusCode"], envelope["error"]["hresult"]) == (status, hresult)
        assert envelope["error"]["message"].startswith(words)
    assert sandbox.outbox() == []  # refused before the method ran: nothing accepted
    assert sandbox.faults()["send"] is None  # one send, one fault
    assert send(sandbox, mode) > 0  # then the sandbox answers as usual


@pytest.mark.waits
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_late_answer_times_the_client_out_though_the_mail_was_accepted(sandbox: Sandbox, mode: str) -> None:
    """Why a timeout may have sent the mail: the answer is late, the message already accepted."""
    sandbox.fail_sends("late", seconds=3)
    with pytest.raises(errors.Timeout) as raised:
        send(sandbox, mode, "late one", timeout=httpx.Timeout(0.3))
    assert (raised.value.phase, raised.value.may_have_been_sent) == ("read", True)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    [mail] = sandbox.wait_for_mail(subject="late one")
    assert [m["id"] for m in sandbox.outbox()] == [mail["sendId"]]


def raw_send(sandbox: Sandbox, body: bytes, **headers: str) -> httpx.Response:
    return httpx.put(sandbox.url + spec.OPERATION_PATH + ".json", content=body, headers=headers)


VALID = json.dumps({"from": "sandbox@example.test", "to": ["bob@example.org"], "subject": "x"}).encode()


@pytest.mark.parametrize("kind", list(PORTAL))
@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "Authorization": "the token"},
        {"Content-Type": "application/json"},
        {"Authorization": "wrong"},
    ],
    ids=["authenticated", "no credentials", "wrong credentials"],
)
def test_the_portals_state_is_answered_before_authentication_with_an_empty_body(
    sandbox: Sandbox, kind: str, headers: dict[str, str]
) -> None:
    """Global.asax.cs Application_BeginRequest blocks the portal before routing and authentication:
    the status, Response.End(), no envelope; with credentials or without, whatever the body."""
    if headers.get("Authorization") == "the token":
        headers = {**headers, "Authorization": sandbox.token}
    sandbox.fail_sends(kind, count=2)
    for body in (VALID, b"{not json"):
        response = raw_send(sandbox, body, **headers)
        assert response.status_code == PORTAL[kind], response.text
        assert response.content == b""
        assert "www-authenticate" not in response.headers
        assert "set-cookie" not in response.headers  # authentication never ran
    assert sandbox.faults()["send"] is None
    assert sandbox.outbox() == []
    assert raw_send(sandbox, VALID, **headers).status_code in {200, 401}  # then as usual


@pytest.mark.parametrize("kind", ["payment-required", "mail-unavailable", "server-error"])
def test_the_filters_and_the_method_come_after_binding(sandbox: Sandbox, kind: str) -> None:
    """ApiManager binds the arguments, then runs the pre-call filters, then the method: a body that
    does not bind gets its 400 first and leaves the fault armed."""
    sandbox.fail_sends(kind)
    auth = {"Authorization": sandbox.token, "Content-Type": "application/json"}
    unbound = raw_send(sandbox, b"{not json", **auth)
    assert unbound.status_code == 400, unbound.text
    assert sandbox.faults()["send"] == {"kind": kind, "remaining": 1, "seconds": 5}
    assert raw_send(sandbox, VALID, Authorization="wrong").status_code == 401
    assert sandbox.faults()["send"]["remaining"] == 1
    refused = raw_send(sandbox, VALID, **auth)
    assert refused.status_code == EXPECTED[kind][1], refused.text
    assert refused.json()["error"]["message"].startswith(EXPECTED[kind][2])
    assert sandbox.faults()["send"] is None


@pytest.mark.parametrize(
    ("value", "skipped"), [("false", True), ("False", True), ("no", True), ("true", False), ("", False)]
)
def test_payment_info_skips_the_filters_payment_check(sandbox: Sandbox, value: str, skipped: bool) -> None:
    """ProductSecurityFilter checks payment only when Payment-Info is empty or parses as true."""
    sandbox.fail_sends("payment-required")
    headers = {"Authorization": sandbox.token, "Content-Type": "application/json", "Payment-Info": value}
    response = raw_send(sandbox, VALID, **headers)
    assert response.status_code == (200 if skipped else 402), response.text
    # A skipped check leaves the fault armed; the mail-unavailable check is not skipped by it.
    assert (sandbox.faults()["send"] is not None) is skipped
    sandbox.fail_sends("mail-unavailable")
    assert raw_send(sandbox, VALID, **headers).status_code == 403


@pytest.mark.parametrize("suffix", [".xml", ".tml"])
def test_a_filters_refusal_on_the_xml_routes_is_xml(sandbox: Sandbox, suffix: str) -> None:
    sandbox.fail_sends("mail-unavailable")
    form = "from=sandbox%40example.test&to=bob%40example.org"
    response = httpx.put(
        sandbox.url + spec.OPERATION_PATH + suffix,
        content=form,
        headers={"Authorization": sandbox.token, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert b"<message>Forbidden</message>" in response.content


def test_a_fault_lasts_count_sends_and_a_401_neither_triggers_nor_uses_it(sandbox: Sandbox) -> None:
    sandbox.fail_sends("mail-unavailable", count=2)
    wrong = AuthenticatedClient(base_url=sandbox.url, token="wrong")
    with pytest.raises(errors.AuthenticationError):
        send_message.sync_or_raise(client=wrong, body=request())
    assert sandbox.faults()["send"]["remaining"] == 2
    for _ in range(2):
        with pytest.raises(errors.ApiError, match="Forbidden"):
            send(sandbox, "sync")
    assert send(sandbox, "sync") > 0
    sandbox.fail_sends("payment-required", count=5)
    assert sandbox.clear_faults() == {"send": None, "delivery": None, "capture": True}
    assert send(sandbox, "sync") > 0


@pytest.mark.parametrize("sandbox_settings", [{"binder": "onlyoffice"}])
def test_a_send_the_web_client_authenticates_by_cookie_gets_the_fault(sandbox: Sandbox) -> None:
    """Review finding B: the fault guard read only the header, so a cookie send passed every fault."""
    sandbox.fail_sends("mail-unavailable")
    response = httpx.put(
        sandbox.url + "/api/2.0/mail/messages/send.json",
        json={"from": sandbox.address, "to": ["bob@example.org"], "subject": "by cookie"},
        headers={"Cookie": f"asc_auth_key={sandbox.token}"},
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"]["message"] == "Forbidden"
    assert sandbox.faults()["send"] is None
    assert sandbox.outbox() == []


@pytest.mark.parametrize("sandbox_settings", [{"fault_sends": "transferring:2", "fault_deliveries": "451"}])
def test_faults_from_settings(sandbox: Sandbox) -> None:
    for _ in range(2):
        response = raw_send(
            sandbox, VALID, Authorization=sandbox.token, **{"Content-Type": "application/json"}
        )
        assert (response.status_code, response.content) == (503, b"")
    send_id = send(sandbox, "sync", "after the faults")
    [mail] = sandbox.wait_for_mail(sendId=send_id)
    assert mail["subject"] == "after the faults"
    # Captured is not yet recorded: the delivery process marks it sent after the capture's 250.
    wait_until(lambda: sandbox.outbox()[0]["state"] == "sent")
    [record] = sandbox.outbox()
    assert record["attempts"] == 2  # the capture refused the first delivery (451); the retry went in


def record_of(sandbox: Sandbox, send_id: int) -> dict[str, Any]:
    [record] = [r for r in sandbox.outbox() if r["id"] == send_id]
    return record


@pytest.mark.waits
@pytest.mark.parametrize(("code", "count"), [(421, 1), (451, 2)])
def test_a_temporary_refusal_by_the_capture_is_retried(sandbox: Sandbox, code: int, count: int) -> None:
    state = sandbox.refuse_deliveries(code, count)
    assert state["delivery"] == {"code": code, "remaining": count}
    send_id = send(sandbox, "sync")
    sandbox.wait_for_mail(sendId=send_id)
    wait_until(lambda: record_of(sandbox, send_id)["state"] == "sent")  # marked after the capture's 250
    record = record_of(sandbox, send_id)
    assert (record["state"], record["attempts"]) == ("sent", count + 1)
    assert sandbox.faults()["delivery"] is None


def test_a_permanent_refusal_by_the_capture_fails_the_message(sandbox: Sandbox) -> None:
    sandbox.refuse_deliveries(550)
    send_id = send(sandbox, "sync")
    wait_until(lambda: record_of(sandbox, send_id)["state"] == "failed")
    record = record_of(sandbox, send_id)
    said = "550 5.7.1 Requested action not taken: mailbox unavailable (a sandbox fault)"
    assert record["lastError"] == f"the SMTP relay answered DATA: {said}"  # as SMTP says it
    assert record["attempts"] == 1
    assert sandbox.messages() == []
    assert send(sandbox, "sync", "next") > 0
    assert sandbox.wait_for_mail(subject="next")


@pytest.mark.parametrize("sandbox_settings", [{"smtp": "127.0.0.1:9"}])
def test_delivery_faults_need_the_capture(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="409"):
        sandbox.refuse_deliveries(451)
    assert sandbox.faults() == {"send": None, "delivery": None, "capture": False}


def test_the_fault_endpoints_need_the_token_and_check_their_body(sandbox: Sandbox) -> None:
    for method, path in [("GET", ""), ("DELETE", ""), ("PUT", "/send"), ("PUT", "/delivery")]:
        response = httpx.request(method, f"{sandbox.url}/sandbox/api/faults{path}", json={"kind": "drop"})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Basic")
    auth = {"Authorization": f"Bearer {sandbox.token}"}
    for body in [{"kind": "nope"}, {"kind": "late", "seconds": 601}, {"kind": "drop", "count": 0}, {"x": 1}]:
        response = httpx.put(f"{sandbox.url}/sandbox/api/faults/send", json=body, headers=auth)
        conforms(response, "armSendFault", 400)
    response = httpx.put(f"{sandbox.url}/sandbox/api/faults/delivery", json={"code": 250}, headers=auth)
    conforms(response, "armDeliveryFault", 400)
    ok = httpx.put(
        f"{sandbox.url}/sandbox/api/faults/send", json={"kind": "late", "seconds": 1}, headers=auth
    )
    assert conforms(ok, "armSendFault", 200)["send"] == {"kind": "late", "remaining": 1, "seconds": 1}
    assert conforms(httpx.get(f"{sandbox.url}/sandbox/api/faults", headers=auth), "getFaults", 200)["send"]


@pytest.mark.parametrize("sandbox_settings", [{"max_body": 1024}])
def test_a_fault_body_that_is_not_finite_json_or_is_too_large_is_refused(sandbox: Sandbox) -> None:
    """Review finding D: json.loads took NaN, which passed the schema's bounds (a `late` fault that
    never ended); and the body was read whole, with no limit."""
    auth = {"Authorization": f"Bearer {sandbox.token}", "Content-Type": "application/json"}
    for text in [
        '{"kind": "late", "seconds": NaN}',
        '{"kind": "late", "seconds": Infinity}',
        '{"kind": "late", "seconds": 1e999}',
    ]:
        response = httpx.put(f"{sandbox.url}/sandbox/api/faults/send", content=text, headers=auth)
        conforms(response, "armSendFault", 400)
    assert sandbox.faults()["send"] is None
    padded = json.dumps({"code": 451, "padding": "x" * 2000})
    for path, operation in [("send", "armSendFault"), ("delivery", "armDeliveryFault")]:
        response = httpx.put(f"{sandbox.url}/sandbox/api/faults/{path}", content=padded, headers=auth)
        assert "1024" in conforms(response, operation, 413)["error"]


@pytest.mark.waits
@pytest.mark.parametrize("first_send", [{"id": 501}, {}], ids=["a draft", "a new message"])
def test_a_message_whose_delivery_failed_is_back_in_drafts_and_can_be_sent_again(
    tmp_path: Path, first_send: dict[str, Any]
) -> None:
    """Review finding G: after a failed delivery the real server moves the message back to Drafts
    (ReleaseSendingDraftOnFailure), so its id can be sent again; the sandbox left it in Sent (403).
    A new message too: the real server saves it as a draft before it sends it (the facts)."""
    draft = {"id": 501, "folder": "drafts", "from": MAILBOX, "to": ["bob@example.org"], "subject": "Draft"}
    settings = settings_in(tmp_path, drafts=write_drafts(tmp_path, [draft]))
    with running(settings) as url:
        armed = httpx.put(
            f"{url}/sandbox/api/faults/delivery",
            json={"code": 550},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        conforms(armed, "armDeliveryFault", 200)
        first = sandboxes.send(url, {**first_send, "from": MAILBOX, "to": ["bob@example.org"]})
        sent_id = first.json()["response"]
        assert sent_id == first_send.get("id", sent_id), first.text

        def record() -> dict[str, Any]:
            [found] = [r for r in outbox(url) if r["id"] == sent_id]
            return found

        wait_until(lambda: record()["state"] == "failed")
        assert record()["folder"] == "drafts"
        again = sandboxes.send(url, {"id": sent_id, "from": MAILBOX, "to": ["bob@example.org"]})
        assert again.status_code == 200, again.text
        assert again.json()["response"] == sent_id
        wait_until(lambda: record()["state"] == "sent")
        assert (record()["folder"], record()["attempts"], record()["refused"]) == ("sent", 1, {})
        once_sent = sandboxes.send(url, {"id": sent_id, "from": MAILBOX, "to": ["bob@example.org"]})
        assert once_sent.status_code == 403  # delivered: in Sent for good


def test_the_captures_refusals_are_the_codes_sandbox_api_yaml_declares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Review (small): the capture typed the codes a second time, with a fallback for others that
    nothing could arm; a code added to DeliveryFault without its reply now stops the start."""
    from onlyoffice_sandbox import faults_on_demand
    from onlyoffice_sandbox.delivery import capture

    assert set(capture.REFUSALS) == set(faults_on_demand.DELIVERY_CODES)
    monkeypatch.setattr(faults_on_demand, "DELIVERY_CODES", [*faults_on_demand.DELIVERY_CODES, 552])
    try:
        with pytest.raises(RuntimeError, match="552"):
            importlib.reload(capture)
    finally:
        monkeypatch.undo()
        importlib.reload(capture)


@pytest.mark.waits
def test_a_delivery_fault_does_not_outlive_the_sandbox_that_armed_it(tmp_path: Path) -> None:
    """A fault armed in one sandbox and not used up made the first mail of the next sandbox on the
    same data folder fail (it lived in the capture's index). Asked for by a setting, it is armed."""
    settings = settings_in(tmp_path)
    with running(settings) as url:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        armed = httpx.put(f"{url}/sandbox/api/faults/delivery", json={"code": 550, "count": 5}, headers=auth)
        assert armed.json()["delivery"]["remaining"] == 5
    with running(settings) as url:
        faults = httpx.get(f"{url}/sandbox/api/faults", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert faults["delivery"] is None
        response = sandboxes.send(url, {"from": "sandbox@example.test", "to": ["bob@example.org"]})
        send_id = response.json()["response"]
        wait_until(lambda: [r["state"] for r in outbox(url) if r["id"] == send_id] == ["sent"])
    with running(settings_in(tmp_path, fault_deliveries="451:2")) as url:
        faults = httpx.get(f"{url}/sandbox/api/faults", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert faults["delivery"] == {"code": 451, "remaining": 2}
