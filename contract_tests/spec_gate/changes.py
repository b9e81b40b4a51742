"""The contract's changes between two revisions of openapi.yaml, classified for this one call.

Read through the contract core (the operation is found by its id, `$ref`s are inlined by
`spec.inlined`), never by diffing YAML text. A request that accepts less breaks clients (what an
app sends may be refused); one that accepts more breaks servers (a server that conformed may refuse
what a new client sends). An answer is the other way round: more freedom breaks clients (they may
get what they cannot read), less breaks servers (what they answer may no longer conform).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from onlyoffice_contract import spec

Direction = Literal["request", "response"]
# Keywords that only document: a change of them is info.
_DOCS = {"description", "summary", "title", "example", "examples", "externalDocs", "tags"}
# Bounds, with the side on which a larger value accepts more.
_UPPER = {"maximum", "maxLength", "maxItems", "maxProperties"}
_LOWER = {"minimum", "minLength", "minItems", "minProperties"}
_INT_WIDTH = {"int32": 32, "int64": 64}


@dataclass(frozen=True)
class Change:
    where: str  # e.g. "request application/json: attachments[].size"
    what: str  # one sentence, for a maintainer
    breaks_clients: bool = False
    breaks_servers: bool = False
    info: bool = False  # documentation only

    @property
    def verdict(self) -> str:
        if self.breaks_clients and self.breaks_servers:
            return "breaking for clients and servers"
        if self.breaks_clients:
            return "breaking for clients"
        if self.breaks_servers:
            return "breaking for servers"
        return "info" if self.info else "compatible"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


class _Found:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def info(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what, info=True))

    def compatible(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what))

    def both(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what, breaks_clients=True, breaks_servers=True))

    def clients(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what, breaks_clients=True))

    def servers(self, where: str, what: str) -> None:
        self.changes.append(Change(where, what, breaks_servers=True))

    def narrowed(self, where: str, what: str, direction: Direction) -> None:
        """Accepts less: in a request an app's body may be refused; in an answer a server may not conform."""
        if direction == "request":
            self.clients(where, what + ": a body an app sent before may now be refused")
        else:
            self.servers(where, what + ": an answer a server gave before may no longer conform")

    def widened(self, where: str, what: str, direction: Direction) -> None:
        if direction == "request":
            self.servers(where, what + ": a server that conformed may refuse what a new client sends")
        else:
            self.clients(where, what + ": an app built on the old client may get an answer it cannot read")


def _flat(node: Any) -> dict[str, Any]:
    """An inlined schema with the `allOf` that wraps one merged in (as `spec.merged` does for a `$ref`)."""
    if not isinstance(node, dict):
        return {}
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for part in node.get("allOf", []):
        merged = {**_flat(part), **merged}
    return merged


def _schemas(old: Any, new: Any, where: str, direction: Direction, found: _Found) -> None:
    old, new = _flat(old), _flat(new)
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        here = f"{where} ({key})"
        if key in _DOCS:
            found.info(here, f"{key} changed (documentation only)")
        elif key.startswith("x-"):
            found.info(
                here,
                f"extension {key} changed from {before!r} to {after!r}: not judged statically; the runtime"
                " matrix shows what the sandbox makes of it",
            )
        elif key == "properties":
            _properties(before or {}, after or {}, old, new, where, direction, found)
        elif key == "items":
            _schemas(before or {}, after or {}, where + "[]", direction, found)
        elif key == "required":
            _required(set(before or ()), set(after or ()), new, where, direction, found)
        elif key == "type":
            if (before, after) == ("integer", "number"):
                found.widened(here, "integer became number", direction)
            elif (before, after) == ("number", "integer"):
                found.narrowed(here, "number became integer", direction)
            else:
                found.both(here, f"the type changed from {before} to {after}: neither side reads the other")
        elif key == "format":
            wide_before, wide_after = _INT_WIDTH.get(str(before)), _INT_WIDTH.get(str(after))
            if wide_before and wide_after:
                what = f"format {before} became {after}"
                (found.widened if wide_after > wide_before else found.narrowed)(here, what, direction)
            elif after is None:
                found.widened(here, f"format {before} was dropped", direction)
            else:
                found.both(here, f"the format changed from {before} to {after}")
        elif key == "nullable":
            (found.widened if after else found.narrowed)(here, f"nullable became {bool(after)}", direction)
        elif key == "enum":
            _enum(before, after, here, direction, found)
        elif key in _UPPER or key in _LOWER:
            _bound(key, before, after, here, direction, found)
        elif key == "pattern":
            if after is None:
                found.widened(here, "the pattern was dropped", direction)
            else:
                found.narrowed(here, f"the pattern is now {after!r}", direction)
        elif key == "default":
            found.compatible(here, f"the default changed from {before!r} to {after!r}")
        else:
            found.both(here, f"{key} changed: read as breaking, having no finer rule")


