"""Every error the client raises, under one base class: ``ClientError``.

    ClientError                 ``.may_have_been_sent``: may the server have accepted the message?
    ├── ApiError                a declared error status (400, 403, 404): refused, not sent
    │   └── AuthenticationError 401: the token was refused; not sent
    ├── UnexpectedStatus        a status the API description does not declare
    ├── MalformedResponse       a declared status with a body of the wrong shape (or not JSON, or
    │   │                       nested deeper than Python parses)
    │   ├── InvalidEnvelope     a success status whose envelope is out of the API description's bounds:
    │   │                       no message id (``.problems`` says why, ``.parsed`` keeps the answer)
    │   └── ResponseTooLarge    a body past ``Client.max_response_bytes`` once decoded; reading stopped
    ├── TransportError          no answer was read; ``__cause__`` is httpx's exception
    │   ├── ConnectionFailed    no connection: refused, unreachable, DNS, TLS, proxy; not sent
    │   ├── InvalidRequest      a URL or header httpx cannot send; not sent
    │   ├── Timeout             ``.phase``: "connect", "pool" or "write": not sent; "read": may have been
    │   └── ConnectionLost      the connection broke, or the answer was not HTTP, once the request was
    │                           written: may have been sent
    └── InvalidToken            (also a ValueError) a token that cannot be sent in a header

For UnexpectedStatus and MalformedResponse, a 3xx or 4xx means refused (not sent); a 2xx or 5xx may
have been sent (a proxy's 502 or 504 can come after the server accepted the message).

Text the client builds from an answer (the excerpt of a body, the server's message) has the token
replaced by ``[token]``: a server that echoes the request cannot put it in a log through an error.
"""

from http import HTTPStatus
from typing import Any, Literal

import httpx

# How much of a body an exception message shows: a proxy's HTML error page can be large.
_EXCERPT_BYTES = 500
_MASK = "[token]"


def _masked(text: str, token: str | None) -> str:
    """`text` with the token, and the escaped form a repr() gives it, replaced."""
    if not token:
        return text
    for shown in {token, repr(token)[1:-1]}:
        text = text.replace(shown, _MASK)
    return text


def _describe(status_code: int) -> str:
    try:
        return f"{status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:  # 499, 520 and other codes Python's HTTPStatus does not know
        return str(status_code)


def _excerpt(content: bytes, token: str | None) -> str:
    text = content[:_EXCERPT_BYTES].decode(errors="replace")
    return _masked(text, token) + ("..." if len(content) > _EXCERPT_BYTES else "")


def _message_of(parsed: Any) -> str:
    """The server's own words: the error envelope's message, or a plain-text body."""
    if isinstance(parsed, str):
        return parsed
    message = getattr(getattr(parsed, "error", None), "message", None)
    return message if isinstance(message, str) else ""


def _status_may_have_sent(status_code: int) -> bool:
    # A redirect or a 4xx is a refusal; a 2xx is an acceptance; a 5xx may come after one.
    return not 300 <= status_code < 500


class ClientError(Exception):
    """Base class of every error the client raises.

    ``may_have_been_sent`` tells whether the server may have accepted the message despite the error.
    False: it was not sent, and sending it again cannot make a duplicate. True: it may have been
    accepted; send it again only if a duplicate is acceptable (nothing in the call makes a retry safe).
    """

    may_have_been_sent: bool = False


class UnexpectedStatus(ClientError):
    """The server answered a status code that the OpenAPI document does not declare."""

    def __init__(self, status_code: int, content: bytes, *, token: str | None = None):
        self.status_code = status_code
        self.content = content
        self.may_have_been_sent = _status_may_have_sent(status_code)

        super().__init__(
            f"Unexpected status code: {_describe(status_code)}\n\nResponse content:\n{_excerpt(content, token)}"
        )


class MalformedResponse(ClientError):
    """A declared status code came with a body that does not parse as the document describes it.

    ``content`` is the body as read (decoded, at most ``Client.max_response_bytes``)."""

    def __init__(self, status_code: int, content: bytes, *, token: str | None = None, detail: str = ""):
        self.status_code = status_code
        self.content = content
        self.may_have_been_sent = _status_may_have_sent(status_code)

        super().__init__(
            f"Response to status {_describe(status_code)} does not match the API description"
            f"{': ' + _masked(detail, token) if detail else ''}\n\n"
            f"Response content:\n{_excerpt(content, token)}"
        )


