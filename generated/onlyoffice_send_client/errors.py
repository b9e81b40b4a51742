"""Contains shared errors types that can be raised from API functions"""

from http import HTTPStatus
from typing import Any

# How much of a body an exception message shows: a proxy's HTML error page can be large.
_EXCERPT_BYTES = 500


def _describe(status_code: int) -> str:
    try:
        return f"{status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:  # 499, 520 and other codes Python's HTTPStatus does not know
        return str(status_code)


def _excerpt(content: bytes) -> str:
    text = content[:_EXCERPT_BYTES].decode(errors="replace")
    return text + ("..." if len(content) > _EXCERPT_BYTES else "")


def _message_of(parsed: Any) -> str:
    """The server's own words: the error envelope's message, or a plain-text body."""
    if isinstance(parsed, str):
        return parsed
    message = getattr(getattr(parsed, "error", None), "message", None)
    return message if isinstance(message, str) else ""


class UnexpectedStatus(Exception):
    """The server answered a status code that the OpenAPI document does not declare."""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(f"Unexpected status code: {_describe(status_code)}\n\nResponse content:\n{_excerpt(content)}")


class MalformedResponse(Exception):
    """A declared status code came with a body that does not parse as the document describes it."""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Response to status {_describe(status_code)} does not match the API description\n\n"
            f"Response content:\n{_excerpt(content)}"
        )


class ApiError(Exception):
    """The server refused the request with an error status the document declares.

    ``message`` is the server's own message, ``parsed`` the parsed body (the error envelope)."""

    def __init__(self, status_code: int, parsed: Any, content: bytes):
        self.status_code = status_code
        self.parsed = parsed
        self.content = content
        self.message = _message_of(parsed)

        super().__init__(f"{_describe(status_code)}: {self.message}")


class AuthenticationError(ApiError):
    """401: the token is missing, wrong or expired."""


__all__ = ["ApiError", "AuthenticationError", "MalformedResponse", "UnexpectedStatus"]
