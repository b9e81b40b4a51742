from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

import httpx

from ... import errors
from ...client import ACCEPT_ENCODING, AuthenticatedClient, Client, aread_bounded, decoded, read_bounded

# The models (attrs classes, each built when its module is imported) and Response are imported where an
# answer is read, not with this module: the client's cold import stays near httpx's (bench/NOTES.md).
if TYPE_CHECKING:
    from ...models.error_envelope import ErrorEnvelope
    from ...models.send_message_request import SendMessageRequest
    from ...models.success_envelope import SuccessEnvelope
    from ...types import Response


def _get_kwargs(
    *,
    body: SendMessageRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/2.0/mail/messages/send",
    }

    _kwargs["json"] = body.to_dict()

    return _kwargs


def _token(client: AuthenticatedClient | Client) -> str | None:
    """The secret that error messages must not show."""
    return client.token if isinstance(client, AuthenticatedClient) else None


# The success envelope as the API description bounds it (SuccessEnvelope): name, attribute, least,
# greatest. A 200 whose fields fall outside is no acceptance, whatever the model took in.
_SUCCESS_BOUNDS: tuple[tuple[str, str, int, int], ...] = (
    ("count", "count", 1, 1),
    ("response", "response", 1, 9223372036854775807),
    ("status", "status", 0, 0),
    ("statusCode", "status_code", 200, 200),
)


def _out_of_bounds(envelope: SuccessEnvelope) -> list[str]:
    """Each field of the envelope that is not an integer within its bounds (a bool is no integer)."""
    problems = []
    for name, attribute, least, greatest in _SUCCESS_BOUNDS:
        value = getattr(envelope, attribute)
        if type(value) is not int or not least <= value <= greatest:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
            kind = "an integer" if type(value) is int else f"a {type(value).__name__}"
            span = str(least) if least == greatest else f"from {least} to {greatest}"
            problems.append(f"{name} is {shown} ({kind}), not an integer {span}")
    return problems


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response, content: bytes
) -> Any | ErrorEnvelope | SuccessEnvelope | str | None:
    from ...models.error_envelope import ErrorEnvelope
    from ...models.success_envelope import SuccessEnvelope

    if response.status_code == 200:
        response_200 = SuccessEnvelope.from_dict(json.loads(content))

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(json.loads(content))

        return response_400

    if response.status_code == 401:
        response_401 = decoded(response, content).text
        return response_401

    if response.status_code == 402:
        response_402 = ErrorEnvelope.from_dict(json.loads(content))

        return response_402

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(json.loads(content))

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(json.loads(content))

        return response_404

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, content, token=_token(client))
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response, content: bytes
) -> Response[Any | ErrorEnvelope | SuccessEnvelope | str]:
    from ...models.success_envelope import SuccessEnvelope
    from ...types import Response

    try:
        parsed = _parse_response(client=client, response=response, content=content)
    except errors.ClientError:
        raise
    except Exception as exc:  # not JSON, nested too deep, not the declared shape: never the parser's own error
        raise errors.MalformedResponse(response.status_code, content, token=_token(client), detail=_why(exc)) from exc
    if response.status_code == 200 and isinstance(parsed, SuccessEnvelope):
        problems = _out_of_bounds(parsed)
        if problems:
            raise errors.InvalidEnvelope(response.status_code, content, parsed, problems, token=_token(client))
    return Response(
        status_code=response.status_code,
        content=content,
        headers=response.headers,
        parsed=parsed,
    )


def _why(exc: Exception) -> str:
    """What was wrong with the body, in a few words (the parser's exception is the error's cause)."""
    if isinstance(exc, RecursionError):
        return "it is nested deeper than Python can parse"
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return "it is not JSON"
    if isinstance(exc, KeyError):
        return f"it has no {exc}"
    return f"{type(exc).__name__} while reading it"


