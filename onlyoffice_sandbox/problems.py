"""The refusals a client can cause, with the status and HRESULT the real server gives each.

Plain exceptions, with no web framework: storage and the rules raise them, and
the HTTP layer (`web/envelope.py`) turns each into the error envelope.
"""

from __future__ import annotations

# HRESULTs of the .NET exceptions the real server maps to each status.
HRESULT_ARGUMENT = -2147024809  # System.ArgumentException: 400
HRESULT_INVALID_OPERATION = -2146233079  # System.InvalidOperationException: 403
HRESULT_NOT_FOUND = -2146233088  # ASC.Api.Exceptions.ItemNotFoundException: 404


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
