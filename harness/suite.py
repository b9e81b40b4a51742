"""Runs the contract suite as a user does (`python -m contract_tests`) against a server a test chooses."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from contract_tests.settings import VARIABLES
from harness.sandboxes import MAILBOX, TOKEN

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "contract.example.invalid"


@dataclass
class SuiteRun:
    returncode: int
    output: str
    junit: str


def run_suite(report_dir: Path, *args: str, **variables: str) -> SuiteRun:
    """One run; `variables` are the suite's settings (the test sandbox's key and mailbox by default)."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"API_KEY": TOKEN, "FROM": MAILBOX, "RECIPIENT_DOMAIN": DOMAIN, "REPORT_DIR": str(report_dir)})
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    junit_path = report_dir / "contract-junit.xml"
    junit = junit_path.read_text() if junit_path.exists() else ""
    return SuiteRun(done.returncode, done.stdout + done.stderr, junit)
