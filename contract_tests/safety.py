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
    """The body with every recipient, however malformed, inside `domain`."""
    if not isinstance(body, dict):
        return body
    return {
        key: _confine_all(value, domain) if key in RECIPIENT_FIELDS else value for key, value in body.items()
    }
