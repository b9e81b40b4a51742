"""The hostile corpus: what an attacker or a broken client sends, for the tests and `make drill`.

Every string field the spec declares (read from openapi.yaml) gets each injection;
`corpus()` adds a value of every wrong type for every field, overlong addresses,
malformed bodies, bodies aimed at the real server's binder (XML names, `#text`,
attributes, duplicates, deep nesting), and all of it again as the web client's form.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from harness.form_wire import FORM_TYPE, param
from onlyoffice_contract import spec

JSON_TYPE = "application/json"

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


def _binder_aimed() -> list[tuple[str, bytes]]:
    """JSON that the real server's binder reads its own way: through XML, by name, by position."""
    head = json.dumps(BASE)[1:-1]
    return [
        ("a property name that is not an XML name", b'{"a b": 1, ' + head.encode() + b"}"),
        ("an empty property name", b'{"": 1, ' + head.encode() + b"}"),
        ("#text for from", json.dumps({**BASE, "from": {"#text": BASE["from"]}}).encode()),
        ("an attribute holding an object", b'{"@a": {}, ' + head.encode() + b"}"),
        ("a processing instruction", b'{"?xml": {"@version": "1.0"}, ' + head.encode() + b"}"),
        ("$values", json.dumps({**BASE, "to": {"$values": ["x@example.org"]}}).encode()),
        ("every name twice", ("{" + head + ", " + head + "}").encode()),
        ("objects nested 64 deep", json.dumps({**BASE, "subject": _nested(63)}).encode()),
        ("objects nested 65 deep", json.dumps({**BASE, "subject": _nested(64)}).encode()),
        ("lists in lists", json.dumps({**BASE, "to": [[["x@example.org"]]], "tags": [[1, [2]]]}).encode()),
        (
            "an attachment bound to nothing first",
            json.dumps({**BASE, "attachments": [{}, {"fileId": 1}]}).encode(),
        ),
        ("10,000 unknown names", json.dumps({**BASE, **{f"k{i}": i for i in range(10_000)}}).encode()),
        ("1,000 recipients", json.dumps({**BASE, "bcc": ["x@example.org"] * 1_000}).encode()),
    ]


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def _malformed_forms() -> list[tuple[str, bytes]]:
    base = param(BASE)
    return [
        ("bad percent escapes", base + b"&subject=%zz%&body=%"),
        ("invalid UTF-8", base + b"&subject=%ff%fe"),
        ("a NUL", base + b"&subject=a%00b"),
        ("no '=' anywhere", b"from&to[]&subject"),
        ("an empty key", base + b"&=5"),
        ("keys 100,000 brackets deep", base + b"&attachments" + b"[0]" * 100_000 + b"=1"),
        ("an attachment at position 2147483647", base + b"&attachments[2147483647][fileId]=1"),
        ("an attachment at position 99999999999", base + b"&attachments[99999999999][fileId]=1"),
        ("two keys for one member", base + b"&attachments[0][fileName]=a&attachments[0][[fileName]]=b"),
        ("100,000 pairs", base + b"&x=1" * 100_000),
        ("only separators", b"&&&&=&=="),
    ]


def corpus() -> list[tuple[str, str, bytes, str]]:
    """(kind, label, raw body, content type): at least 400 hostile payloads, JSON and form."""
    items = []
    for path in PATHS:
        for value in INJECTIONS:
            payload = with_value(path, value)
            label = f"{path}: {value[:20]!r}"
            items.append(("injection", label, json.dumps(payload).encode(), JSON_TYPE))
            items.append(("injection (form)", label, param(payload), FORM_TYPE))
    for label, payload in wrong_types():
        items.append(("wrong type", label, json.dumps(payload).encode(), JSON_TYPE))
        items.append(("wrong type (form)", label, param(payload), FORM_TYPE))
    for name, is_list in spec.mailbox_fields().items():
        long = "a" * 5000 + "@example.org"
        payload = {**BASE, name: [long, "Long " * 2000 + "<x@example.org>"] if is_list else long}
        items.append(("overlong address", name, json.dumps(payload).encode(), JSON_TYPE))
    items += [(*item, JSON_TYPE) for item in [
        ("malformed", "not JSON", b"{not json"),
        ("malformed", "invalid UTF-8", b'{"from": "\xff\xfe"}'),
        ("malformed", "raw NUL", b'{"from": "a\x00b"}'),
        ("malformed", "deep nesting", b"[" * 200_000 + b"]" * 200_000),
        ("malformed", "deep object nesting", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        ("malformed", "empty", b""),
        ("malformed", "a number", b"7"),
        ("malformed", "huge number", b'{"id": 1' + b"0" * 5000 + b"}"),
    ]]  # fmt: skip
    items += [("aimed at the binder", label, raw, JSON_TYPE) for label, raw in _binder_aimed()]
    items += [("malformed (form)", label, raw, FORM_TYPE) for label, raw in _malformed_forms()]
    return items
