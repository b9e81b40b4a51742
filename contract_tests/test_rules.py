"""Probes for the rules JSON Schema cannot state: each a named test, with the status it must get.

The probes are data (`rules.py`: what each sends, what it expects); these tests send them. Each
runs inside `ContractRun.probing`, which counts its requests and keeps its verdict for the
coverage report.
"""

from __future__ import annotations

import json
import time
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

from contract_tests import checks, coverage, profiles, rules, target, terminal
from contract_tests.coverage import FAILED, NOT_RUN, PASSED
from contract_tests.hooks import as_real_send
from contract_tests.mail import NAME_DIFFERS, Sink, differences, marked, recipients
from contract_tests.plugin import ContractRun, spec_example
from contract_tests.rules import ACCEPTED, DRAFT_PROBES, PROBES, SENT_AGAIN, DraftProbe, Probe, refused
from contract_tests.safety import make_safe
from contract_tests.target import sender_name
from onlyoffice_contract import binder, defects, send_task, spec
from onlyoffice_contract.defects import DefectId
from onlyoffice_contract.facts import RefusalId

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


def check(
    case: Case[Any],
    response: Response,
    rule: str,
    expected: int,
    run: ContractRun,
    *,
    id_exists: bool = False,
) -> None:
    """The status the rule gives, the answer's shape, and the real server's known defects, judged on what
    its binder makes of the body. `id_exists`: the id is one the suite knows is there (a draft it seeded,
    an id just returned), so a 500 for it is no missing message."""
    exclude = (DefectId.ID_NOT_FOUND,) if id_exists else ()
    defect = profiles.known_defect(case.body, response.status_code, run.settings.profile, exclude=exclude)
    if defect is not None:
        # Everything else about the answer is still checked: it must be the error envelope.
        case.validate_response(response, checks=[c for c in SHAPE if c is not status_code_conformance])
        run.coverage.deviation(defect, response.status_code)
        pytest.skip(
            f"known deviation of the real server: {rule} answers {defect.seen} [{defect.id.value}]."
            f" {defect.facts}"
        )
    said = terminal.shown(response.text[:300])  # the server's words, one inert line
    assert response.status_code == expected, (
        f"rule: {rule}: expected {expected}, got {response.status_code}: {said}"
    )
    case.validate_response(response, checks=[*SHAPE, not_a_server_error])


def send(
    contract_schema: Any,
    run: ContractRun,
    target_url: str,
    session: requests.Session,
    marker: int | None = None,
    content_type: str = binder.JSON_TYPE,
    **changes: Any,
) -> tuple[Case[Any], Response]:
    """One probe's send; with a `marker`, every recipient made an address of this send alone."""
    case = case_for(contract_schema, run, **changes)
    if marker is not None:
        assert isinstance(case.body, dict)
        case.body = marked(case.body, run.delivery_token, marker, run.settings.recipient_domain)
    headers = {"Authorization": run.settings.api_key.reveal(), "Content-Type": content_type}
    return case, case.call(base_url=target_url, headers=headers, session=session)


ACCEPTED_PROBES = [p for p in PROBES if p.expected == ACCEPTED]
SENT_DRAFTS = [d for d in DRAFT_PROBES if ACCEPTED in d.expected]  # whose first accepted send's mail is read
DRAFT_MARKERS = 500  # the draft probes' markers: after the probes' (their index), before generated sends


def read_mail(
    body: dict[str, Any],
    run: ContractRun,
    sink: Sink,
    stored_message_id: str | None = None,
    wait: bool = True,
) -> tuple[list[str], dict[str, list[bytes]]]:
    """What differs between the send `body` and the mail each of its recipients got, and that mail.

    Every check shares one deadline, DELIVERY_TIMEOUT from the first: the mail of the probes waits
    behind that of every generated send before it, which a server delivers first. `wait=False`: one
    look each, for mail the real server certainly never sends (no run waits out its deadline on it)."""
    if run.delivery_deadline is None:
        run.delivery_deadline = time.monotonic() + run.settings.delivery_timeout
    copies = {}
    for address in recipients(body):
        left = max(0.0, run.delivery_deadline - time.monotonic()) if wait else 0.0  # past it, one look
        copies[address] = sink.copies(address, left)
    name = sender_name(run.settings)
    problems = differences(body, copies, name, run.settings.relay_headers, stored_message_id)
    run.checked += [address for address, got in copies.items() if len(got) == 1]
    if name is not None and any(copies.values()):
        run.from_name_checked += 1
        run.from_name_failed += any(p.startswith(NAME_DIFFERS) for p in problems)
    return problems, copies


