"""openapi.yaml, loaded once, and validators for the schemas it declares.

The client's generator, the suite and the sandbox all read field lists, formats
and statuses from here, so nothing the spec says is typed a second time. The
file ships inside this package (in the source tree, `openapi.yaml` here is a
link to the one at the repository's root).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SPEC_PATH = Path(__file__).resolve().parent / "openapi.yaml"
# The one operation this project is about; its path and method are read from the spec.
OPERATION_ID = "sendMessage"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# libyaml's parser where PyYAML has it (the same safe constructor): every process of the sandbox and
# the suite reads the spec at its start, and the pure-Python parser took 26 ms of CPU, this 3.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def load() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        spec: dict[str, Any] = yaml.load(f, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    return spec


def locate(document: dict[str, Any]) -> tuple[str, str]:
    """The path and method of the call in `document` (openapi.yaml, or another revision of it)."""
    found = [
        (path, method)
        for path, item in document.get("paths", {}).items()
        for method in _METHODS
        if item.get(method, {}).get("operationId") == OPERATION_ID
    ]
    if len(found) != 1:
        raise LookupError(f"openapi.yaml must declare operationId {OPERATION_ID!r} once, found {found}")
    return found[0]


@functools.cache
def _locate() -> tuple[str, str]:
    return locate(load())


OPERATION_PATH, OPERATION_METHOD = _locate()
# The route takes a format suffix and is the same call (`ApiRouteRegistrator.cs` 43-48); the XML ones
# answer XML unless the request is `application/json` (`JsonNetSerializer.cs` 44). Any other: 404.
XML_SUFFIXES = (".xml", ".tml")
FORMAT_SUFFIXES = (".json", *XML_SUFFIXES)


def operation_routes() -> tuple[str, ...]:
    """Every path of the send call: the spec's, then with each format suffix (`send.json`)."""
    return (OPERATION_PATH, *(OPERATION_PATH + suffix for suffix in FORMAT_SUFFIXES))


def operation() -> dict[str, Any]:
    op: dict[str, Any] = load()["paths"][OPERATION_PATH][OPERATION_METHOD]
    return op


def resolve(node: dict[str, Any], document: dict[str, Any] | None = None) -> dict[str, Any]:
    """Follow a local `$ref` (one level at a time, until there is none), in openapi.yaml or `document`."""
    while "$ref" in node:
        target: Any = load() if document is None else document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def inlined(node: Any, following: tuple[str, ...] = (), document: dict[str, Any] | None = None) -> Any:
    """`node` with every local `$ref` replaced by what it names, in openapi.yaml or `document` (the
    sandbox's own spec); a recursive schema is refused, neither spec has one."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in following:
                raise ValueError(f"recursive schema at {ref}: not supported")
            return inlined(resolve(node, document), (*following, ref), document)
        return {key: inlined(value, following, document) for key, value in node.items()}
    if isinstance(node, list):
        return [inlined(item, following, document) for item in node]
    return node


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = load()["components"]["schemas"][name]
    return found


@functools.cache
def validator(name: str, *, formats: bool = False) -> Validator:
    """A validator of components/schemas/<name>, with the spec's `$ref`s resolvable.

    With `formats`, the OpenAPI formats that jsonschema checks are checked too;
    this spec's own `mailbox` format is never checked here: its judge is the
    server's address parser (`mailbox.parse_mailbox`).
    """
    # Imported here: the sandbox's delivery process reads this module and never validates, and the
    # validators' import was most of its start (0.25 s of CPU for each sandbox a test starts).
    from openapi_schema_validator import OAS30Validator

    # Inlined, because following `$ref`s on every call was half the time of a validation.
    root = inlined(schema(name))
    if formats:
        return OAS30Validator(root, format_checker=OAS30Validator.FORMAT_CHECKER)
    return OAS30Validator(root)


def as_json_schema(node: Any) -> Any:
    """An inlined OpenAPI 3.0 schema as plain JSON Schema (draft 4): `nullable` becomes a "null" type."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: as_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        else:
            converted = {"anyOf": [{"type": "null"}, converted]}
    return converted


class Compiled:
    """A compiled validator (jsonschema-rs) of one schema: the verdict only, many times faster than
    `validator()`. A value it cannot take (an integer beyond 64 bits) is judged by `validator()`."""

    def __init__(self, name: str) -> None:
        import jsonschema_rs  # here, as the validators above

        self._rust = jsonschema_rs.Draft4Validator(as_json_schema(inlined(schema(name))))
        self._judge = validator(name)

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._rust.is_valid(instance))
        except (ValueError, TypeError, OverflowError):
            return bool(self._judge.is_valid(instance))


@functools.cache
def compiled(name: str) -> Compiled:
    return Compiled(name)


def declared_statuses() -> list[int]:
    return sorted(int(code) for code in operation()["responses"])


def success_status() -> int:
    """The status of an accepted send: the operation's one declared 2xx."""
    (status,) = [code for code in declared_statuses() if 200 <= code < 300]
    return status


def media_types(status: int) -> tuple[str, ...]:
    """The content types the operation declares for `status` (401: the real server's, then a proxy's)."""
    return tuple(resolve(operation()["responses"][str(status)]).get("content", {}))


def request_schema_name() -> str:
    """The name of the schema the operation's JSON body must match (SendMessageRequest)."""
    ref: str = operation()["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def request_properties() -> dict[str, Any]:
    properties: dict[str, Any] = schema(request_schema_name())["properties"]
    return properties


def merged(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its `$ref` followed and the `allOf` that wraps one merged in."""
    node = resolve(prop)
    for part in node.get("allOf", []):
        node = {**resolve(part), **{k: v for k, v in node.items() if k != "allOf"}}
    return node


def json_type(prop: dict[str, Any]) -> str | None:
    """A property's JSON type, through a `$ref` or the `allOf` that wraps one."""
    kind = merged(prop).get("type")
    return kind if isinstance(kind, str) else None


def mailbox_fields() -> dict[str, bool]:
    """The request's fields of format `mailbox`, each with whether it is a list of them."""
    found = {}
    for name, prop in request_properties().items():
        is_list = json_type(prop) == "array"
        if resolve(prop.get("items", prop) if is_list else prop).get("format") == "mailbox":
            found[name] = is_list
    return found


def recipient_fields() -> tuple[str, ...]:
    """The fields that deliver mail to whoever they name: the list-valued mailbox fields (To, Cc, Bcc)."""
    return tuple(name for name, is_list in mailbox_fields().items() if is_list)


def extension(prop: str, name: str) -> Any:
    """The `x-` extension `name` of the request's property `prop` (a limit the spec states beside its
    schema, such as `x-total-size-limit`): a fact of the call read here, never retyped."""
    node = request_properties()[prop]
    if name not in node:
        raise LookupError(f"openapi.yaml: {request_schema_name()}.{prop} has no {name}")
    return node[name]


def refused_before_the_call() -> tuple[int, ...]:
    """The declared statuses that the portal's state or a filter answers before the call runs
    (`x-refused-before-the-call` on the response): no request can produce them."""
    return tuple(
        status
        for status in declared_statuses()
        if resolve(operation()["responses"][str(status)]).get("x-refused-before-the-call") is True
    )
