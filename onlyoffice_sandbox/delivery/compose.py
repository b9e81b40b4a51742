"""The mail that goes out, composed with the `email` package as the real server's MimeKit code does."""

from __future__ import annotations

import html
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from html.parser import HTMLParser
from typing import cast

from onlyoffice_contract.mailbox import CONTROL, parse_mailbox
from onlyoffice_sandbox.letter import Letter

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}


def one_line(text: str) -> str:
    """Header text with every control character (CR, LF, NUL ...) turned into a space."""
    return CONTROL.sub(" ", text).strip()


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


# Raw header text set below must be written as it is, not refolded (and re-encoded) by `email`.
_POLICY = SMTP.clone(refold_source="none")


def _disposition(part: EmailMessage, disposition: str, file_name: str) -> None:
    """Name a part's file as MimeKit does: a non-ASCII name as RFC 2047 encoded words.

    `email` itself would write RFC 2231 (filename*=utf-8''...), so the header is set raw."""
    name = one_line(file_name)
    if name.isascii():
        part.replace_header("Content-Disposition", disposition)
        part.set_param("filename", name, header="Content-Disposition")
        return
    del part["Content-Disposition"]
    part.set_raw("Content-Disposition", f'{disposition}; filename="{Header(name, "utf-8").encode()}"')


def _parts(multipart: EmailMessage) -> list[EmailMessage]:
    return cast(list[EmailMessage], multipart.get_payload())


def _msg_id(text: str) -> str:
    text = one_line(text)
    return text if text.startswith("<") else f"<{text}>"


def _addresses(values: list[str]) -> list[Address]:
    found = [parse_mailbox(v) for v in values]
    return [a for a in found if a is not None]  # the caller has refused any that do not parse


def compose(letter: Letter) -> EmailMessage:
    """The message as it goes out; raises ValueError if `letter` holds what `email` cannot write."""
    fields, attachments = letter.fields, letter.attachments
    sender = letter.author_address
    msg = EmailMessage(policy=_POLICY)
    to, cc = (_addresses(fields.get(name) or []) for name in ("to", "cc"))
    msg["From"] = sender
    if to:
        msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = one_line(fields.get("subject") or "")
    msg["Date"] = letter.date
    msg["Message-ID"] = letter.message_id
    if fields.get("importance"):
        msg["Importance"] = "high"
        msg["X-Priority"] = "1 (Highest)"
    if fields.get("mimeReplyToId"):
        msg["In-Reply-To"] = _msg_id(fields["mimeReplyToId"])
    if fields.get("calendarIcs"):
        msg["Auto-Submitted"] = "auto-generated"
    if fields.get("isAutoreply"):
        del msg["Auto-Submitted"]
        msg["Auto-Submitted"] = "auto-replied"
    if fields.get("requestReceipt"):
        msg["Return-Receipt-To"] = sender.addr_spec
    if fields.get("requestRead"):
        msg["Disposition-Notification-To"] = sender.addr_spec

    markup = fields.get("body") or ""
    msg.set_content(text_of_html(markup) or " ")
    msg.add_alternative(markup or f"<p>{html.escape(' ')}</p>", subtype="html")
    html_part = _parts(msg)[1]
    # Inline parts (with a Content-ID) go beside the HTML in multipart/related,
    # the others into multipart/mixed; every one is base64.
    for item in sorted(attachments, key=lambda a: a.content_id is None):
        maintype, _, subtype = item.content_type.partition("/")
        subtype = subtype or "octet-stream"
        if item.content_id:
            html_part.add_related(item.data, maintype, subtype, cte="base64", cid=_msg_id(item.content_id))
            _disposition(_parts(html_part)[-1], "inline", item.file_name)
        else:
            msg.add_attachment(item.data, maintype, subtype, cte="base64", filename="x")
            _disposition(_parts(msg)[-1], "attachment", item.file_name)
    if fields.get("calendarIcs"):
        msg.add_attachment(fields["calendarIcs"], subtype="calendar", filename="calendar.ics")
    return msg
