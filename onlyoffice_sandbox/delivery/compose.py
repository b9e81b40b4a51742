"""The mail that goes out, composed with the `email` package as the real server's MimeKit code does."""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from html.parser import HTMLParser
from typing import cast

from onlyoffice_contract import send_task
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox.delivery import headers
from onlyoffice_sandbox.letter import Letter

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of_html(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# Headers are written raw (headers.py); `email` must write them as they are, not refold them.
_POLICY = SMTP.clone(refold_source="none", cte_type="7bit")  # 7-bit: any relay takes it, 8BITMIME or not
# MIME forbids base64 for these (RFC 2046), and `email` cannot attach bytes as some of them
# (message/delivery-status): a file named with one is attached as application/octet-stream.
_COMPOSITE = ("message/", "multipart/")


def _parts(multipart: EmailMessage) -> list[EmailMessage]:
    return cast(list[EmailMessage], multipart.get_payload())


def _addresses(values: list[str]) -> list[Address]:
    found = [parse_mailbox(v) for v in values]
    return [a for a in found if a is not None]  # the caller has refused any that do not parse


def _leaf_type(content_type: str) -> tuple[str, str]:
    if content_type.lower().startswith(_COMPOSITE) or "/" not in content_type:
        return "application", "octet-stream"
    maintype, _, subtype = content_type.partition("/")
    return maintype, subtype


def _name_part(part: EmailMessage, disposition: str, file_name: str, content_id: str | None = None) -> None:
    del part["Content-Disposition"]
    part.set_raw("Content-Disposition", f"{disposition}; {headers.filename_parameter(file_name)}")
    if content_id is not None:
        del part["Content-ID"]
        part.set_raw("Content-ID", headers.msg_id(content_id))


def compose(letter: Letter) -> EmailMessage:
    """The message as it goes out. Any text a request can carry composes; a message `email` still
    cannot write raises, and delivery records it as failed (smtp.py)."""
    fields, attachments = letter.fields, letter.attachments
    sender = letter.author_address
    msg = EmailMessage(policy=_POLICY)
    to, cc = (_addresses(fields.get(name) or []) for name in ("to", "cc"))
    msg.set_raw("From", headers.mailbox(sender))
    if to:
        msg.set_raw("To", headers.address_list(to))
    if cc:
        msg.set_raw("Cc", headers.address_list(cc))
    msg.set_raw("Subject", headers.unstructured(fields.get("subject") or ""))
    msg.set_raw("Date", letter.date)
    msg.set_raw("Message-ID", letter.message_id)
    if fields.get("importance"):
        msg.set_raw("Importance", "high")
        msg.set_raw("X-Priority", "1 (Highest)")
    if fields.get("mimeReplyToId"):
        # As MimeKit reads it: the first mailbox, `<address>` (text after it dropped), when it has one.
        written = send_task.in_reply_to(fields["mimeReplyToId"])
        msg.set_raw("In-Reply-To", headers.msg_id(written or fields["mimeReplyToId"]))
    # ToMimeMessage adds one Auto-Submitted for each flag, so a message with both has two.
    if fields.get("calendarIcs"):
        msg.set_raw("Auto-Submitted", "auto-generated")
    if fields.get("isAutoreply"):
        msg.set_raw("Auto-Submitted", "auto-replied")
    # The receipts name the sender as From does, display name and all (MimeKit's from.ToString(true)).
    if fields.get("requestReceipt"):
        msg.set_raw("Return-Receipt-To", headers.mailbox(sender))
    if fields.get("requestRead"):
        msg.set_raw("Disposition-Notification-To", headers.mailbox(sender))

    markup = headers.sendable(fields.get("body") or "")
    msg.set_content(text_of_html(markup) or " ")
    msg.add_alternative(markup or f"<p>{html.escape(' ')}</p>", subtype="html")
    html_part = _parts(msg)[1]
    # Inline parts (with a Content-ID) go beside the HTML in multipart/related,
    # the others into multipart/mixed (below); every one is base64.
    for item in attachments:
        if item.content_id:
            maintype, subtype = _leaf_type(item.content_type)
            html_part.add_related(item.data, maintype, subtype, cte="base64")
            _name_part(_parts(html_part)[-1], "inline", item.file_name, item.content_id)
    calendar = headers.sendable(fields.get("calendarIcs") or "")
    # The real server's CalendarMethod: the METHOD as Ical.Net reads it, when the calendar is usable
    # (send_task); without one it sends no mail, which the onlyoffice mode shows before this.
    method = send_task.calendar_method(calendar) if calendar else None
    if calendar:
        # The event as a text/calendar alternative of the body, quoted-printable, its method
        # a parameter; added here, after the inline parts went beside the HTML.
        params = {"method": method} if method else {}
        msg.add_alternative(calendar, subtype="calendar", cte="quoted-printable", params=params)
    # Then the attachments, and the event again as an application/ics attachment, base64.
    for item in attachments:
        if item.content_id:
            continue
        maintype, subtype = _leaf_type(item.content_type)
        msg.add_attachment(item.data, maintype, subtype, cte="base64")
        _name_part(_parts(msg)[-1], "attachment", item.file_name)
    if calendar:
        name = ICS_FILE_NAMES.get(method or "", "calendar.ics")
        ics_params = {"method": method, "name": name} if method else {"name": name}
        msg.add_attachment(calendar.encode(), "application", "ics", cte="base64", params=ics_params)
        _name_part(_parts(msg)[-1], "attachment", name)
    return msg


# ToMimeMessageBody names the application/ics attachment by the method, compared exactly.
ICS_FILE_NAMES = {"REQUEST": "invite.ics", "REPLY": "reply.ics", "CANCEL": "cancel.ics"}
