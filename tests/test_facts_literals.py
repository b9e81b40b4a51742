"""No message or limit of the call is typed outside openapi.yaml and the registry
(`onlyoffice_contract/facts.py`, with `defects.py`, which describes the registry's known defects).

The product tree is read for each registry value: in Python, every string and number in code (not
comments, not docstrings: those explain; an expression such as `25 * 1024 * 1024` counts as its
value); in the other files, the text. Generated documents are excepted (the client's docstrings and
the API pages come from openapi.yaml; RELIABILITY.md is written by `make drill`). A literal found
fails the test, named by file and line.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from onlyoffice_contract import defects, facts, spec

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = [
    "onlyoffice_contract",
    "contract_tests",
    "onlyoffice_sandbox",
    "harness",
    "bench",
    "drill",
    "examples",
]
TOP_FILES = ["README.md", "sandbox-api.yaml"]
REGISTRY = {"openapi.yaml", "onlyoffice_contract/openapi.yaml", "onlyoffice_contract/facts.py"}
REGISTRY |= {"onlyoffice_contract/defects.py"}
GENERATED = ("generated/", "onlyoffice_sandbox/web/static/docs/", "RELIABILITY.md")
TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".html", ".txt", ".toml", ".cfg", ".ini", ".sh", ".json", ".j2"}

# (file, value): the same words, not the call's: they stay.
NOT_THE_CALLS = {
    ("harness/mailpit_standin.py", "Message not found"),  # Mailpit's API answers its 404 so
}


def registry_values() -> list[str]:
    """Each message (its words before the first field), known defect's words and limit the registry holds."""
    messages = {r.message.split("{", 1)[0].rstrip(" '(") for r in facts.REFUSALS.values() if r.message}
    messages |= {d.message for d in defects.STATUS_DEFECTS}
    return [*sorted(messages), str(facts.draft_body_limit()), str(facts.attachments_total_limit())]


_OPERATORS: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Mult: operator.mul,
    ast.Pow: operator.pow,
    ast.Add: operator.add,
    ast.LShift: operator.lshift,
}


def _number(node: ast.AST) -> int | None:
    """The value of an integer constant, or of arithmetic on integer constants (`25 * 1024 * 1024`)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _number(node.left), _number(node.right)
        small = type(node.op) not in (ast.Pow, ast.LShift) or (right is not None and abs(right) < 64)
        if left is not None and right is not None and small:
            return _OPERATORS[type(node.op)](left, right)
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def python_literals(source: str) -> Iterator[tuple[int, str]]:
    """(line, value) of each string, bytes and number in code: not comments, not docstrings."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        number = _number(node)
        if number is not None:
            yield getattr(node, "lineno", 0), str(number)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            yield node.lineno, value


def _found(text: str, value: str) -> bool:
    if value.isdigit():  # a limit: the number alone, not inside a longer one
        return re.search(rf"(?<![\d,_]){value}(?![\d,_])", text.replace(",", "").replace("_", "")) is not None
    if " " not in value:  # one word (Unauthorized, Forbidden): only a literal of exactly that word
        return text.strip() == value
    return value.lower() in text.lower()  # a message, in any case ("mailbox not found" in a test of text)


def literals_in(path: Path, values: list[str]) -> Iterator[tuple[int, str]]:
    """(line, registry value) of each registry value typed in `path`."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        for line, literal in python_literals(text):
            for value in values:
                if _found(literal, value):
                    yield line, value
        return
    for at, content in enumerate(text.splitlines(), 1):
        for value in values:
            # Prose may say one word (Unauthorized); a message of several, or a limit, is typed.
            if (" " in value or value.isdigit()) and _found(content, value):
                yield at, value


def product_files(root: Path) -> Iterator[Path]:
    for top in PRODUCT:
        for path in sorted((root / top).rglob("*")):
            if path.is_file() and (path.suffix == ".py" or path.suffix in TEXT_SUFFIXES):
                yield path
    for name in TOP_FILES:
        if (root / name).exists():
            yield root / name


def scan(root: Path = ROOT) -> dict[tuple[str, str], list[int]]:
    """(file, value) -> the lines where a registry value is typed outside the spec and the registry."""
    values = registry_values()
    found: dict[tuple[str, str], list[int]] = {}
    for path in product_files(root):
        relative = path.relative_to(root).as_posix()
        if relative in REGISTRY or relative.startswith(GENERATED) or "__pycache__" in relative:
            continue
        for line, value in literals_in(path, values):
            found.setdefault((relative, value), []).append(line)
    return found


def unexpected(found: dict[tuple[str, str], list[int]]) -> list[str]:
    """`file:line: value` of each literal found that is not another's words."""
    return [
        f"{file}:{line}: {value!r}"
        for (file, value), lines in sorted(found.items())
        if (file, value) not in NOT_THE_CALLS
        for line in lines
    ]


def test_no_message_or_limit_is_typed_outside_the_spec_and_the_registry() -> None:
    found = scan()
    typed = unexpected(found)
    assert not typed, "typed outside openapi.yaml and the registry:\n" + "\n".join(typed)


def test_the_scan_reads_every_kind_of_literal() -> None:
    """The registry's values are found where they are typed: the scan can fail."""
    values = registry_values()
    assert "Mailbox not found" in values
    assert "Message body exceeded limit" in values
    assert "524288" in values
    assert "26214400" in values
    code = (
        "LIMIT = 25 * 1024 * 1024\n"
        "BODY = 524_288\n"
        "def f():\n"
        '    """Mailbox not found: a docstring explains, it is no literal."""\n'
        "    # Unauthorized, in a comment\n"
        '    raise ValueError(f"Message body exceeded limit ({kb} KB)")\n'
        'TEXT = b"Unauthorized"\n'
        'WORD = "Unauthorized: a page needs a token"\n'
    )
    found = [
        (line, literal) for line, literal in python_literals(code) if any(_found(literal, v) for v in values)
    ]
    assert sorted(line for line, _ in found) == [1, 2, 6, 7], found


def test_a_planted_literal_is_named_by_file_and_line(tmp_path: Path) -> None:
    """A copy of one message and of one limit, planted in a module of a tree, are named by file and line
    (in a copy of the layout, so that no other test sees the planted module)."""
    (tmp_path / "harness").mkdir()
    (tmp_path / "harness" / "_planted_literal.py").write_text(
        '"""Planted by tests/test_facts_literals.py."""\n\nWORDS = "Mailbox not found"\nLIMIT = 512 * 1024\n'
    )
    (tmp_path / "sandbox-api.yaml").write_text("description: |\n  A draft holds at most 524288 characters.\n")
    assert unexpected(scan(tmp_path)) == [
        "harness/_planted_literal.py:4: '524288'",
        "harness/_planted_literal.py:3: 'Mailbox not found'",
        "sandbox-api.yaml:2: '524288'",
    ]


def test_the_probes_statuses_are_the_registrys() -> None:
    """What each probe expects is an accepted send or a refusal of the registry, read by id: no status
    the call declares is typed in the probes' modules (a status is every HTTP server's number, so the
    scan above cannot look for one across the tree; in these every number of that kind is the call's)."""
    statuses = {str(status) for status in spec.declared_statuses()}
    typed = [
        f"{name}:{line}: {value}"
        for name in ("rules.py", "test_rules.py", "test_probes.py")
        for line, value in python_literals((ROOT / "contract_tests" / name).read_text())
        if value in statuses
    ]
    assert not typed, typed
    assert [value for _, value in python_literals("P = Probe(RULE, 403)\n") if value in statuses] == ["403"]