class InvalidEnvelope(MalformedResponse):
    """A success status whose envelope does not say "accepted, with this id" within the bounds the API
    description gives (``SuccessEnvelope``): a ``response`` that is not an integer id (``"12"``, null,
    0, -5, 1.5, true), or a ``status``, ``statusCode`` or ``count`` that says otherwise (status 1,
    statusCode 500). No message id is returned for it.

    ``problems`` names each field out of bounds; ``parsed`` is the envelope as the model read it and
    ``content`` the body, for inspection. ``may_have_been_sent`` is True: the server answered 2xx."""

    def __init__(self, status_code: int, content: bytes, parsed: Any, problems: list[str], *, token: str | None = None):
        self.parsed = parsed
        self.problems = [_masked(problem, token) for problem in problems]
        super().__init__(status_code, content, token=token, detail="; ".join(self.problems))


class ResponseTooLarge(MalformedResponse):
    """The body, decoded, was larger than ``limit`` bytes (``Client.max_response_bytes``): reading
    stopped there, and ``content`` holds what was read. An answer of this call is an envelope of a
    few hundred bytes; a body far larger is not one, and a compressed one may inflate a thousandfold."""

    def __init__(self, status_code: int, content: bytes, limit: int, *, token: str | None = None):
        self.limit = limit
        super().__init__(
            status_code, content, token=token, detail=f"the body is larger than {limit} bytes; reading stopped"
        )


class ApiError(ClientError):
    """The server refused the request with an error status the document declares: not sent.

    ``message`` is the server's own message, ``parsed`` the parsed body (the error envelope)."""

    def __init__(self, status_code: int, parsed: Any, content: bytes, *, token: str | None = None):
        self.status_code = status_code
        self.parsed = parsed
        self.content = content
        self.message = _masked(_message_of(parsed), token)

        super().__init__(f"{_describe(status_code)}: {self.message}")


class AuthenticationError(ApiError):
    """401: the token is missing, wrong or expired."""


class InvalidToken(ClientError, ValueError):
    """The token (or its prefix) cannot be sent in a header: it is refused before any request.

    The message says what is wrong with it, never what it is."""


class TransportError(ClientError):
    """No answer was read. ``__cause__`` is the exception httpx raised."""

    def __init__(self, message: str, *, may_have_been_sent: bool):
        self.may_have_been_sent = may_have_been_sent
        super().__init__(message)


class ConnectionFailed(TransportError):
    """No connection could be opened (refused, unreachable, DNS, TLS, proxy): nothing was sent."""


class InvalidRequest(TransportError):
    """httpx could not send the request as given (a URL or a header it refuses): nothing was sent."""


class Timeout(TransportError):
    """The request timed out. ``phase`` is where: "connect", "pool" (waiting for a free connection)
    and "write" time out before the server has the whole request, so it was not sent; "read" times
    out after, so it may have been."""

    def __init__(self, message: str, *, phase: Literal["connect", "pool", "write", "read"]):
        self.phase = phase
        super().__init__(message, may_have_been_sent=phase == "read")


class ConnectionLost(TransportError):
    """The connection closed or broke, or what came back was not HTTP, after the request was written
    (at least in part): the server may have accepted it."""


def _scrub(exc: BaseException, token: str | None) -> None:
    """Mask the token in the messages of `exc` and of the exceptions chained below it.

    h11 quotes the bytes it could not parse, so an answer that echoes the request puts the token in
    httpx's message and in each of the exceptions httpx raised it from."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while token and current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(_masked(a, token) if isinstance(a, str) else a for a in current.args)
        current = current.__cause__ or current.__context__


def transport_error(exc: httpx.HTTPError | httpx.InvalidURL, token: str | None = None) -> TransportError:
    """The client's error for what httpx raised while sending; raise it ``from exc``."""
    _scrub(exc, token)
    detail = f"{exc}" or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        phase: Literal["connect", "pool", "write", "read"]
        if isinstance(exc, httpx.ConnectTimeout):
            phase = "connect"
        elif isinstance(exc, httpx.PoolTimeout):
            phase = "pool"
        elif isinstance(exc, httpx.WriteTimeout):
            phase = "write"
        else:
            phase = "read"
        sent = "it may have been accepted" if phase == "read" else "nothing was sent"
        return Timeout(f"the request timed out ({phase}): {sent}; {detail}", phase=phase)
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return ConnectionFailed(
            f"could not connect to the server: nothing was sent; {detail}", may_have_been_sent=False
        )
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return InvalidRequest(f"the request could not be sent: {detail}", may_have_been_sent=False)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.NetworkError | httpx.DecodingError):
        return ConnectionLost(
            f"the request was sent but no valid answer came back: it may have been accepted; {detail}",
            may_have_been_sent=True,
        )
    return TransportError(f"no answer: it may have been accepted; {detail}", may_have_been_sent=True)


__all__ = [
    "ApiError",
    "AuthenticationError",
    "ClientError",
    "ConnectionFailed",
    "ConnectionLost",
    "InvalidEnvelope",
    "InvalidRequest",
    "InvalidToken",
    "MalformedResponse",
    "ResponseTooLarge",
    "Timeout",
    "TransportError",
    "UnexpectedStatus",
    "transport_error",
]
