"""Faults on demand for the send call: the next N sends fail as production can make them fail.

Framework-free: the HTTP layer (`web/faults.py`) applies what `SendFaults.take()` gives.
The kinds are read from sandbox-api.yaml (`SendFault.kind`); the answers of the real
server's pre-call filters (`ProductSecurityFilter` in Community Server) are below: the
filter sets the HTTP status and its name, and the API handler answers an error envelope
whose message is that name and whose HRESULT is `System.Web.HttpException`'s (E_FAIL).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from onlyoffice_sandbox import api_spec
from onlyoffice_sandbox.problems import Problem

HRESULT_HTTP_EXCEPTION = -2147467259  # System.Web.HttpException: E_FAIL
HRESULT_NULL_REFERENCE = -2147467261  # System.NullReferenceException: E_POINTER

# The kinds that answer in the error envelope, and their answer.
REFUSALS = {
    "unpaid": Problem(402, "PaymentRequired", HRESULT_HTTP_EXCEPTION),
    "deactivated": Problem(402, "PaymentRequired", HRESULT_HTTP_EXCEPTION),
    "transferring": Problem(503, "ServiceUnavailable", HRESULT_HTTP_EXCEPTION),
    "mail-unavailable": Problem(403, "Forbidden", HRESULT_HTTP_EXCEPTION),
    # An unhandled exception in the method: what the real server answers for a defect.
    "server-error": Problem(
        500, "Object reference not set to an instance of an object.", HRESULT_NULL_REFERENCE
    ),
}
LATE, DROP = "late", "drop"
KINDS: list[str] = api_spec.enum("SendFault", "kind")
DELIVERY_CODES: list[int] = api_spec.enum("DeliveryFault", "code")
if set(KINDS) != {*REFUSALS, LATE, DROP}:  # sandbox-api.yaml and this table must name the same kinds
    raise RuntimeError(f"sandbox-api.yaml's fault kinds {KINDS} differ from the sandbox's")
DEFAULT_SECONDS = float(api_spec.schema("SendFault")["properties"]["seconds"]["default"])


@dataclass(frozen=True)
class Armed:
    kind: str
    remaining: int
    seconds: float

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "remaining": self.remaining, "seconds": self.seconds}


def parse_setting(text: str, choices: list[str]) -> tuple[str, int]:
    """`KIND` or `KIND:COUNT` (a setting such as SANDBOX_FAULT_SENDS=unpaid:3)."""
    kind, _, count = text.strip().partition(":")
    if kind not in choices:
        raise ValueError(f"{text!r}: the fault must be one of {', '.join(choices)}")
    if count and (not count.isdigit() or int(count) < 1):
        raise ValueError(f"{text!r}: the count after ':' must be a whole number of at least 1")
    return kind, int(count or 1)


class SendFaults:
    """The one armed send fault, counted down by each authenticated send; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: Armed | None = None

    def arm(self, kind: str, count: int = 1, seconds: float = DEFAULT_SECONDS) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._armed = Armed(kind, count, seconds)

    def clear(self) -> None:
        with self._lock:
            self._armed = None

    def armed(self) -> Armed | None:
        with self._lock:
            return self._armed

    def take(self) -> Armed | None:
        """The fault this send gets, if one is armed; one fewer remains."""
        with self._lock:
            armed = self._armed
            if armed is None:
                return None
            left = armed.remaining - 1
            self._armed = Armed(armed.kind, left, armed.seconds) if left else None
            return armed
