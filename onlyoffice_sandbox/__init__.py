"""A sandbox of ONLYOFFICE Workspace's "Send a message" call, driven by openapi.yaml.

    from onlyoffice_sandbox import InProcess, Settings

    with InProcess(Settings(port=0)) as url:
        ...  # PUT {url}/api/2.0/mail/messages/send

`Sandbox` is what the pytest fixture `sandbox` gives a test (annotate with it: the package is typed).

The names below are loaded on first use, not at import: the delivery process
imports this package too, and must not load the web framework.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onlyoffice_sandbox.pytest_plugin import Sandbox, SandboxError
    from onlyoffice_sandbox.server import InProcess, Subprocess
    from onlyoffice_sandbox.settings import Settings
    from onlyoffice_sandbox.web.app import create_app

__all__ = ["InProcess", "Sandbox", "SandboxError", "Settings", "Subprocess", "create_app"]
_WHERE = {
    "InProcess": "onlyoffice_sandbox.server",
    "Subprocess": "onlyoffice_sandbox.server",
    "Sandbox": "onlyoffice_sandbox.pytest_plugin",
    "SandboxError": "onlyoffice_sandbox.pytest_plugin",
    "Settings": "onlyoffice_sandbox.settings",
    "create_app": "onlyoffice_sandbox.web.app",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'onlyoffice_sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
