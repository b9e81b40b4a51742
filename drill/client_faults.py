"""The generated client against a server that misbehaves: a typed error every time, never a second send."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from onlyoffice_send_client import AuthenticatedClient, errors
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from harness.scripted_server import Reply, ScriptedServer

ROUNDS = 25
BEHAVIOURS = {
    "499 (non-standard)": Reply(status=499, body=b"client closed request", content_type="text/plain"),
    "520 (non-standard)": Reply(status=520, body=b"", content_type="text/plain"),
    "502 from a proxy": Reply(status=502, body=b"<html>Bad Gateway</html>", content_type="text/html"),
    "500 in the envelope": Reply.envelope(
        {"status": 1, "statusCode": 500, "error": {"message": "x", "hresult": 1}}, 500
    ),
    "a timeout": Reply(delay=0.3),
    "connection dropped after the request was read": Reply(drop=True),
    "200 with a body that is not JSON": Reply(status=200, body=b"OK", content_type="text/plain"),
}


@dataclass
class FaultResult:
    behaviour: str
    calls: int = 0
    requests_received: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def typed(self) -> bool:
        return all(name != "untyped" for name in self.outcomes)


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, errors.UnexpectedStatus | errors.MalformedResponse | errors.ApiError):
        return f"errors.{type(exc).__name__}"
    if isinstance(exc, httpx.HTTPError):
        return f"httpx.{type(exc).__name__}"
    return "untyped"


def run(say: Callable[[str], None]) -> list[FaultResult]:
    results = []
    body = SendMessageRequest(from_="a@example.test", to=["b@example.org"])
    for name, reply in BEHAVIOURS.items():
        result = FaultResult(name)
        with ScriptedServer().running() as server:
            server.reply = reply
            client = AuthenticatedClient(base_url=server.url, token="t", timeout=httpx.Timeout(0.2))
            for _ in range(ROUNDS):
                result.calls += 1
                try:
                    send_message.sync_or_raise(client=client, body=body)
                    result.outcomes["no error"] += 1
                except Exception as exc:  # every kind is counted; "untyped" is a failure of the drill
                    result.outcomes[_outcome(exc)] += 1
            result.requests_received = len(server.received)
        say(
            f"  {name}: {dict(result.outcomes)}, {result.requests_received} requests for {result.calls} calls"
        )
        results.append(result)
    return results
