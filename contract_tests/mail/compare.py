"""The mail that went out, compared with the send that asked for it (the facts: "The mail that goes out").

A 200 means "stored and queued"; the mail is built and sent afterwards. `differences(body, copies)`
reads what reached each recipient of one accepted send and names every field that differs from
what the request asked for. The rules, field by field, as the real server (MimeKit) writes them:
- From is the sending mailbox, with the account's display name when the suite knows it
  (`target.sender_name`); To and Cc are the addresses sent, in order; there is no Bcc header,
  and every Bcc recipient receives the message all the same;
- Subject decodes to the subject sent (RFC 2047 included; control characters and runs of
  whitespace read as one space, since a server may encode a CR LF or write a space for it);
  there is a Message-ID and a Date; a stored message (a draft or template sent by its id) goes out
  with the Message-ID it was saved with (DraftEngine.Send), which only the embedded run knows;
- `importance` gives `Importance: high` and `X-Priority: 1` (`MailDraftExtensions.ToMimeMessage`
  126-130 sets MimeKit's Importance and XPriority both); `mimeReplyToId` gives
  `In-Reply-To`; `requestReceipt` gives `Return-Receipt-To`, `requestRead`
  `Disposition-Notification-To`, each naming the sender; `calendarIcs` gives the event twice, a
  text/calendar part in the multipart/alternative (or as the body) and an application/ics
  attachment, and `Auto-Submitted: auto-generated`; `isAutoreply` gives `Auto-Submitted: auto-replied` (with
  both, one header for each);
- the HTML body travels as a text/html part with a text/plain alternative (when it shows text:
  ToMimeMessage sends the HTML alone when the text it extracts is empty);
- none of those headers appears when the request did not ask for it, and no header at all that
  neither the request, the server nor a relay accounts for (`allowed_headers.py`).
"""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Any

from contract_tests.mail import allowed_headers
from onlyoffice_contract import send_task, spec
from onlyoffice_contract.mailbox import CONTROL, parse_mailbox

# The header each field of the request causes in the mail, and only that field.
CAUSED = {
    "importance": "Importance",
    "mimeReplyToId": "In-Reply-To",
    "requestReceipt": "Return-Receipt-To",
    "requestRead": "Disposition-Notification-To",
}
RECEIPTS = ("requestReceipt", "requestRead")  # whose headers name the sender
NAME_DIFFERS = "From: the display name"  # how a difference in the sender's name begins
STORED_ID_DIFFERS = "Message-ID: a new one,"  # how a stored message's Message-ID not kept begins


MARKER = re.compile(r"\+cs-[0-9a-f]{8}-\d+@")  # what `marked` adds to an address


def _run_tag(token: str) -> str:
    return f"+cs-{token}-"


def _tag(token: str, number: int) -> str:
    """What `marked` adds to the local part of each recipient of one send."""
    return f"{_run_tag(token)}{number}"


def _mark(value: Any, token: str, number: int, domain: str) -> Any:
    """One recipient with `+cs-<token>-<number>` in its local part when it is a mailbox of `domain`
    whose local part can take it; anything else as it is: an address that did not parse must not
    start to (nor one that did, stop), so the case tests what it tested."""
    if not isinstance(value, str):
        return value
    value = re.sub(rf"{re.escape(_run_tag(token))}\d+@", "@", value)  # a case sent again: its new number
    address = parse_mailbox(value)
    if address is None or address.domain.lower() != domain:
        return value
    at = value.rfind(f"{address.username}@{address.domain}")
    if at < 0:  # a quoted or escaped local part, written otherwise than it reads
        return value
    end = at + len(address.username)
    changed = f"{value[:end]}{_tag(token, number)}{value[end:]}"
    again = parse_mailbox(changed)
    same = again is not None and (again.display_name, again.domain) == (address.display_name, address.domain)
    return changed if same and again and again.username.endswith(_tag(token, number)) else value


def marked(body: dict[str, Any], token: str, number: int, domain: str) -> dict[str, Any]:
    """`body` with every recipient of `domain` given `+cs-<token>-<number>`: an address that only
    this send of this run has, which a catch-all of `domain` still takes. A lone string where the
    list is (which the onlyoffice binder takes) is marked too."""
    changed = dict(body)
    for name in spec.recipient_fields():
        value = body.get(name)
        if isinstance(value, list):
            changed[name] = [_mark(v, token, number, domain) for v in value]
        elif isinstance(value, str):
            changed[name] = _mark(value, token, number, domain)
    return changed


