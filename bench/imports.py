"""Cold import time: the generated client vs httpx, each in a fresh interpreter.

Both are timed in a venv that holds only the client and what it depends on (versions from
requirements/lock.txt), as an app that vendors the client has it. In the project's own venv,
httpx also imports its command-line part, because rich and click are installed there for
other tools; that would add about 50 ms to both sides and flatter the ratio.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
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


def _import_times(python: Path, statement: str) -> dict[str, float]:
    """Seconds each module took to import, cumulative, in one fresh interpreter's -X importtime;
    `<statement>` is the sum of what the statement itself imported (the top level)."""
    out = subprocess.run(
        [str(python), "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
    ).stderr
    times: dict[str, float] = {"<statement>": 0.0}
    for line in out.splitlines()[1:]:  # the first line holds the column heads
        _, cumulative, name = line.removeprefix("import time:").split("|")
        times.setdefault(name.strip(), int(cumulative) / 1e6)
        if len(name) - len(name.lstrip()) == 1:  # not indented: imported by the statement
            times["<statement>"] += int(cumulative) / 1e6
    return times


def cold_imports() -> dict[str, float]:
    """Seconds to import each in a fresh interpreter, as -X importtime counts them; and attrs' part.

    Counting inside the interpreter leaves out its start-up, which varies more than the imports."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        python = _venv(Path(folder))
        return interleaved(
            {
                "httpx": lambda: _import_times(python, "import httpx")["<statement>"],
                "generated": lambda: _import_times(python, CLIENT)["<statement>"],
                "attrs": lambda: _import_times(python, CLIENT)["attrs"],
            },
            rounds=15,
        )
