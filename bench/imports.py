"""Cold import time: the generated client vs httpx, each in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.timing import interleaved


def _cold(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - started


def cold_imports() -> dict[str, float]:
    """Seconds to start Python and import, less the time to start Python alone."""
    figures = interleaved(
        {
            "python": lambda: _cold("pass"),
            "httpx": lambda: _cold("import httpx"),
            "generated": lambda: _cold(
                "import onlyoffice_send_client.api.messages.send_message, onlyoffice_send_client.models"
            ),
        },
        rounds=15,
    )
    return {
        "httpx": figures["httpx"] - figures["python"],
        "generated": figures["generated"] - figures["python"],
    }
