"""Accepting a send: the real server's checks on the request's fields, in its order, then the outbox.

1. the request schema (400; `request_reader.py`, which reads the body by SANDBOX_BINDER)
2. `from` is a mailbox of the caller (400; 403 if disabled or a group)
3. a draft exists (404) and is in Drafts or Templates (403); its body is within the limit (403)
3a. the declared sizes of the attachments are within 25 MB (400; the real server's 500 is a defect)
4. every address parses (400); as on the real server, which saves the draft before it parses
   them, a send refused here leaves the message in Drafts
Attachments are never refused: each is read now if it can be, and one that cannot is
skipped and noted on the message, as the real server skips it in the background.
Then the message is committed to the outbox, and only then is the id given back. As on the
real server, its MIME is built at delivery (`delivery/compose.py`), from what was stored here.
Authentication, the size limit and reading the body come before, in the HTTP layer (`web/send.py`).
"""

from __future__ import annotations

import logging
from typing import Any

from onlyoffice_contract import defects, leniency, send_task, spec
from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import attachments, outbox
from onlyoffice_sandbox.context import Context
from onlyoffice_sandbox.letter import Letter, new_message_id, now
from onlyoffice_sandbox.problems import Problem, bad_request, refuse
from onlyoffice_sandbox.request_reader import Read
from onlyoffice_sandbox.tenants import Tenant

log = logging.getLogger("onlyoffice_sandbox.sending")
_ADDRESS_FIELDS = spec.mailbox_fields()  # name: whether it is a list (of recipients)
_RECIPIENT_FIELDS = spec.recipient_fields()


def recipients(fields: dict[str, Any]) -> list[str]:
    """Check every address field; give the envelope recipients (To, Cc and Bcc)."""
    found = []
    for name, is_list in _ADDRESS_FIELDS.items():
        value = fields.get(name)
        for item in value if isinstance(value, list) else [value] if value else []:
            address = parse_mailbox(item)
            if address is None:
                raise refuse(RefusalId.ADDRESS_UNPARSABLE, f": {item[:200]!r}", field=name.capitalize())
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


async def accept(ctx: Context, read: Read, tenant: Tenant | None = None) -> int:
    """Store the message the request asks to send and give its id; raises the Problem that refuses it.
    It is the tenant's (the default one's if None): its accounts, its drafts, its outbox rows.

    What it needed of the binder's leniency and the attachments it skipped are noted on the message."""
    fields = read.fields
    tenant = tenant or ctx.tenants.default
    sender = tenant.accounts.sender(fields["from"])
    draft = None
    # What goes out is what the request carries, a draft's send too: DraftEngine.Send builds the
    # message from its parameters alone (a field left out is its default, an empty subject say)
    # and saves that over the draft. Of the stored draft only its folder and its body's size count.
    if fields.get("id", 0) > 0:
        draft = await ctx.outbox.acall(outbox.find_draft(fields["id"], tenant.id))
        # The real server measures the stored draft's body, whatever the request sends.
        if len(draft.fields.get("body") or "") > ctx.settings.max_draft_body:
            raise refuse(RefusalId.DRAFT_BODY_OVER_LIMIT, kb=ctx.settings.max_draft_body // 1024)
    # MailDraftData's constructor, before the draft is saved: declared sizes, not the files' own.
    if defects.over_attachment_limit(fields):
        raise refuse(RefusalId.ATTACHMENTS_OVER_LIMIT)
    _count_recipients(fields, ctx.settings.max_recipients)
    try:
        addressed = recipients(fields)
    except Problem as refused:
        kept = await ctx.outbox.acall(outbox.keep_refused(fields, draft, refused.message, tenant.id))
        log.warning("message %s: %s; left in Drafts, as the real server leaves it", kept, refused.message)
        raise
    attached, skipped = attachments.resolve(
        fields.get("attachments") or [], ctx.settings.files_dir, _limits(ctx)
    )
    letter = Letter(
        fields=fields,
        # A draft (or template) keeps the Message-ID it was saved with (DraftEngine.Send, id > 0);
        # a new message gets a new one.
        message_id=draft.message_id if draft is not None and draft.message_id else new_message_id(sender),
        date=now(),
        author=str(sender),
        recipients=addressed,
        attachments=attached,
        notes=(*leniency.shown(read.leniencies), *skipped),
    )
    # The real server answers 200 and then cannot build the mail of some values (send_task.py): the
    # message goes back to Drafts and nothing is sent. The sandbox shows that where it binds as that
    # server does; strict, the spec's sandbox, delivers it as the contract asks.
    reading, why = send_task.delivery(fields)
    unsendable = ctx.settings.binder == "onlyoffice" and reading is send_task.Reading.UNUSABLE
    if unsendable:
        message_id = await ctx.outbox.acall(outbox.queue_failed(letter, draft, why, tenant.id))
        log.warning("message %s is accepted and will not be sent, as on the real server: %s", message_id, why)
    else:
        message_id = await ctx.outbox.acall(outbox.queue_message(letter, draft, tenant.id))
    for taken in read.leniencies:
        log.warning("message %s was accepted through the real server's leniency: %s", message_id, taken)
    for note in skipped:
        log.warning("message %s: %s", message_id, note)
    return message_id
