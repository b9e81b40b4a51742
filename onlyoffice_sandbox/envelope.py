"""The real server's response envelope, and the errors that become one."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

JSON_TYPE = "application/json; charset=UTF-8"

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


def forbidden(message: str, hresult: int = HRESULT_INVALID_OPERATION) -> Problem:
    return Problem(403, message, hresult)


def not_found(message: str) -> Problem:
    return Problem(404, message, HRESULT_NOT_FOUND)


def _json(payload: dict[str, Any], status: int) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=JSON_TYPE)


def success(message_id: int) -> Response:
    return _json({"count": 1, "response": message_id, "status": 0, "statusCode": 200}, 200)


def failure(problem: Problem) -> Response:
    error = {"message": problem.message, "hresult": problem.hresult, "data": {}}
    return _json({"status": 1, "statusCode": problem.status, "error": error}, problem.status)


def unauthorized(host: str, had_authorization: bool) -> Response:
    # Plain text, not the envelope: the real server's auth handler answers before the API layer.
    headers = {"WWW-Authenticate": f'Bearer Realm="{host}"'} if had_authorization else {}
    return Response(b"Unauthorized", status_code=401, media_type="text/plain; charset=UTF-8", headers=headers)
