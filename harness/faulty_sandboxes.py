"""Faulty variants of the sandbox: each is the real sandbox behind one ASGI wrapper with one fault.

Each wraps the strict sandbox (SANDBOX_BINDER=strict, `strict_settings(folder)`). The contract
suite must fail on every one of them (tests/test_contract_faults.py) and pass on the
sandbox itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests import rules
from harness.asgi import SEND_PATHS, Headers, Wrap, answering, on_requests, on_responses, read_request, replay
from harness.sandboxes import MAILBOX, TOKEN, settings_in
from onlyoffice_contract import binder, defects, dotnet, facts, spec
from onlyoffice_contract.defects import DefectId
from onlyoffice_contract.facts import CaughtBy, CheckId, RefusalId, RuleId
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import Settings
from onlyoffice_sandbox.web.envelope import LENIENCY_HEADER


def strict_settings(folder: Path) -> Settings:
    """The sandbox the faults wrap: the spec alone, so that each fault is the one difference."""
    return settings_in(folder, binder="strict")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def on_json_body(change: Callable[[Any], Any]) -> Wrap:
    """Change the JSON request body (left alone when it is not JSON)."""

    def fault(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
        payload = _json(body)
        return headers, body if payload is None else json.dumps(change(payload)).encode()

    return on_requests(fault)


def on_success_body(change: Callable[[dict[str, Any]], Any]) -> Wrap:
    def fault(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
        if status != 200:
            return status, headers, body
        return status, headers, json.dumps(change(json.loads(body))).encode()

    return on_responses(fault)


def on_error_body(change: Callable[[dict[str, Any]], Any]) -> Wrap:
    def fault(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
        payload = _json(body)
        if status < 400 or not isinstance(payload, dict):
            return status, headers, body
        return status, headers, json.dumps(change(payload)).encode()

    return on_responses(fault)


# -- the faults ------------------------------------------------------------------


def _status_201(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
    return (201 if status == 200 else status), headers, body


def _ignore_auth(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    kept = [(k, v) for k, v in headers if k.lower() != b"authorization"]
    return [*kept, (b"authorization", TOKEN.encode())], body


def _always_401(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
    return (
        401,
        [(b"content-type", b"text/plain"), (b"www-authenticate", b'Bearer Realm="x"')],
        facts.refusal(RefusalId.UNAUTHORIZED).message.encode(),
    )


def _json_401(content_type: bytes) -> Wrap:
    """A 401 in the error envelope, labelled `content_type`."""

    def fault(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
        if status != 401:
            return status, headers, body
        envelope = {
            "status": 1,
            "statusCode": 401,
            "error": {"message": facts.refusal(RefusalId.UNAUTHORIZED).message, "hresult": 0, "data": {}},
        }
        kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
        return 401, [*kept, (b"content-type", content_type)], json.dumps(envelope).encode()

    return on_responses(fault)


def _no_challenge(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
    return status, [(k, v) for k, v in headers if k.lower() != b"www-authenticate"], body


def _html_success(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
    if status != 200:
        return status, headers, body
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    return status, [*kept, (b"content-type", b"text/html; charset=UTF-8")], body


def _crash_on_cc(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    payload = _json(body)
    if isinstance(payload, dict) and isinstance(payload.get("cc"), list) and payload["cc"]:
        raise RuntimeError("a fault: cc is not handled")  # uvicorn answers 500
    return headers, body


def _reject_importance(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    payload = _json(body)
    if isinstance(payload, dict) and payload.get("importance") is True:
        return headers, b"{broken on purpose"  # the sandbox answers 400
    return headers, body


def _accept_non_json(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    if _json(body) is None:  # whatever it was, send a valid message instead
        return headers, json.dumps({"from": "sandbox@example.test", "to": ["x@example.invalid"]}).encode()
    return headers, body


def _int32_clamped(payload: Any) -> Any:
    if (
        isinstance(payload, dict)
        and isinstance(payload.get("id"), int)
        and not isinstance(payload["id"], bool)
    ):
        payload["id"] = max(-(2**31), min(payload["id"], 2**31 - 1))
    return payload


def _unknown_share_mode_as_none(payload: Any) -> Any:
    mode = payload.get("fileLinksShareMode") if isinstance(payload, dict) else None
    if mode is not None and mode not in spec.schema("FileShare")["enum"]:
        payload["fileLinksShareMode"] = 0
    return payload


def _as_the_real_server_binds(payload: Any) -> Any:
    """The body as the core's binder binds it (left as it is when the real server would refuse it)."""
    try:
        return binder.bind_json(payload).request
    except binder.BindError:
        return payload


