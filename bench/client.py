"""The generated client against raw httpx, and against the openapi-generator client, on the same server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from onlyoffice_send_client import AuthenticatedClient
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from bench.servers import MAILBOX, TOKEN
from bench.timing import interleaved, per_call
from onlyoffice_contract import spec

MESSAGE = {"from": MAILBOX, "to": ["Bob <bob@example.org>"], "subject": "Bench", "body": "<p>Hello</p>"}
HEADERS = {"Authorization": TOKEN}


def sync_overhead(url: str, sends: int) -> dict[str, float]:
    """Seconds per send: the generated sync client vs httpx.Client, both over keep-alive."""
    ours = AuthenticatedClient(base_url=url, token=TOKEN)
    body = SendMessageRequest.from_dict(MESSAGE)
    raw = httpx.Client(base_url=url, headers=HEADERS)

    def generated() -> int:
        return send_message.sync_or_raise(client=ours, body=body).response

    def plain() -> int:
        response = raw.put(spec.OPERATION_PATH, json=MESSAGE)
        message_id: int = response.json()["response"]
        return message_id

    plain(), generated()  # warm both connections
    # Many short rounds: the server's background work (delivery, in the sandbox) then falls on
    # both contenders alike, rather than on whichever held a long round when it ran.
    rounds = max(sends // 50, 7)
    return interleaved(
        {"generated": per_call(generated, sends // rounds), "httpx": per_call(plain, sends // rounds)}, rounds
    )


def async_throughput(url: str, concurrent: int) -> dict[str, float]:
    """Sends per second with `concurrent` sends in flight at once.

    The generated async client against httpx.AsyncClient."""
    body = SendMessageRequest.from_dict(MESSAGE)
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    # 500 sends queue for 100 connections: in a slow spell of the machine a send waited past httpx's
    # 5 s pool timeout and the run died. A safety net, the same for both sides; not a speed claim.
    timeout = httpx.Timeout(60.0)

    async def burst(send_one: Callable[[], Any]) -> float:
        started = time.perf_counter()
        await asyncio.gather(*(send_one() for _ in range(concurrent)))
        return concurrent / (time.perf_counter() - started)

    async def main() -> dict[str, float]:
        async with (
            AuthenticatedClient(
                base_url=url, token=TOKEN, timeout=timeout, httpx_args={"limits": limits}
            ) as ours,
            httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits, timeout=timeout) as raw,
        ):

            async def generated() -> int:
                return (await send_message.asyncio_or_raise(client=ours, body=body)).response

            async def plain() -> int:
                response = await raw.put(spec.OPERATION_PATH, json=MESSAGE)
                message_id: int = response.json()["response"]
                return message_id

            await burst(generated), await burst(plain)  # warm the pools
            figures: dict[str, list[float]] = {"generated": [], "httpx": []}
            for _ in range(7):
                figures["generated"].append(await burst(generated))
                figures["httpx"].append(await burst(plain))
            return {name: sorted(v)[len(v) // 2] for name, v in figures.items()}

    return asyncio.run(main())


def peer_overhead(url: str, sends: int, peer: Any) -> dict[str, float]:
    """Seconds per send: the generated client vs the openapi-generator python client (`peer`, its package)."""
    configuration = peer.Configuration(host=url, api_key={"asc_auth_key": TOKEN})
    api = peer.MessagesApi(peer.ApiClient(configuration))
    peer_body = peer.SendMessageRequest.from_dict(json.loads(json.dumps(MESSAGE)))
    ours = AuthenticatedClient(base_url=url, token=TOKEN)
    body = SendMessageRequest.from_dict(MESSAGE)

    def generated() -> int:
        return send_message.sync_or_raise(client=ours, body=body).response

    def other() -> int:
        message_id: int = api.send_message(peer_body).response
        return message_id

    generated(), other()
    return interleaved({"generated": per_call(generated, sends), "openapi-generator": per_call(other, sends)})