def is_marked(address: str, token: str, number: int) -> bool:
    return f"{_tag(token, number)}@" in address


class _Utf8Headers(policy.Compat32):
    """compat32, but a header of raw UTF-8 (RFC 6532, which SMTPUTF8 mail carries) reads as text:
    compat32 hands such a header back as an `email.header.Header` object, on which string
    functions raise TypeError."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if any("\udc80" <= char <= "\udcff" for char in value):  # bytes the parser kept undecoded
            return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        return super().header_fetch_parse(name, value)


# How the suite reads delivered mail: compat32's leniency, RFC 6532 headers as text.
POLICY = _Utf8Headers()


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=POLICY)


def _text(value: str | None) -> str:
    """A header as a reader shows it: folding undone, RFC 2047 words decoded, whitespace and control
    characters as single spaces (a server may encode a CR LF, or write a space for it)."""
    if value is None:
        return ""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", value)
    try:
        shown = str(make_header(decode_header(unfolded)))
    except (ValueError, LookupError, UnicodeError):
        shown = unfolded
    return _plain(shown)


def _plain(text: str) -> str:
    """Text as a header can carry it: a lone surrogate (JSON can send "\\ud800") is U+FFFD, as an
    encoder writes it; control characters and runs of whitespace are single spaces."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return " ".join(CONTROL.sub(" ", text).split())


def _addresses(values: list[str]) -> list[str]:
    return [address.lower() for _, address in getaddresses(values) if address]


def _asked(body: dict[str, Any], name: str) -> list[str]:
    """The addresses a field names, each read as the server's parser reads it."""
    value = body.get(name) or []
    found = []
    for item in value if isinstance(value, list) else [value]:
        address = parse_mailbox(item) if isinstance(item, str) else None
        found += [address.addr_spec.lower()] if address is not None else _addresses([str(item)])
    return found


def recipients(body: dict[str, Any]) -> list[str]:
    """Every address the send names in To, Cc and Bcc (the spec's recipient fields)."""
    return [address for name in spec.recipient_fields() for address in _asked(body, name)]


def _parts(message: Message) -> list[str]:
    return [part.get_content_type() for part in message.walk()]


def has_text(markup: str) -> bool:
    """Whether HTML shows any text: only then must the server add a text/plain alternative
    (ToMimeMessage sends the HTML alone when the text it extracts is empty)."""
    return bool(_plain(html.unescape(re.sub(r"<[^>]*>", " ", markup))))


def differences(
    body: dict[str, Any],
    copies: dict[str, list[bytes]],
    from_name: str | None = None,
    relay_headers: str = "",
    stored_message_id: str | None = None,
) -> list[str]:
    """What differs between the send `body` (as the server bound it) and the mail each of its
    recipients got (`copies`: recipient address -> the messages that reached it); [] when the mail
    is as asked. `from_name`: the display name From must carry (None: not checked);
    `relay_headers`: RELAY_HEADERS, the names a team's relays add; `stored_message_id`: the
    Message-ID of the stored message the send named by its id, which the mail must keep."""
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
    name, shown_from = parseaddr(mail.get("From", ""))
    if shown_from.lower() != sender:
        found.append(f"From: {mail.get('From')!r}, not the mailbox {sender}")
    elif from_name is not None and _text(name) != _plain(from_name):
        found.append(f"{NAME_DIFFERS} {_text(name)!r}, not the account's {from_name!r}")
    for field in ("to", "cc"):
        shown = _addresses(mail.get_all(field.title(), []))
        if shown != _asked(body, field):
            found.append(f"{field.title()}: {shown}, not {_asked(body, field)} as sent")
    for each in delivered:
        if each.get_all("Bcc"):
            found.append(f"Bcc: a Bcc header went out: {each.get_all('Bcc')}")
            break
    subject = str(body.get("subject") or "")
    if _text(mail.get("Subject")) != _plain(subject):
        found.append(f"Subject: {_text(mail.get('Subject'))!r}, not {subject!r} as sent")
    for header in ("Message-ID", "Date"):
        if not mail.get(header):
            found.append(f"{header}: missing")
    if stored_message_id is not None and _text(mail.get("Message-ID")).strip("<> ") != stored_message_id:
        found.append(
            f"{STORED_ID_DIFFERS} {mail.get('Message-ID')!r}, not the stored message's <{stored_message_id}>"
            " (a draft or template sent by its id keeps the Message-ID it was saved with)"
        )
    found += _caused(body, mail, sender)
    extra = allowed_headers.unexpected(mail, [*CAUSED.values(), *ALSO_CAUSED], relay_headers)
    if extra:
        found.append(f"a header the request did not cause: {', '.join(extra)}")
    return found


