"""The refusals a client can cause, with the status and HRESULT the real server gives each.

Plain exceptions, with no web framework: storage and the rules raise them, and
the HTTP layer (`web/envelope.py`) turns each into the error envelope.
"""

from __future__ import annotations

from typing import Any

from onlyoffice_contract import facts
from onlyoffice_contract.facts import Hresult, RefusalId

# HRESULTs of the .NET exceptions the real server maps to each status (the registry's).
HRESULT_ARGUMENT = int(Hresult.ARGUMENT)
HRESULT_INVALID_OPERATION = int(Hresult.INVALID_OPERATION)
HRESULT_NOT_FOUND = int(Hresult.NOT_FOUND)


class Problem(Exception):
    """A refusal the client caused; it is answered in the error envelope."""

    def __init__(self, status: int, message: str, hresult: int) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hresult = hresult


def bad_request(message: str) -> Problem:
    return Problem(400, message, HRESULT_ARGUMENT)


def too_large(message: str) -> Problem:
    return Problem(413, message, HRESULT_ARGUMENT)


def forbidden(message: str, hresult: int = HRESULT_INVALID_OPERATION) -> Problem:
    return Problem(403, message, hresult)


def not_found(message: str) -> Problem:
    return Problem(404, message, HRESULT_NOT_FOUND)


def refuse(refusal_id: RefusalId, detail: str = "", **values: Any) -> Problem:
    """The registry's refusal `refusal_id` (`onlyoffice_contract.facts`): its status, words and HRESULT;
    `values` fill its fields, and `detail` (the sandbox's own) follows its words."""
    entry = facts.refusal(refusal_id)
    if entry.hresult is None:
        raise ValueError(f"{refusal_id} is not answered in the error envelope")
    return Problem(entry.status, entry.text(**values) + detail, entry.hresult)
