"""Accepting a send: the real server's checks on a parsed request, in its order, then the outbox.

1. openapi.yaml's request schema (400)
2. `from` is a mailbox of the caller (400; 403 if disabled or a group)
3. a draft exists (404) and is in Drafts or Templates (403); its body is within the limit (403)
4. every address parses (400)      5. attachments name readable files (400)
Then the message is committed to the outbox, and only then is the id given back. As on the
real server, its MIME is built at delivery (`delivery/compose.py`), from what was stored here.
Authentication, the size limit and JSON parsing come before, in the HTTP layer (`web/send.py`).
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from onlyoffice_contract import spec
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import attachments, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.letter import Letter, new_message_id, now
from onlyoffice_sandbox.problems import Problem, bad_request, forbidden

REQUEST_SCHEMA = spec.request_schema_name()
_ADDRESS_FIELDS = spec.mailbox_fields()  # name: whether it is a list (of recipients)
_RECIPIENT_FIELDS = spec.recipient_fields()


def _schema_problem(error: ValidationError) -> Problem:
    where = error.json_path if error.path else "the request"
    if error.validator == "not":  # the spec's "at least one recipient" rule
        fields = ", ".join(error.validator_value.get("properties", {}))
        return bad_request(f"No recipients: at least one of {fields} must hold an address")
    return bad_request(f"Invalid arguments: {where}: {error.message}"[:400])


def validate(payload: Any) -> dict[str, Any]:
    """The request, if openapi.yaml's request schema takes it; else the 400 that names the field."""
    if spec.compiled(REQUEST_SCHEMA).is_valid(payload):  # the verdict, fast; the reference one for a message
        assert isinstance(payload, dict)
        return payload
    errors = list(spec.validator(REQUEST_SCHEMA).iter_errors(payload))
    # A wrong type says more than "no recipients", which a wrong type can also cause.
    error = best_match(e for e in errors if e.validator != "not") or best_match(errors)
    if error is not None:
        raise _schema_problem(error)
    assert isinstance(payload, dict)
    return payload


def recipients(fields: dict[str, Any]) -> list[str]:
    """Check every address field; give the envelope recipients (To, Cc and Bcc)."""
    found = []
    for name, is_list in _ADDRESS_FIELDS.items():
        value = fields.get(name)
        for item in value if isinstance(value, list) else [value] if value else []:
            address = parse_mailbox(item)
            if address is None:
                raise bad_request(f"Incorrect email address in field '{name}': {item[:200]!r}")
            if is_list:  # `from` is the one single mailbox; the lists are To, Cc and Bcc
                found.append(address.addr_spec)
    return found


def _limits(ctx: Context) -> attachments.Limits:
    return attachments.Limits(ctx.settings.max_attachments, ctx.settings.max_attachment_bytes)


def _count_recipients(fields: dict[str, Any], limit: int) -> None:
    """Refuse an overlong list before any address of it is parsed: 190,000 of them stalled the server 16 s."""
    count = sum(len(fields.get(name) or []) for name in _RECIPIENT_FIELDS)
    if count > limit:
        raise bad_request(f"Too many recipients: {count}, at most {limit}")


async def accept(ctx: Context, payload: Any) -> int:
    """Store the message the request asks to send and give its id; raises the Problem that refuses it."""
    request = validate(payload)
    sender = ctx.accounts.sender(request["from"])
    draft = None
    fields = request
    if request.get("id", 0) > 0:
        draft = await ctx.outbox.acall(outbox.find_draft(request["id"]))
        fields = {**draft.fields, **request}
        if len(fields.get("body") or "") > ctx.settings.max_draft_body:
            raise forbidden(f"Message body exceeded limit ({ctx.settings.max_draft_body // 1024} KB)")
    _count_recipients(fields, ctx.settings.max_recipients)
    letter = Letter(
        fields=fields,
        message_id=new_message_id(sender),
        date=now(),
        author=str(sender),
        recipients=recipients(fields),
        attachments=attachments.resolve(
            fields.get("attachments") or [], ctx.settings.files_dir, _limits(ctx)
        ),
    )
    return await ctx.outbox.acall(outbox.queue_message(letter, draft))
