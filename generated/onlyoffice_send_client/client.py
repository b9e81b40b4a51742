import re
import ssl
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self

import httpx
from attrs import Attribute, define, evolve, field

from . import errors

# The generator's default is no timeout at all: a hung server would hang the caller forever.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

# What goes into the Authorization header as it is: visible ASCII, single spaces inside ("Basic ..."),
# none at either end. Anything else h11 refuses with an error (and httpcore logs a line) quoting the
# whole header, the token with it; a trailing newline from a file is the usual cause.
_SENDABLE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


# An answer of this API is an envelope of a few hundred bytes, a proxy's error page a few KB: a body
# larger than this, once decoded, is refused (errors.ResponseTooLarge) and not read further.
MAX_RESPONSE_BYTES = 1024 * 1024
# The content codings the client asks for, and inflates itself a slice at a time within that bound:
# httpx inflates each network read whole, and 64 KB of gzip can inflate to 64 MB.
ACCEPT_ENCODING = "gzip, deflate"
_RAW_SLICE = 16 * 1024
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class _Bounded:
    """The decoded body of one answer, built from its raw slices, never past `limit` bytes."""

    def __init__(self, response: httpx.Response, limit: int, token: str | None):
        self._response, self._limit, self._token = response, limit, token
        coding = response.headers.get("Content-Encoding", "").strip().lower()
        if coding not in ("", "identity", *_WBITS):
            raise httpx.DecodingError(f"a content coding the client did not ask for: {coding!r}")
        self._coding = coding
        self._inflate = zlib.decompressobj(_WBITS[coding]) if coding in _WBITS else None
        self._started = False
        self._chunks: list[bytes] = []
        self._size = 0

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            kept = b"".join(self._chunks) + data
            raise errors.ResponseTooLarge(
                self._response.status_code, kept[: self._limit], self._limit, token=self._token
            )
        self._chunks.append(data)

    def feed(self, raw: bytes) -> None:
        if self._inflate is None:
            self._keep(raw)
            return
        try:
            while raw and not self._inflate.eof:
                # Never more than one byte past the bound: the rest stays compressed.
                self._keep(self._inflate.decompress(raw, self._limit + 1 - self._size))
                raw = self._inflate.unconsumed_tail
                self._started = True
        except zlib.error as exc:
            if self._coding == "deflate" and not self._started:  # raw deflate, as some servers send it
                self._inflate, self._coding = zlib.decompressobj(-zlib.MAX_WBITS), "raw deflate"
                self.feed(raw)
                return
            raise httpx.DecodingError(f"the {self._coding} body does not inflate: {exc}") from None

    def content(self) -> bytes:
        return b"".join(self._chunks)


def read_bounded(response: httpx.Response, limit: int, token: str | None = None) -> bytes:
    """The body of a streamed answer, decoded, at most `limit` bytes: else errors.ResponseTooLarge.
    A body that does not inflate raises httpx.DecodingError."""
    body = _Bounded(response, limit, token)
    raw: Iterator[bytes] = response.iter_raw(_RAW_SLICE)
    for chunk in raw:
        body.feed(chunk)
    return body.content()


async def aread_bounded(response: httpx.Response, limit: int, token: str | None = None) -> bytes:
    """As `read_bounded`, for an answer of an httpx.AsyncClient."""
    body = _Bounded(response, limit, token)
    raw: AsyncIterator[bytes] = response.aiter_raw(_RAW_SLICE)
    async for chunk in raw:
        body.feed(chunk)
    return body.content()


