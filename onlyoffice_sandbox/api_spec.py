"""sandbox-api.yaml, the description of the sandbox's own endpoints, loaded once, and its validators.

The file ships inside this package (in the source tree, `sandbox-api.yaml` here is a link
to the one at the repository's root). The server validates the bodies it is given with it,
and the fault kinds and SMTP codes it accepts are read from it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

from onlyoffice_contract import spec

SPEC_PATH = Path(__file__).resolve().parent / "sandbox-api.yaml"


@functools.cache
def load() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        document: dict[str, Any] = yaml.load(f, Loader=spec.SAFE_LOADER)  # noqa: S506 - a safe loader
    return document


def _inlined(node: Any) -> Any:
    return spec.inlined(node, document=load())


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = _inlined(load()["components"]["schemas"][name])
    return found


@functools.cache
def validator(name: str) -> Validator:
    """A validator of components/schemas/<name>, every `$ref` inlined."""
    from openapi_schema_validator import OAS30Validator  # here: the delivery process never validates

    return OAS30Validator(schema(name), format_checker=OAS30Validator.FORMAT_CHECKER)


def enum(name: str, prop: str) -> list[Any]:
    values: list[Any] = schema(name)["properties"][prop]["enum"]
    return values


def parameter_schema(name: str) -> dict[str, Any]:
    """The schema of components/parameters/<name>."""
    found: dict[str, Any] = _inlined(load()["components"]["parameters"][name]["schema"])
    return found


@functools.cache
def operation(operation_id: str) -> dict[str, Any]:
    """The operation with this operationId, every `$ref` inlined."""
    for item in load()["paths"].values():
        for found in item.values():
            if isinstance(found, dict) and found.get("operationId") == operation_id:
                inlined: dict[str, Any] = _inlined(found)
                return inlined
    raise LookupError(f"sandbox-api.yaml has no operation {operation_id!r}")


@functools.cache
def query_parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    """The query parameters of an operation, each name with its schema."""
    return {
        p["name"]: p["schema"] for p in operation(operation_id).get("parameters", []) if p["in"] == "query"
    }
