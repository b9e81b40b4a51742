"""Header values the sandbox writes itself: encoded and folded here, never parsed by `email`.

Two faults of Python's `email` make text from a request unsafe to hand it as a header value:
- it decodes an RFC 2047 encoded word in the value and, on the interpreters this project runs on
  (3.11.7 and 3.12.1 carry CVE-2024-6923), writes a decoded CR LF as a real line break: a subject
  `=?utf-8?q?a=0D=0ABcc:_x@y?=` would add a header, or replace the body;
- it folds in time quadratic in the number of words.
So every value that comes from a request is encoded here, in linear time, with the legacy
`email.header.Header`, and set raw (`EmailMessage.set_raw`, with refolding off). Text that merely
looks like an encoded word is itself encoded, so a receiver decodes it to exactly what was sent,
as MimeKit does. Every line written is 7-bit and far below RFC 5322's 998 characters.
"""

from __future__ import annotations

import re
from email.header import Header
from email.headerregistry import Address
from email.utils import quote

from onlyoffice_contract.mailbox import CONTROL

MAX_LINE = 76  # RFC 5322's recommended line length; the limit (998) is never approached
# Printable ASCII without the start of an encoded word, in words a line can hold: safe as it is.
_PLAIN = re.compile(r"^(?!.*=\?)[\x20-\x7e]*$")
_LONG_WORD = re.compile(r"\S{60,}")
# An atom-only display name needs no quotes (RFC 5322 atext and spaces).
_ATOMS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$")
# A msg-id's inside: printable ASCII without spaces, angle brackets or an encoded word's start.
_ID = re.compile(r"^(?!.*=\?)[\x21-\x3b\x3d\x3f-\x7e]{1,900}$")


def sendable(text: str) -> str:
    """Text that UTF-8 can write: a lone surrogate (JSON can carry "\\ud800") becomes U+FFFD,
    as .NET's encoder writes it."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def one_line(text: str) -> str:
    """Header text with every control character (CR, LF, NUL ...) turned into a space."""
    return CONTROL.sub(" ", sendable(text)).strip()


def unstructured(text: str) -> str:
    """A Subject-like value: kept as it is when plain, else RFC 2047 encoded words; folded."""
    text = one_line(text)
    charset = "us-ascii" if _PLAIN.match(text) and not _LONG_WORD.search(text) else "utf-8"
    return Header(text, charset, maxlinelen=MAX_LINE).encode(linesep="\r\n")


def msg_id(text: str) -> str:
    """A msg-id (In-Reply-To, Content-ID): `<id>` when it is one; anything else, encoded as text."""
    text = one_line(text)
    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    return f"<{inner}>" if _ID.match(inner) else unstructured(f"<{inner}>")


def ascii_domain(domain: str) -> str:
    """The domain as DNS and 7-bit headers write it (IDNA); the mailbox rule has refused any that
    do not encode."""
    return domain if domain.isascii() else domain.encode("idna").decode("ascii")


def addr_spec(address: Address) -> str:
    """`local@domain` as the parser read it: a quoted local part stays quoted.

    `"<x@evil.example>"@example.org` written unquoted was `<x@evil.example>@example.org`, which
    mail readers show as x@evil.example. The real server keeps it quoted: MimeKit 2.15's
    MailboxAddress.Parse reads the local part with `ParseUtils.SkipWord` and keeps the word's
    raw text, quotes included (`InternetAddress.TryParseLocalPart`), and writes it back so; it
    does not refuse it. `Address.addr_spec` quotes a local part that is not a dot-atom."""
    local = address.addr_spec.rpartition("@")[0]  # a domain holds no '@': the last one ends the local part
    return f"{local}@{ascii_domain(address.domain)}"


def _phrase(name: str) -> str:
    name = one_line(name)
    if _ATOMS.match(name) and "=?" not in name:
        return name
    if _PLAIN.match(name) and len(name) < 60:
        return f'"{quote(name)}"'
    return Header(name, "utf-8", maxlinelen=MAX_LINE).encode(linesep="\r\n")


def mailbox(address: Address) -> str:
    """`Name <local@domain>` (the name encoded when it must be), or the bare address."""
    spec = addr_spec(address)
    return f"{_phrase(address.display_name)} <{spec}>" if address.display_name else spec


def address_list(addresses: list[Address]) -> str:
    """A To or Cc value: one mailbox a line, so that any number of recipients folds in linear time."""
    return ",\r\n ".join(mailbox(address) for address in addresses)


def filename_parameter(name: str) -> str:
    """`filename="..."` as MimeKit writes it: quoted, and RFC 2047 encoded words when the name is
    not plain ASCII (not RFC 2231's filename*=, which `email` would choose)."""
    name = one_line(name)
    if _PLAIN.match(name) and len(name) < 60:
        return f'filename="{quote(name)}"'
    encoded = Header(name, "utf-8", maxlinelen=MAX_LINE).encode(linesep="\r\n")
    return f'filename="{encoded}"'
