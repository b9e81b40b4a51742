"""Reading a captured message safely: whatever its headers hold, this never raises.

The captured bytes come from whoever spoke SMTP to the capture, so nothing in them
is trusted. Everything here reads with `email`'s compat32 policy, which keeps header
values as text and does not run the structured header parser: that parser is
quadratic in the number of addresses (a 16,000-recipient `To` took 14 s) and raises
more than its documented exceptions on group syntax such as `Cc: g:; <a@x>`. Header
values are decoded from RFC 2047 where they can be and shown raw where they cannot.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from onlyoffice_contract.mailbox import CONTROL

# How much of one header value is kept for display; the rest is counted, not shown.
HEADER_SHOWN = 20_000
SUMMARY_SHOWN = 500  # of From, To/Cc and Subject in a list row
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_BOUNDARY = re.compile(r";\s*boundary\s*=\s*(\"[^\"]*\"|[^;\s]*)", re.IGNORECASE)


# A lone surrogate: what an encoded word in a charset such as unicode-escape or utf-7 can decode to,
# which no page, JSON answer, header or index row can carry (UTF-8 cannot encode it).
_SURROGATE = re.compile("[\ud800-\udfff]")


def readable(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD: what any decoding here gives is made safe once."""
    return _SURROGATE.sub("\ufffd", text)


def parse(content: bytes) -> Message:
    """The message; one `email` cannot parse whole (a multipart nested 1,500 deep raises
    RecursionError) is its headers alone, its body left as one unparsed text."""
    try:
        return message_from_bytes(content, policy=compat32)
    except Exception:
        return BytesHeaderParser(policy=compat32).parsebytes(content)


def shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def decoded(raw: object, limit: int = HEADER_SHOWN) -> str:
    """A header value as a person reads it: RFC 2047 words decoded, on one line, bounded in length.

    A value that does not decode is shown as it was sent; control characters become spaces."""
    try:
        text = _FOLD.sub("", str(raw))  # unfolded: a line break before white space is no content
    except Exception:  # a Header object holding bytes no charset decodes
        text = repr(raw)
    with contextlib.suppress(Exception):  # any defect: keep the raw text
        text = str(make_header(decode_header(text)))
    return shortened(readable(CONTROL.sub(" ", text)).strip(), limit)


def fingerprint(content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
    """What makes two deliveries the same message: the envelope, every header and every part's
    content, but not the MIME boundaries, which are chosen afresh each time a message is composed.

    So a relay's redelivery of one message (same Message-ID, same content, same envelope) has
    the same fingerprint, and another message that claims its Message-ID has another."""
    digest = hashlib.sha256()
    for field in (mail_from, *sorted(rcpt_tos)):
        digest.update(field.encode("utf-8", "surrogateescape") + b"\0")
    try:
        for part in parse(content).walk():
            for name, value in part.items():
                if name.lower() == "content-type":
                    value = _BOUNDARY.sub("", str(value))
                digest.update(f"{name.lower()}:{value}\0".encode("utf-8", "surrogateescape"))
            if not part.is_multipart():
                payload = part.get_payload(decode=True)
                digest.update(payload if isinstance(payload, bytes) else b"")
                digest.update(b"\1")
    except Exception:  # a message `email` cannot walk: its bytes are what identify it
        digest.update(content)
    return digest.hexdigest()


@dataclass(frozen=True)
class Attachment:
    index: int  # its place among the message's attachments, for the download link
    file_name: str
    content_type: str
    disposition: str
    content_id: str
    size: int


def _payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    try:
        disposition = (part.get_content_disposition() or "").lower()
        named = part.get_filename() is not None
    except Exception:
        return True  # a part whose headers do not parse is shown as a download, never rendered
    return disposition == "attachment" or named or part.get("Content-ID") is not None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def attachment_parts(message: Message) -> list[Message]:
    return [part for part in message.walk() if _is_attachment(part)]


def attachments(message: Message) -> list[Attachment]:
    found = []
    for index, part in enumerate(attachment_parts(message)):
        try:
            name = part.get_filename() or ""
        except Exception:
            name = ""
        found.append(
            Attachment(
                index=index,
                file_name=decoded(name, 1000),
                content_type=_content_type(part),
                disposition=decoded(part.get_content_disposition() or "", 100),
                content_id=decoded(part.get("Content-ID", ""), 1000),
                size=len(_payload(part)),
            )
        )
    return found


def attachment_content(message: Message, index: int) -> tuple[Attachment, bytes] | None:
    parts = attachment_parts(message)
    if not 0 <= index < len(parts):
        return None
    return attachments(message)[index], _payload(parts[index])


def _text(part: Message) -> str:
    charset = "utf-8"
    with contextlib.suppress(Exception):
        charset = part.get_content_charset() or "utf-8"
    try:
        return readable(_payload(part).decode(charset, "replace"))
    except Exception:  # a charset Python does not know (LookupError), or a codec such as idna that
        return _payload(part).decode("utf-8", "replace")  # refuses "replace" (UnicodeError)


def body(message: Message, subtype: str) -> str | None:
    """The first text/<subtype> part that is not an attachment, as text."""
    for part in message.walk():
        if _content_type(part) == f"text/{subtype}" and not _is_attachment(part):
            return _text(part)
    return None


def headers(message: Message) -> list[tuple[str, str]]:
    return [(decoded(name, 200), decoded(value)) for name, value in message.items()]


def header(message: Message, name: str, limit: int = HEADER_SHOWN) -> str:
    values = message.get_all(name) or []
    return decoded(", ".join(str(v) for v in values), limit) if values else ""
