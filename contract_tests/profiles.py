"""Which accepted requests count as invalid: strict (the spec), or the real server's documented leniency.

The real server binds JSON through XML (`../shared/onlyoffice-send-facts.md`,
"Leniency"): a number or boolean sent as a string is taken when the string
converts, and a lone value stands for a one-element list. The `onlyoffice`
profile applies exactly that to a body before judging it; a value that does
not convert stays invalid.
"""

from __future__ import annotations

import re
from typing import Any

from onlyoffice_contract import spec

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_BOOLEANS = {"true": True, "false": False}


def _coerce(value: Any, schema: dict[str, Any]) -> Any:
    kind = spec.json_type(schema)
    schema = spec.resolve(schema)
    if kind == "integer" and isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    if kind == "boolean" and isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    if kind == "array":
        items = value if isinstance(value, list) else [value]
        return [_coerce(item, schema.get("items", {})) for item in items]
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: _coerce(v, props[k]) if k in props else v for k, v in value.items()}
    return value


def as_onlyoffice_binds(body: Any) -> Any:
    """The body as the real server's binder reads it."""
    return _coerce(body, spec.schema(spec.request_schema_name()))


def is_valid(body: Any, profile: str) -> bool:
    """Whether a server keeping the contract under `profile` may accept `body`.

    The `mailbox` format is not judged here: the server's address parser is its
    judge, so an address it accepts is never held against it."""
    if profile == "onlyoffice":
        body = as_onlyoffice_binds(body)
    return bool(spec.validator(spec.request_schema_name()).is_valid(body))
