"""How the generated client reads an answer: the success envelope checked against the API description's
bounds before an id is returned, the depth and the decoded size of a body bounded, and no parser's own
exception let out. Against a real HTTP server on loopback (harness/scripted_server.py)."""

from __future__ import annotations

import asyncio
import gzip
import json
import traceback
import tracemalloc
import zlib
from typing import Any

import pytest
import yaml
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.client import MAX_RESPONSE_BYTES
from onlyoffice_send_client.models import SendMessageRequest, SuccessEnvelope

from codegen.generate import ROOT
from harness.scripted_server import Reply, ScriptedServer

SECRET_TOKEN = "tok-5ecret-c4n4ry-8f2b"
GOOD = {"count": 1, "response": 24730, "status": 0, "statusCode": 200}


def client_for(server: ScriptedServer, **kwargs: Any) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url, token=SECRET_TOKEN, **kwargs)


def message() -> SendMessageRequest:
    return SendMessageRequest(from_="alice@example.test", to=["bob@example.test"])


def raised(server: ScriptedServer, name: str, **kwargs: Any) -> errors.ClientError:
    """The error one call raised (each call on a client of its own; the async ones in a loop of their own)."""
    client = client_for(server, **kwargs)
    function = getattr(send_message, name)

    def call() -> object:
        if name.startswith("asyncio"):

            async def run() -> object:
                async with client:
                    return await function(client=client, body=message())

            return asyncio.run(run())
        with client:
            return function(client=client, body=message())

    with pytest.raises(errors.ClientError) as caught:
        call()
    return caught.value


def spec_bounds() -> dict[str, tuple[int, int]]:
    """SuccessEnvelope's bounds as openapi.yaml writes them, read here independently of the generator."""
    schema = yaml.safe_load((ROOT / "openapi.yaml").read_text())["components"]["schemas"]["SuccessEnvelope"]
    return {name: (p["minimum"], p["maximum"]) for name, p in schema["properties"].items()}


# -- the success envelope ---------------------------------------------------------------------------------

WRONG = [
    ({"response": "12"}, "response"),
    ({"response": None}, "response"),
    ({"response": 0}, "response"),
    ({"response": -5}, "response"),
    ({"response": 1.5}, "response"),
    ({"response": True}, "response"),
    ({"response": spec_bounds()["response"][1] + 1}, "response"),  # past int64
    ({"status": 1}, "status"),
    ({"statusCode": 500}, "statusCode"),
    ({"status": 1, "statusCode": 500}, "status"),
    ({"count": 0}, "count"),
    ({"count": "1"}, "count"),
]


@pytest.mark.parametrize(("change", "named"), WRONG, ids=[json.dumps(c) for c, _ in WRONG])
@pytest.mark.parametrize("name", ["sync_or_raise", "asyncio_or_raise", "sync", "sync_detailed"])
def test_a_200_whose_envelope_is_out_of_bounds_is_an_error_that_keeps_the_answer(
    scripted: ScriptedServer, change: dict[str, Any], named: str, name: str
) -> None:
    scripted.reply = Reply.envelope({**GOOD, **change})
    exc = raised(scripted, name)
    assert type(exc) is errors.InvalidEnvelope
    assert isinstance(exc, errors.MalformedResponse)
    assert exc.may_have_been_sent is True  # the server answered 200: it may have taken the message
    assert exc.status_code == 200
    assert json.loads(exc.content) == {**GOOD, **change}  # the answer, kept for inspection
    assert isinstance(exc.parsed, SuccessEnvelope)
    assert exc.parsed.to_dict() == {**GOOD, **change}
    assert any(problem.startswith(f"{named} is ") for problem in exc.problems), exc.problems
    assert exc.problems[0] in str(exc)


def test_the_bounds_checked_are_the_spec_s() -> None:
    """Both ends of every bound come from openapi.yaml's SuccessEnvelope (int64's top exactly)."""
    bounds = {name: (least, greatest) for name, _, least, greatest in send_message._SUCCESS_BOUNDS}
    assert bounds == spec_bounds()
    assert bounds["response"][1] == 2**63 - 1  # not the float the spec reader holds


@pytest.mark.parametrize("message_id", [1, 2**31, 2**63 - 1])
def test_an_id_within_the_bounds_is_returned(scripted: ScriptedServer, message_id: int) -> None:
    scripted.reply = Reply.envelope({**GOOD, "response": message_id})
    with client_for(scripted) as client:
        result = send_message.sync_or_raise(client=client, body=message())
    assert (type(result.response), result.response) == (int, message_id)


def test_an_echoed_token_in_the_envelope_is_masked(scripted: ScriptedServer) -> None:
    scripted.reply = Reply.envelope({**GOOD, "response": f"id of {SECRET_TOKEN}"})
    exc = raised(scripted, "sync_or_raise")
    assert type(exc) is errors.InvalidEnvelope
    shown = [str(exc), repr(exc), "".join(traceback.format_exception(exc)), *exc.problems]
    assert "[token]" in str(exc)
    for text in shown:
        assert SECRET_TOKEN not in text


