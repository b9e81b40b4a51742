"""Which headers delivered mail may carry: what the request caused, what the server writes, what relays add.

A header outside all three is one nobody asked for: an injected header (a line break in a
subject kept as a real one), or a server that adds what the contract does not say.

What the real server writes, read from `MailDraftExtensions.ToMimeMessage` (MimeKit) and
`DraftEngine.Send` (ONLYOFFICE/CommunityServer):
- at the top: `Date`, `Subject` (empty when missing), `Message-ID`, `From` (the account's
  mailbox, with its name), `To`, `Cc`; `Bcc` is set on the MimeMessage but MailKit's SmtpClient
  hides it on the wire; `MIME-Version`, and the body's `Content-Type` and
  `Content-Transfer-Encoding`, which MimeKit writes with the message's headers;
- only when a field asks (`compare.CAUSED`, `Auto-Submitted`): `Importance`, `In-Reply-To`,
  `Auto-Submitted` (twice when both `calendarIcs` and `isAutoreply` are set), `Return-Receipt-To`,
  `Disposition-Notification-To`; `X-Priority` is not written by ToMimeMessage, but the facts name
  it with `importance` and the sandbox writes it, so it is allowed (and checked) with importance;
- in the parts: `Content-Type`, `Content-Transfer-Encoding`, `Content-Disposition`, `Content-ID`.
`MailClient.Send` (which hands the message to MailKit) was not read further: a header it added
would show here as one the request did not cause, and RELAY_HEADERS can name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.message import Message

# Written by the server whatever the request (ToMimeMessage, MimeKit).
SERVER = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
          "Content-Transfer-Encoding")  # fmt: skip
# Written in each MIME part (ConvertToMimePart, TextPart).
PART = ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
        "Content-Description", "MIME-Version")  # fmt: skip
# Added on the way and on arrival, by relays, filters and delivery agents (RFC 5321 trace fields,
# signatures, spam and virus scanners, mailbox-format status lines); a `-*` names a family.
TRACE = ("Received", "Return-Path", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-From",
         "X-Envelope-To", "X-Received", "DKIM-Signature", "DomainKey-Signature", "ARC-*",
         "Authentication-Results", "Received-SPF", "X-Spam-*", "X-Virus-*", "X-Amavis-*", "X-Rspamd-*",
         "X-Sieve", "Status", "X-Status", "X-UID", "X-Keywords", "Lines", "Content-Length")  # fmt: skip


def _names(given: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in given.split(",") if name.strip())


def _matches(name: str, allowed: Iterable[str]) -> bool:
    name = name.lower()
    for pattern in allowed:
        pattern = pattern.lower()
        if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return True
    return False


def unexpected(mail: Message, caused: Iterable[str], relay_headers: str = "") -> list[str]:
    """The header names in `mail` (its parts included) that neither the request (`caused`), nor the
    server, nor a relay (TRACE, and RELAY_HEADERS' `relay_headers`) accounts for, in order, once each."""
    top = (*SERVER, *caused, *TRACE, *_names(relay_headers))
    found: list[str] = []
    for part in mail.walk():
        allowed = top if part is mail else (*PART, *_names(relay_headers))
        found += [key for key in part if not _matches(key, allowed) and key not in found]
    return found
