"""Who the send call lets in: the real server's three authorizers, each read as its source reads.

The API tries them in the order web.autofac.config registers them, and the first that
authenticates lets the call through (`ApiRouteHandler.GetHttpHandler`):

- cookie (`ASCCookieAuthorization.cs`): the `asc_auth_key` cookie if it is set, else the
  Authorization header as it came, compared whole with a token;
- Basic (`ASCBasicAuthorization.cs`): `Basic base64(login:password)`, the login being the
  user's email in any case (`UserManager.GetUserByEmail`; the lookups by user name and id after
  its `??` never run, since it answers LostUser, not null), the password exact;
- Bearer (`ASCBearerAuthorization.cs`): `Bearer <token>`.

Before them, the web app's own authentication (Global.asax.cs `Authenticate`, by
`AuthorizationHelper.ProcessBasicAuthorization`) reads the header, and when that authenticates it
sets the `asc_auth_key` cookie on the answer (`header_cookie`); the API's authorizers then let
the call through (each tries only while no one is authenticated). So a bare token in the header is
taken even beside a wrong `asc_auth_key` cookie.

Basic and Bearer read the header trimmed and cut at its first ',' (ASP.NET joins several
Authorization headers with ','), and name their scheme in its exact case: `bearer <token>` and
`basic ...` are refused. Every secret is compared in constant time, and none is ever logged.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass

# What .NET's Convert.FromBase64String skips anywhere in its input.
_BASE64_SPACE = str.maketrans("", "", " \t\r\n")


@dataclass(frozen=True)
class Credentials:
    """What the sandbox's one user may authenticate with."""

    tokens: tuple[str, ...]
    login: str
    password: str

    def __repr__(self) -> str:  # the secrets never show
        return f"Credentials(login={self.login!r}, tokens=[Filtered], password=[Filtered])"


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())


def is_token(given: str, tokens: tuple[str, ...]) -> bool:
    """`given` is one of `tokens`: compared with every one, each in constant time, so timing tells nothing."""
    matches = [_same(given, token) for token in tokens]
    return bool(given) and any(matches)


def _scheme(header: str, name: str) -> str | None:
    """The header as Basic and Bearer read it (trimmed, up to its first ',', trimmed), if it starts
    with `name` in exactly that case (their IndexOf(name) == 0); else None."""
    text = header.strip().partition(",")[0].strip()
    return text if text.startswith(name) else None


def bearer_token(header: str) -> str | None:
    """The token of `Bearer <token>`: everything from index 7 on (`Substring(7)`), whatever char
    index 6 holds."""
    text = _scheme(header, "Bearer")
    return None if text is None else text[7:]


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(login, password) of `Basic <base64>`: decoded from index 6 on, as ASCII (any other byte
    read as '?'), split at every ':' of which the first two parts count; a password holding a
    ':' is read only up to it. None where the real server throws (and refuses)."""
    text = _scheme(header, "Basic")
    if text is None:
        return None
    try:
        raw = base64.b64decode(text[6:].translate(_BASE64_SPACE), validate=True)
    except ValueError:  # binascii.Error among them: not base64, or not padded as .NET wants it
        return None
    parts = raw.decode("ascii", "replace").replace("\ufffd", "?").split(":")
    return (parts[0], parts[1]) if len(parts) > 1 else None


def authorized(header: str | None, cookie: str | None, credentials: Credentials) -> bool:
    """Whether any of the three authorizers lets the request in. `header` is every Authorization
    header joined with ',' (None: there was none), `cookie` the `asc_auth_key` cookie (None: not read)."""
    given = header or ""
    by_cookie = is_token(cookie if cookie else given, credentials.tokens)
    basic = basic_credentials(given)
    # The login is found by email in any case (GetUserByEmail); the password must be exact.
    by_basic = basic is not None and (
        _same(basic[0].lower(), credentials.login.lower()) & _same(basic[1], credentials.password)
    )
    bearer = bearer_token(given)
    by_bearer = bearer is not None and is_token(bearer, credentials.tokens)
    # The web app's own authentication reads the header before any of them (`header_cookie`).
    by_web_app = header_cookie(header, credentials) is not None
    return by_web_app or by_cookie or by_basic or by_bearer


def header_cookie(header: str | None, credentials: Credentials) -> str | None:
    """The `asc_auth_key` cookie the real server sets when the Authorization header authenticates,
    as AuthorizationHelper.ProcessBasicAuthorization reads it (trimmed, not cut at ','): `Basic`
    anywhere in it is Basic credentials (decoded from index 6), else `Bearer` anywhere is a token
    from index 7, else the whole header is a token. A token is its own cookie; Basic credentials
    get a new session key from the server (SecurityContext.AuthenticateMe), for which the sandbox
    gives its first token, which authenticates the same user. None: the header does not."""
    text = (header or "").strip()
    if not text:
        return None
    if "Basic" in text:
        try:
            raw = base64.b64decode(text[6:].translate(_BASE64_SPACE), validate=True)
        except ValueError:
            return None
        parts = raw.decode("ascii", "replace").replace("\ufffd", "?").split(":")
        known = len(parts) > 1 and (
            _same(parts[0].lower(), credentials.login.lower()) & _same(parts[1], credentials.password)
        )
        return credentials.tokens[0] if known else None
    token = text[7:] if "Bearer" in text else text
    return token if is_token(token, credentials.tokens) else None
