"""Runs the contract suite as a user does (`python -m contract_tests`) against a server a test chooses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from contract_tests.settings import VARIABLES
from harness.sandboxes import MAILBOX, TOKEN

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "contract.example.invalid"
TIMEOUT = 900  # a safety net for a run that hangs, not a speed claim


@dataclass
class SuiteRun:
    returncode: int
    output: str  # stdout and stderr, as a terminal shows them
    junit: str
    peak_rss_mb: float  # the run's largest resident memory


def run_suite(report_dir: Path, *args: str, **variables: str) -> SuiteRun:
    """One run; `variables` are the suite's settings (the test sandbox's key and mailbox by default)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"API_KEY": TOKEN, "FROM": MAILBOX, "RECIPIENT_DOMAIN": DOMAIN, "REPORT_DIR": str(report_dir)})
    env.update(variables)
    output: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "contract_tests", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        stream = process.stdout
        reader = threading.Thread(target=lambda: output.append(stream.read()))
        reader.start()
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            process.kill()

        killer = threading.Timer(TIMEOUT, kill)
        killer.start()
        # wait4, not wait: it gives the child's resource usage, its peak memory among it.
        _, status, usage = os.wait4(process.pid, 0)
        killer.cancel()
        reader.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    if killed.is_set():
        raise AssertionError(f"the suite was still running after {TIMEOUT} s:\n{''.join(output)[-3000:]}")
    junit_path = report_dir / "contract-junit.xml"
    junit = junit_path.read_text() if junit_path.exists() else ""
    return SuiteRun(process.returncode, "".join(output), junit, usage.ru_maxrss / 1024)
