"""PUT /api/2.0/mail/messages/send, checked in the order the real server checks it.

1. auth (401, plain text)          2. size (413, before the body is read whole)
3. JSON (400)                       4. openapi.yaml's request schema (400)
5. `from` is a mailbox of the caller (400; 403 if disabled or a group)
6. a draft exists (404) and is in Drafts or Templates (403); its body is within the limit (403)
7. every address parses (400)      8. attachments name readable files (400)
Then the message is committed to the outbox and only then answered. As on the real
server, its MIME is built at delivery (compose.py), from what was stored here.
"""

from __future__ import annotations

import hmac
import json
from email.headerregistry import Address
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from starlette.requests import Request
from starlette.responses import Response

from onlyoffice_sandbox import attachments, envelope, outbox, spec
from onlyoffice_sandbox.addresses import parse_mailbox
from onlyoffice_sandbox.compose import Letter, new_message_id, now
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.envelope import Problem, bad_request, forbidden

REQUEST_SCHEMA = spec.request_schema_name()
_ADDRESS_FIELDS = spec.mailbox_fields()  # name: whether it is a list (of recipients)


def _token(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, rest = header.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else header.strip()


def authorized(header: str | None, tokens: tuple[str, ...]) -> bool:
    given = (_token(header) or "").encode()
    # Compare against every token, in constant time each, so timing tells nothing.
    matches = [hmac.compare_digest(given, token.encode()) for token in tokens]
    return bool(given) and any(matches)


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = Problem(413, f"Request body is larger than {limit} bytes", envelope.HRESULT_ARGUMENT)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes, content_type: str) -> Any:
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise bad_request(f"Unsupported content type {media or '(none)'!r}: send application/json")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("Unable to deserialize json") from None


def _schema_problem(error: ValidationError) -> Problem:
    where = error.json_path if error.path else "the request"
    if error.validator == "not":  # the spec's "at least one recipient" rule
        fields = ", ".join(error.validator_value.get("properties", {}))
        return bad_request(f"No recipients: at least one of {fields} must hold an address")
    return bad_request(f"Invalid arguments: {where}: {error.message}"[:400])


def _validate(payload: Any) -> dict[str, Any]:
    errors = list(spec.validator(REQUEST_SCHEMA).iter_errors(payload))
    # A wrong type says more than "no recipients", which a wrong type can also cause.
    error = best_match(e for e in errors if e.validator != "not") or best_match(errors)
    if error is not None:
        raise _schema_problem(error)
    assert isinstance(payload, dict)
    return payload


def _sender(ctx: Context, from_: str) -> Address:
    address = parse_mailbox(from_)
    if address is None:
        raise bad_request("Incorrect email address in field 'from'")
    wanted = address.addr_spec.lower()
    if wanted in ctx.disabled:
        raise forbidden("Sending from this mailbox is not permitted: it is disabled or a group address")
    account = ctx.mailboxes.get(wanted)
    if account is None:
        raise bad_request("Mailbox not found")
    return account


def _recipients(fields: dict[str, Any]) -> list[str]:
    """Check every address field; give the envelope recipients (To, Cc and Bcc)."""
    recipients = []
    for name, is_list in _ADDRESS_FIELDS.items():
        value = fields.get(name)
        for item in value if isinstance(value, list) else [value] if value else []:
            address = parse_mailbox(item)
            if address is None:
                raise bad_request(f"Incorrect email address in field '{name}': {item[:200]!r}")
            if is_list:  # `from` is the one single mailbox; the lists are To, Cc and Bcc
                recipients.append(address.addr_spec)
    return recipients


async def handle(request: Request) -> Response:
    ctx: Context = request.app.state.context
    header = request.headers.get("authorization")
    if not authorized(header, ctx.settings.tokens):
        return envelope.unauthorized(request.url.hostname or "localhost", header is not None)
    try:
        raw = await _read_body(request, ctx.settings.max_body)
        payload = _validate(_parse(raw, request.headers.get("content-type", "")))
        sender = _sender(ctx, payload["from"])
        draft = None
        fields = payload
        if payload.get("id", 0) > 0:
            draft = await ctx.outbox.acall(outbox.find_draft(payload["id"]))
            fields = {**draft.fields, **payload}
            if len(fields.get("body") or "") > ctx.settings.max_draft_body:
                raise forbidden(f"Message body exceeded limit ({ctx.settings.max_draft_body // 1024} KB)")
        letter = Letter(
            fields=fields,
            message_id=new_message_id(sender),
            date=now(),
            author=str(sender),
            recipients=_recipients(fields),
            attachments=attachments.resolve(fields.get("attachments") or [], ctx.settings.files_dir),
        )
        message_id = await ctx.outbox.acall(outbox.queue_message(letter, draft))
    except Problem as problem:
        return envelope.failure(problem)
    ctx.wake_delivery()
    return envelope.success(message_id)
