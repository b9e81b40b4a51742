"""The generated client's public API between two trees, read with griffe.

griffe's own breakage check finds removed names and parameters, changed kinds and defaults; it leaves
annotation changes out (its type comparisons are off), so the annotations of every public attribute,
parameter and return are compared here too, as griffe reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

PACKAGE = "onlyoffice_send_client"


def _load(generated: Path) -> Any:
    import griffe  # a tool of this repository (requirements/tools.in), not a need of the installed package

    return griffe.load(
        PACKAGE,
        search_paths=[str(generated)],
        modules_collection=griffe.ModulesCollection(),
        # Read the source: importing both sides' clients into this process would mix them.
        allow_inspection=False,
        resolve_aliases=False,
    )


def _public(obj: Any) -> Iterator[Any]:
    """Every public object under `obj`, itself included; aliases (re-exports) are compared by name only."""
    yield obj
    if obj.is_alias:
        return
    for name, member in obj.members.items():
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        if member.is_alias:
            continue
        yield from _public(member)


def _signature(obj: Any) -> dict[str, str]:
    """What an object's annotations say, keyed by what they annotate."""
    found: dict[str, str] = {}
    if obj.is_attribute and obj.annotation is not None:
        found["type"] = str(obj.annotation)
    if obj.is_function:
        for param in obj.parameters:
            found[f"parameter {param.name}"] = str(param.annotation)
        found["return"] = str(obj.returns)
    return found


def _explained(breakage: Any) -> str:
    """griffe's breakage in a line: its kind, and what changed where that is more than the object itself."""
    if breakage.kind.name == "OBJECT_REMOVED":
        return str(breakage.kind.value)

    def shown(value: Any) -> str:
        return str(getattr(value, "name", value))  # a parameter or an object by its name, a value as itself

    return f"{breakage.kind.value}: {shown(breakage.old_value)} -> {shown(breakage.new_value)}"


def breaking(old_tree: Path, new_tree: Path) -> list[dict[str, str]]:
    """Each removed or changed public name, parameter, attribute or type, as {where, what}."""
    import griffe

    old, new = _load(old_tree), _load(new_tree)
    found = [
        {"where": str(b.obj.path), "what": _explained(b)} for b in griffe.find_breaking_changes(old, new)
    ]
    seen = {item["where"] for item in found}
    news = {obj.path: obj for obj in _public(new)}
    for obj in _public(old):
        if obj.path in seen or obj.is_alias:
            continue
        twin = news.get(obj.path)
        if twin is None or twin.is_alias:
            if twin is None and obj.path not in seen:
                found.append({"where": obj.path, "what": "Public object was removed"})
            continue
        before, after = _signature(obj), _signature(twin)
        for key in sorted(before):
            if key in after and before[key] != after[key]:
                found.append({"where": obj.path, "what": f"{key} changed: {before[key]} -> {after[key]}"})
    # A removed parent reports its members too: keep the outermost.
    removed = sorted({f["where"] for f in found if f["what"].startswith("Public object was removed")})
    return [f for f in found if not any(f["where"].startswith(r + ".") for r in removed)]
