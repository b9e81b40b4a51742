"""Stopping a child process that the tests or the benchmarks started."""

from __future__ import annotations

import subprocess

STOP_SECONDS = 10


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it has not exited within STOP_SECONDS; reaped either way."""
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
