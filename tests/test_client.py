"""The generated client, against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import traceback
from collections.abc import Callable

import httpx
import pytest
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import ErrorEnvelope, SendMessageRequest, SuccessEnvelope

from harness.ports import refusing, unanswered
from harness.sandboxes import wait_until
from harness.scripted_server import Received, Reply, ScriptedServer

# A token that must never show up anywhere but the Authorization header.
SECRET_TOKEN = "tok-5ecret-c4n4ry-8f2b"
BIG_ID = 2**40 + 7  # beyond int32: the id is int64 on the wire


def message() -> SendMessageRequest:
    return SendMessageRequest(from_="Alice <alice@example.test>", to=["bob@example.test"], subject="Hi")


def success(message_id: int = BIG_ID) -> Reply:
    return Reply.envelope({"count": 1, "response": message_id, "status": 0, "statusCode": 200})


def error(status: int, text: str) -> Reply:
    payload = {"status": 1, "statusCode": status, "error": {"message": text, "hresult": -1, "data": {}}}
    return Reply.envelope(payload, status)


def client_for(server: ScriptedServer, **kwargs: object) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url, token=SECRET_TOKEN, **kwargs)  # type: ignore[arg-type]


def test_one_call_sends_and_returns_the_id_as_an_int(scripted: ScriptedServer) -> None:
    scripted.reply = success()
    result = send_message.sync_or_raise(client=client_for(scripted), body=message())
    assert type(result.response) is int
    assert result.response == BIG_ID
    [request] = scripted.received
    assert (request.method, request.path) == ("PUT", "/api/2.0/mail/messages/send")
    assert json.loads(request.body) == {
        "id": 0,
        "from": "Alice <alice@example.test>",
        "to": ["bob@example.test"],
        "subject": "Hi",
    }


def test_token_is_sent_bare_by_default(scripted: ScriptedServer) -> None:
    scripted.reply = success()
    send_message.sync_or_raise(client=client_for(scripted), body=message())
    assert scripted.received[0].headers["Authorization"] == SECRET_TOKEN


def test_none_for_an_optional_string_is_sent_as_null_and_unset_is_left_out(scripted: ScriptedServer) -> None:
    """Nullable strings: the client can send null (absent to the server), as the web client does."""
    scripted.reply = success()
    body = SendMessageRequest(from_="alice@example.test", to=["bob@example.test"], mime_reply_to_id=None)
    send_message.sync_or_raise(client=client_for(scripted), body=body)
    sent = json.loads(scripted.received[0].body)
    assert sent == {"id": 0, "from": "alice@example.test", "to": ["bob@example.test"], "mimeReplyToId": None}


def test_bearer_prefix_is_available(scripted: ScriptedServer) -> None:
    scripted.reply = success()
    send_message.sync_or_raise(client=client_for(scripted, prefix="Bearer"), body=message())
    assert scripted.received[0].headers["Authorization"] == f"Bearer {SECRET_TOKEN}"


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (400, "Mailbox not found"),
        (403, "Sending emails is permitted only in the Drafts folder"),
        (404, "Message not found"),
        (402, "PaymentRequired"),
    ],
)
def test_declared_errors_carry_the_server_message(scripted: ScriptedServer, status: int, text: str) -> None:
    scripted.reply = error(status, text)
    client = client_for(scripted)

    parsed = send_message.sync(client=client, body=message())
    assert isinstance(parsed, ErrorEnvelope)
    assert parsed.error.message == text

    with pytest.raises(errors.ApiError) as caught:
        send_message.sync_or_raise(client=client, body=message())
    assert not isinstance(caught.value, errors.AuthenticationError)
    assert caught.value.status_code == status
    assert caught.value.message == text
    assert text in str(caught.value)


# The real server's 401 goes out as ASP.NET's default text/html; a proxy may say text/plain.
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain"])
def test_401_is_an_authentication_failure(scripted: ScriptedServer, content_type: str) -> None:
    scripted.reply = Reply(
        status=401,
        body=b"Unauthorized",
        content_type=content_type,
        headers={"WWW-Authenticate": 'Basic Realm="127.0.0.1"'},
    )
    client = client_for(scripted)
    detailed = send_message.sync_detailed(client=client, body=message())
    assert (detailed.status_code, detailed.parsed) == (401, "Unauthorized")
    with pytest.raises(errors.AuthenticationError) as caught:
        send_message.sync_or_raise(client=client, body=message())
    assert caught.value.status_code == 401


@pytest.mark.parametrize("status", [499, 520, 500, 502])
def test_undeclared_status_is_a_typed_error(scripted: ScriptedServer, status: int) -> None:
    scripted.reply = Reply(status=status, body=b"<html>upstream trouble</html>", content_type="text/html")
    client = client_for(scripted)
    for call in (send_message.sync, send_message.sync_or_raise):
        with pytest.raises(errors.UnexpectedStatus) as caught:
            call(client=client, body=message())
        assert caught.value.status_code == status
        assert "upstream trouble" in str(caught.value)


def test_undeclared_status_without_raising_keeps_the_code(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(status=499, body=b"")
    client = client_for(scripted, raise_on_unexpected_status=False)
    detailed = send_message.sync_detailed(client=client, body=message())
    assert (detailed.status_code, detailed.parsed) == (499, None)
    with pytest.raises(errors.UnexpectedStatus):
        send_message.sync_or_raise(client=client, body=message())


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=200, body=b"<html>a proxy page</html>", content_type="text/html"),
        Reply.envelope({"count": 1, "status": 0}),  # no message id
        Reply.envelope({"status": 1, "statusCode": 400}, 400),  # no error object
    ],
)
def test_a_body_of_the_wrong_shape_is_a_typed_error(scripted: ScriptedServer, reply: Reply) -> None:
    scripted.reply = reply
    with pytest.raises(errors.MalformedResponse) as caught:
        send_message.sync_or_raise(client=client_for(scripted), body=message())
    assert caught.value.status_code == reply.status


def test_there_is_a_default_timeout(scripted: ScriptedServer) -> None:
    timeout = client_for(scripted).get_httpx_client().timeout
    for phase in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        assert phase is not None
        assert 0 < phase <= 60


def test_the_token_never_shows(scripted: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(scripted, headers={"X-Trace": "1"})
    shown = [repr(client)]
    scripted.reply = success()
    send_message.sync_or_raise(client=client, body=message())
    shown += [repr(client), str(client), repr(client.get_httpx_client().headers)]
    for reply in (
        error(400, "bad"),
        Reply(status=401, body=b"Unauthorized", content_type="text/html; charset=utf-8"),
        Reply(status=520, body=b"x"),
        Reply(status=200, body=b"not json"),
    ):
        scripted.reply = reply
        with pytest.raises(Exception) as caught:  # noqa: PT011 - each kind is checked above
            send_message.sync_or_raise(client=client, body=message())
        shown += [str(caught.value), repr(caught.value)]
    shown.append(caplog.text)
    assert scripted.received[-1].headers["Authorization"] == SECRET_TOKEN  # it was really sent
    assert caplog.records  # httpx did log at DEBUG: the check below looked at something
    for text in shown:
        assert SECRET_TOKEN not in text


def test_async_sends_and_raises_alike(scripted: ScriptedServer) -> None:
    async def run() -> None:
        async with client_for(scripted) as client:
            scripted.reply = success(42)
            result = await send_message.asyncio_or_raise(client=client, body=message())
            assert isinstance(result, SuccessEnvelope)
            assert result.response == 42
            scripted.reply = error(403, "Sending emails is permitted only in the Drafts folder")
            with pytest.raises(errors.ApiError, match="Drafts folder"):
                await send_message.asyncio_or_raise(client=client, body=message())
            scripted.reply = Reply(status=520, body=b"")
            with pytest.raises(errors.UnexpectedStatus):
                await send_message.asyncio(client=client, body=message())

    asyncio.run(run())
    assert [r.headers["Authorization"] for r in scripted.received] == [SECRET_TOKEN] * 3


# -- every error is a ClientError; what may have been sent ----------------------------------------------

# Every way to make the call; the async ones run in a loop of their own, on a client of their own.
CALLS = ("sync", "sync_detailed", "sync_or_raise", "asyncio", "asyncio_detailed", "asyncio_or_raise")


def call(name: str, client: AuthenticatedClient, body: SendMessageRequest | None = None) -> object:
    function = getattr(send_message, name)
    body = body or message()
    if name.startswith("asyncio"):

        async def run() -> object:
            async with client:
                return await function(client=client, body=body)

        return asyncio.run(run())
    with client:
        return function(client=client, body=body)


def raised_by(
    name: str, client: AuthenticatedClient, body: SendMessageRequest | None = None
) -> errors.ClientError:
    with pytest.raises(errors.ClientError) as caught:
        call(name, client, body)
    return caught.value


@pytest.mark.parametrize("name", CALLS)
def test_a_refused_connection_is_connection_failed_and_was_not_sent(name: str) -> None:
    with refusing() as url:
        exc = raised_by(name, AuthenticatedClient(base_url=url, token=SECRET_TOKEN))
    assert type(exc) is errors.ConnectionFailed
    assert isinstance(exc, errors.TransportError)
    assert exc.may_have_been_sent is False
    assert isinstance(exc.__cause__, httpx.ConnectError)
    assert "nothing was sent" in str(exc)


@pytest.mark.parametrize("name", ["sync_or_raise", "asyncio_detailed"])
def test_a_connect_timeout_was_not_sent(name: str) -> None:
    with unanswered() as url:
        timeout = httpx.Timeout(5.0, connect=0.3)
        exc = raised_by(name, AuthenticatedClient(base_url=url, token=SECRET_TOKEN, timeout=timeout))
    assert type(exc) is errors.Timeout
    assert (exc.phase, exc.may_have_been_sent) == ("connect", False)
    assert isinstance(exc.__cause__, httpx.ConnectTimeout)


@pytest.mark.parametrize("name", CALLS)
def test_a_read_timeout_may_have_been_sent_and_is_not_sent_again(scripted: ScriptedServer, name: str) -> None:
    scripted.reply = Reply(delay=1.0)
    exc = raised_by(name, client_for(scripted, timeout=httpx.Timeout(0.2)))
    assert type(exc) is errors.Timeout
    assert (exc.phase, exc.may_have_been_sent) == ("read", True)
    assert isinstance(exc.__cause__, httpx.ReadTimeout)
    assert "it may have been accepted" in str(exc)
    assert len(scripted.received) == 1


@pytest.mark.waits
@pytest.mark.parametrize("name", ["sync_detailed", "asyncio_or_raise"])
def test_a_write_timeout_was_not_sent(scripted: ScriptedServer, name: str) -> None:
    # The server reads the headers and never the body: the client's write stalls once the socket
    # buffers are full, with most of the 64 MB request still unsent.
    scripted.reply = Reply(hang=True, read_body=False)
    big = SendMessageRequest(from_="alice@example.test", to=["bob@example.test"], body="x" * 64_000_000)
    exc = raised_by(name, client_for(scripted, timeout=httpx.Timeout(5.0, write=0.3)), big)
    assert type(exc) is errors.Timeout
    assert (exc.phase, exc.may_have_been_sent) == ("write", False)
    assert isinstance(exc.__cause__, httpx.WriteTimeout)
    assert [r.body for r in scripted.received] == [b""]  # the server never had the message


@pytest.mark.waits
def test_waiting_for_a_free_connection_times_out_before_sending(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(delay=1.0, body=success().body)
    limits = httpx.Limits(max_connections=1)
    client = client_for(scripted, timeout=httpx.Timeout(5.0, pool=0.2), httpx_args={"limits": limits})
    with client:
        busy = threading.Thread(target=send_message.sync, kwargs={"client": client, "body": message()})
        busy.start()
        wait_until(lambda: len(scripted.received) == 1)
        with pytest.raises(errors.Timeout) as caught:
            send_message.sync_or_raise(client=client, body=message())
        busy.join()
    assert (caught.value.phase, caught.value.may_have_been_sent) == ("pool", False)
    assert isinstance(caught.value.__cause__, httpx.PoolTimeout)
    assert len(scripted.received) == 1  # only the busy one


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("retries", [0, 3])
def test_a_dropped_connection_may_have_been_sent_and_is_not_sent_again(
    scripted: ScriptedServer, name: str, retries: int
) -> None:
    # Even with connection retries switched on, a request that was read is never resent.
    scripted.reply = Reply(drop=True)
    kind = httpx.AsyncHTTPTransport if name.startswith("asyncio") else httpx.HTTPTransport
    exc = raised_by(name, client_for(scripted, httpx_args={"transport": kind(retries=retries)}))
    assert type(exc) is errors.ConnectionLost
    assert exc.may_have_been_sent is True
    assert isinstance(exc.__cause__, httpx.RemoteProtocolError)
    assert len(scripted.received) == 1


@pytest.mark.parametrize("name", ["sync", "asyncio_or_raise"])
def test_an_answer_that_is_not_http_is_a_lost_connection(scripted: ScriptedServer, name: str) -> None:
    scripted.reply = Reply(raw=b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    exc = raised_by(name, client_for(scripted))
    assert type(exc) is errors.ConnectionLost
    assert exc.may_have_been_sent is True
    assert isinstance(exc.__cause__, httpx.RemoteProtocolError)


def test_connection_retries_reach_a_server_that_was_not_up() -> None:
    # Nothing listens there: with retries the client tries again and fails with a typed error, having
    # sent nothing.
    with refusing() as url:
        client = AuthenticatedClient(
            base_url=url, token=SECRET_TOKEN, httpx_args={"transport": httpx.HTTPTransport(retries=2)}
        )
        exc = raised_by("sync_or_raise", client)
    assert type(exc) is errors.ConnectionFailed
    assert exc.may_have_been_sent is False


@pytest.mark.parametrize(
    ("base_url", "headers", "cause"),
    [
        ("ftp://127.0.0.1:9", {}, httpx.UnsupportedProtocol),
        (None, {"X-Trace": "a\nb"}, httpx.LocalProtocolError),
    ],
    ids=["unsupported scheme", "header with a line break"],
)
def test_a_request_httpx_cannot_send_is_invalid_and_was_not_sent(
    scripted: ScriptedServer, base_url: str | None, headers: dict[str, str], cause: type[Exception]
) -> None:
    client = AuthenticatedClient(base_url=base_url or scripted.url, token=SECRET_TOKEN, headers=headers)
    for name in ("sync_or_raise", "asyncio"):
        exc = raised_by(name, client)
        assert type(exc) is errors.InvalidRequest
        assert exc.may_have_been_sent is False
        assert isinstance(exc.__cause__, cause)
    assert scripted.received == []


@pytest.mark.parametrize(
    ("reply", "kind", "may_have_been_sent"),
    [
        (error(400, "Mailbox not found"), errors.ApiError, False),
        (error(403, "Sending emails is permitted only in the Drafts folder"), errors.ApiError, False),
        (Reply(status=401, body=b"Unauthorized"), errors.AuthenticationError, False),
        (Reply(status=502, body=b"<html>Bad Gateway</html>"), errors.UnexpectedStatus, True),
        (Reply(status=504, body=b""), errors.UnexpectedStatus, True),
        (Reply(status=201, body=b"{}"), errors.UnexpectedStatus, True),
        (Reply(status=307, headers={"Location": "http://other.example/"}), errors.UnexpectedStatus, False),
        (error(402, "PaymentRequired"), errors.ApiError, False),  # declared: the real filter's answer
        (Reply(status=402, body=b""), errors.MalformedResponse, False),  # declared, but no envelope
        # The portal's state, answered before routing and auth with an empty body: refused, not sent.
        (Reply(status=503, body=b""), errors.ApiError, False),
        (Reply(status=499, body=b""), errors.UnexpectedStatus, False),
        (Reply(status=200, body=b"<html>OK</html>"), errors.MalformedResponse, True),
        (Reply.envelope({"status": 1}, 400), errors.MalformedResponse, False),
    ],
    ids=lambda v: str(getattr(v, "status", "")) or None,
)
def test_every_answered_error_is_a_client_error_saying_whether_it_may_have_been_sent(
    scripted: ScriptedServer, reply: Reply, kind: type[errors.ClientError], may_have_been_sent: bool
) -> None:
    scripted.reply = reply
    for name in ("sync_or_raise", "asyncio_or_raise"):
        exc = raised_by(name, client_for(scripted))
        assert type(exc) is kind
        assert exc.may_have_been_sent is may_have_been_sent


def test_the_hierarchy_has_one_root() -> None:
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type):
            assert issubclass(value, errors.ClientError), name
    assert issubclass(errors.InvalidToken, ValueError)


# -- the token: refused when it cannot be sent, masked when a server echoes it -------------------------


@pytest.mark.parametrize(
    "bad",
    [SECRET_TOKEN + "\n", SECRET_TOKEN + "\r\n", "\x00" + SECRET_TOKEN, SECRET_TOKEN + "\x7f",
     SECRET_TOKEN + "é", " " + SECRET_TOKEN, SECRET_TOKEN + " ", SECRET_TOKEN.replace("-", "\t")],
    ids=["LF", "CRLF", "NUL", "DEL", "non-ASCII", "leading space", "trailing space", "tab"],
)  # fmt: skip
def test_a_token_that_cannot_be_sent_is_refused_up_front_without_showing_it(
    scripted: ScriptedServer, caplog: pytest.LogCaptureFixture, bad: str
) -> None:
    caplog.set_level(logging.DEBUG)
    shown = []
    good = client_for(scripted)
    attempts: list[Callable[[], object]] = [
        lambda: AuthenticatedClient(base_url=scripted.url, token=bad),
        lambda: setattr(good, "token", bad),
        lambda: AuthenticatedClient(base_url=scripted.url, token=SECRET_TOKEN, prefix=bad),
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="cannot be sent in a header") as caught:
            attempt()
        assert isinstance(caught.value, errors.InvalidToken)
        shown += ["".join(traceback.format_exception(caught.value)), repr(caught.value)]
    assert good.token == SECRET_TOKEN  # the refused assignment left it as it was
    shown.append(caplog.text)
    assert scripted.received == []
    for text in shown:
        assert SECRET_TOKEN not in text
        assert bad.strip() not in text


def test_a_token_with_single_spaces_inside_is_sent(scripted: ScriptedServer) -> None:
    scripted.reply = success()
    client = AuthenticatedClient(base_url=scripted.url, token="Basic dXNlcjpwYXNz")
    send_message.sync_or_raise(client=client, body=message())
    assert scripted.received[0].headers["Authorization"] == "Basic dXNlcjpwYXNz"


def echoing(status: int, template: str, content_type: str = "text/plain") -> Callable[[Received], Reply]:
    """A server that quotes the request's Authorization header back in its answer."""

    def answer(request: Received) -> Reply:
        text = template.replace("{auth}", request.headers["Authorization"])
        return Reply(status=status, body=text.encode(), content_type=content_type)

    return answer


@pytest.mark.parametrize(
    "script",
    [
        echoing(400, error(400, "bad key {auth}").body.decode(), "application/json"),
        echoing(401, "Unauthorized: {auth}"),
        echoing(520, "<html>you sent {auth}</html>", "text/html"),
        echoing(200, "<html>proxy saw {auth}</html>", "text/html"),
        lambda request: Reply(raw=f"HTTP/1.1 2x0 {request.headers['Authorization']}\r\n\r\n".encode()),
    ],
    ids=["ApiError", "AuthenticationError", "UnexpectedStatus", "MalformedResponse", "ConnectionLost"],
)  # fmt: skip
def test_a_token_echoed_by_the_server_is_masked_in_every_error(
    scripted: ScriptedServer, script: Callable[[Received], Reply], request: pytest.FixtureRequest
) -> None:
    scripted.reply = script
    kind = getattr(errors, request.node.callspec.id)
    for name in ("sync_or_raise", "asyncio_or_raise"):
        exc = raised_by(name, client_for(scripted))
        assert type(exc) is kind
        texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc)), getattr(exc, "message", "")]
        assert "[token]" in str(exc)  # the echo reached the message, masked
        for text in texts:
            assert SECRET_TOKEN not in text
