"""Who the send call lets in: the real server's authorizers, each read as its source reads.

The API tries them in the order web.autofac.config registers them, and the first that
authenticates lets the call through (`ApiRouteHandler.GetHttpHandler`):

- cookie (`ASCCookieAuthorization.cs`): the `asc_auth_key` cookie if it is set, else the
  Authorization header as it came, compared whole with a token;
- Bearer (`ASCBearerAuthorization.cs`): `Bearer <token>`.

Bearer reads the header trimmed and cut at its first ',' (ASP.NET joins several Authorization
headers with ','), and names its scheme in its exact case: `bearer <token>` is refused. Every
token is compared in constant time, and none is ever logged.
"""

from __future__ import annotations

import hmac


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())


def is_token(given: str, tokens: tuple[str, ...]) -> bool:
    """`given` is one of `tokens`: compared with every one, each in constant time, so timing tells nothing."""
    matches = [_same(given, token) for token in tokens]
    return bool(given) and any(matches)


def _scheme(header: str, name: str) -> str | None:
    """The header as Bearer (and Basic) reads it (trimmed, up to its first ',', trimmed), if it starts
    with `name` in exactly that case (IndexOf(name) == 0); else None."""
    text = header.strip().partition(",")[0].strip()
    return text if text.startswith(name) else None


def bearer_token(header: str) -> str | None:
    """The token of `Bearer <token>`: everything from index 7 on (`Substring(7)`), whatever char
    index 6 holds."""
    text = _scheme(header, "Bearer")
    return None if text is None else text[7:]


def authorized(header: str | None, cookie: str | None, tokens: tuple[str, ...]) -> bool:
    """Whether an authorizer lets the request in. `header` is every Authorization header joined
    with ',' (None: there was none), `cookie` the `asc_auth_key` cookie (None: not read)."""
    given = header or ""
    by_cookie = is_token(cookie if cookie else given, tokens)
    bearer = bearer_token(given)
    by_bearer = bearer is not None and is_token(bearer, tokens)
    return by_cookie or by_bearer
