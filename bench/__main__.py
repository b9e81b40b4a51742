"""`make bench`: speed figures as ratios against references run side by side, written to BENCHMARKS.md."""

from __future__ import annotations

import datetime
import functools
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from bench import client, imports, load, peer, proxy, servers, suite
from harness import machine
from onlyoffice_sandbox.settings import BINDERS

ROOT = Path(__file__).resolve().parents[1]
PRISM = ROOT / ".tools" / "node_modules" / ".bin" / "prism"
SENDS = 1000
SEED = 12345
EXAMPLES = 200


def say(text: str) -> None:
    print(text, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _verdict(met: bool | None) -> str:
    return "reference" if met is None else "yes" if met else "**no**"


def main() -> int:
    rows: list[tuple[str, str, str, str, bool | None]] = []  # figure, raw medians, ratio, goal, met

    def record(figure: str, raw: str, ratio: float, goal: str, met: bool | None) -> None:
        """`met` None: a reference figure, with no goal of its own."""
        rows.append((figure, raw, f"{ratio:.2f}", goal, met))
        say(f"  {figure}: {raw} -> {ratio:.2f} (goal {goal}) {_verdict(met)}")

    say(f"client overhead: {SENDS} sends each, in interleaved rounds of 50")
    for label, server in (("minimal server", servers.minimal), ("sandbox", servers.sandbox)):
        with server() as url:
            t = client.sync_overhead(url, SENDS)
        ratio = t["generated"] / t["httpx"]
        record(
            f"sync client vs httpx.Client, {label}",
            f"{ms(t['generated'])} vs {ms(t['httpx'])} per send",
            ratio,
            "<= 1.05",
            ratio <= 1.05,
        )
    say("async: 500 concurrent sends, 7 rounds")
    with servers.minimal() as url:
        a = client.async_throughput(url, 500)
    ratio = a["generated"] / a["httpx"]
    record(
        "async client vs httpx.AsyncClient, 500 concurrent, minimal server",
        f"{a['generated']:.0f} vs {a['httpx']:.0f} sends/s",
        ratio,
        ">= 0.95",
        ratio >= 0.95,
    )
    say("peer client (openapi-generator python)")
    peer_client = peer.load()
    with servers.minimal() as url:
        p = client.peer_overhead(url, SENDS, peer_client)
    ratio = p["generated"] / p["openapi-generator"]
    record(
        "generated client vs openapi-generator client, minimal server",
        f"{ms(p['generated'])} vs {ms(p['openapi-generator'])} per send",
        ratio,
        "<= 0.8",
        ratio <= 0.8,
    )
    say(
        "sandbox (each binder) vs Prism mock and the raw limit under wrk (10 connections, 10 s, 3 rounds each,"
        " interleaved)"
    )
    contenders: dict[str, Callable[[], AbstractContextManager[str]]] = {
        **{f"sandbox ({binder} binder)": functools.partial(servers.sandbox, binder) for binder in BINDERS},
        "prism": functools.partial(servers.prism, PRISM),
        "minimal": servers.minimal,
    }
    runs: dict[str, list[load.WrkFigures]] = {name: [] for name in contenders}
    for _ in range(3):
        for name, start in contenders.items():
            with start() as url:
                runs[name].append(load.wrk(url))
    median = {name: sorted(r, key=lambda f: f.accepted_per_second)[1] for name, r in runs.items()}
    m, raw_limit = median["prism"], median["minimal"]
    for binder in BINDERS:
        s = median[f"sandbox ({binder} binder)"]
        ratio = s.accepted_per_second / m.accepted_per_second
        record(
            f"sandbox ({binder} binder) accepted sends/s vs Prism mock",
            f"{s.accepted_per_second:.0f} vs {m.accepted_per_second:.0f} /s",
            ratio,
            ">= 2",
            ratio >= 2,
        )
        record(
            f"sandbox ({binder} binder) vs the raw limit: a bare ASGI app under uvicorn, one canned answer",
            f"{s.accepted_per_second:.0f} vs {raw_limit.accepted_per_second:.0f} /s",
            s.accepted_per_second / raw_limit.accepted_per_second,
            "none: the ceiling for any Python server here",
            None,
        )
        record(
            f"sandbox ({binder} binder) p99 latency at 10 connections",
            f"p50 {s.p50_ms:.2f} ms, p99 {s.p99_ms:.2f} ms (Prism p50 {m.p50_ms:.2f} ms, p99 {m.p99_ms:.2f} ms)",
            s.p99_ms / 20,
            "p99 < 20 ms (ratio to 20 ms < 1)",
            s.p99_ms < 20,
        )
    say(f"suite: python -m contract_tests vs schemathesis run, seed {SEED}, {EXAMPLES} examples, 3 rounds")
    ours_rates, cli_rates = [], []
    for _ in range(3):  # the suite's default profile is strict: the sandbox binds by the spec alone
        with servers.sandbox("strict") as url:
            cases, seconds = suite.ours(url, SEED, EXAMPLES)
            ours_rates.append(cases / seconds)
        with servers.sandbox("strict") as url:
            cases, seconds = suite.cli(url, SEED, EXAMPLES)
            cli_rates.append(cases / seconds)
    o, c = sorted(ours_rates)[1], sorted(cli_rates)[1]
    record(
        "make contract vs schemathesis CLI, cases/s",
        f"{o:.1f} vs {c:.1f} cases/s",
        o / c,
        ">= 0.9",
        o / c >= 0.9,
    )
    say(f"suite against a remote target: the sandbox {suite.REMOTE_DELAY_MS} ms away each way, 3 rounds")
    far = suite.remote(SEED, EXAMPLES)
    record(
        f"make contract (WORKERS={far.workers}, its default against a BASE_URL) vs schemathesis run"
        f" --workers {far.workers}, the sandbox behind a proxy adding {suite.REMOTE_DELAY_MS} ms each way,"
        " wall time",
        f"{far.ours_seconds:.1f} s ({far.ours_requests} requests) vs {far.cli_seconds:.1f} s"
        f" ({far.cli_cases} cases)",
        far.ours_seconds / far.cli_seconds,
        "<= 1.0",
        far.ours_seconds <= far.cli_seconds,
    )
    say("the default embedded run: onlyoffice-contract with no BASE_URL, 3 rounds")
    wall = suite.embedded_wall(SEED)
    record(
        "make contract, default embedded run, wall time",
        f"{wall:.1f} s (median of 3, SEED={SEED})",
        wall / suite.EMBEDDED_GOAL_SECONDS,
        f"< {suite.EMBEDDED_GOAL_SECONDS:.0f} s (ratio to {suite.EMBEDDED_GOAL_SECONDS:.0f} s < 1)",
        wall < suite.EMBEDDED_GOAL_SECONDS,
    )
    say(f"validation proxy: p50 at 10 connections through it vs the sandbox direct, {proxy.ROUNDS} rounds")
    px = proxy.overhead()
    added = px.proxied_p50 - px.direct_p50
    record(
        f"validation proxy in front of the sandbox, p50 added at 10 connections (each pausing {proxy.PACE_MS} ms)",
        f"p50 {px.proxied_p50:.2f} ms vs {px.direct_p50:.2f} ms direct",
        added / proxy.GOAL_MS,
        f"< {proxy.GOAL_MS:.0f} ms added (ratio to {proxy.GOAL_MS:.0f} ms < 1)",
        added < proxy.GOAL_MS,
    )
    record(
        "validation proxy in front of the sandbox, 10 connections unpaced: requests/s through it vs direct",
        f"{px.saturated_proxied_rate:.0f} vs {px.saturated_direct_rate:.0f} /s (p50 {px.saturated_proxied_p50:.2f}"
        f" vs {px.saturated_direct_p50:.2f} ms)",
        px.saturated_proxied_rate / px.saturated_direct_rate,
        "none: the most it forwards",
        None,
    )
    say("cold import, 15 rounds")
    i = imports.cold_imports()
    ratio = i["generated"] / i["httpx"]
    record(
        "cold import of the client vs import httpx, in a venv holding only the client",
        f"{ms(i['generated'])} vs {ms(i['httpx'])} (of which attrs: {ms(i['attrs'])})",
        ratio,
        "<= 1.2",
        ratio <= 1.2,
    )

    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {datetime.date.today()}: {machine.describe()}.",
        "Each figure is a ratio against a reference measured in the same run, rounds interleaved, medians shown.",
        "The servers run in child processes, so they do not share the measured client's interpreter.",
        "",
        "| figure | raw medians | ratio | goal | met |",
        "| --- | --- | ---: | --- | --- |",
        *[f"| {f} | {raw} | {r} | {g} | {_verdict(met)} |" for f, raw, r, g, met in rows],
        "",
        "How each is measured: `bench/` (client.py: the same JSON over keep-alive, the raw httpx side also",
        "parses the answer; load.py: wrk with a PUT script, 2 threads, 10 connections, 10 s, a recipient of",
        "its own per request; suite.py: the same spec, target (a fresh sandbox each run), seed and case count,",
        "the CLI without the one check it cannot pass, and for the remote row both behind delay_proxy.py, an",
        "asyncio proxy on loopback adding 50 ms each way; imports.py: a fresh interpreter each time, in a venv",
        "holding only the client, less the interpreter's own start-up).",
        "",
        # What the figures mean, where a goal is missed and why: written by people, kept in bench/NOTES.md.
        (ROOT / "bench" / "NOTES.md").read_text().strip(),
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")
    say(f"wrote {ROOT / 'BENCHMARKS.md'}")
    return 0 if all(met is not False for *_, met in rows) else 1


sys.exit(main())
