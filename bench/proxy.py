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


def overhead(rounds: int = ROUNDS) -> tuple[float, float]:
    """The median p50 (ms) of the sandbox direct, and through the proxy."""
    direct, via = [], []
    with servers.sandbox("onlyoffice") as url, proxy(url) as proxied:
        for _ in range(rounds):
            direct.append(load.wrk(url).p50_ms)
            via.append(load.wrk(proxied).p50_ms)
    return statistics.median(direct), statistics.median(via)


if __name__ == "__main__":  # just this row: python -m bench.proxy
    d, v = overhead()
    print(f"p50 direct {d:.2f} ms, through the proxy {v:.2f} ms: {v - d:+.2f} ms (goal < {GOAL_MS} ms)")
