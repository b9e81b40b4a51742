"""What a child process of the sandbox (the server, the delivery process) needs to find this package."""

from __future__ import annotations

import os
from pathlib import Path

# The folder that holds the onlyoffice_sandbox package: a source tree is not on the child's path.
_IMPORT_ROOT = str(Path(__file__).resolve().parents[1])


def pythonpath() -> str:
    """PYTHONPATH for a child: this package's folder first, then the caller's own PYTHONPATH."""
    return os.pathsep.join(filter(None, [_IMPORT_ROOT, os.environ.get("PYTHONPATH")]))
