"""The real server's response envelope, as Starlette responses; a Problem becomes the error envelope."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from onlyoffice_sandbox.problems import Problem

JSON_TYPE = "application/json; charset=UTF-8"


def _json(payload: dict[str, Any], status: int) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=JSON_TYPE)


# The success envelope, as json.dumps would write it: made by formatting, the hottest answer there is.
_SUCCESS = b'{"count":1,"response":%d,"status":0,"statusCode":200}'
LENIENCY_HEADER = "X-Sandbox-Leniency"
MOST_HEADERS = 20  # more leniencies than that are on the outbox row, all of them


def success(message_id: int, leniencies: tuple[str, ...] = ()) -> Response:
    """The success envelope; each leniency the request needed in an X-Sandbox-Leniency header of its own."""
    response = Response(_SUCCESS % message_id, status_code=200, media_type=JSON_TYPE)
    shown = list(leniencies[:MOST_HEADERS])
    if len(leniencies) > MOST_HEADERS:
        shown[-1] = f"{len(leniencies) - MOST_HEADERS + 1} more: see the message in /sandbox/outbox"
    for note in shown:
        # Notes are ASCII by construction (values in them are JSON-escaped); a header must never break.
        text = note.encode("ascii", "replace").decode()
        response.headers.append(LENIENCY_HEADER, "".join(c if c.isprintable() else " " for c in text))
    return response


def failure(problem: Problem) -> Response:
    error = {"message": problem.message, "hresult": problem.hresult, "data": {}}
    return _json({"status": 1, "statusCode": problem.status, "error": error}, problem.status)


# The real server's 401 (ErrorHttpHandler.cs) writes the text and sets no content type: ASP.NET's default.
UNAUTHORIZED_TYPE = "text/html; charset=utf-8"


def unauthorized(host: str, had_authorization: bool) -> Response:
    # Bare text, not the envelope: the real server's auth handler answers before the API layer.
    headers = {"WWW-Authenticate": f'Bearer Realm="{host}"'} if had_authorization else {}
    return Response(b"Unauthorized", status_code=401, media_type=UNAUTHORIZED_TYPE, headers=headers)
