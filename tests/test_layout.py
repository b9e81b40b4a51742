"""The tree reads as the pipeline: the contract core at the bottom, the suite and the sandbox on it.

Checked from the import graph (every import statement, at any depth, read with `ast`),
so that a dependency the wrong way round cannot quietly return.
"""

from __future__ import annotations

import ast
import fcntl
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.sandboxes import settings_in, wait_until
from onlyoffice_sandbox.delivery import DeliveryProcess
from onlyoffice_sandbox.delivery.child import lock_path

ROOT = Path(__file__).resolve().parents[1]
WEB = {"starlette", "uvicorn"}
VALIDATORS = {"openapi_schema_validator", "jsonschema", "jsonschema_rs"}
# Every folder of hand-written Python (generated/ is the generator's).
FOLDERS = (
    "onlyoffice_contract",
    "contract_tests",
    "onlyoffice_sandbox",
    "harness",
    "tests",
    "bench",
    "drill",
    "codegen",
)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, as absolute names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> dict[str, set[str]]:
    """Each module of a top-level folder of this repository, with the top-level packages it imports."""
    return {
        str(path.relative_to(ROOT)): {name.split(".")[0] for name in imports_of(path)}
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_the_contract_core_imports_neither_the_suite_nor_the_sandbox() -> None:
    for module, imported in modules("onlyoffice_contract").items():
        assert not imported & {"contract_tests", "onlyoffice_sandbox", "harness", "tests"}, module
        assert not imported & WEB, module


def test_only_the_embedded_target_of_the_suite_imports_the_sandbox() -> None:
    importers = [m for m, imported in modules("contract_tests").items() if "onlyoffice_sandbox" in imported]
    assert importers == ["contract_tests/target.py"]


def test_the_suite_reads_mail_only_through_the_mail_package() -> None:
    """`contract_tests.mail` is one subsystem with one front door: its `__init__` re-exports what the
    rest of the repository uses, so its modules can be reorganised without touching their users."""
    inside = ROOT / "contract_tests" / "mail"
    outside = {path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")} - {*inside.rglob("*.py")}
    assert ROOT / "contract_tests" / "plugin.py" in outside  # the walk sees the suite itself
    for path in sorted(outside):
        reaching_in = {name for name in imports_of(path) if name.startswith("contract_tests.mail.")}
        assert not reaching_in, path.relative_to(ROOT)


def test_the_sandbox_imports_the_core_and_never_the_suite() -> None:
    found = modules("onlyoffice_sandbox")
    assert any("onlyoffice_contract" in imported for imported in found.values())
    for module, imported in found.items():
        assert not imported & {"contract_tests", "harness", "tests"}, module


def test_only_the_http_layer_of_the_sandbox_imports_the_web_framework() -> None:
    allowed = {"onlyoffice_sandbox/server.py"}
    for module, imported in modules("onlyoffice_sandbox").items():
        if imported & WEB:
            assert module.startswith("onlyoffice_sandbox/web/") or module in allowed, module


@pytest.mark.parametrize("folder", ["harness", "drill", "bench", "onlyoffice_sandbox", "contract_tests"])
def test_nothing_imports_from_tests(folder: str) -> None:
    for module, imported in modules(folder).items():
        assert "tests" not in imported, module


def test_the_harness_index_lists_every_module_of_the_harness() -> None:
    """`harness/__init__.py` is where a newcomer finds the test support: one `- `name.py`: job` line per
    module, no module missing and none listed that is gone."""
    index = ast.get_docstring(ast.parse((ROOT / "harness" / "__init__.py").read_text())) or ""
    listed = re.findall(r"^- `([a-z_]+\.py)`: \S", index, re.MULTILINE)
    present = sorted(path.name for path in (ROOT / "harness").glob("*.py") if path.name != "__init__.py")
    assert len(listed) == len(set(listed)), listed  # each once
    assert sorted(listed) == present


@pytest.mark.subprocess
def test_the_delivery_process_loads_no_web_framework(tmp_path: Path) -> None:
    """The child, started exactly as the server starts it, with -X importtime: every module it loads."""
    settings = settings_in(tmp_path)
    process = DeliveryProcess(settings)
    read_fd, write_fd = os.pipe()
    command = process.command(read_fd)
    child = subprocess.Popen(
        [command[0], "-X", "importtime", *command[1:]],
        pass_fds=[read_fd],
        env=process.environment(),
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(read_fd)
    try:
        # Once it holds the outbox lock it has started its capture and its worker.
        def holds_the_lock() -> bool:
            if not lock_path(settings.db).exists():
                return False
            with open(lock_path(settings.db)) as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(lock, fcntl.LOCK_UN)
                return False

        wait_until(holds_the_lock)
    finally:
        os.close(write_fd)  # the server is "gone": the child finishes and exits
        _, err = child.communicate(timeout=60)
    loaded = {line.split("|")[-1].strip() for line in err.splitlines() if line.startswith("import time:")}
    assert "onlyoffice_sandbox.delivery.worker" in loaded  # the measurement saw the real child
    assert "aiosmtpd.smtp" in loaded  # and its embedded capture
    assert not {name for name in loaded if name.split(".")[0] in WEB}
    # nor the validators, which it never uses: they were 0.25 s of CPU for every sandbox started
    assert not {name for name in loaded if name.split(".")[0] in VALIDATORS}
    assert child.returncode == 0, err[-2000:]
    assert sys.executable == command[0]
