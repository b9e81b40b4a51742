"""Cold import time: the generated client vs httpx, each in a fresh interpreter.

Both are timed in a venv that holds only the client and what it depends on (versions from
requirements/lock.txt), as an app that vendors the client has it. In the project's own venv,
httpx also imports its command-line part, because rich and click are installed there for
other tools; that would add about 50 ms to both sides and flatter the ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import ROOT
from bench.timing import interleaved

CLIENT = "import onlyoffice_send_client.api.messages.send_message, onlyoffice_send_client.models"


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(ROOT / "requirements" / "lock.txt"), str(ROOT / "generated")],
        check=True,
    )  # fmt: skip
    return python


def _cold(python: Path, statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(python), "-c", statement], check=True)
    return time.perf_counter() - started


def _attrs_share(python: Path) -> float:
    """Seconds that importing attrs (which the models are built on) takes within the client's import."""
    out = subprocess.run(
        [str(python), "-X", "importtime", "-c", CLIENT], capture_output=True, text=True, check=True
    ).stderr
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.removeprefix("import time:").split("|")]
        if cells[-1] == "attrs":
            return int(cells[1]) / 1e6
    raise RuntimeError("attrs was not imported")


def cold_imports() -> dict[str, float]:
    """Seconds to start Python and import, less the time to start Python alone."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        python = _venv(Path(folder))
        figures = interleaved(
            {
                "python": lambda: _cold(python, "pass"),
                "httpx": lambda: _cold(python, "import httpx"),
                "generated": lambda: _cold(python, CLIENT),
            },
            rounds=15,
        )
        attrs = statistics.median(_attrs_share(python) for _ in range(5))
    return {
        "httpx": figures["httpx"] - figures["python"],
        "generated": figures["generated"] - figures["python"],
        "attrs": attrs,
    }
