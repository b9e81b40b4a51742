"""The hostile corpus: what an attacker or a broken client sends, for the tests and `make drill`.

Every string field the spec declares (read from openapi.yaml) gets each injection;
`corpus()` adds a value of every wrong type for every field, overlong addresses
and malformed bodies.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from onlyoffice_contract import spec

BASE: dict[str, Any] = {
    "from": "sandbox@example.test",
    "to": ["bob@example.org"],
    "cc": ["carol@example.org"],
    "bcc": ["dave@example.org"],
    "mimeReplyToId": "<orig@example.org>",
    "subject": "Hello",
    "body": "<p>Hello</p>",
    "calendarIcs": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "attachments": [
        {
            "fileId": 1,
            "fileName": "a.txt",
            "contentType": "text/plain",
            "contentId": "",
            "storedName": "",
            "streamId": "s",
            "tempStoredUrl": "u",
        }
    ],
}
INJECTIONS = [
    "x\r\nX-Injected: yes",
    "x\nX-Injected: yes",
    "x\rX-Injected: yes",
    "x\x00X-Injected: yes",
    "x\r\n\r\nX-Injected: yes",
    "x\u2028X-Injected: yes",
    "x\r\nBcc: evil@evil.example",
    "x" * 100_000 + "\r\nX-Injected: yes",
    "Zoë\r\n\tX-Injected: yes",
    "Eve\r\nX-Injected: yes <eve@example.org>",
    "eve@example.org\r\nX-Injected: yes",
    '"Eve\r\nBcc: evil@evil.example" <eve@example.org>',
]


def string_paths(schema: dict[str, Any], prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where the request holds strings, read from openapi.yaml: ('to', 0), ('attachments', 0, 'fileName')."""
    for name, prop in schema.get("properties", {}).items():
        prop = spec.resolve(prop)
        items = spec.resolve(prop.get("items", {}))
        if prop.get("type") == "string":
            yield (*prefix, name)
        elif items.get("type") == "string":
            yield (*prefix, name, 0)
        elif items.get("type") == "object":
            yield from string_paths(items, (*prefix, name, 0))


PATHS = list(string_paths(spec.schema(spec.request_schema_name())))


def with_value(path: tuple[Any, ...], value: str) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    target: Any = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return payload


def wrong_types() -> list[tuple[str, Any]]:
    """A value of every wrong JSON type for every field, read from the spec."""
    samples = {
        "string": "x",
        "integer": 2**40,
        "boolean": True,
        "array": ["x"],
        "object": {"x": 1},
        "null": None,
    }
    cases = []
    for name, prop in spec.request_properties().items():
        kind = spec.json_type(prop)
        for other, value in samples.items():
            if other != kind:
                cases.append((f"{name} as {other}", {**BASE, name: value}))
    return cases


def corpus() -> list[tuple[str, str, bytes]]:
    """(kind, label, raw body): at least 200 hostile payloads."""
    items = []
    for path in PATHS:
        for value in INJECTIONS:
            items.append(
                ("injection", f"{path}: {value[:20]!r}", json.dumps(with_value(path, value)).encode())
            )
    for label, payload in wrong_types():
        items.append(("wrong type", label, json.dumps(payload).encode()))
    for name, is_list in spec.mailbox_fields().items():
        long = "a" * 5000 + "@example.org"
        payload = {**BASE, name: [long, "Long " * 2000 + "<x@example.org>"] if is_list else long}
        items.append(("overlong address", name, json.dumps(payload).encode()))
    items += [
        ("malformed", "not JSON", b"{not json"),
        ("malformed", "invalid UTF-8", b'{"from": "\xff\xfe"}'),
        ("malformed", "raw NUL", b'{"from": "a\x00b"}'),
        ("malformed", "deep nesting", b"[" * 200_000 + b"]" * 200_000),
        ("malformed", "deep object nesting", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        ("malformed", "empty", b""),
        ("malformed", "a number", b"7"),
        ("malformed", "huge number", b'{"id": 1' + b"0" * 5000 + b"}"),
    ]
    return items
