"""The peer client: openapi-generator's python client, generated from the same openapi.yaml."""

from __future__ import annotations

import hashlib
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

from bench.servers import ROOT

OUT = ROOT / ".tools" / "peer-client"


def load() -> ModuleType:
    """Generate it (once per version of the spec) and import it."""
    digest = hashlib.sha256((ROOT / "openapi.yaml").read_bytes() + Path(__file__).read_bytes()).hexdigest()
    stamp = OUT / ".spec-sha256"
    if not stamp.exists() or stamp.read_text() != digest:
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        # openapi-generator's python client names FileShare's member 0 `None`, which is not valid
        # Python: it gets the spec without the member names (it then makes up its own), nothing else.
        spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
        del spec["components"]["schemas"]["FileShare"]["x-enum-varnames"]
        source = OUT / "openapi-for-peer.yaml"
        source.write_text(yaml.safe_dump(spec))
        generator = Path(sys.executable).parent / "openapi-generator-cli"
        command = [str(generator), "generate", "-g", "python", "-i", str(source), "-o", str(OUT)]
        command += ["--package-name", "peer_client", "--global-property", "apiTests=false,modelTests=false"]
        subprocess.run(command, check=True, capture_output=True)
        stamp.write_text(digest)
    sys.path.insert(0, str(OUT))
    return importlib.import_module("peer_client")
