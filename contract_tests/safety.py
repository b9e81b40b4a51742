"""What makes the suite safe against a live server.

Every case passes through `make_safe` (a before_call hook, which runs in every
phase, coverage included) and every request through `SendCap` (the transport,
which also carries the probes some checks send on their own).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import requests
import requests.adapters

from onlyoffice_contract import spec

# Fields that deliver mail to whoever they name (To, Cc, Bcc).
RECIPIENT_FIELDS = spec.recipient_fields()
# After an "@", everything up to the end of the address: `>`, `,`, `;` or the end of the string.
_DOMAIN_PART = re.compile(r"@[^>,;]*")


class SendCapReached(Exception):
    """MAX_SENDS requests were sent: the run stops rather than send more mail."""


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


class SendCap:
    """Counts every request to the send call this process makes, and refuses the one past `cap`.

    It sits in `requests`' HTTPAdapter, under every session: the probes that some
    schemathesis checks send on their own are counted and capped like the cases."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.sends = 0
        self._lock = threading.Lock()

    def count(self, request: requests.PreparedRequest) -> None:
        if request.method != spec.OPERATION_METHOD.upper():
            return
        if not (request.path_url or "").startswith(spec.OPERATION_PATH):
            return
        with self._lock:
            if self.sends >= self.cap:
                raise SendCapReached(
                    f"usage: MAX_SENDS={self.cap} requests were sent and the run stopped before"
                    " sending more; raise MAX_SENDS or lower MAX_EXAMPLES"
                )
            self.sends += 1

    def install(self) -> None:
        send = requests.adapters.HTTPAdapter.send

        def counted(
            adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kw: Any
        ) -> Any:
            self.count(request)
            return send(adapter, request, **kw)

        requests.adapters.HTTPAdapter.send = counted  # type: ignore[method-assign, assignment]
        self._original = send

    def uninstall(self) -> None:
        requests.adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]
