"""Two lanes, split by marker: `make check` runs the tests not marked slow, `make test` all of them.

The collection is pytest's own, run with the fast lane's `-m` expression read from the Makefile."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TypedDict

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = ROOT / "Makefile"
# A test module that imports one of these needs a browser or Debian's Dovecot, which only root installs.
NEEDS_ROOT_OR_BROWSER = {"playwright.sync_api", "harness.dovecot"}
# Markers that say the same (pyproject.toml).
ROOT_OR_BROWSER_MARKERS = {"browser", "dovecot"}
# Names a test uses (itself or through its module's functions) when it runs the contract suite as a
# command or starts a process: each costs seconds, so such a test is not in the fast lane.
COSTLY = {"run_suite", "Subprocess", "subprocess", "venv", "sync_playwright", "dovecot"}


class Row(TypedDict):  # what tests/lanes_report.py writes for each test
    id: str
    file: str
    markers: list[str]
    kept: bool


def fast_lane_expression() -> str:
    found = re.search(r"^CHECK_MARKERS := (.+)$", MAKEFILE.read_text(), re.M)
    assert found
    return found[1].strip()


def recipe(target: str) -> str:
    found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", MAKEFILE.read_text(), re.M)
    assert found, target
    return found[1]


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports at any depth, `from a import b` counted as `a` and `a.b` too."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def names_used(path: Path) -> dict[str, set[str]]:
    """Each function of a module with every name it uses, and those its module's own functions use."""
    tree = ast.parse(path.read_text(), str(path))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def direct(function: ast.AST) -> set[str]:
        found = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node, ast.arg):  # a fixture of the module, by its parameter
                found.add(node.arg)
        return found

    def reached(name: str) -> set[str]:
        seen, todo, names = {name}, [name], set()
        while todo:
            used = direct(functions[todo.pop()])
            names |= used
            todo += [n for n in used if n in functions and n not in seen]
            seen |= used & functions.keys()
        return names

    return {name: reached(name) for name in functions}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> list[Row]:
    report = tmp_path_factory.mktemp("lanes") / "lanes.json"
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-p", "tests.lanes_report", "-m", fast_lane_expression()],
        cwd=ROOT,
        env={**os.environ, "LANES_REPORT": str(report)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows: list[Row] = json.loads(report.read_text())
    return rows


def test_every_test_is_in_exactly_one_lane_by_its_markers(collected: list[Row]) -> None:
    ids = [row["id"] for row in collected]
    assert len(ids) == len(set(ids)) > 1000  # the whole tree, once
    for row in collected:
        assert row["kept"] is ("slow" not in row["markers"]), row
    assert {row["kept"] for row in collected} == {True, False}  # two lanes, neither empty
    # and `make test` runs every test: no marker expression, no test left out
    [pytest_line] = [line for line in recipe("pytest-all").splitlines() if "pytest" in line]
    assert not re.search(r"\s(-m|-k|--deselect|--ignore)\b", pytest_line), pytest_line
    # and `make check` runs the lane this test read
    assert '-m "$(CHECK_MARKERS)"' in recipe("pytest-fast")


def test_the_fast_lane_needs_no_root_and_no_browser(collected: list[Row]) -> None:
    importers = {row["file"] for row in collected if NEEDS_ROOT_OR_BROWSER & imports_of(Path(row["file"]))}
    # the check is not empty: each need is found in the tree, and those tests are in the slow lane
    for need in NEEDS_ROOT_OR_BROWSER:
        assert any(need in imports_of(Path(f)) for f in importers), need
    for row in collected:
        if row["kept"]:
            assert row["file"] not in importers, row
            assert not ROOT_OR_BROWSER_MARKERS & set(row["markers"]), row
        elif row["file"] in importers:
            assert ROOT_OR_BROWSER_MARKERS & set(row["markers"]), row


def test_no_test_in_the_fast_lane_runs_the_suite_or_starts_a_process(collected: list[Row]) -> None:
    used = {file: names_used(Path(file)) for file in {row["file"] for row in collected}}

    def costs(row: Row) -> set[str]:
        function = row["id"].split("[")[0].split("::")[-1]
        return COSTLY & used[row["file"]][function]

    slow_costs: set[str] = set().union(*(costs(row) for row in collected if not row["kept"]))
    assert slow_costs == COSTLY  # each is found in the tree: the check below can fail
    for row in collected:
        if row["kept"]:
            assert not costs(row), row
