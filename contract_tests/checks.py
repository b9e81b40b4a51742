"""Checks of our own, for what the spec alone does not make schemathesis see.

Each is registered with schemathesis and runs on every response beside the
built-in checks. A failure is an AssertionError whose message names the fault.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from onlyoffice_contract import spec
from onlyoffice_contract.facts import CheckId


def _json_object(response: Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _header(response: Response, name: str) -> str | None:
    values = response.headers.get(name.lower())
    return values[0] if values else None


@schemathesis.check
def envelope_status_code_matches_http_status(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """The envelope's `statusCode` equals the HTTP status."""
    body = _json_object(response)
    if body is None or "statusCode" not in body:
        return None
    if body["statusCode"] != response.status_code:
        raise AssertionError(
            f"{CheckId.ENVELOPE_STATUS_CODE.title}: {body['statusCode']!r}, for HTTP {response.status_code}"
        )
    return True


@schemathesis.check
def success_carries_a_positive_message_id(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """A success answers the id of the message it accepted: an integer above zero."""
    if not 200 <= response.status_code < 300:
        return None
    body = _json_object(response)
    message_id = None if body is None else body.get("response")
    if type(message_id) is not int or message_id < 1:
        raise AssertionError(f"{CheckId.SUCCESS_MESSAGE_ID.title}, got {message_id!r}")
    return True


@schemathesis.check
def unauthorized_is_bare_text_with_a_challenge(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """A 401 is bare text of a declared type (the real server's is text/html: ASP.NET's default), not the
    envelope, and names its scheme in WWW-Authenticate when an Authorization header was sent (one that
    is not empty: the real server's OnAuthorizationFailed asks IsNullOrEmpty)."""
    if response.status_code != 401:
        return None
    declared = spec.media_types(401)
    content_type = _header(response, "Content-Type") or ""
    if content_type.partition(";")[0].strip().lower() not in declared:
        shown = content_type or "without a Content-Type"
        raise AssertionError(f"{CheckId.UNAUTHORIZED_BARE_TEXT.title} ({' or '.join(declared)}), not {shown}")
    if _json_object(response) is not None:
        raise AssertionError(CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE.title)
    if response.request.headers.get("Authorization") and not _header(response, "WWW-Authenticate"):
        raise AssertionError(CheckId.UNAUTHORIZED_CHALLENGE.title)
    return True


@schemathesis.check
def answers_without_redirecting(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The call is answered where it is sent. The suite never follows a redirect (`transport.py`): a
    client that did would send the message, and to the same host the key, wherever it points."""
    if not 300 <= response.status_code < 400:
        return None
    location = _header(response, "Location") or "nowhere (no Location header)"
    raise AssertionError(
        f"{CheckId.ANSWERS_WITHOUT_REDIRECTING.title}: the server answered {response.status_code}"
        f" redirecting to {location}; following it would carry the message (and, to the same host, the"
        " key) elsewhere. If the server lives at that address, set BASE_URL to it"
    )