def headers_of(copies: dict[str, list[bytes]]) -> str:
    """The delivered headers of the first copy, for a failure's text."""
    first = next((c[0] for c in copies.values() if c), b"")
    return first.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")[:1500]


def undeliverable(request: dict[str, Any] | None, run: ContractRun) -> tuple[str, bool] | None:
    """Why the real server may accept this send and never deliver it, under PROFILE=onlyoffice, and
    whether that is certain: its send task cannot build the mail of what its binder bound
    (`send_task.py`), or the model cannot tell. None: the mail must arrive (always under strict,
    which requires every accepted send's mail)."""
    if run.settings.profile != "onlyoffice" or request is None:
        return None
    reading, why = send_task.delivery(request)
    return None if reading is send_task.Reading.USABLE else (why, reading is send_task.Reading.UNUSABLE)


def not_delivered(rule: str, why: str, run: ContractRun) -> str:
    """Count a send the real server accepts and never delivers; the reason, for the report."""
    run.coverage.deviation(defects.NOT_DELIVERED)
    return (
        f"known deviation of the real server: {rule}: {defects.NOT_DELIVERED.name}"
        f" [{defects.NOT_DELIVERED.id.value}]: {why}"
    )


def check_delivery(
    body: dict[str, Any],
    rule: str,
    run: ContractRun,
    sink: Sink | None,
    stored_message_id: str | None = None,
) -> None:
    """The mail this accepted send caused, as each recipient got it, against what the send asked."""
    if sink is None:
        run.coverage.delivery(rule, 0, f"{NOT_RUN}: no MAIL_SINK to read the mail from")
        return
    unsent = undeliverable(profiles.bound(body), run)
    certain = unsent is not None and unsent[1]
    problems, copies = read_mail(body, run, sink, stored_message_id, wait=not certain)
    if unsent is not None and not any(copies.values()):
        reason = not_delivered(rule, unsent[0], run)
        run.coverage.delivery(rule, 0, reason)
        pytest.skip(reason)
    run.coverage.delivery(rule, sum(len(c) for c in copies.values()), FAILED if problems else PASSED)
    if problems:
        pytest.fail(
            f"delivered mail: {rule}: "
            + "; ".join(problems)
            + f"\n(read from {sink.name})\n{headers_of(copies)}"
        )


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
    with contract_run.probing(probe.id, request.node):
        reason = probe.not_run(settings)
        if reason is not None:
            pytest.skip(reason)
        # An accepted send's mail is checked too, once every probe has sent: its recipients are its own.
        marker = PROBES.index(probe) if probe.expected == ACCEPTED else None
        case, response = send(
            contract_schema,
            contract_run,
            target_url,
            session,
            marker,
            probe.content_type,
            **probe.changes(settings),
        )
        check(case, response, probe.rule, probe.expected, contract_run)
        if marker is not None:
            assert isinstance(case.body, dict)
            contract_run.accepted_probes[probe.id] = case.body


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
        check(first, sent, "a new message", ACCEPTED, contract_run)
        again, response = send(contract_schema, contract_run, target_url, session, id=sent.json()["response"])
        check(
            again,
            response,
            SENT_AGAIN.sentence,
            refused(RefusalId.NOT_IN_DRAFTS),
            contract_run,
            id_exists=True,
        )


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
    with contract_run.probing(draft.rule_id, request.node):
        if not contract_run.settings.embedded:
            pytest.skip(rules.DRAFTS_NOT_RUN)
        ids = []
        for number, expected in enumerate(draft.expected):
            # Recipients of its own: its mail is read (test_delivered_mail_of_a_stored_message).
            marker = DRAFT_MARKERS + 10 * DRAFT_PROBES.index(draft) + number
            case, response = send(contract_schema, contract_run, target_url, session, marker, id=draft.id)
            check(case, response, draft.rule, expected, contract_run, id_exists=True)
            if response.status_code == ACCEPTED:
                ids.append(response.json()["response"])
                assert isinstance(case.body, dict)
                contract_run.accepted_probes.setdefault(draft.rule_id, case.body)
        if draft.folder == "templates":
            shown = f"rule: {draft.rule}: template {draft.id} sent {len(ids)} times answered ids {ids}"
            assert len(set(ids)) == len(ids), shown
            assert draft.id not in ids, shown