# Headers a field causes beside CAUSED's: with importance, and with calendarIcs or isAutoreply.
ALSO_CAUSED = ("X-Priority", "Auto-Submitted")


def _auto_submitted(body: dict[str, Any], mail: Message) -> list[str]:
    """auto-replied for isAutoreply, auto-generated for calendarIcs: the real server adds one
    header for each (`ToMimeMessage`), so with both set there are two, in either order."""
    seen = sorted(value.strip().lower() for value in mail.get_all("Auto-Submitted", []))
    caused = (("calendarIcs", "auto-generated"), ("isAutoreply", "auto-replied"))  # sorted by value
    wanted = [value for field, value in caused if body.get(field)]
    if seen == wanted:
        return []
    return [f"Auto-Submitted: {', '.join(seen) or 'missing'!r}, not {', '.join(wanted) or 'absent'!r}"]


def _calendar(body: dict[str, Any], mail: Message) -> list[str]:
    """The event goes out twice (ToMimeMessageBody): a text/calendar part in the multipart/alternative
    (or as the body itself, when there is no alternative), and an application/ics attachment."""
    in_body, elsewhere, attached = False, False, False
    stack: list[tuple[Message, Message | None]] = [(mail, None)]
    while stack:
        part, parent = stack.pop()
        if part.is_multipart():
            stack += [(child, part) for child in part.get_payload() if isinstance(child, Message)]
            continue
        kind = part.get_content_type()
        if kind == "text/calendar":
            first_of_mixed = parent is not None and parent is mail and parent.get_payload(0) is part
            body_itself = (
                parent is None
                or parent.get_content_type() == "multipart/alternative"
                or (first_of_mixed and mail.get_content_subtype() == "mixed")
            )
            in_body, elsewhere = in_body or body_itself, elsewhere or not body_itself
        attached = attached or kind == "application/ics"
    if not body.get("calendarIcs"):
        shown = [
            name
            for name, seen in (("text/calendar", in_body or elsewhere), ("application/ics", attached))
            if seen
        ]
        return [f"the calendar: {' and '.join(shown)} present, though the request sent none"] if shown else []
    found = []
    if not in_body:
        where = " (only as an attachment, not in the multipart/alternative)" if elsewhere else ""
        found.append(f"the text/calendar part: missing{where}")
    if not attached:
        found.append("the application/ics attachment: missing")
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
        # ToMimeMessage sets XPriority = Highest beside Importance: "1 (Highest)".
        if not (mail.get("X-Priority") or "").strip().startswith("1"):
            found.append(f"X-Priority: {mail.get('X-Priority') or 'missing'!r}, not 1")
    elif mail.get("X-Priority"):
        found.append(f"X-Priority: {mail.get('X-Priority')!r}, though importance was not asked for")
    # MimeKit reads the id as one mailbox and writes `<address>`, dropping any text after it (a line
    # break and a header line, say); where it reads none, the text as sent is looked for.
    asked = str(body.get("mimeReplyToId") or "")
    reply_to = _plain(send_task.in_reply_to(asked) or asked).strip("<> ")
    if reply_to and reply_to not in _text(mail.get("In-Reply-To")):
        found.append(f"In-Reply-To: {mail.get('In-Reply-To')!r}, not <{reply_to}>")
    for field in RECEIPTS:
        header = CAUSED[field]
        if body.get(field) and sender not in (mail.get(header) or "").lower():
            found.append(f"{header}: {mail.get(header)!r}, not the sender {sender}")
    found += _auto_submitted(body, mail)
    found += _calendar(body, mail)
    parts = _parts(mail)
    markup = str(body.get("body") or "")
    wanted = {"text/html", "text/plain"} if has_text(markup) else {"text/html"}
    if markup and not wanted <= set(parts):
        found.append(f"the body: parts {parts}, not text/html with a text/plain alternative")
    return found
