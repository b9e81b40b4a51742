"""The web client's wire: a message as `jQuery.param` writes it for `$.ajax({type: "PUT", data})`.

ONLYOFFICE's web client (`js/asc/api/api.helper.js`) hands the message object to
jQuery with `processData` on and no content type, so jQuery sends
`application/x-www-form-urlencoded` in its bracket notation (`traditional: false`):
`to[]=a&to[]=b`, `attachments[0][fileId]=4311`, `true`/`false`, null and undefined as
the empty value, empty arrays and objects left out, `%20` written as `+` (jQuery 1.x).
This is a test's encoder: the binder in the contract core is what reads it.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"  # what jQuery sends


def _text(value: Any) -> str:
    """String(value) in JavaScript, for what a message holds."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def _component(text: str) -> str:
    """encodeURIComponent; a lone surrogate, on which it throws, as the bytes a hostile client can
    send instead (ED A0 80: not UTF-8, for the binder to deal with)."""
    return quote(text, safe="-_.!~*'()", errors="surrogatepass")


def param(data: dict[str, Any]) -> bytes:
    """jQuery.param(data): the body the web client sends."""
    pairs: list[str] = []

    def add(key: str, value: Any) -> None:
        pairs.append(f"{_component(key)}={_component(_text(value))}")

    def build(prefix: str, value: Any) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                if prefix.endswith("[]"):
                    add(prefix, item)
                else:
                    nested = isinstance(item, dict | list)
                    build(f"{prefix}[{i if nested else ''}]", item)
        elif isinstance(value, dict):
            for name, item in value.items():
                build(f"{prefix}[{name}]", item)
        else:
            add(prefix, value)

    for name, value in data.items():
        build(name, value)
    return "&".join(pairs).replace("%20", "+").encode("ascii")
