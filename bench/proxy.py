"""The validation proxy's cost: p50 latency at 10 connections through it, against the sandbox direct.

The sandbox (onlyoffice binder) and the proxy (`onlyoffice-contract proxy`) each run in a child
process, as a user runs them; wrk sends the same PUTs (`load.py`) to the sandbox and to the proxy in
front of it, in interleaved rounds. The proxy judges every exchange (in its judging thread) and
prints a line for each, as in use.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench import load, servers
from harness.ports import free_port

GOAL_MS = 2.0  # the bound on what the proxy adds at p50
ROUNDS = 3


@contextmanager
def proxy(upstream: str) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as folder:
        command = [sys.executable, "-m", "contract_tests", "proxy", "--upstream", upstream]
        with servers._child([*command, "--port", str(port)], port, {"REPORT_DIR": folder}) as url:
            yield url


# Each connection waits this long before its next request (wrk's `delay()`): 10 connections then send
# about 10 / (PACE + latency) requests a second, well under what either path can take, so that p50 is
# what a request pays, not how long it queues. Unpaced, wrk keeps every connection busy, and p50 is
# 10 connections over the slower path's rate: the proxy's rate, not its cost per request.
PACE_MS = 100
_PACED = f"\nfunction delay()\n  return {PACE_MS}\nend\n"


@dataclass
class Overhead:
    direct_p50: float  # ms, median of the rounds
    proxied_p50: float
    saturated_direct_p50: float  # unpaced: wrk as fast as it can, as the sandbox's own rows run it
    saturated_proxied_p50: float
    saturated_direct_rate: float  # requests/s
    saturated_proxied_rate: float


def overhead(rounds: int = ROUNDS) -> Overhead:
    """The proxy's cost at 10 connections, paced and unpaced, against the sandbox direct."""
    runs: dict[str, list[load.WrkFigures]] = {"direct": [], "proxied": [], "direct*": [], "proxied*": []}
    with servers.sandbox("onlyoffice") as url, proxy(url) as proxied:
        for _ in range(rounds):
            runs["direct"].append(load.wrk(url, _PACED))
            runs["proxied"].append(load.wrk(proxied, _PACED))
            runs["direct*"].append(load.wrk(url))
            runs["proxied*"].append(load.wrk(proxied))
    p50 = {name: statistics.median(f.p50_ms for f in r) for name, r in runs.items()}
    rate = {name: statistics.median(f.requests_per_second for f in r) for name, r in runs.items()}
    return Overhead(
        p50["direct"], p50["proxied"], p50["direct*"], p50["proxied*"], rate["direct*"], rate["proxied*"]
    )


if __name__ == "__main__":  # just this row: python -m bench.proxy
    o = overhead()
    print(
        f"paced ({PACE_MS} ms between a connection's requests): p50 direct {o.direct_p50:.2f} ms, through"
        f" the proxy {o.proxied_p50:.2f} ms: {o.proxied_p50 - o.direct_p50:+.2f} ms (goal < {GOAL_MS} ms)"
    )
    print(
        f"unpaced: p50 direct {o.saturated_direct_p50:.2f} ms ({o.saturated_direct_rate:.0f}/s), through the"
        f" proxy {o.saturated_proxied_p50:.2f} ms ({o.saturated_proxied_rate:.0f}/s)"
    )
