"""The generated client against a server that misbehaves: a typed error every time, never a second send,
and an honest `may_have_been_sent`."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import httpx
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from harness.ports import refusing, unanswered
from harness.scripted_server import Reply, ScriptedServer

ROUNDS = 25


def _gzip_of_zeros(size: int) -> bytes:
    """A gzip bomb: `size` zero digits, compressed a MiB at a time (about 1/1000 of `size`)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join([*(packer.compress(b"0" * (1 << 20)) for _ in range(size >> 20)), packer.flush()])


@dataclass(frozen=True)
class Behaviour:
    reply: Reply | None  # None: no HTTP server at all, `address` gives the URL
    reaches_server: bool = True  # whether each call's request reaches the server
    address: Callable[[], AbstractContextManager[str]] | None = None


BEHAVIOURS = {
    "499 (non-standard)": Behaviour(Reply(status=499, body=b"client closed request")),
    "520 (non-standard)": Behaviour(Reply(status=520, body=b"", content_type="text/plain")),
    "502 from a proxy": Behaviour(Reply(status=502, body=b"<html>Bad Gateway</html>")),
    "500 in the envelope": Behaviour(
        Reply.envelope({"status": 1, "statusCode": 500, "error": {"message": "x", "hresult": 1}}, 500)
    ),
    "a timeout": Behaviour(Reply(delay=0.3)),
    "connection dropped after the request was read": Behaviour(Reply(drop=True)),
    "an answer that is not HTTP": Behaviour(Reply(raw=b"SSH-2.0-OpenSSH_9.2\r\n")),
    "200 with a body that is not JSON": Behaviour(Reply(status=200, body=b"OK", content_type="text/plain")),
    '200 whose id is the string "12"': Behaviour(
        Reply.envelope({"count": 1, "response": "12", "status": 0, "statusCode": 200})
    ),
    "200 whose id is true": Behaviour(
        Reply.envelope({"count": 1, "response": True, "status": 0, "statusCode": 200})
    ),
    "200 whose envelope says status 1, statusCode 500": Behaviour(
        Reply.envelope({"count": 1, "response": 12, "status": 1, "statusCode": 500})
    ),
    "200 with JSON 100,000 levels deep": Behaviour(Reply(status=200, body=b"[" * 100_000 + b"]" * 100_000)),
    "200 KB of gzip inflating to 200 MB": Behaviour(
        Reply(status=200, body=_gzip_of_zeros(200 << 20), headers={"Content-Encoding": "gzip"})
    ),
    "connection refused": Behaviour(None, reaches_server=False, address=refusing),
    "connect timeout (accept queue full)": Behaviour(None, reaches_server=False, address=unanswered),
}


@dataclass
class FaultResult:
    behaviour: str
    reaches_server: bool
    calls: int = 0
    requests_received: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    may_have_been_sent: int = 0  # errors that said the server may have accepted the message
    no_answer: int = 0  # errors.TransportError: no answer was read
    no_answer_may_have_been_sent: int = 0

    @property
    def typed(self) -> bool:
        return all(name != "untyped" for name in self.outcomes)

    @property
    def honest(self) -> bool:
        """One request received per call that reaches the server, none otherwise; and a call without an
        answer said "may have been sent" exactly when its request had reached the server."""
        reached = self.calls if self.reaches_server else 0
        return self.requests_received == reached and self.no_answer_may_have_been_sent == (
            self.no_answer if self.reaches_server else 0
        )


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, errors.ClientError):
        return f"errors.{type(exc).__name__}"
    return "untyped"  # an httpx exception or anything else escaping the client is a failure of the drill


@contextmanager
def _target(behaviour: Behaviour) -> Iterator[tuple[str, ScriptedServer | None]]:
    if behaviour.reply is None:
        assert behaviour.address is not None
        with behaviour.address() as url:
            yield url, None
        return
    with ScriptedServer().running() as server:
        server.reply = behaviour.reply
        yield server.url, server


def run(say: Callable[[str], None]) -> list[FaultResult]:
    results = []
    body = SendMessageRequest(from_="a@example.test", to=["b@example.org"])
    for name, behaviour in BEHAVIOURS.items():
        result = FaultResult(name, behaviour.reaches_server)
        with _target(behaviour) as (url, server):
            client = AuthenticatedClient(base_url=url, token="t", timeout=httpx.Timeout(0.2))
            for _ in range(ROUNDS):
                result.calls += 1
                try:
                    send_message.sync_or_raise(client=client, body=body)
                    result.outcomes["no error"] += 1
                except Exception as exc:  # every kind is counted; "untyped" is a failure of the drill
                    result.outcomes[_outcome(exc)] += 1
                    sent = bool(getattr(exc, "may_have_been_sent", False))
                    result.may_have_been_sent += sent
                    if isinstance(exc, errors.TransportError):
                        result.no_answer += 1
                        result.no_answer_may_have_been_sent += sent
            result.requests_received = len(server.received) if server else 0
        say(
            f"  {name}: {dict(result.outcomes)}, {result.may_have_been_sent} may have been sent,"
            f" {result.requests_received} requests for {result.calls} calls"
        )
        results.append(result)
    return results
