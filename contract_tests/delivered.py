"""The mail that went out, compared with the send that asked for it (the facts: "The mail that goes out").

A 200 means "stored and queued"; the mail is built and sent afterwards. `differences(body, copies)`
reads what reached each recipient of one accepted send and names every field that differs from
what the request asked for. The rules, field by field, as the real server (MimeKit) writes them:
- From is the sending mailbox; To and Cc are the addresses sent, in order; there is no Bcc header,
  and every Bcc recipient receives the message all the same;
- Subject decodes to the subject sent (RFC 2047 included); there is a Message-ID and a Date;
- `importance` gives `Importance: high` (and an `X-Priority`, if the server writes one, of 1: the
  facts name it, but `MailDraftExtensions.ToMimeMessage` sets only MimeKit's `Importance`, so it is
  not required); `mimeReplyToId` gives
  `In-Reply-To`; `requestReceipt` gives `Return-Receipt-To`, `requestRead`
  `Disposition-Notification-To`, each naming the sender; `calendarIcs` gives a text/calendar part and
  `Auto-Submitted: auto-generated`; `isAutoreply` gives `Auto-Submitted: auto-replied`;
- the HTML body travels as a text/html part with a text/plain alternative;
- none of those headers appears when the request did not ask for it.
"""

from __future__ import annotations

import email
import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Any

from onlyoffice_contract import spec

# The header each field of the request causes in the mail, and only that field.
CAUSED = {
    "importance": "Importance",
    "mimeReplyToId": "In-Reply-To",
    "requestReceipt": "Return-Receipt-To",
    "requestRead": "Disposition-Notification-To",
}
RECEIPTS = ("requestReceipt", "requestRead")  # whose headers name the sender


MARKER = re.compile(r"\+cs-[0-9a-f]{8}-\d+@")  # what `marked` adds to an address


def marked(body: dict[str, Any], token: str, number: int, domain: str) -> dict[str, Any]:
    """`body` with every recipient's local part given `+cs-<token>-<number>`: an address that only
    this send of this run has, which a catch-all of `domain` still takes."""
    tag = f"+cs-{token}-{number}@{domain}"
    changed = dict(body)
    for name in spec.recipient_fields():
        value = body.get(name)
        if isinstance(value, list):
            changed[name] = [v.replace(f"@{domain}", tag) if isinstance(v, str) else v for v in value]
    return changed


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def _text(value: str | None) -> str:
    """A header as a reader shows it: RFC 2047 words decoded, folding undone."""
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(value))).replace("\r\n", "").replace("\n", "")
    except (ValueError, LookupError, UnicodeError):
        return value


def _addresses(values: list[str]) -> list[str]:
    return [address.lower() for _, address in getaddresses(values) if address]


def _asked(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name) or []
    return _addresses(value if isinstance(value, list) else [value])


def recipients(body: dict[str, Any]) -> list[str]:
    """Every address the send names in To, Cc and Bcc (the spec's recipient fields)."""
    return [address for name in spec.recipient_fields() for address in _asked(body, name)]


def _parts(message: Message) -> list[str]:
    return [part.get_content_type() for part in message.walk()]


def differences(body: dict[str, Any], copies: dict[str, list[bytes]]) -> list[str]:
    """What differs between the send `body` and the mail each of its recipients got (`copies`:
    recipient address -> the messages that reached it); [] when the mail is as asked."""
    found = []
    for address in recipients(body):
        got = copies.get(address, [])
        if not got:
            found.append(f"{address}: never delivered")
        elif len(got) > 1:
            found.append(f"{address}: delivered {len(got)} times")
    delivered = [parse(raw) for raws in copies.values() for raw in raws[:1]]
    if not delivered:
        return found
    mail = delivered[0]
    sender = parseaddr(str(body.get("from") or ""))[1].lower()
    if parseaddr(mail.get("From", ""))[1].lower() != sender:
        found.append(f"From: {mail.get('From')!r}, not the mailbox {sender}")
    for name in ("to", "cc"):
        shown = _addresses(mail.get_all(name.title(), []))
        if shown != _asked(body, name):
            found.append(f"{name.title()}: {shown}, not {_asked(body, name)} as sent")
    for each in delivered:
        if each.get_all("Bcc"):
            found.append(f"Bcc: a Bcc header went out: {each.get_all('Bcc')}")
            break
    subject = str(body.get("subject") or "")
    if _text(mail.get("Subject")) != subject:
        found.append(f"Subject: {_text(mail.get('Subject'))!r}, not {subject!r} as sent")
    for name in ("Message-ID", "Date"):
        if not mail.get(name):
            found.append(f"{name}: missing")
    found += _caused(body, mail, sender)
    return found


def _caused(body: dict[str, Any], mail: Message, sender: str) -> list[str]:
    found = []
    for field, header in CAUSED.items():
        if bool(body.get(field)) != bool(mail.get(header)):
            state = "missing" if body.get(field) else "present, though the request did not ask for it"
            found.append(f"{header}: {state} ({field}: {body.get(field)!r})")
    if body.get("importance"):
        if (mail.get("Importance") or "").strip().lower() != "high":
            found.append(f"Importance: {mail.get('Importance')!r}, not high")
        # ToMimeMessage sets MimeKit's Importance only; an X-Priority a server writes must agree.
        if mail.get("X-Priority") and not mail["X-Priority"].strip().startswith("1"):
            found.append(f"X-Priority: {mail.get('X-Priority')!r}, not 1")
    reply_to = str(body.get("mimeReplyToId") or "").strip("<> ")
    if reply_to and reply_to not in (mail.get("In-Reply-To") or ""):
        found.append(f"In-Reply-To: {mail.get('In-Reply-To')!r}, not <{reply_to}>")
    for field in RECEIPTS:
        header = CAUSED[field]
        if body.get(field) and sender not in (mail.get(header) or "").lower():
            found.append(f"{header}: {mail.get(header)!r}, not the sender {sender}")
    submitted = (mail.get("Auto-Submitted") or "").strip().lower()
    wanted = (
        "auto-replied" if body.get("isAutoreply") else "auto-generated" if body.get("calendarIcs") else ""
    )
    if submitted != wanted:
        found.append(f"Auto-Submitted: {submitted or 'missing'!r}, not {wanted or 'absent'!r}")
    parts = _parts(mail)
    if bool(body.get("calendarIcs")) != ("text/calendar" in parts):
        found.append(f"the text/calendar part: {'missing' if body.get('calendarIcs') else 'present'}")
    if body.get("body") and not {"text/html", "text/plain"} <= set(parts):
        found.append(f"the body: parts {parts}, not text/html with a text/plain alternative")
    return found
