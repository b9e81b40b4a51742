"""`python -m codegen generate` rewrites generated/; `python -m codegen check` fails if it is stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from codegen.generate import GENERATED, ROOT, differences, generate


def main(command: str) -> int:
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".tmp-generate-") as folder:
        fresh = Path(folder) / "out"
        try:
            generate(fresh)
        except subprocess.CalledProcessError as exc:
            print(exc.stdout, exc.stderr, sep="\n", file=sys.stderr)
            return 1
        if command == "generate":
            shutil.rmtree(GENERATED, ignore_errors=True)
            shutil.move(fresh, GENERATED)
            print("generated/ written from openapi.yaml")
            return 0
        stale = differences(GENERATED, fresh)
    if stale:
        print(
            "generated/ is stale or was edited by hand (run 'make generate' and commit the result):",
            file=sys.stderr,
        )
        print("\n".join(f"  {name}" for name in stale), file=sys.stderr)
        return 1
    print("generated/ matches openapi.yaml")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] not in (["generate"], ["check"]):
        sys.exit("usage: python -m codegen generate|check")
    sys.exit(main(sys.argv[1]))