def _properties(
    before: dict[str, Any],
    after: dict[str, Any],
    old: dict[str, Any],
    new: dict[str, Any],
    where: str,
    direction: Direction,
    found: _Found,
) -> None:
    removed = [name for name in before if name not in after]
    added = [name for name in after if name not in before]
    for name in removed:
        # A field gone and one of the same schema added: read as a rename, which is what it does to apps.
        twin = next((a for a in added if _flat(after[a]) == _flat(before[name])), None)
        if twin is not None:
            added.remove(twin)
            found.clients(
                f"{where}.{name}",
                f"renamed to {twin}: the client's attribute {name} is gone, and what old clients send"
                f" under {name} is not read as {twin}",
            )
        elif direction == "request":
            found.clients(
                f"{where}.{name}",
                "the field was removed: apps that set it through the client break, and what old clients"
                " send in it is no longer part of the call",
            )
        else:
            found.clients(f"{where}.{name}", "the field was removed from the answer: apps that read it break")
    for name in added:
        required = name in (new.get("required") or ())
        if required and direction == "request":
            found.clients(f"{where}.{name}", "a new required field: bodies of old clients lack it")
        elif required:
            found.servers(
                f"{where}.{name}", "a new required field of the answer: servers that conformed lack it"
            )
        else:
            found.compatible(f"{where}.{name}", "a new optional field")
    for name in before:
        if name in after:
            _schemas(before[name], after[name], f"{where}.{name}", direction, found)


def _required(
    before: set[str], after: set[str], new: dict[str, Any], where: str, direction: Direction, found: _Found
) -> None:
    existing = set(new.get("properties", {}))
    for name in sorted(after - before):
        if name in existing:  # a new property's being required is said with the property
            found.narrowed(f"{where}.{name}", "the field is now required", direction)
    for name in sorted(before - after):
        found.widened(f"{where}.{name}", "the field is no longer required", direction)


def _enum(before: Any, after: Any, where: str, direction: Direction, found: _Found) -> None:
    if before is None:
        found.narrowed(where, f"now limited to {after}", direction)
        return
    if after is None:
        found.widened(where, "no longer limited to a list of values", direction)
        return
    gone = [v for v in before if v not in after]
    came = [v for v in after if v not in before]
    if gone:
        found.narrowed(where, f"enum value(s) removed: {gone}", direction)
    if came:
        found.widened(where, f"enum value(s) added: {came}", direction)


def _bound(key: str, before: Any, after: Any, where: str, direction: Direction, found: _Found) -> None:
    if after is None:
        found.widened(where, f"{key} {before} was dropped", direction)
    elif before is None:
        found.narrowed(where, f"{key} {after} was added", direction)
    elif (after > before) == (key in _UPPER):
        found.widened(where, f"{key} went from {before} to {after}", direction)
    else:
        found.narrowed(where, f"{key} went from {before} to {after}", direction)


