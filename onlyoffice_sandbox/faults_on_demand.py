"""Faults on demand for the send call: the next N sends fail as production can make them fail.

Framework-free: the HTTP layer (`web/send.py`, `web/fault_endpoints.py`) applies each kind at the stage
where the real server answers it. The kinds are read from sandbox-api.yaml (`SendFault.kind`).

- The portal's state (`PORTAL`), checked before routing and authentication (Global.asax.cs
  Application_BeginRequest): the status and an empty body, to any send, with credentials or not.
- The API's pre-call filter (`FILTERS`, `ProductSecurityFilter`), after authentication and after
  the body is bound: it sets the status and its name, and the API handler answers an error
  envelope whose message is that name and whose HRESULT is `System.Web.HttpException`'s (E_FAIL).
  Its unpaid check (`payment-required`, on installs with tariff settings) is skipped when the
  request's `Payment-Info` header is set and is not true.
- An unhandled exception in the method (`METHOD`), after the filters.
- `late` and `drop`, for any authenticated send (`web/fault_endpoints.py`).

A fault is armed for the next sends (`SendFaults.arm`), or given to one request alone by its
`X-Sandbox-Fault` header (`for_request`): that request gets it at its stage, and the armed one,
if any, is neither applied nor used up by it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection
from dataclasses import dataclass

from onlyoffice_contract import defects, facts
from onlyoffice_contract.facts import DefectId, Hresult, RefusalId
from onlyoffice_sandbox import api_spec
from onlyoffice_sandbox.problems import Problem, refuse

HRESULT_NULL_REFERENCE = int(Hresult.NULL_REFERENCE)

# Before routing and authentication: the status, no body (BlockTransferingOrRestoringPortal,
# BlockMigratingPortal, BlockPortalEncryption; BlockRemovedOrSuspendedPortal; BlockNotPaidPortal).
PORTAL = {
    # being transferred, restored, migrated or encrypted
    "transferring": facts.refusal(RefusalId.PORTAL_TRANSFERRING).status,
    # suspended (deactivated), or pending removal
    "deactivated": facts.refusal(RefusalId.PORTAL_SUSPENDED).status,
    "unpaid": facts.refusal(RefusalId.PORTAL_UNPAID).status,  # unpaid, on an install without tariff settings
}
PAYMENT_REQUIRED = "payment-required"
# After binding, in the error envelope (ProductSecurityFilter.PreMethodCall, ApiManager.InvokeMethod).
FILTERS = {
    PAYMENT_REQUIRED: refuse(RefusalId.PAYMENT_REQUIRED),  # unpaid, with tariff settings
    "mail-unavailable": refuse(RefusalId.MAIL_UNAVAILABLE),  # Mail not available to the user
}
# In the method: what the real server answers for a defect.
METHOD = {
    "server-error": Problem(500, defects.status_by_id(DefectId.ID_NOT_FOUND).message, HRESULT_NULL_REFERENCE),
}
AFTER_BINDING = {**FILTERS, **METHOD}
LATE, DROP = "late", "drop"
KINDS: list[str] = api_spec.enum("SendFault", "kind")
DELIVERY_CODES: list[int] = api_spec.enum("DeliveryFault", "code")
# sandbox-api.yaml and these tables must name the same kinds
if set(KINDS) != {*PORTAL, *AFTER_BINDING, LATE, DROP}:
    raise RuntimeError(f"sandbox-api.yaml's fault kinds {KINDS} differ from the sandbox's")
DEFAULT_SECONDS = float(api_spec.schema("SendFault")["properties"]["seconds"]["default"])


@dataclass(frozen=True)
class Armed:
    kind: str
    remaining: int
    seconds: float

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "remaining": self.remaining, "seconds": self.seconds}


HEADER = "x-sandbox-fault"


def for_request(text: str) -> SendFaults:
    """The faults of one request, from its X-Sandbox-Fault header: `KIND`, or `KIND=SECONDS` for a
    kind that takes seconds (`late=2`); checked against sandbox-api.yaml's SendFault. ValueError:
    not one of them, in words the app can act on."""
    kind, equals, seconds = text.strip().partition("=")
    body: dict[str, object] = {"kind": kind.strip()}
    if equals:
        try:
            given = float(seconds)
            if not math.isfinite(given):  # NaN passes every bound
                raise ValueError(seconds)
            body["seconds"] = given
        except ValueError:
            raise ValueError(
                f"X-Sandbox-Fault {text[:60]!r}: {seconds[:20]!r} is not a number of seconds"
            ) from None
        if kind.strip() != LATE:
            raise ValueError(f"X-Sandbox-Fault {text[:60]!r}: only {LATE} takes '=SECONDS'")
    error = next(iter(api_spec.validator("SendFault").iter_errors(body)), None)
    if error is not None:
        raise ValueError(f"X-Sandbox-Fault {text[:60]!r}: {error.message[:200]}")
    faults = SendFaults()
    faults.arm(str(body["kind"]), 1, float(body.get("seconds", DEFAULT_SECONDS)))  # type: ignore[arg-type]
    return faults


def parse_setting(text: str, choices: list[str]) -> tuple[str, int]:
    """`KIND` or `KIND:COUNT` (a setting such as SANDBOX_FAULT_SENDS=unpaid:3)."""
    kind, _, count = text.strip().partition(":")
    if kind not in choices:
        raise ValueError(f"{text!r}: the fault must be one of {', '.join(choices)}")
    if count and (not count.isdigit() or int(count) < 1):
        raise ValueError(f"{text!r}: the count after ':' must be a whole number of at least 1")
    return kind, int(count or 1)


class SendFaults:
    """The one armed send fault, counted down by each send that reaches its stage; safe across threads."""

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

    def take(self, kinds: Collection[str] | None = None) -> Armed | None:
        """The fault this send gets, if one is armed (and of `kinds`, when given); one fewer remains."""
        with self._lock:
            armed = self._armed
            if armed is None or (kinds is not None and armed.kind not in kinds):
                return None
            left = armed.remaining - 1
            self._armed = Armed(armed.kind, left, armed.seconds) if left else None
            return armed

    def at_portal(self) -> int | None:
        """The status the portal's state answers to this send, before authentication; None: none."""
        armed = self.take(PORTAL) if self._armed is not None else None
        return PORTAL[armed.kind] if armed else None

    def after_binding(self, payment_info: str | None) -> Problem | None:
        """The filter's or the method's refusal of this bound, authenticated send; None: none.
        A send whose `Payment-Info` skips the payment check does not use up that fault."""
        armed = self._armed
        if armed is None or armed.kind not in AFTER_BINDING:
            return None
        if armed.kind == PAYMENT_REQUIRED and not payment_checked(payment_info):
            return None
        taken = self.take(AFTER_BINDING)
        return AFTER_BINDING[taken.kind] if taken else None


def payment_checked(header: str | None) -> bool:
    """ProductSecurityFilter checks payment when `Payment-Info` is absent or empty, or parses as
    true (.NET bool.TryParse: trimmed, any case); any other value, `false` among them, skips it."""
    if not header:
        return True
    return header.strip().lower() == "true"