# -- depth -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 400, 403])
@pytest.mark.parametrize("name", ["sync_or_raise", "asyncio_detailed"])
def test_json_nested_100000_deep_is_a_malformed_answer_not_a_recursion_error(
    scripted: ScriptedServer, status: int, name: str
) -> None:
    depth = 100_000
    scripted.reply = Reply(status=status, body=b'{"error":' * depth + b"1" + b"}" * depth)
    exc = raised(scripted, name)
    assert type(exc) is errors.MalformedResponse
    assert "nested deeper" in str(exc)
    assert len(str(exc)) < 2000  # an excerpt, not the body


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"[1, 2", b"", b"null", b"[]"])
def test_a_200_that_is_no_envelope_is_a_malformed_answer(scripted: ScriptedServer, body: bytes) -> None:
    scripted.reply = Reply(status=200, body=body)
    exc = raised(scripted, "sync_or_raise")
    assert isinstance(exc, errors.MalformedResponse)


# -- decoded size ------------------------------------------------------------------------------------------


def gzip_bomb(inflated: int, prefix: bytes = b"") -> bytes:
    """gzip of `prefix` then zeros, `inflated` bytes in all, made a slice at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [packer.compress(prefix)]
    slice_ = b"0" * (1 << 20)
    for _ in range((inflated - len(prefix)) >> 20):
        out.append(packer.compress(slice_))
    out.append(packer.flush())
    return b"".join(out)


BOMB = gzip_bomb(200 * 1024 * 1024, prefix=b'{"count": 1, "response": ')


@pytest.mark.parametrize("name", ["sync_or_raise", "asyncio_or_raise"])
def test_a_gzip_answer_inflating_to_200_mb_is_refused_without_inflating_it(
    scripted: ScriptedServer, name: str
) -> None:
    assert len(BOMB) < 300 * 1024  # the attack: ~200 KB on the wire
    scripted.reply = Reply(status=200, body=BOMB, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        exc = raised(scripted, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert type(exc) is errors.ResponseTooLarge
    assert isinstance(exc, errors.MalformedResponse)
    assert (exc.limit, exc.may_have_been_sent) == (MAX_RESPONSE_BYTES, True)
    assert exc.content.startswith(b'{"count": 1, "response": 000')
    assert len(exc.content) == MAX_RESPONSE_BYTES
    assert peak < 16 * MAX_RESPONSE_BYTES, peak  # a few times the bound, never the 200 MB


def test_a_plain_body_past_the_bound_is_refused_the_bound_the_client_s(scripted: ScriptedServer) -> None:
    scripted.reply = Reply(status=502, body=b"<html>", filler=64 * 1024, content_type="text/html")
    exc = raised(scripted, "sync_detailed", max_response_bytes=4096)
    assert type(exc) is errors.ResponseTooLarge
    assert (exc.limit, len(exc.content)) == (4096, 4096)
    scripted.reply = Reply(status=502, body=b"<html>", filler=1024, content_type="text/html")
    assert type(raised(scripted, "sync_detailed", max_response_bytes=4096)) is errors.UnexpectedStatus


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw deflate, as IIS sends it
        ("identity", lambda data: data),
    ],
    ids=["gzip", "zlib deflate", "raw deflate", "identity"],
)
@pytest.mark.parametrize("name", ["sync_or_raise", "asyncio_or_raise"])
def test_a_compressed_envelope_is_read(scripted: ScriptedServer, coding: str, pack: Any, name: str) -> None:
    packed = pack(json.dumps(GOOD).encode())
    scripted.reply = Reply(status=200, body=packed, headers={"Content-Encoding": coding})
    client = client_for(scripted)
    if name.startswith("asyncio"):

        async def run() -> SuccessEnvelope:
            async with client:
                return await send_message.asyncio_or_raise(client=client, body=message())

        result = asyncio.run(run())
    else:
        result = send_message.sync_or_raise(client=client, body=message())
    assert result.response == GOOD["response"]
    assert scripted.received[0].headers["Accept-Encoding"] == "gzip, deflate"  # only what it inflates


@pytest.mark.parametrize(
    ("headers", "body"),
    [({"Content-Encoding": "br"}, b"\x1b\x00"), ({"Content-Encoding": "gzip"}, b"not gzip at all")],
    ids=["a coding not asked for", "corrupt gzip"],
)
def test_a_body_that_does_not_decode_is_a_client_error(
    scripted: ScriptedServer, headers: dict[str, str], body: bytes
) -> None:
    scripted.reply = Reply(status=200, body=body, headers=headers)
    exc = raised(scripted, "sync_or_raise")
    assert type(exc) is errors.ConnectionLost  # as httpx's own DecodingError was before
    assert exc.may_have_been_sent is True
