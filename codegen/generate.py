"""Run the pinned generator on openapi.yaml, and compare its output with generated/."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
GENERATED = ROOT / "generated"
# What tests and builds leave in generated/ and the generator never writes.
LITTER = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist"}


def generate(output: Path) -> None:
    """Generate the client into `output` (which must not exist yet), as `make generate` does."""
    bin_dir = Path(sys.executable).parent
    # The generator's post hooks run `ruff`: the pinned one beside this interpreter must come first.
    env = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(ROOT / "openapi.yaml"),
            "--meta",
            "pdm",
            "--config",
            str(HERE / "config.yaml"),
            "--custom-template-path",
            str(HERE / "templates"),
            "--fail-on-warning",
            "--output-path",
            str(output),
        ],
        check=True,
        env=env,
        cwd=output.parent,
        capture_output=True,
        text=True,
    )


def differences(expected: Path, actual: Path) -> list[str]:
    """Files that differ between two trees, or are in only one of them (litter aside)."""

    def walk(cmp: filecmp.dircmp[str], where: Path) -> list[str]:
        found = [str(where / name) for name in cmp.left_only + cmp.right_only if not _litter(name)]
        found += [str(where / name) for name in cmp.diff_files + cmp.funny_files]
        for name, sub in cmp.subdirs.items():
            if not _litter(name):
                found += walk(sub, where / name)
        return found

    return sorted(walk(filecmp.dircmp(expected, actual, ignore=[]), Path()))


def _litter(name: str) -> bool:
    return name in LITTER or name.endswith(".egg-info")