def _unwrap(
    client: AuthenticatedClient | Client, response: Response[Any | ErrorEnvelope | SuccessEnvelope | str]
) -> SuccessEnvelope:
    """The success body, or the error the server answered raised as a typed exception."""
    if response.status_code == 200:
        return cast("SuccessEnvelope", response.parsed)
    if response.status_code == 400:
        raise errors.ApiError(response.status_code, response.parsed, response.content, token=_token(client))
    if response.status_code == 401:
        raise errors.AuthenticationError(response.status_code, response.parsed, response.content, token=_token(client))
    if response.status_code == 402:
        raise errors.ApiError(response.status_code, response.parsed, response.content, token=_token(client))
    if response.status_code == 403:
        raise errors.ApiError(response.status_code, response.parsed, response.content, token=_token(client))
    if response.status_code == 404:
        raise errors.ApiError(response.status_code, response.parsed, response.content, token=_token(client))
    if response.status_code == 503:
        raise errors.ApiError(response.status_code, response.parsed, response.content, token=_token(client))
    raise errors.UnexpectedStatus(response.status_code, response.content, token=_token(client))


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> Response[Any | ErrorEnvelope | SuccessEnvelope | str]:
    """Send a message

     Sends the message specified in the request, either a new one (`id` 0 or
    absent) or a saved draft (`id` > 0). The call answers as soon as the
    message is stored and queued; delivery over SMTP happens afterwards, so
    a 200 means "accepted for sending", and carries the message id.

    What the real server checks, and the answer it gives when a check
    fails, in its order (`DraftEngine.Send`, lines 80-158 at v12.7.1):

    - Before routing and authentication, the portal's state
      (`Global.asax.cs` `Application_BeginRequest`, 66-71), answered with
      an **empty body**, no envelope: 503 while the portal is being
      transferred, restored, migrated or encrypted (credentials or not);
      404 when it is suspended or pending removal; 402 when it is unpaid.
    - Authentication: 401 (bare text, see the 401 response).
    0. The body is bound before anything else reads it: a body that is
       not JSON, or a value that does not convert to its field's type,
       is refused with 400 (for unreadable JSON the message is the
       parser's own). Then the API's filters (`ProductSecurityFilter.cs`
       112-116): 402 in the error envelope ("PaymentRequired") when the
       portal is unpaid and tariff settings are on (a request header
       `Payment-Info: false` skips that check), 403 ("Forbidden") when the
       Mail product is not available to the user.
    1. `from` empty: 400; `to`, `cc` and `bcc` all empty: 400 (an empty
       `to` beside a `cc` or `bcc` is accepted).
    2. `from` must be a mailbox account of the authenticated user: else 400
       "Mailbox not found"; a group address or a disabled account: 403.
    3. `id` > 0 must name a message in Drafts or Templates: else 403
       "Sending emails is permitted only in the Drafts folder"; an id that
       does not exist: 404.
    4. `id` > 0: the stored draft's HTML body must be at most 524288
       characters: else 403 "Message body exceeded limit (512 KB)".
    5. The declared attachment sizes must be within `x-total-size-limit`
       (see `attachments`): else 400.
    6. Every address in `from`, `to`, `cc` and `bcc` must parse as an
       RFC 5322 mailbox (format `mailbox`): else 400 "Incorrect email
       address in field ...". The server saves the draft before it parses
       them, so a send refused here leaves a draft behind.
    7. Attachments are never refused; unreadable ones are skipped. The
       server copies each attachment's content while it saves the draft,
       and one whose file cannot be found is left out of the mail without
       a word (`AttachmentEngine.StoreAttachmentCopy`).

    Known defects of the real server 12.7, where it answers other than
    this contract (`PROFILE=onlyoffice` of the contract suite reports each
    by name, judged on what the binder makes of the body; strict fails
    them): a `from` that does not parse, 500 (a FormatException; here
    400); an `id` no message has, 500 (a null dereference; here 404);
    declared attachment sizes over the limit, 500 (here 400). And two
    sends it accepts and never delivers: a `mimeReplyToId` MimeKit
    cannot read, or a `calendarIcs` that is not one usable iCalendar
    event (see those fields): 200, then the send task fails, the message
    goes back to Drafts, and no mail goes out. This contract requires the
    mail.

    A sent draft keeps its stored Message-ID; a new message gets a new
    one (`AU<unique>@<portal domain>`).

    A request body larger than the web server's limit is refused by that
    web server before the API reads it, with a page of its own, not the
    error envelope (in ONLYOFFICE's packages nginx, in front, answers 413
    past `client_max_body_size 4G`; ASP.NET's `maxRequestLength` in
    `Web.config` is 1 GB). No 413 is declared, so neither form is part of
    the contract; the sandbox answers 413 in the error envelope past its
    own limit (`SANDBOX_MAX_BODY`).

    **The wire.** The same call answers at `PUT /api/2.0/mail/messages/send.json`
    (the server drops a format suffix; every ONLYOFFICE client calls this
    path), and at `.xml` and `.tml` (`ApiRouteRegistrator.cs` 43-48), which
    answer the envelope as XML (`text/xml; charset=UTF-8`: the JSON
    envelope as `{"result": ...}` through Newtonsoft's XmlNodeConverter,
    `JsonNetSerializer.cs` 42-72, so `<result><count>1</count><status>0</status>
    <statusCode>200</statusCode><response>N</response></result>`, in the
    members' DataMember order, with no declaration) unless the request's
    media type is `application/json`; any other suffix is no route (404). The reader of the body is
    chosen by the
    media type alone (`ApiArgumentBuilder.cs`), its parameters ignored:
    exactly `application/json`, in that case, is JSON, read as UTF-8
    whatever the charset; exactly `text/xml` is XML; anything else
    (`text/json`, `application/merge-patch+json`, `Application/JSON`, no
    Content-Type) is ASP.NET's form, which holds the pairs of an
    `application/x-www-form-urlencoded` or `multipart/form-data` body and
    nothing of any other: a JSON body sent so is not read, and the answer
    is 400 for the missing `from`. ONLYOFFICE's web mail client sends the
    form, in jQuery's bracket notation (`to[]=a&to[]=b`,
    `attachments[0][fileId]=4311`, booleans as `true`/`false`, null as an
    empty value, empty lists left out), authenticated by the
    `asc_auth_key` cookie. The query string is bound too, before the body.

    **How the real server binds** (`ApiArgumentBuilder.cs`, `Binder.cs`,
    `ConvertUtils.cs`). It does not deserialize JSON into the method's types:
    it turns the body into XML, flattens that into a name/value collection of
    text, and binds each parameter from it. So it also accepts, beyond this
    spec: a number or boolean written as a string when it converts (`"1234"`,
    `" true "`, `"0x1F"`); a number or boolean where a string is expected, as
    its text; `null` for a number or boolean, as its default (0, false); a
    lone value for a list (`"to": "a@b.c"`); a list for a single value (its
    first item); names in any case (`"From"`); `fileLinksShareMode` as a
    member name in any case (`"Read"`), or any integer (`99`). A value that
    does not convert (`"abc"` for an integer, `"yes"` for a boolean) is
    refused with 400, and so is `null` for a list of integers and a property
    name that is not an XML name. An object where a single value is expected
    leaves that parameter at its default. Within an attachment, names are
    matched in their exact case (or all lower case), `null` for a number or
    boolean is refused (400), and an attachment with no member the server
    reads is dropped. `null` for a list of addresses binds as one empty
    address, which then does not parse (400).

    Args:
        body (SendMessageRequest): Every field is optional on the wire except `from` and at least
            one recipient in `to`, `cc` or `bcc`. A missing field means its type's default. Fields the
            server does not know are ignored. An optional string may be `null`, which means the same
            as absent (the web client sends `mimeReplyToId: null` for a reopened draft).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TransportError: No answer was read (a timeout, a refused or lost connection).

    Returns:
        Response[Any | ErrorEnvelope | SuccessEnvelope | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    httpx_client = client.get_httpx_client()
    try:
        request = httpx_client.build_request(**kwargs)
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = httpx_client.send(request, stream=True)
        try:
            content = read_bounded(response, client.max_response_bytes, _token(client))
        finally:
            response.close()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise errors.transport_error(exc, _token(client)) from exc

    return _build_response(client=client, response=response, content=content)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> Any | ErrorEnvelope | SuccessEnvelope | str | None:
    """Send a message

     Sends the message specified in the request, either a new one (`id` 0 or
    absent) or a saved draft (`id` > 0). The call answers as soon as the
    message is stored and queued; delivery over SMTP happens afterwards, so
    a 200 means "accepted for sending", and carries the message id.

    What the real server checks, and the answer it gives when a check
    fails, in its order (`DraftEngine.Send`, lines 80-158 at v12.7.1):

    - Before routing and authentication, the portal's state
      (`Global.asax.cs` `Application_BeginRequest`, 66-71), answered with
      an **empty body**, no envelope: 503 while the portal is being
      transferred, restored, migrated or encrypted (credentials or not);
      404 when it is suspended or pending removal; 402 when it is unpaid.
    - Authentication: 401 (bare text, see the 401 response).
    0. The body is bound before anything else reads it: a body that is
       not JSON, or a value that does not convert to its field's type,
       is refused with 400 (for unreadable JSON the message is the
       parser's own). Then the API's filters (`ProductSecurityFilter.cs`
       112-116): 402 in the error envelope ("PaymentRequired") when the
       portal is unpaid and tariff settings are on (a request header
       `Payment-Info: false` skips that check), 403 ("Forbidden") when the
       Mail product is not available to the user.
    1. `from` empty: 400; `to`, `cc` and `bcc` all empty: 400 (an empty
       `to` beside a `cc` or `bcc` is accepted).
    2. `from` must be a mailbox account of the authenticated user: else 400
       "Mailbox not found"; a group address or a disabled account: 403.
    3. `id` > 0 must name a message in Drafts or Templates: else 403
       "Sending emails is permitted only in the Drafts folder"; an id that
       does not exist: 404.
    4. `id` > 0: the stored draft's HTML body must be at most 524288
       characters: else 403 "Message body exceeded limit (512 KB)".
    5. The declared attachment sizes must be within `x-total-size-limit`
       (see `attachments`): else 400.
    6. Every address in `from`, `to`, `cc` and `bcc` must parse as an
       RFC 5322 mailbox (format `mailbox`): else 400 "Incorrect email
       address in field ...". The server saves the draft before it parses
       them, so a send refused here leaves a draft behind.
    7. Attachments are never refused; unreadable ones are skipped. The
       server copies each attachment's content while it saves the draft,
       and one whose file cannot be found is left out of the mail without
       a word (`AttachmentEngine.StoreAttachmentCopy`).

    Known defects of the real server 12.7, where it answers other than
    this contract (`PROFILE=onlyoffice` of the contract suite reports each
    by name, judged on what the binder makes of the body; strict fails
    them): a `from` that does not parse, 500 (a FormatException; here
    400); an `id` no message has, 500 (a null dereference; here 404);
    declared attachment sizes over the limit, 500 (here 400). And two
    sends it accepts and never delivers: a `mimeReplyToId` MimeKit
    cannot read, or a `calendarIcs` that is not one usable iCalendar
    event (see those fields): 200, then the send task fails, the message
    goes back to Drafts, and no mail goes out. This contract requires the
    mail.

    A sent draft keeps its stored Message-ID; a new message gets a new
    one (`AU<unique>@<portal domain>`).

    A request body larger than the web server's limit is refused by that
    web server before the API reads it, with a page of its own, not the
    error envelope (in ONLYOFFICE's packages nginx, in front, answers 413
    past `client_max_body_size 4G`; ASP.NET's `maxRequestLength` in
    `Web.config` is 1 GB). No 413 is declared, so neither form is part of
    the contract; the sandbox answers 413 in the error envelope past its
    own limit (`SANDBOX_MAX_BODY`).

    **The wire.** The same call answers at `PUT /api/2.0/mail/messages/send.json`
    (the server drops a format suffix; every ONLYOFFICE client calls this
    path), and at `.xml` and `.tml` (`ApiRouteRegistrator.cs` 43-48), which
    answer the envelope as XML (`text/xml; charset=UTF-8`: the JSON
    envelope as `{"result": ...}` through Newtonsoft's XmlNodeConverter,
    `JsonNetSerializer.cs` 42-72, so `<result><count>1</count><status>0</status>
    <statusCode>200</statusCode><response>N</response></result>`, in the
    members' DataMember order, with no declaration) unless the request's
    media type is `application/json`; any other suffix is no route (404). The reader of the body is
    chosen by the
    media type alone (`ApiArgumentBuilder.cs`), its parameters ignored:
    exactly `application/json`, in that case, is JSON, read as UTF-8
    whatever the charset; exactly `text/xml` is XML; anything else
    (`text/json`, `application/merge-patch+json`, `Application/JSON`, no
    Content-Type) is ASP.NET's form, which holds the pairs of an
    `application/x-www-form-urlencoded` or `multipart/form-data` body and
    nothing of any other: a JSON body sent so is not read, and the answer
    is 400 for the missing `from`. ONLYOFFICE's web mail client sends the
    form, in jQuery's bracket notation (`to[]=a&to[]=b`,
    `attachments[0][fileId]=4311`, booleans as `true`/`false`, null as an
    empty value, empty lists left out), authenticated by the
    `asc_auth_key` cookie. The query string is bound too, before the body.

    **How the real server binds** (`ApiArgumentBuilder.cs`, `Binder.cs`,
    `ConvertUtils.cs`). It does not deserialize JSON into the method's types:
    it turns the body into XML, flattens that into a name/value collection of
    text, and binds each parameter from it. So it also accepts, beyond this
    spec: a number or boolean written as a string when it converts (`"1234"`,
    `" true "`, `"0x1F"`); a number or boolean where a string is expected, as
    its text; `null` for a number or boolean, as its default (0, false); a
    lone value for a list (`"to": "a@b.c"`); a list for a single value (its
    first item); names in any case (`"From"`); `fileLinksShareMode` as a
    member name in any case (`"Read"`), or any integer (`99`). A value that
    does not convert (`"abc"` for an integer, `"yes"` for a boolean) is
    refused with 400, and so is `null` for a list of integers and a property
    name that is not an XML name. An object where a single value is expected
    leaves that parameter at its default. Within an attachment, names are
    matched in their exact case (or all lower case), `null` for a number or
    boolean is refused (400), and an attachment with no member the server
    reads is dropped. `null` for a list of addresses binds as one empty
    address, which then does not parse (400).

    Args:
        body (SendMessageRequest): Every field is optional on the wire except `from` and at least
            one recipient in `to`, `cc` or `bcc`. A missing field means its type's default. Fields the
            server does not know are ignored. An optional string may be `null`, which means the same
            as absent (the web client sends `mimeReplyToId: null` for a reopened draft).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TransportError: No answer was read (a timeout, a refused or lost connection).

    Returns:
        Any | ErrorEnvelope | SuccessEnvelope | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> Response[Any | ErrorEnvelope | SuccessEnvelope | str]:
    """Send a message

     Sends the message specified in the request, either a new one (`id` 0 or
    absent) or a saved draft (`id` > 0). The call answers as soon as the
    message is stored and queued; delivery over SMTP happens afterwards, so
    a 200 means "accepted for sending", and carries the message id.

    What the real server checks, and the answer it gives when a check
    fails, in its order (`DraftEngine.Send`, lines 80-158 at v12.7.1):

    - Before routing and authentication, the portal's state
      (`Global.asax.cs` `Application_BeginRequest`, 66-71), answered with
      an **empty body**, no envelope: 503 while the portal is being
      transferred, restored, migrated or encrypted (credentials or not);
      404 when it is suspended or pending removal; 402 when it is unpaid.
    - Authentication: 401 (bare text, see the 401 response).
    0. The body is bound before anything else reads it: a body that is
       not JSON, or a value that does not convert to its field's type,
       is refused with 400 (for unreadable JSON the message is the
       parser's own). Then the API's filters (`ProductSecurityFilter.cs`
       112-116): 402 in the error envelope ("PaymentRequired") when the
       portal is unpaid and tariff settings are on (a request header
       `Payment-Info: false` skips that check), 403 ("Forbidden") when the
       Mail product is not available to the user.
    1. `from` empty: 400; `to`, `cc` and `bcc` all empty: 400 (an empty
       `to` beside a `cc` or `bcc` is accepted).
    2. `from` must be a mailbox account of the authenticated user: else 400
       "Mailbox not found"; a group address or a disabled account: 403.
    3. `id` > 0 must name a message in Drafts or Templates: else 403
       "Sending emails is permitted only in the Drafts folder"; an id that
       does not exist: 404.
    4. `id` > 0: the stored draft's HTML body must be at most 524288
       characters: else 403 "Message body exceeded limit (512 KB)".
    5. The declared attachment sizes must be within `x-total-size-limit`
       (see `attachments`): else 400.
    6. Every address in `from`, `to`, `cc` and `bcc` must parse as an
       RFC 5322 mailbox (format `mailbox`): else 400 "Incorrect email
       address in field ...". The server saves the draft before it parses
       them, so a send refused here leaves a draft behind.
    7. Attachments are never refused; unreadable ones are skipped. The
       server copies each attachment's content while it saves the draft,
       and one whose file cannot be found is left out of the mail without
       a word (`AttachmentEngine.StoreAttachmentCopy`).

    Known defects of the real server 12.7, where it answers other than
    this contract (`PROFILE=onlyoffice` of the contract suite reports each
    by name, judged on what the binder makes of the body; strict fails
    them): a `from` that does not parse, 500 (a FormatException; here
    400); an `id` no message has, 500 (a null dereference; here 404);
    declared attachment sizes over the limit, 500 (here 400). And two
    sends it accepts and never delivers: a `mimeReplyToId` MimeKit
    cannot read, or a `calendarIcs` that is not one usable iCalendar
    event (see those fields): 200, then the send task fails, the message
    goes back to Drafts, and no mail goes out. This contract requires the
    mail.

    A sent draft keeps its stored Message-ID; a new message gets a new
    one (`AU<unique>@<portal domain>`).

    A request body larger than the web server's limit is refused by that
    web server before the API reads it, with a page of its own, not the
    error envelope (in ONLYOFFICE's packages nginx, in front, answers 413
    past `client_max_body_size 4G`; ASP.NET's `maxRequestLength` in
    `Web.config` is 1 GB). No 413 is declared, so neither form is part of
    the contract; the sandbox answers 413 in the error envelope past its
    own limit (`SANDBOX_MAX_BODY`).

    **The wire.** The same call answers at `PUT /api/2.0/mail/messages/send.json`
    (the server drops a format suffix; every ONLYOFFICE client calls this
    path), and at `.xml` and `.tml` (`ApiRouteRegistrator.cs` 43-48), which
    answer the envelope as XML (`text/xml; charset=UTF-8`: the JSON
    envelope as `{"result": ...}` through Newtonsoft's XmlNodeConverter,
    `JsonNetSerializer.cs` 42-72, so `<result><count>1</count><status>0</status>
    <statusCode>200</statusCode><response>N</response></result>`, in the
    members' DataMember order, with no declaration) unless the request's
    media type is `application/json`; any other suffix is no route (404). The reader of the body is
    chosen by the
    media type alone (`ApiArgumentBuilder.cs`), its parameters ignored:
    exactly `application/json`, in that case, is JSON, read as UTF-8
    whatever the charset; exactly `text/xml` is XML; anything else
    (`text/json`, `application/merge-patch+json`, `Application/JSON`, no
    Content-Type) is ASP.NET's form, which holds the pairs of an
    `application/x-www-form-urlencoded` or `multipart/form-data` body and
    nothing of any other: a JSON body sent so is not read, and the answer
    is 400 for the missing `from`. ONLYOFFICE's web mail client sends the
    form, in jQuery's bracket notation (`to[]=a&to[]=b`,
    `attachments[0][fileId]=4311`, booleans as `true`/`false`, null as an
    empty value, empty lists left out), authenticated by the
    `asc_auth_key` cookie. The query string is bound too, before the body.

    **How the real server binds** (`ApiArgumentBuilder.cs`, `Binder.cs`,
    `ConvertUtils.cs`). It does not deserialize JSON into the method's types:
    it turns the body into XML, flattens that into a name/value collection of
    text, and binds each parameter from it. So it also accepts, beyond this
    spec: a number or boolean written as a string when it converts (`"1234"`,
    `" true "`, `"0x1F"`); a number or boolean where a string is expected, as
    its text; `null` for a number or boolean, as its default (0, false); a
    lone value for a list (`"to": "a@b.c"`); a list for a single value (its
    first item); names in any case (`"From"`); `fileLinksShareMode` as a
    member name in any case (`"Read"`), or any integer (`99`). A value that
    does not convert (`"abc"` for an integer, `"yes"` for a boolean) is
    refused with 400, and so is `null` for a list of integers and a property
    name that is not an XML name. An object where a single value is expected
    leaves that parameter at its default. Within an attachment, names are
    matched in their exact case (or all lower case), `null` for a number or
    boolean is refused (400), and an attachment with no member the server
    reads is dropped. `null` for a list of addresses binds as one empty
    address, which then does not parse (400).

    Args:
        body (SendMessageRequest): Every field is optional on the wire except `from` and at least
            one recipient in `to`, `cc` or `bcc`. A missing field means its type's default. Fields the
            server does not know are ignored. An optional string may be `null`, which means the same
            as absent (the web client sends `mimeReplyToId: null` for a reopened draft).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TransportError: No answer was read (a timeout, a refused or lost connection).

    Returns:
        Response[Any | ErrorEnvelope | SuccessEnvelope | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    httpx_client = client.get_async_httpx_client()
    try:
        request = httpx_client.build_request(**kwargs)
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = await httpx_client.send(request, stream=True)
        try:
            content = await aread_bounded(response, client.max_response_bytes, _token(client))
        finally:
            await response.aclose()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise errors.transport_error(exc, _token(client)) from exc

    return _build_response(client=client, response=response, content=content)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> Any | ErrorEnvelope | SuccessEnvelope | str | None:
    """Send a message

     Sends the message specified in the request, either a new one (`id` 0 or
    absent) or a saved draft (`id` > 0). The call answers as soon as the
    message is stored and queued; delivery over SMTP happens afterwards, so
    a 200 means "accepted for sending", and carries the message id.

    What the real server checks, and the answer it gives when a check
    fails, in its order (`DraftEngine.Send`, lines 80-158 at v12.7.1):

    - Before routing and authentication, the portal's state
      (`Global.asax.cs` `Application_BeginRequest`, 66-71), answered with
      an **empty body**, no envelope: 503 while the portal is being
      transferred, restored, migrated or encrypted (credentials or not);
      404 when it is suspended or pending removal; 402 when it is unpaid.
    - Authentication: 401 (bare text, see the 401 response).
    0. The body is bound before anything else reads it: a body that is
       not JSON, or a value that does not convert to its field's type,
       is refused with 400 (for unreadable JSON the message is the
       parser's own). Then the API's filters (`ProductSecurityFilter.cs`
       112-116): 402 in the error envelope ("PaymentRequired") when the
       portal is unpaid and tariff settings are on (a request header
       `Payment-Info: false` skips that check), 403 ("Forbidden") when the
       Mail product is not available to the user.
    1. `from` empty: 400; `to`, `cc` and `bcc` all empty: 400 (an empty
       `to` beside a `cc` or `bcc` is accepted).
    2. `from` must be a mailbox account of the authenticated user: else 400
       "Mailbox not found"; a group address or a disabled account: 403.
    3. `id` > 0 must name a message in Drafts or Templates: else 403
       "Sending emails is permitted only in the Drafts folder"; an id that
       does not exist: 404.
    4. `id` > 0: the stored draft's HTML body must be at most 524288
       characters: else 403 "Message body exceeded limit (512 KB)".
    5. The declared attachment sizes must be within `x-total-size-limit`
       (see `attachments`): else 400.
    6. Every address in `from`, `to`, `cc` and `bcc` must parse as an
       RFC 5322 mailbox (format `mailbox`): else 400 "Incorrect email
       address in field ...". The server saves the draft before it parses
       them, so a send refused here leaves a draft behind.
    7. Attachments are never refused; unreadable ones are skipped. The
       server copies each attachment's content while it saves the draft,
       and one whose file cannot be found is left out of the mail without
       a word (`AttachmentEngine.StoreAttachmentCopy`).

    Known defects of the real server 12.7, where it answers other than
    this contract (`PROFILE=onlyoffice` of the contract suite reports each
    by name, judged on what the binder makes of the body; strict fails
    them): a `from` that does not parse, 500 (a FormatException; here
    400); an `id` no message has, 500 (a null dereference; here 404);
    declared attachment sizes over the limit, 500 (here 400). And two
    sends it accepts and never delivers: a `mimeReplyToId` MimeKit
    cannot read, or a `calendarIcs` that is not one usable iCalendar
    event (see those fields): 200, then the send task fails, the message
    goes back to Drafts, and no mail goes out. This contract requires the
    mail.

    A sent draft keeps its stored Message-ID; a new message gets a new
    one (`AU<unique>@<portal domain>`).

    A request body larger than the web server's limit is refused by that
    web server before the API reads it, with a page of its own, not the
    error envelope (in ONLYOFFICE's packages nginx, in front, answers 413
    past `client_max_body_size 4G`; ASP.NET's `maxRequestLength` in
    `Web.config` is 1 GB). No 413 is declared, so neither form is part of
    the contract; the sandbox answers 413 in the error envelope past its
    own limit (`SANDBOX_MAX_BODY`).

    **The wire.** The same call answers at `PUT /api/2.0/mail/messages/send.json`
    (the server drops a format suffix; every ONLYOFFICE client calls this
    path), and at `.xml` and `.tml` (`ApiRouteRegistrator.cs` 43-48), which
    answer the envelope as XML (`text/xml; charset=UTF-8`: the JSON
    envelope as `{"result": ...}` through Newtonsoft's XmlNodeConverter,
    `JsonNetSerializer.cs` 42-72, so `<result><count>1</count><status>0</status>
    <statusCode>200</statusCode><response>N</response></result>`, in the
    members' DataMember order, with no declaration) unless the request's
    media type is `application/json`; any other suffix is no route (404). The reader of the body is
    chosen by the
    media type alone (`ApiArgumentBuilder.cs`), its parameters ignored:
    exactly `application/json`, in that case, is JSON, read as UTF-8
    whatever the charset; exactly `text/xml` is XML; anything else
    (`text/json`, `application/merge-patch+json`, `Application/JSON`, no
    Content-Type) is ASP.NET's form, which holds the pairs of an
    `application/x-www-form-urlencoded` or `multipart/form-data` body and
    nothing of any other: a JSON body sent so is not read, and the answer
    is 400 for the missing `from`. ONLYOFFICE's web mail client sends the
    form, in jQuery's bracket notation (`to[]=a&to[]=b`,
    `attachments[0][fileId]=4311`, booleans as `true`/`false`, null as an
    empty value, empty lists left out), authenticated by the
    `asc_auth_key` cookie. The query string is bound too, before the body.

    **How the real server binds** (`ApiArgumentBuilder.cs`, `Binder.cs`,
    `ConvertUtils.cs`). It does not deserialize JSON into the method's types:
    it turns the body into XML, flattens that into a name/value collection of
    text, and binds each parameter from it. So it also accepts, beyond this
    spec: a number or boolean written as a string when it converts (`"1234"`,
    `" true "`, `"0x1F"`); a number or boolean where a string is expected, as
    its text; `null` for a number or boolean, as its default (0, false); a
    lone value for a list (`"to": "a@b.c"`); a list for a single value (its
    first item); names in any case (`"From"`); `fileLinksShareMode` as a
    member name in any case (`"Read"`), or any integer (`99`). A value that
    does not convert (`"abc"` for an integer, `"yes"` for a boolean) is
    refused with 400, and so is `null` for a list of integers and a property
    name that is not an XML name. An object where a single value is expected
    leaves that parameter at its default. Within an attachment, names are
    matched in their exact case (or all lower case), `null` for a number or
    boolean is refused (400), and an attachment with no member the server
    reads is dropped. `null` for a list of addresses binds as one empty
    address, which then does not parse (400).

    Args:
        body (SendMessageRequest): Every field is optional on the wire except `from` and at least
            one recipient in `to`, `cc` or `bcc`. A missing field means its type's default. Fields the
            server does not know are ignored. An optional string may be `null`, which means the same
            as absent (the web client sends `mimeReplyToId: null` for a reopened draft).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        errors.TransportError: No answer was read (a timeout, a refused or lost connection).

    Returns:
        Any | ErrorEnvelope | SuccessEnvelope | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed


def sync_or_raise(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> SuccessEnvelope:
    """Send a message: the success body, or a typed exception.

    Raises:
        errors.AuthenticationError: 401, the token was refused.
        errors.ApiError: another declared error status; ``.message`` is the server's message.
        errors.UnexpectedStatus: a status the API description does not declare.
        errors.MalformedResponse: a declared status with a body of the wrong shape; among them
            errors.InvalidEnvelope, a 200 whose envelope carries no message id within the bounds of
            the API description, and errors.ResponseTooLarge, a body past Client.max_response_bytes.
        errors.TransportError: no answer was read: errors.ConnectionFailed, errors.InvalidRequest,
            errors.Timeout or errors.ConnectionLost. A request is never sent a second time.

    Every error is an errors.ClientError; its ``may_have_been_sent`` says whether the server may
    have accepted the message anyway.
    """
    return _unwrap(
        client,
        sync_detailed(
            client=client,
            body=body,
        ),
    )


async def asyncio_or_raise(
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> SuccessEnvelope:
    """Send a message: the success body, or a typed exception.

    Raises: as ``sync_or_raise``.
    """
    return _unwrap(
        client,
        await asyncio_detailed(
            client=client,
            body=body,
        ),
    )
