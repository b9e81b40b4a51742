"""The send call's authorizers (`onlyoffice_sandbox/auth.py`), read as the real server's source reads
the header: each case below is what ASCCookieAuthorization, ASCBasicAuthorization and
ASCBearerAuthorization do with it."""

from __future__ import annotations

import base64

import pytest

from onlyoffice_sandbox.auth import Credentials, authorized, basic_credentials, bearer_token, header_cookie

TOKENS = ("tok-1", "tok-2")
LOGIN, PASSWORD = "user@example.test", "pass-word"
CREDENTIALS = Credentials(TOKENS, LOGIN, PASSWORD)


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


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
        # The API's cookie authorizer compares the bare header whole, but the web app's own
        # authentication (Global.asax.cs Authenticate, ProcessBasicAuthorization) trims it first.
        ("tok-2 ", None, True),
        ("tok-1,tok-2", None, False),
        (None, "tok-1", True),  # the web client's cookie
        ("wrong", "tok-1", True),
        # The API's cookie authorizer reads a cookie that is set instead of a bare header, but the
        # web app's own authentication read the header before it.
        ("tok-1", "wrong", True),
        ("xBasic dG9rLTE=", None, False),  # Basic anywhere is Basic credentials (decoded from index 6)
        ("Bearer tok-1", "wrong", True),  # the bearer authorizer reads the header either way
        ("tok-1", "", True),  # an empty cookie is none
        ("", None, False),
        (None, None, False),
        ("Bearer ", None, False),  # an empty token never matches
    ],
)
def test_the_authorizers_together(header: str | None, cookie: str | None, allowed: bool) -> None:
    assert authorized(header, cookie, CREDENTIALS) is allowed


@pytest.mark.parametrize(
    ("header", "credentials"),
    [
        (f"Basic {b64('u@x.test:pw')}", ("u@x.test", "pw")),
        (f"  Basic {b64('u@x.test:pw')}  , more", ("u@x.test", "pw")),  # trimmed, cut at ',', trimmed
        (f"Basic {b64('u@x.test:pw:rest')}", ("u@x.test", "pw")),  # Split(':'): parts [0] and [1] only
        (f"Basic {b64('u@x.test:')}", ("u@x.test", "")),
        (f"Basic {b64(':pw')}", ("", "pw")),
        (f"Basic  {b64('u@x.test:pw')}", ("u@x.test", "pw")),  # FromBase64String skips white space
        ("Basic " + " ".join(b64("u@x.test:pw")), ("u@x.test", "pw")),
        ("Basic " + b64("u@x.test:päss"), ("u@x.test", "p??ss")),  # ASCII: each other byte a '?'
        (f"BasicX{b64('u@x.test:pw')}", ("u@x.test", "pw")),  # Substring(6), whatever stands at index 5
        (f"Basic {b64('u@x.test')}", None),  # no ':': parts[1] throws
        (f"basic {b64('u@x.test:pw')}", None),  # the scheme in its exact case
        (f"BASIC {b64('u@x.test:pw')}", None),
        (f"Basic {b64('u@x.test:pw').rstrip('=')}", None),  # unpadded: FromBase64String throws
        ("Basic not*base64", None),
        ("Basic", None),
        (f"Bearer {b64('u@x.test:pw')}", None),
    ],
)
def test_basic_credentials_are_read_as_the_real_server_reads_them(
    header: str, credentials: tuple[str, str] | None
) -> None:
    assert basic_credentials(header) == credentials


@pytest.mark.parametrize(
    ("user_and_password", "allowed"),
    [
        (f"{LOGIN}:{PASSWORD}", True),
        (f"{LOGIN.upper()}:{PASSWORD}", True),  # the login is an email, found in any case
        (f"{LOGIN}:{PASSWORD}:anything", True),  # only the text up to the next ':' is the password
        (f"{LOGIN}:{PASSWORD.upper()}", False),
        (f"{LOGIN}:{PASSWORD}x", False),
        (f"{LOGIN}:", False),
        (f"other@example.test:{PASSWORD}", False),
        (f"sandbox:{PASSWORD}", False),  # the lookup by user name never runs on the real server
        (f"{LOGIN}:tok-1", False),  # a token is no password
        (f"anyone:{PASSWORD}", False),
    ],
)
def test_basic_credentials_are_the_users_login_and_password(user_and_password: str, allowed: bool) -> None:
    assert authorized(f"Basic {b64(user_and_password)}", None, CREDENTIALS) is allowed
    assert authorized(f"basic {b64(user_and_password)}", None, CREDENTIALS) is False


def test_credentials_never_show_their_secrets() -> None:
    assert "tok-1" not in repr(CREDENTIALS)
    assert PASSWORD not in repr(CREDENTIALS)
    assert PASSWORD not in str(CREDENTIALS)


def _basic(text: str, scheme: str = "Basic") -> str:
    return f"{scheme} {base64.b64encode(text.encode()).decode()}"


@pytest.mark.parametrize(
    ("header", "cookie"),
    [
        ("tok-1", "tok-1"),  # a token is its own cookie
        ("  tok-2\t", "tok-2"),  # trimmed
        ("Bearer tok-2", "tok-2"),
        ("xBearer tok-2", None),  # Bearer anywhere: the token from index 7 ("tok-2" here is "ok-2")
        ("Bearer tok-2, x", None),  # not cut at ',' (the API's Bearer authorizer lets it in, no cookie)
        (_basic(f"{LOGIN}:{PASSWORD}"), "tok-1"),  # a session key: the sandbox's first token
        # Basic anywhere, decoded from index 6: " <base64>", whose space FromBase64String skips.
        (_basic(f"{LOGIN}:{PASSWORD}", "xBasic"), "tok-1"),
        (_basic(f"{LOGIN}:wrong"), None),
        ("basic tok-1", None),  # neither scheme in its case: the whole header, no token
        ("", None),
        (None, None),
    ],
)
def test_the_cookie_the_web_app_sets_for_a_header(header: str | None, cookie: str | None) -> None:
    """AuthorizationHelper.ProcessBasicAuthorization reads the header trimmed: `Basic` anywhere is Basic
    credentials from index 6, else `Bearer` anywhere a token from index 7, else the whole a token."""
    assert header_cookie(header, CREDENTIALS) == cookie
