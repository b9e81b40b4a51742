"""What makes the suite safe against a live server.

Every case passes through `make_safe` (a before_call hook, which runs in every
phase, coverage included). Every request, the probes some checks send on their
own included, passes through `transport.Transport`, which counts the sends
against MAX_SENDS and bounds each request in time and size.
"""

from __future__ import annotations

import re
from typing import Any

from onlyoffice_contract import spec

# Fields that deliver mail to whoever they name (To, Cc, Bcc).
RECIPIENT_FIELDS = spec.recipient_fields()
# The real server's binder matches names ignoring case (a .NET NameValueCollection): `"To"` is `to`.
_RECIPIENT_KEYS = frozenset(name.lower() for name in RECIPIENT_FIELDS)
# After an "@", everything up to the end of the address: `>`, `,`, `;` or the end of the string.
_DOMAIN_PART = re.compile(r"@[^>,;]*")


def confine(text: str, domain: str) -> str:
    """Every address in `text`, display names included, moved into `domain`."""
    return _DOMAIN_PART.sub("@" + domain, text)


def _confine_all(value: Any, domain: str) -> Any:
    if isinstance(value, str):
        return confine(value, domain)
    if isinstance(value, list):
        return [_confine_all(item, domain) for item in value]
    if isinstance(value, dict):
        return {key: _confine_all(item, domain) for key, item in value.items()}
    return value


def make_safe(body: Any, domain: str) -> Any:
    """The body with every recipient, however malformed, inside `domain`; a field named in any case
    (`"To"`, `"BCC"`), since a lenient server binds it all the same."""
    if not isinstance(body, dict):
        return body
    return {
        key: _confine_all(value, domain) if isinstance(key, str) and key.lower() in _RECIPIENT_KEYS else value
        for key, value in body.items()
    }
