"""The mailbox rule: which addresses parse as one RFC 5322 mailbox (the spec's format `mailbox`).

The `email` package is the judge, as a mail server's parser would be. The
sandbox refuses what does not parse; the suite uses the same rule to make its
valid cases real sends.
"""

from __future__ import annotations

import functools
import re
from email.errors import HeaderParseError
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from typing import cast

# Control characters, and everything str.splitlines() breaks a line at (which is what
# `email` refuses in a header): a mailbox never holds one, and a header never gets one.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_REGISTRY = HeaderRegistry()
MAX_LENGTH = 998  # RFC 5322's line limit: no single mailbox can be longer


def parse_mailbox(text: str) -> Address | None:
    """The one address in `text`, or None when `text` is not exactly one valid mailbox."""
    if not text or len(text) > MAX_LENGTH:
        return None
    return _mailbox(text)


# A send reads its sender's mailbox three times (the account, the From field, the envelope), and
# the sender comes back on every send: each text is read once. Address objects are immutable;
# the keys are at most MAX_LENGTH characters.
@functools.lru_cache(maxsize=4096)
def _mailbox(text: str) -> Address | None:
    if CONTROL.search(text) or not is_unicode(text):
        return None
    common = _common_form(text)
    return common if common is not None else _parse(text)


def is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate (JSON can carry "\\ud800"): no mail system can write it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# The forms people send, read without `email`'s parser (about 55 us a mailbox, most of a send's
# cost): `a@b.c`, `Name <a@b.c>` and `"Name, Q" <a@b.c>`, all ASCII. Anything else, and anything
# these patterns do not take exactly, goes to the parser, which stays the judge; a differential
# property test (tests/test_mailbox.py) shows that the two agree wherever this one answers.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
# Labels of 1 to 63 characters, as DNS (and the idna codec `_acceptable` asks) takes them: a common
# form is then acceptable as it stands, and is not read twice.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_ADDR = rf"(?P<local>{_DOT_ATOM})@(?P<domain>{_DOMAIN})"
_BARE = re.compile(rf"{_ADDR}")
# A name of atoms separated by single spaces; `=?` is left to the parser (it may be an encoded word).
_NAMED = re.compile(rf"(?P<name>(?!.*=\?){_ATEXT}+(?: {_ATEXT}+)*) <{_ADDR}>")
_QUOTED = re.compile(rf'"(?P<name>(?!.*=\?)[\x20\x21\x23-\x5b\x5d-\x7e]*[\x21\x23-\x5b\x5d-\x7e])" <{_ADDR}>')


def _common_form(text: str) -> Address | None:
    for form in (_BARE, _NAMED, _QUOTED):
        found = form.fullmatch(text)
        if found is not None:
            name = found.groupdict().get("name") or ""
            if name.startswith(" ") or "  " in name:
                return None  # whitespace the parser would fold: let it decide
            return Address(display_name=name, username=found["local"], domain=found["domain"])
    return None


def _parse(text: str) -> Address | None:
    try:
        parsed = _REGISTRY("To", text)
    except (HeaderParseError, IndexError, ValueError, AttributeError, TypeError):
        # `email`'s parser raises the last two on some group syntax and stray punctuation
        # (`g:; <a@example.org>`, ` .,)`): the text is not one mailbox either way.
        return None
    header = cast(AddressHeader, parsed)  # the registry's "To" class is both
    if parsed.defects or len(header.groups) != 1 or header.groups[0].display_name is not None:
        return None  # not one mailbox: a list, a group, or text the parser had to repair
    if len(header.addresses) != 1:
        return None
    [address] = header.addresses
    return _acceptable(address)


def _acceptable(address: Address) -> Address | None:
    """The address, if it names a user and a domain that mail can reach; else None."""
    if not address.username or not address.domain or "." not in address.domain.strip("."):
        return None
    try:
        address.domain.encode("idna")  # what DNS and 7-bit headers need; labels of 1 to 63 characters
    except UnicodeError:
        return None
    return address


def is_mailbox(text: object) -> bool:
    return isinstance(text, str) and parse_mailbox(text) is not None