@pytest.mark.parametrize("portal", rules.PORTAL_PROBES, ids=[p.rule for p in rules.PORTAL_PROBES])
def test_rule_of_the_portals_state(
    portal: rules.PortalProbe,
    contract_schema: Any,
    contract_run: ContractRun,
    target_url: str,
    session: requests.Session,
    request: pytest.FixtureRequest,
) -> None:
    """The portal's state is answered before routing and authentication with the status and no body
    (sent without credentials: they are not looked at); a filter's, after the body is bound, in the
    error envelope (a body that does not bind still gets its 400 first)."""
    with contract_run.probing(portal.id, request.node):
        if not contract_run.settings.embedded:
            pytest.skip(rules.PORTAL_NOT_RUN)
        key = contract_run.settings.api_key.reveal()
        target.set_portal_state(target_url, key, portal.fault, session)
        try:
            if portal.after_binding:
                unbound = session.put(
                    target_url + spec.OPERATION_PATH,
                    data=b'{"importance": "not a boolean"}',
                    headers={"Authorization": key, "Content-Type": binder.JSON_TYPE},
                )
                invalid = refused(RefusalId.INVALID_ARGUMENTS)
                assert unbound.status_code == invalid, (
                    f"rule: {portal.rule}: a body that does not bind got {unbound.status_code}, not the"
                    f" {invalid} that comes before the filters"
                )
            case = case_for(contract_schema, contract_run)
            headers = {"Authorization": key} if portal.after_binding else {}
            response = case.call(base_url=target_url, headers=headers, session=session)
        finally:
            target.clear_portal_state(target_url, key, session)
        said = terminal.shown(response.text[:300])
        assert response.status_code == portal.expected, (
            f"rule: {portal.rule}: expected {portal.expected}, got {response.status_code}: {said}"
        )
        if portal.after_binding:
            case.validate_response(response, checks=SHAPE)
        else:
            assert response.content == b"", f"rule: {portal.rule}: a body, not an empty answer: {said}"


# Last in this module, so after every probe has sent: the mail each accepted probe caused.
@pytest.mark.parametrize("probe", ACCEPTED_PROBES, ids=[p.rule for p in ACCEPTED_PROBES])
def test_delivered_mail(probe: Probe, contract_run: ContractRun, mail_sink: Sink | None) -> None:
    body = contract_run.accepted_probes.get(probe.id)
    if body is None:
        contract_run.coverage.delivery(probe.rule, 0, f"{NOT_RUN}: no accepted send of its probe to check")
        pytest.skip("not run: no accepted send of its probe to check")
    check_delivery(body, probe.rule, contract_run, mail_sink)


@pytest.mark.parametrize("draft", SENT_DRAFTS, ids=[d.rule for d in SENT_DRAFTS])
def test_delivered_mail_of_a_stored_message(
    draft: DraftProbe, contract_run: ContractRun, mail_sink: Sink | None
) -> None:
    """The mail of a stored message sent by its id: as any send's, and with the Message-ID it was
    seeded with (DraftEngine.Send keeps a draft's or template's stored MimeMessageId). Embedded only:
    only there does the suite know what the message was stored with."""
    if not contract_run.settings.embedded:
        pytest.skip(rules.DRAFTS_NOT_RUN)
    rule = f"{draft.rule}: its stored Message-ID kept"
    body = contract_run.accepted_probes.get(draft.rule_id)
    if body is None:
        contract_run.coverage.delivery(rule, 0, f"{NOT_RUN}: no accepted send of its probe to check")
        pytest.skip("not run: no accepted send of its probe to check")
    check_delivery(body, rule, contract_run, mail_sink, draft.stored_message_id(contract_run.settings))