def _operation(document: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    path, method = spec.locate(document)
    inlined: dict[str, Any] = spec.inlined(document["paths"][path][method], document=document)
    return path, method, inlined


def _request(old: dict[str, Any], new: dict[str, Any], found: _Found) -> None:
    before = old.get("requestBody") or {}
    after = new.get("requestBody") or {}
    if before.get("required") != after.get("required"):
        (found.clients if after.get("required") else found.servers)(
            "request", f"the body's required changed to {after.get('required')}"
        )
    for key in ("description",):
        if before.get(key) != after.get(key):
            found.info("request", f"{key} changed (documentation only)")
    _contents(before.get("content") or {}, after.get("content") or {}, "request", "request", found)
    _parameters(old.get("parameters") or [], new.get("parameters") or [], found)


def _parameters(before: list[dict[str, Any]], after: list[dict[str, Any]], found: _Found) -> None:
    old = {(p.get("in"), p.get("name")): p for p in before}
    new = {(p.get("in"), p.get("name")): p for p in after}
    for key, param in old.items():
        where = f"parameter {key[1]} ({key[0]})"
        if key not in new:
            found.clients(where, "the parameter was removed: the client no longer takes it")
        elif param.get("required") != new[key].get("required") and new[key].get("required"):
            found.clients(where, "the parameter is now required")
        elif key in new:
            _schemas(param.get("schema"), new[key].get("schema"), where, "request", found)
    for key, param in new.items():
        if key not in old:
            where = f"parameter {key[1]} ({key[0]})"
            if param.get("required"):
                found.clients(where, "a new required parameter: requests of old clients lack it")
            else:
                found.compatible(where, "a new optional parameter")


def _responses(old: dict[str, Any], new: dict[str, Any], found: _Found) -> None:
    before, after = old.get("responses", {}), new.get("responses", {})
    for status in before:
        where = f"answer {status}"
        if status not in after:
            found.servers(where, f"status {status} was removed: servers that answer it no longer conform")
            continue
        _response(before[status], after[status], where, found)
    for status in after:
        if status not in before:
            found.clients(
                f"answer {status}",
                f"status {status} was added: clients generated before do not know it (an unexpected status)",
            )


def _response(before: dict[str, Any], after: dict[str, Any], where: str, found: _Found) -> None:
    for key in sorted(set(before) | set(after)):
        if key in ("headers", "content") or before.get(key) == after.get(key):
            continue
        if key in _DOCS:
            found.info(where, f"{key} changed (documentation only)")
        else:
            found.info(where, f"{key} changed from {before.get(key)!r} to {after.get(key)!r}")
    old_headers, new_headers = before.get("headers") or {}, after.get("headers") or {}
    for name, header in old_headers.items():
        here = f"{where} header {name}"
        if name not in new_headers:
            found.clients(here, f"the header {name} was dropped: apps that read it can no longer count on it")
            continue
        if new_headers[name].get("required") and not header.get("required"):
            found.servers(here, "the header is now required: servers that leave it out no longer conform")
        _schemas(header.get("schema"), new_headers[name].get("schema"), here, "response", found)
    for name, header in new_headers.items():
        if name not in old_headers:
            here = f"{where} header {name}"
            if header.get("required"):
                found.servers(here, "a new required header: servers that conformed do not send it")
            else:
                found.compatible(here, "a new optional header")
    _contents(before.get("content") or {}, after.get("content") or {}, where, "response", found)


def _contents(
    old_media: dict[str, Any], new_media: dict[str, Any], where: str, direction: Direction, found: _Found
) -> None:
    """A body's media types: one dropped takes away what a side sent, one added asks more of the reader."""
    for media in old_media:
        here = f"{where} {media}"
        if media not in new_media:
            found.narrowed(here, f"the media type {media} was dropped", direction)
            continue
        for key in sorted(set(old_media[media]) | set(new_media[media])):
            if key != "schema" and old_media[media].get(key) != new_media[media].get(key):
                found.info(here, f"{key} changed (documentation only)")
        _schemas(old_media[media].get("schema"), new_media[media].get("schema"), here, direction, found)
    for media in new_media:
        if media not in old_media:
            found.widened(f"{where} {media}", f"a new media type {media}", direction)


def classify(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change of the call between two loaded revisions of openapi.yaml, each with its verdict."""
    found = _Found()
    old_path, old_method, old_op = _operation(old)
    new_path, new_method, new_op = _operation(new)
    if (old_path, old_method) != (new_path, new_method):
        found.both(
            "operation",
            f"the call moved from {old_method.upper()} {old_path} to {new_method.upper()} {new_path}",
        )
    for key in ("summary", "description", "tags"):
        if old_op.get(key) != new_op.get(key):
            found.info("operation", f"{key} changed (documentation only)")
    if old_op.get("security", old.get("security")) != new_op.get("security", new.get("security")):
        found.both("security", "the credentials the call takes changed")
    old_info, new_info = old.get("info", {}), new.get("info", {})
    for key in ("title", "description"):
        if old_info.get(key) != new_info.get(key):
            found.info("info", f"{key} changed (documentation only)")
    _request(old_op, new_op, found)
    _responses(old_op, new_op, found)
    return found.changes
