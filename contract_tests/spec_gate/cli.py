"""`onlyoffice-contract spec-diff BASE` (and `make spec-diff BASE=<ref>`): the spec-change gate.

Compares the working tree's openapi.yaml, generated client and sandbox with those of BASE (a git
revision, checked out as a worktree in a temporary folder): the contract's changes classified, the
client's public API diff (griffe), the runtime matrix, and the version bump the change needs.
Exit status: 0 compatible, or carrying the bump it needs; 1 breaking without it; 4 usage error.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from contract_tests.spec_gate import api_diff, report, runtime, versions
from contract_tests.spec_gate.changes import classify
from onlyoffice_contract import spec

USAGE_ERROR = 4
SPEC = "openapi.yaml"


class UsageError(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)  # noqa: S603, S607
    if done.returncode != 0:
        raise UsageError(
            done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed"
        )
    return done.stdout


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        document = yaml.load(text, Loader=spec.SAFE_LOADER)  # noqa: S506 - a safe loader
        if not isinstance(document, dict):
            raise UsageError(f"{where}: not an OpenAPI document")
        spec.locate(document)
        return document
    except (yaml.YAMLError, LookupError, AttributeError) as exc:
        raise UsageError(f"{where} does not load: {str(exc).splitlines()[0]}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onlyoffice-contract spec-diff",
        description="What a change of openapi.yaml breaks, for whom, and which version it needs: the working"
        " tree against BASE.",
        epilog="Exit status: 0 compatible or carrying the bump it needs, 1 breaking without it,"
        " 4 usage error.",
    )
    parser.add_argument("base", metavar="BASE", help="a git revision (HEAD~1, origin/main, a tag)")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="the repository [default: here]")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    parser.add_argument("--changelog", type=Path, help="write the Markdown changelog entry here")
    parser.add_argument("--static-only", action="store_true", help="leave out the runtime matrix")
    return parser


def _needs(root: Path, with_runtime: bool) -> None:
    """What the gate reads besides the spec: griffe (a tool of this repository, requirements/tools.in,
    not a need of the installed package) and, for the matrix, the first-party traffic of a checkout."""
    if importlib.util.find_spec("griffe") is None:
        raise UsageError("the client's API diff needs griffe: `make venv`, or pip install griffe==2.4.1")
    if with_runtime and not (root / "harness" / "first_party.py").is_file():
        raise UsageError(
            f"the runtime matrix sends harness/first_party.py's traffic, which {root} does not hold"
            " (--static-only leaves the matrix out)"
        )


def gate(root: Path, base: str, *, with_runtime: bool = True) -> dict[str, Any]:
    """The report of the working tree at `root` against revision `base` (UsageError: no verdict)."""
    root = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").strip()
    except UsageError:
        raise UsageError(f"BASE {base!r} is not a revision of {root}") from None
    old = _load(_git(root, "show", f"{commit}:{SPEC}"), f"{SPEC} at {base}")
    try:
        new = _load((root / SPEC).read_text(encoding="utf-8"), f"{SPEC} in the working tree")
    except OSError as exc:
        raise UsageError(f"{SPEC} in the working tree: {exc.strerror}") from None
    try:
        versions.parse(new.get("info", {}).get("version"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _needs(root, with_runtime)
    changes = classify(old, new)
    with tempfile.TemporaryDirectory(prefix="spec-diff-") as scratch:
        tree = Path(scratch) / "base"
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        try:
            if not (tree / "generated" / api_diff.PACKAGE).is_dir():
                raise UsageError(f"{base} has no generated/{api_diff.PACKAGE} to compare with")
            api = api_diff.breaking(tree / "generated", root / "generated")
            matrix = (
                runtime.run(
                    runtime.Side("base", tree, old),
                    runtime.Side("head", root, new),
                    Path(scratch) / "runs",
                )
                if with_runtime
                else None
            )
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], check=False)  # noqa: S603, S607
    return report.build(base, commit, old, new, changes, api, matrix)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    try:
        found = gate(args.repo, args.base, with_runtime=not args.static_only)
    except UsageError as exc:
        print(f"usage: {exc}", file=sys.stderr)
        return USAGE_ERROR
    entry = report.changelog(found)
    for path, text in ((args.json, json.dumps(found, indent=2) + "\n"), (args.changelog, entry)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)  # reports/ in a fresh clone
            path.write_text(text, encoding="utf-8")
    print(entry)
    print(found["verdict"]["line"], flush=True)
    return 0 if found["verdict"]["passes"] else 1
