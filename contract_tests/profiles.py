"""Which accepted requests count as invalid: strict (the spec), or onlyoffice (what the real server binds).

The real server binds the body leniently (`../shared/onlyoffice-send-facts.md`,
"Leniency"); the contract core's binder (`onlyoffice_contract/binder.py`) is the one
definition of that leniency. Under the `onlyoffice` profile an accepted "invalid" body is
excused only when the binder turns it into a valid one: a value that does not convert
(`"abc"` for an integer) is still held against a server that accepts it.
"""

from __future__ import annotations

from typing import Any

from onlyoffice_contract import binder, defects, spec


def is_valid(body: Any, profile: str) -> bool:
    """Whether a server keeping the contract under `profile` may accept `body` (sent as JSON).

    The `mailbox` format is not judged here: the server's address parser is its
    judge, so an address it accepts is never held against it."""
    if profile == "strict":
        return bool(spec.validator(spec.request_schema_name()).is_valid(body))
    try:
        bound = binder.bind_json(body)
    except binder.BindError:
        return False
    return bound.as_written or bool(binder.request_validator().is_valid(bound.request))


def bound(body: Any) -> dict[str, Any] | None:
    """`body` (sent as JSON) as the real server's binder reads it; None if the binder refuses it."""
    try:
        return binder.bind_json(body).request
    except binder.BindError:
        return None


def known_defect(
    body: Any, status: int, profile: str, *, exclude: tuple[defects.DefectId, ...] = ()
) -> defects.Defect | None:
    """The real server's known defect that explains answering `status` to `body`, under the onlyoffice
    profile; judged on what the binder makes of the body (`"from": 0` is the unparsable address "0"),
    or on how it refuses it (an exception of its own: 500)."""
    if profile != "onlyoffice":
        return None
    try:
        request = binder.bind_json(body).request
    except binder.BindError as refused:
        found: defects.Defect | None = defects.binder_exception(refused, status)
    else:
        found = defects.status_defect(request, status)
    return None if found is None or found.id in exclude else found
