"""Runs the contract suite as a user does (`python -m contract_tests`) against a server a test chooses."""

from __future__ import annotations

import os
import re
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


class _PeakMemory:
    """The high-water mark of a process's resident memory, read from /proc while it runs.

    Not wait4's ru_maxrss: Linux carries into it the memory of the process it was forked from
    (the pytest worker, large after some tests), which exec does not reset. VmHWM belongs to the
    process's own address space; as a high-water mark, a late reading holds every earlier peak."""

    def __init__(self, pid: int) -> None:
        self.kib = 0
        self._status = Path(f"/proc/{pid}/status")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.05):
            try:
                found = re.search(r"^VmHWM:\s+(\d+) kB", self._status.read_text(), re.M)
            except OSError:
                return
            if found:
                self.kib = max(self.kib, int(found[1]))

    def stop(self) -> float:
        """Megabytes."""
        self._done.set()
        self._thread.join()
        return self.kib / 1024


@dataclass
class SuiteRun:
    returncode: int
    output: str  # stdout and stderr, as a terminal shows them
    junit: str
    peak_rss_mb: float  # the run's largest resident memory, sampled every 50 ms


def run_suite(
    report_dir: Path,
    *args: str,
    embedded_fault: str | None = None,
    module: str = "contract_tests",
    **variables: str,
) -> SuiteRun:
    """One run; `variables` are the suite's settings (the test sandbox's key and mailbox by default).

    With `embedded_fault` (the name of a fault of `harness.faulty_sandboxes.FAULTS`), the run is against the
    embedded sandbox behind that fault (`harness.wrapped_suite`): set no BASE_URL, API_KEY or FROM.
    `module`: the module run with `python -m` (a harness wrapper of the command). `variables` may name
    other environment variables too (a CI's own: GITHUB_ACTIONS...)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"API_KEY": TOKEN, "FROM": MAILBOX, "RECIPIENT_DOMAIN": DOMAIN, "REPORT_DIR": str(report_dir)})
    env = {k: v for k, v in env.items() if not k.startswith("GITHUB_")}  # as outside CI, unless given
    env.update(variables)
    output: list[str] = []
    command = ["-m", module] if embedded_fault is None else ["-m", "harness.wrapped_suite", embedded_fault]
    with subprocess.Popen(
        [sys.executable, *command, *args],
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
        memory = _PeakMemory(process.pid)
        process.wait()
        peak = memory.stop()
        killer.cancel()
        reader.join()
    if killed.is_set():
        raise AssertionError(f"the suite was still running after {TIMEOUT} s:\n{''.join(output)[-3000:]}")
    junit_path = report_dir / "contract-junit.xml"
    junit = junit_path.read_text() if junit_path.exists() else ""
    return SuiteRun(process.returncode, "".join(output), junit, peak)


def coverage_rows(report_dir: Path) -> dict[tuple[str, str], tuple[int, str]]:
    """The table of a run's coverage file (`contract-coverage.md`): (kind, what) -> (requests, verdict)."""
    rows = {}
    for line in (report_dir / "contract-coverage.md").read_text().splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 4 and cells[2].isdigit():
            rows[(cells[0], cells[1])] = (int(cells[2]), cells[3])
    return rows