def _convert_anything(payload: Any) -> Any:
    """A binder that takes any text for a number or boolean, converting or not ("abc" is 0, "yes" false)."""
    if isinstance(payload, dict):
        for p in binder.params():
            value = payload.get(p.name)
            if p.is_list or p.kind.type in ("string", "object") or not isinstance(value, str):
                continue
            try:
                convert = dotnet.boolean if p.kind.type == "boolean" else dotnet.integer
                convert(value)
            except dotnet.NotConvertible:
                payload[p.name] = False if p.kind.type == "boolean" else 0
    return _as_the_real_server_binds(payload)


# -- faults of the rules JSON Schema cannot state (the suite's probes, contract_tests/test_rules.py) ---------


def _error(status: int, message: str) -> tuple[int, Any]:
    return status, {
        "status": 1,
        "statusCode": status,
        "error": {"message": message, "hresult": -1, "data": {}},
    }


def _body(payload: Any) -> dict[str, Any]:
    return payload if isinstance(payload, dict) else {}


def _recipients(payload: Any) -> list[Any]:
    body = _body(payload)
    return [
        r
        for name in spec.recipient_fields()
        for r in body.get(name) or []
        if isinstance(body.get(name), list)
    ]


async def _answer(send: Send, status: int, message: str) -> None:
    _, reply = _error(status, message)
    headers = [(b"content-type", b"application/json; charset=UTF-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(reply).encode()})


def _the_real_servers_500s(*kinds: DefectId) -> Wrap:
    """The real server's known 500s of `kinds`, met as it meets them: on what its binder makes of the
    body (`"from": 0` is the unparsable "0"), after the checks that come first; an id > 0 is one no
    message has unless one of this server's own 200s returned it. As the real server, it says nothing
    of the leniency it used (the sandbox's X-Sandbox-Leniency is dropped)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        returned: set[int] = set()
        sandbox_only = LENIENCY_HEADER.lower().encode()

        def remember(status: int, headers: Headers, body: bytes, _: Headers) -> tuple[int, Headers, bytes]:
            payload = _json(body)
            if status == 200 and isinstance(payload, dict) and type(payload.get("response")) is int:
                returned.add(payload["response"])
            return status, [(k, v) for k, v in headers if k.lower() != sandbox_only], body

        inner = on_responses(remember)(app)

        async def answered(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] not in SEND_PATHS:
                return await inner(scope, receive, send)
            messages, body = await read_request(receive)
            content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
            try:
                bound = binder.bind(body, content_type, scope.get("query_string", b"")).request
            except binder.BindError as refused:
                bound = {}
                if refused.unhandled and DefectId.BINDER_EXCEPTION in kinds:
                    # .NET's words for List.Insert out of range, as ApiHttpHandler's last catch writes them
                    return await _answer(send, 500, "Index must be within the bounds of the List.")
            found = [
                d
                for d in defects.meeting(bound)
                if d.id in kinds and not (d.id is DefectId.ID_NOT_FOUND and bound.get("id") in returned)
            ]
            if not found:
                return await inner(scope, replay(messages, receive), send)
            await _answer(send, found[0].seen_status, found[0].message)

        return answered

    return wrap


def _any_from(payload: Any) -> Any:
    if isinstance(payload, dict) and isinstance(payload.get("from"), str) and parse_mailbox(payload["from"]):
        payload["from"] = MAILBOX  # whoever it names, the sandbox's own mailbox sends it
    return payload


def _declared_sizes_ignored(payload: Any) -> Any:
    """A server that never adds the declared sizes: each is forgotten before the sandbox sees it."""
    for item in _attachments(_body(payload)):
        item.pop("size", None)
    return payload


def _any_json_read(headers: Headers, body: bytes) -> tuple[Headers, bytes]:
    """A server that reads a JSON body whatever its Content-Type says (text/json among them)."""
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    return [*kept, (b"content-type", binder.JSON_TYPE.encode())], body


def _recipients_unchecked(payload: Any) -> Any:
    body = _body(payload)
    for name in spec.recipient_fields():
        if isinstance(body.get(name), list):
            body[name] = [
                r if isinstance(r, str) and parse_mailbox(r) else "fixed@example.invalid" for r in body[name]
            ]
    return payload


def _empty_from_filled(payload: Any) -> Any:
    """A server that reads an empty from as the caller's own mailbox."""
    if isinstance(payload, dict) and payload.get("from") == "":
        payload["from"] = MAILBOX
    return payload


def _empty_recipients_filled(payload: Any) -> Any:
    """A server that reads an empty recipient address as the caller's own mailbox."""
    body = _body(payload)
    for name in spec.recipient_fields():
        if isinstance(body.get(name), list):
            body[name] = [MAILBOX if r == "" else r for r in body[name]]
    return payload


def _sent_again(payload: Any) -> Any:
    if isinstance(payload, dict) and isinstance(payload.get("id"), int) and payload["id"] > 0:
        payload["id"] = 0  # every id is taken as a new message: a sent one goes out again
    return payload


def _refuse_when(test: Callable[[dict[str, Any]], bool], status: int = 400) -> Wrap:
    return answering(lambda payload: _error(status, "refused by a fault") if test(_body(payload)) else None)


def _no_to_beside_cc(body: dict[str, Any]) -> bool:
    return body.get("to") == [] and bool(body.get("cc"))


def _only_bcc(body: dict[str, Any]) -> bool:
    return not body.get("to") and not body.get("cc") and bool(body.get("bcc"))


def _unknown_fields(body: dict[str, Any]) -> bool:
    return bool(set(body) - set(spec.request_properties()))


def _non_ascii_subject(body: dict[str, Any]) -> bool:
    return isinstance(body.get("subject"), str) and not body["subject"].isascii()


def _no_recipient(body: dict[str, Any]) -> bool:
    return bool(body) and not _recipients(body)


def _attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("attachments")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _names_no_file(body: dict[str, Any]) -> bool:
    """An attachment that names no file the sandbox has: the file id no account has, or a storedName
    (the sandboxes the faults wrap hold no file by a stored name)."""
    return any(
        item.get("fileId") == rules.UNRESOLVABLE_FILE_ID or item.get("storedName")
        for item in _attachments(body)
    )


def _names_a_file(body: dict[str, Any]) -> bool:
    return any(
        isinstance(item.get("fileId"), int) and 0 < item["fileId"] != rules.UNRESOLVABLE_FILE_ID
        for item in _attachments(body)
    )


def _as_new_message(draft: rules.DraftProbe) -> Wrap:
    """The stored message's id taken as a new message (id 0): its folder and body are never looked at."""

    def change(payload: Any) -> Any:
        if isinstance(payload, dict) and payload.get("id") == draft.id:
            payload["id"] = 0
        return payload

    return on_json_body(change)


def _template_used_up(draft: rules.DraftProbe) -> Wrap:
    """A template sent once is gone: its second send is refused as if it were in Sent."""

    def wrap(app: ASGIApp) -> ASGIApp:
        sent: set[int] = set()  # one set per wrapped app: each run starts afresh

        async def answered(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] not in SEND_PATHS:
                return await app(scope, receive, send)
            messages, body = await read_request(receive)
            if _body(_json(body)).get("id") == draft.id:
                if draft.id in sent:
                    refused = facts.refusal(RefusalId.NOT_IN_DRAFTS)
                    await _answer(send, refused.status, refused.message)
                    return None
                sent.add(draft.id)
            return await app(scope, replay(messages, receive), send)

        return answered

    return wrap


def _stored_message_id_replaced(app: ASGIApp) -> ASGIApp:
    """A stored message's mail with a new Message-ID instead of the one it was saved with, as a server
    that makes one for every send would write it. Shown on the embedded capture's raw mail, which the
    suite reads (the sandbox itself keeps the stored one)."""

    async def answered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(".eml"):
            return await app(scope, receive, send)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            raw = b"".join(chunks)
            blank = re.search(rb"\r?\n\r?\n", raw)
            end = blank.start() if blank else len(raw)
            head, rest = raw[:end], raw[end:]
            stored = rf"(?im)^Message-ID:[^\r\n]*{re.escape(rules.STORED_ID_MARK)}[^\r\n]*".encode()
            head = re.sub(stored, b"Message-ID: <AUanew.one@example.test>", head)
            body = head + rest
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return await app(scope, receive, rewrite)

    return answered


def _portal_state_in_the_envelope(
    status: int, headers: Headers, body: bytes, _: Headers
) -> tuple[int, Headers, bytes]:
    """The portal's state (an empty answer before auth) answered in the error envelope instead."""
    if status < 400 or body:
        return status, headers, body
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    reply = json.dumps(_error(status, "Service Unavailable")[1]).encode()
    return status, [*kept, (b"content-type", b"application/json; charset=UTF-8")], reply


def _filter_before_binding(app: ASGIApp) -> ASGIApp:
    """A payment filter that answers before the body is bound: once the sandbox's fault API arms
    `payment-required`, the next send gets the filter's 402 whatever its body (a 400 comes first on
    the real server)."""
    armed = [False]

    async def answered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/sandbox/api/faults/send":
            messages, body = await read_request(receive)
            armed[0] = _body(_json(body)).get("kind") == "payment-required"
            return await app(scope, replay(messages, receive), send)
        if not armed[0] or scope["type"] != "http" or scope["path"] not in SEND_PATHS:
            return await app(scope, receive, send)
        armed[0] = False
        refused = facts.refusal(RefusalId.PAYMENT_REQUIRED)
        await _answer(send, refused.status, refused.message)

    return answered


# The real server's 500s: its three status defects and the exceptions of its binder itself.
REAL_SERVERS_500S = (*(d.id for d in defects.STATUS_DEFECTS), DefectId.BINDER_EXCEPTION)


@dataclass(frozen=True)
class Fault:
    name: str
    wrap: Wrap
    caught_by: CaughtBy  # the rule or check whose failure the suite's output names (`facts.printed`)
    exit_status: int = 1  # 4: indistinguishable from a wrong setting, which the suite says first
    # Shown only against the embedded sandbox (the drafts and the file it is seeded with): the fault
    # wraps the suite's own embedded sandbox (`run_suite(..., embedded_fault=name)`).
    embedded: bool = False
    # The real server's known defects it reproduces: under PROFILE=onlyoffice each is a known deviation.
    defects: tuple[DefectId, ...] = ()


FAULTS = [
    Fault("wrong success status (201)", on_responses(_status_201), CheckId.STATUS_CODE_CONFORMANCE),
    Fault(
        "a bare id instead of the envelope",
        on_success_body(lambda b: b["response"]),
        CheckId.RESPONSE_SCHEMA_CONFORMANCE,
    ),
    Fault(
        "the id as a string",
        on_success_body(lambda b: {**b, "response": str(b["response"])}),
        CheckId.RESPONSE_SCHEMA_CONFORMANCE,
    ),
    Fault(
        "a success id of 0",
        on_success_body(lambda b: {**b, "response": 0}),
        CheckId.RESPONSE_SCHEMA_CONFORMANCE,
    ),
    Fault(
        "an error envelope whose statusCode differs from the HTTP status",
        on_error_body(lambda b: {**b, "statusCode": 403 if b.get("statusCode") == 400 else 400}),
        CheckId.ENVELOPE_STATUS_CODE,
    ),
    Fault(
        "an error envelope without its error object",
        on_error_body(lambda b: {k: v for k, v in b.items() if k != "error"}),
        CheckId.RESPONSE_SCHEMA_CONFORMANCE,
    ),
    Fault("auth ignored", on_requests(_ignore_auth), CheckId.IGNORED_AUTH),
    Fault(
        "every request refused as unauthorized",
        on_responses(_always_401),
        CheckId.PREFLIGHT_KEY_REFUSED,
        exit_status=4,
    ),
    Fault("a JSON 401", _json_401(b"application/json"), CheckId.UNAUTHORIZED_BARE_TEXT),
    # Its type is one the spec declares: only the suite's own check of the body can catch it.
    Fault(
        "a 401 in the envelope, labelled text/html",
        _json_401(b"text/html; charset=utf-8"),
        CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE,
    ),
    Fault("a 401 without WWW-Authenticate", on_responses(_no_challenge), CheckId.UNAUTHORIZED_CHALLENGE),
    Fault("a 500 on valid input (any cc)", on_requests(_crash_on_cc), CheckId.NOT_A_SERVER_ERROR),
    Fault(
        "valid input rejected (importance true)",
        on_requests(_reject_importance),
        CheckId.POSITIVE_DATA_ACCEPTANCE,
    ),
    Fault("out-of-range ints accepted", on_json_body(_int32_clamped), CheckId.NEGATIVE_DATA_REJECTION),
    Fault(
        "unknown enum values accepted",
        on_json_body(_unknown_share_mode_as_none),
        CheckId.NEGATIVE_DATA_REJECTION,
    ),
    Fault("non-JSON bodies accepted", on_requests(_accept_non_json), CheckId.MALFORMED_BODIES_REFUSED),
    Fault(
        "success with the wrong content type", on_responses(_html_success), CheckId.CONTENT_TYPE_CONFORMANCE
    ),
    Fault(
        "wrong types accepted when they convert (the real server's binder)",
        on_json_body(_as_the_real_server_binds),
        CheckId.NEGATIVE_DATA_REJECTION,
    ),
    Fault(
        "wrong types accepted even when they do not convert",
        on_json_body(_convert_anything),
        CheckId.NEGATIVE_DATA_REJECTION,
    ),
    Fault("any from accepted", on_json_body(_any_from), RuleId.FROM_NOT_THE_CALLERS),
    Fault("an empty from accepted", on_json_body(_empty_from_filled), RuleId.FROM_EMPTY),
    Fault("an empty recipient address accepted", on_json_body(_empty_recipients_filled), RuleId.TO_EMPTY),
    Fault(
        "recipients never checked",
        on_json_body(_recipients_unchecked),
        RuleId.TO_UNPARSABLE,
    ),
    *(
        Fault(
            f"500 for {defect.name}",
            _the_real_servers_500s(defect.id),
            defect.rule,
            defects=(defect.id,),
        )
        for defect in defects.STATUS_DEFECTS
        if defect.rule is not None
    ),
    Fault(
        "declared attachment sizes over 25 MB accepted",
        on_json_body(_declared_sizes_ignored),
        RuleId.ATTACHMENTS_OVER_LIMIT,
    ),
    Fault(
        "a JSON body labelled text/json read as JSON",
        on_requests(_any_json_read),
        RuleId.TEXT_JSON_NOT_READ,
    ),
    Fault("500 for no recipient at all", _refuse_when(_no_recipient, 500), RuleId.NO_RECIPIENT),
    Fault("an empty to beside a cc refused", _refuse_when(_no_to_beside_cc), RuleId.EMPTY_TO_BESIDE_CC),
    Fault("only bcc refused", _refuse_when(_only_bcc), RuleId.ONLY_BCC),
    Fault(
        "fields the server does not know refused",
        _refuse_when(_unknown_fields),
        RuleId.UNKNOWN_FIELDS_IGNORED,
    ),
    Fault("a sent message sent again", on_json_body(_sent_again), RuleId.SENT_AGAIN),
    Fault(
        "calendar invitations refused",
        _refuse_when(lambda body: bool(body.get("calendarIcs"))),
        RuleId.CALENDAR,
    ),
    Fault("non-ASCII subjects refused", _refuse_when(_non_ascii_subject), RuleId.NON_ASCII),
    Fault(
        "the real server's known 500s",
        _the_real_servers_500s(*REAL_SERVERS_500S),
        RuleId.FROM_UNPARSABLE,
        defects=REAL_SERVERS_500S,
    ),
    Fault(
        "unreadable attachments refused",
        _refuse_when(_names_no_file),
        RuleId.ATTACHMENT_UNRESOLVABLE,
    ),
    Fault(
        "several attachments refused",
        _refuse_when(lambda body: len(_attachments(body)) > 1),
        RuleId.ATTACHMENTS_UNRESOLVABLE,
    ),
    Fault(
        "an attachment of a real file refused",
        _refuse_when(_names_a_file),
        RuleId.FILE_OF_THE_ACCOUNT,
        embedded=True,
    ),
    Fault(
        "a draft sent twice",
        _as_new_message(rules.draft(RuleId.DRAFT_SENDS_ONCE)),
        RuleId.DRAFT_SENDS_ONCE,
        embedded=True,
    ),
    Fault(
        "a template used up by its first send",
        _template_used_up(rules.draft(RuleId.TEMPLATE_STAYS)),
        RuleId.TEMPLATE_STAYS,
        embedded=True,
    ),
    Fault(
        "a message sent from any folder",
        _as_new_message(rules.draft(RuleId.OTHER_FOLDER)),
        RuleId.OTHER_FOLDER,
        embedded=True,
    ),
    Fault(
        "a draft sent with a new Message-ID",
        _stored_message_id_replaced,
        CheckId.STORED_MESSAGE_ID_KEPT,
        embedded=True,
    ),
    Fault(
        "a portal being transferred answered in the envelope",
        on_responses(_portal_state_in_the_envelope),
        RuleId.PORTAL_TRANSFERRING,
        embedded=True,
    ),
    Fault(
        "a payment filter before the body is bound",
        _filter_before_binding,
        RuleId.PORTAL_PAYMENT_FILTER,
        embedded=True,
    ),
    Fault(
        "the draft body limit not kept",
        _as_new_message(rules.draft(RuleId.DRAFT_BODY_OVER_LIMIT)),
        RuleId.DRAFT_BODY_OVER_LIMIT,
        embedded=True,
    ),
]
# The real server as the facts describe it: these pass PROFILE=onlyoffice, reporting the deviations.
KNOWN_DEFECTS = tuple(f for f in FAULTS if f.defects)
# The real server 12.7 as the facts describe it, put in front of a sandbox that binds as it does (which
# also accepts and never sends what its send task cannot build): every known defect at once.
REAL_SERVER = next(f for f in KNOWN_DEFECTS if f.defects == REAL_SERVERS_500S)
