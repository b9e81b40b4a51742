"""The send call's authorizers (`onlyoffice_sandbox/auth.py`), read as the real server's source reads
the header: each case below is what ASCCookieAuthorization and ASCBearerAuthorization do with it."""

from __future__ import annotations

import pytest

from onlyoffice_sandbox.auth import authorized, bearer_token

TOKENS = ("tok-1", "tok-2")


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer tok-1", "tok-1"),
        ("  Bearer tok-1  ", "tok-1"),  # trimmed
        ("Bearer tok-1 , Bearer other", "tok-1"),  # cut at the first ',' and trimmed again
        ("Bearer\ttok-1", "tok-1"),  # Substring(7): whatever stands at index 6
        ("BearerXtok-1", "tok-1"),
        ("Bearer  tok-1", " tok-1"),  # not stripped after the cut: one space is the scheme's
        ("Bearer", ""),  # the real server's Substring(7) throws: no token
        ("bearer tok-1", None),  # the scheme compared ordinally
        ("BEARER tok-1", None),
        ("tok-1", None),
        (", Bearer tok-1", None),  # the first ',' comes first
    ],
)
def test_the_bearer_token_is_read_as_the_real_server_reads_it(header: str, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("header", "cookie", "allowed"),
    [
        ("tok-2", None, True),  # bare, as the API page shows: the cookie authorizer reads the header
        ("Bearer tok-2", None, True),
        ("bearer tok-2", None, False),
        ("tok-2 ", None, False),  # the bare header is compared whole (a server strips it before)
        ("tok-1,tok-2", None, False),
        (None, "tok-1", True),  # the web client's cookie
        ("wrong", "tok-1", True),
        ("tok-1", "wrong", False),  # a cookie that is set is read instead of a bare header
        ("Bearer tok-1", "wrong", True),  # the bearer authorizer reads the header either way
        ("tok-1", "", True),  # an empty cookie is none
        ("", None, False),
        (None, None, False),
        ("Bearer ", None, False),  # an empty token never matches
    ],
)
def test_the_authorizers_together(header: str | None, cookie: str | None, allowed: bool) -> None:
    assert authorized(header, cookie, TOKENS) is allowed
