"""The peer client: openapi-generator's python client, generated from the same openapi.yaml."""

from __future__ import annotations

import hashlib
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from bench.servers import ROOT

OUT = ROOT / ".tools" / "peer-client"


def load() -> ModuleType:
    """Generate it (once per version of the spec) and import it."""
    digest = hashlib.sha256((ROOT / "openapi.yaml").read_bytes()).hexdigest()
    stamp = OUT / ".spec-sha256"
    if not stamp.exists() or stamp.read_text() != digest:
        shutil.rmtree(OUT, ignore_errors=True)
        generator = Path(sys.executable).parent / "openapi-generator-cli"
        subprocess.run(
            [
                str(generator),
                "generate",
                "-g",
                "python",
                "-i",
                str(ROOT / "openapi.yaml"),
                "-o",
                str(OUT),
                "--package-name",
                "peer_client",
                "--global-property",
                "apiTests=false,modelTests=false",
            ],
            check=True,
            capture_output=True,
        )
        stamp.write_text(digest)
    sys.path.insert(0, str(OUT))
    return importlib.import_module("peer_client")
