"""The generated client, against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import ErrorEnvelope, SendMessageRequest, SuccessEnvelope

from harness.scripted_server import Reply, ScriptedServer

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
        (402, "Payment Required."),
        (503, "Service Unavailable"),
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


def test_401_is_an_authentication_failure(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(
        status=401,
        body=b"Unauthorized",
        content_type="text/plain",
        headers={"WWW-Authenticate": 'Bearer Realm="127.0.0.1"'},
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


def test_a_timed_out_send_is_not_sent_again(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(delay=1.0)
    client = client_for(scripted, timeout=httpx.Timeout(0.2))
    with pytest.raises(httpx.TimeoutException):
        send_message.sync_or_raise(client=client, body=message())
    assert len(scripted.received) == 1


@pytest.mark.parametrize("retries", [0, 3])
def test_a_dropped_connection_is_not_sent_again(scripted: ScriptedServer, retries: int) -> None:
    # Even with connection retries switched on, a request that was read is never resent.
    scripted.reply = Reply(drop=True)
    client = client_for(scripted, httpx_args={"transport": httpx.HTTPTransport(retries=retries)})
    with pytest.raises(httpx.RemoteProtocolError):
        send_message.sync_or_raise(client=client, body=message())
    assert len(scripted.received) == 1


def test_connection_retries_reach_a_server_that_was_not_up() -> None:
    # Nothing listens on this port: with retries the client tries again and
    # fails with a typed connection error, having sent nothing.
    client = AuthenticatedClient(
        base_url="http://127.0.0.1:9",
        token=SECRET_TOKEN,
        httpx_args={"transport": httpx.HTTPTransport(retries=2)},
    )
    with pytest.raises(httpx.ConnectError):
        send_message.sync_or_raise(client=client, body=message())


def test_the_token_never_shows(scripted: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(scripted, headers={"X-Trace": "1"})
    shown = [repr(client)]
    scripted.reply = success()
    send_message.sync_or_raise(client=client, body=message())
    shown += [repr(client), str(client), repr(client.get_httpx_client().headers)]
    for reply in (
        error(400, "bad"),
        Reply(status=401, body=b"Unauthorized", content_type="text/plain"),
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