def test_delivered_mail_of_generated_sends(
    contract_run: ContractRun, mail_sink: Sink | None, target_url: str
) -> None:
    """The mail of DELIVERY_SAMPLE of the generated sends that were accepted (`mail/generated_sends.py`),
    each as the probes' is checked. A send whose mail differs is kept as a failure of its own (one
    JUnit case each, named by its number) and the rest are still checked."""
    run, settings = contract_run, contract_run.settings
    sample = run.generated.sample()
    what = (
        f"generated sends: {len(sample)} checked of {len(run.generated.accepted)} accepted and marked"
        f" (DELIVERY_SAMPLE={settings.delivery_sample})"
    )
    if mail_sink is None or not sample:
        why = "no MAIL_SINK to read the mail from" if mail_sink is None else "no accepted send to check"
        run.coverage.delivery(what, 0, f"{NOT_RUN}: {why}")
        return
    messages, failed, deviated = 0, 0, 0
    for sent in sample:
        unsent = undeliverable(sent.request, run)
        problems, copies = read_mail(sent.request, run, mail_sink, wait=not (unsent and unsent[1]))
        messages += sum(len(c) for c in copies.values())
        if unsent is not None and not any(copies.values()):
            not_delivered(f"generated send {sent.number}", unsent[0], run)
            deviated += 1
            continue
        if problems:
            failed += 1
            request = requests.Request(
                spec.OPERATION_METHOD.upper(),
                target_url + spec.OPERATION_PATH,
                json=sent.body,
                headers={"Authorization": settings.api_key.reveal()},
            ).prepare()
            shown = json.dumps(sent.body, ensure_ascii=False)
            run.coverage.failed(
                f"delivered mail: generated send {sent.number}",
                run.redactor.text(f"PUT {spec.OPERATION_PATH} {shown[:300]} -> 200"),
                run.redactor.text(coverage.curl(request)),
                run.redactor.text(
                    f"delivered mail: generated send {sent.number}: "
                    + "; ".join(problems)
                    + f"\n(read from {mail_sink.name})\n{headers_of(copies)}"
                ),
                None,
            )
    verdict = f"{FAILED}: {failed} of {len(sample)}" if failed else PASSED
    if deviated:
        verdict += f"; {deviated} accepted and not delivered, as the real server does (a known deviation)"
    run.coverage.delivery(what, messages, verdict)


# Last of all: a copy that came after its address was checked.
def test_no_late_duplicates(contract_run: ContractRun, mail_sink: Sink | None) -> None:
    """Every address whose mail was checked, read once more DELIVERY_SETTLE seconds after the last
    check: each must still hold one copy. A duplicate that came after its check fails here."""
    run = contract_run
    name = sender_name(run.settings)
    if name is None or not run.from_name_checked:
        why = "FROM_NAME is not set" if name is None else "no mail was checked"
        run.coverage.delivery("the display name in From", 0, f"{NOT_RUN}: {why}")
    else:  # a wrong name fails the check of its send, which names it
        verdict = f"{FAILED}: {run.from_name_failed} sends" if run.from_name_failed else PASSED
        run.coverage.delivery(f"the display name in From ({name!r})", run.from_name_checked, verdict)
    what = f"no copy came late (every checked address read again after {run.settings.delivery_settle} s)"
    if mail_sink is None or not run.checked:
        run.coverage.delivery(what, 0, f"{NOT_RUN}: no mail was checked")
        return
    time.sleep(run.settings.delivery_settle)
    late = {}
    for address in run.checked:
        count = len(mail_sink.copies(address, 1.0))
        if count > 1:
            late[address] = count
    run.coverage.delivery(what, len(run.checked) + sum(late.values()), FAILED if late else PASSED)
    assert not late, "delivered mail: a copy came late, after its check: " + "; ".join(
        f"{address}: delivered {count} times" for address, count in late.items()
    )
