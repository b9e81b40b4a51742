"""Cases per second: `make contract` (python -m contract_tests) vs the bare `schemathesis run` CLI; the
wall time of both against a remote target (the sandbox behind a delaying proxy); and the wall time of
the default `make contract` run, against its embedded sandbox."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import servers
from bench.servers import MAILBOX, ROOT, TOKEN
from contract_tests.settings import VARIABLES, load
from harness.suite import run_suite

# The default run's goal, on this project's 2-core machine.
EMBEDDED_GOAL_SECONDS = 30.0


def ours(url: str, seed: int, examples: int, **settings: str) -> tuple[int, float]:
    """(requests, seconds) of one run of the suite; `settings` beside those named here (WORKERS)."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run = run_suite(
            Path(folder),
            "--",
            "-q",
            BASE_URL=url,
            API_KEY=TOKEN,
            FROM=MAILBOX,
            SEED=str(seed),
            MAX_EXAMPLES=str(examples),
            MAX_SENDS="100000",
            **settings,
        )
        seconds = time.perf_counter() - started
    if run.returncode != 0:  # a run that failed early did less work: its rate would mean nothing
        raise RuntimeError(f"the suite exited with {run.returncode}:\n{run.output[-2000:]}")
    return int(re.search(r"(\d+) requests to the send call", run.output)[1]), seconds  # type: ignore[index]


def cli(url: str, seed: int, examples: int, workers: int = 1) -> tuple[int, float]:
    """(test cases, seconds) of one `schemathesis run` with the same spec, target, seed and case count.

    The CLI cannot be told the mailbox to send from, so the sandbox refuses each of its valid
    cases ("Mailbox not found") and `positive_data_acceptance` fails; on a failure the CLI stops
    the phase, after a few cases. That check is left out so that the CLI runs every case."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(ROOT / "openapi.yaml"),
        "--url",
        url,
        "--seed",
        str(seed),
        "--max-examples",
        str(examples),
        "-H",
        f"Authorization: {TOKEN}",
        "--phases",
        "examples,coverage,fuzzing",
        "--mode",
        "all",
        "--no-shrink",
        "--generation-database",
        "none",
        "--exclude-checks",
        "positive_data_acceptance",
        "--workers",
        str(workers),
    ]
    with tempfile.TemporaryDirectory() as folder:  # no schemathesis.toml is found from here
        started = time.perf_counter()
        out = subprocess.run(command, cwd=folder, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - started
    found = re.search(r"Test cases:\s*(\d+)", out) or re.search(r"(\d+) (?:generated|test cases)", out)
    if found is None or "failure" in out.rsplit("SUMMARY", 1)[-1].lower():
        raise RuntimeError("the CLI failed, or its case count is not in its output:\n" + out[-2000:])
    return int(found[1]), seconds


def embedded_wall(seed: int, rounds: int = 3) -> float:
    """Seconds, the median of `rounds`: the whole `onlyoffice-contract` command as `make contract`
    runs it with no settings (the embedded sandbox started and stopped, every probe's and DELIVERY_SAMPLE
    generated sends' mail checked), but a fixed SEED, so that runs compare, and reports in a
    temporary folder."""
    command = [str(Path(sys.executable).parent / "onlyoffice-contract")]
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    figures = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            run = subprocess.run(
                command, env={**env, "SEED": str(seed), "REPORT_DIR": folder}, capture_output=True, text=True
            )
            figures.append(time.perf_counter() - started)
        if run.returncode != 0:
            raise RuntimeError(f"the default run exited with {run.returncode}:\n{run.stdout[-2000:]}")
    return statistics.median(figures)


# A staging portal across a network, as the bench models it: this much added each way.
REMOTE_DELAY_MS = 50


@dataclass
class Remote:
    ours_seconds: float  # medians
    cli_seconds: float
    ours_requests: int
    cli_cases: int
    workers: int


def remote(seed: int, examples: int, rounds: int = 3) -> Remote:
    """The suite's default run (WORKERS unset) against the sandbox behind a proxy that adds
    REMOTE_DELAY_MS each way, against `schemathesis run --workers N` with the suite's N on the same
    spec, target, seed and case count; rounds interleaved, a fresh sandbox each."""
    workers = load({"BASE_URL": "http://127.0.0.1", "API_KEY": TOKEN, "FROM": MAILBOX}).requests_in_flight
    ours_runs, cli_runs = [], []
    for _ in range(rounds):
        with servers.sandbox("strict") as url, servers.delayed(url, REMOTE_DELAY_MS) as far:
            ours_runs.append(ours(far, seed, examples))
        with servers.sandbox("strict") as url, servers.delayed(url, REMOTE_DELAY_MS) as far:
            cli_runs.append(cli(far, seed, examples, workers))
    return Remote(
        statistics.median(s for _, s in ours_runs),
        statistics.median(s for _, s in cli_runs),
        ours_runs[0][0],
        cli_runs[0][0],
        workers,
    )