def decoded(response: httpx.Response, content: bytes) -> httpx.Response:
    """`response` with `content` as its body: what the parsers read (the coding is undone)."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
    return httpx.Response(response.status_code, headers=headers, content=content, request=response.request)


def _what_is_wrong(value: str) -> str:
    """Where `value` breaks the rule, without showing any of it."""
    for at, char in enumerate(value, start=1):
        where = f"at character {at} of {len(value)}"
        if char in "\r\n":
            return f"has a line break {where} (read from a file with its newline?)"
        if char < " " or char == "\x7f":
            return f"has a control character (U+{ord(char):04X}) {where}"
        if char > "~":
            return f"has a character outside ASCII {where}"
    return "has a space at its start or end, or two in a row"


def _sendable(instance: Any, attribute: "Attribute[str]", value: str) -> None:
    if value and not _SENDABLE.fullmatch(value):
        raise errors.InvalidToken(
            f"The {attribute.name} {_what_is_wrong(value)}: it cannot be sent in a header (it is not shown here)"
        )


@define
class Client:
    """A class for keeping track of data related to the API

    The following are accepted as keyword arguments and will be used to construct httpx Clients internally:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The maximum amount of a time a request can take. API functions will raise
        errors.Timeout if this is exceeded. Default: 30 s, 10 s to connect.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server. This should be True in production,
        but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``httpx_args``: A dictionary of additional arguments to be passed to the ``httpx.Client`` and ``httpx.AsyncClient`` constructor.

    No request is ever sent twice: a send that may have reached the server is not retried, since a
    mail sent twice is worse than a send that failed once. To retry connections that never opened,
    pass ``httpx_args={"transport": httpx.HTTPTransport(retries=2)}``.

    Cookies, headers (where the token ends up) and ``httpx_args`` are left out of ``repr()``.


    Attributes:
        raise_on_unexpected_status: Whether to raise errors.UnexpectedStatus when the API answers a status
            code that the OpenAPI document does not declare (on by default: an undeclared status is an error, not
            None).
        max_response_bytes: The largest body the client reads, once decoded (1 MiB by default): a larger one
            raises errors.ResponseTooLarge, having read no further.
    """

    raise_on_unexpected_status: bool = field(default=True, kw_only=True)
    max_response_bytes: int = field(default=MAX_RESPONSE_BYTES, kw_only=True)
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies", repr=False)
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers", repr=False)
    _timeout: httpx.Timeout | None = field(default=DEFAULT_TIMEOUT, kw_only=True, alias="timeout")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args", repr=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def with_headers(self, headers: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> "Client":
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return evolve(self, timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._client = httpx.Client(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(*args, **kwargs)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)


@define
class AuthenticatedClient:
    """A Client which has been authenticated for use on secured endpoints

    The following are accepted as keyword arguments and will be used to construct httpx Clients internally:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The maximum amount of a time a request can take. API functions will raise
        errors.Timeout if this is exceeded. Default: 30 s, 10 s to connect.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server. This should be True in production,
        but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``httpx_args``: A dictionary of additional arguments to be passed to the ``httpx.Client`` and ``httpx.AsyncClient`` constructor.

    No request is ever sent twice: a send that may have reached the server is not retried, since a
    mail sent twice is worse than a send that failed once. To retry connections that never opened,
    pass ``httpx_args={"transport": httpx.HTTPTransport(retries=2)}``.

    Cookies, headers (where the token ends up) and ``httpx_args`` are left out of ``repr()``.


    Attributes:
        raise_on_unexpected_status: Whether to raise errors.UnexpectedStatus when the API answers a status
            code that the OpenAPI document does not declare (on by default: an undeclared status is an error, not
            None).
        max_response_bytes: The largest body the client reads, once decoded (1 MiB by default): a larger one
            raises errors.ResponseTooLarge, having read no further.
        token: The token to use for authentication; never shown in repr(), refused with errors.InvalidToken (a ValueError) if it holds a control character, a non-ASCII character or a space at either end
        prefix: The prefix to use for the Authorization header: empty sends the token bare, as ONLYOFFICE documents it; "Bearer" is accepted too
        auth_header_name: The name of the Authorization header
    """

    raise_on_unexpected_status: bool = field(default=True, kw_only=True)
    max_response_bytes: int = field(default=MAX_RESPONSE_BYTES, kw_only=True)
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies", repr=False)
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers", repr=False)
    _timeout: httpx.Timeout | None = field(default=DEFAULT_TIMEOUT, kw_only=True, alias="timeout")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args", repr=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    token: str = field(repr=False, validator=_sendable)
    prefix: str = field(default="", validator=_sendable)
    auth_header_name: str = "Authorization"

    def with_headers(self, headers: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> "AuthenticatedClient":
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return evolve(self, timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._headers[self.auth_header_name] = f"{self.prefix} {self.token}" if self.prefix else self.token
            self._client = httpx.Client(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(*args, **kwargs)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._headers[self.auth_header_name] = f"{self.prefix} {self.token}" if self.prefix else self.token
            self._async_client = httpx.AsyncClient(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)
