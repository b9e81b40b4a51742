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

from hypothesis import strategies as st

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
    # One event the real server can send: the hostile text goes in beside it (send_task.calendar).
    "calendarIcs": (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:hostile@example.org\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
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
    # RFC 2047 encoded words that decode to line breaks (CVE-2024-6923 in the interpreter's `email`)
    "=?utf-8?q?hello=0D=0AX-Injected:_yes=0D=0ABcc:_leak@evil.example?=",
    "=?utf-8?q?x=0D=0A=0D=0AX-Injected:_yes?=",
    "=?utf-8?b?DQpYLUluamVjdGVkOiB5ZXM=?= <eve@example.org>",
    # group syntax and punctuation on which `email`'s address parser raises what it should not
    "g:; <a@example.org>",
    " .,)",
    '.";"g:.;',
    # text no mail can carry as it is: a lone surrogate, an invalid encoded word beside non-ASCII
    "\ud800",
    "café =?utf-8?q?=FF?=",
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


def _attached(item: dict[str, Any]) -> bytes:
    return json.dumps({**BASE, "attachments": [item]}).encode()


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
        ("an id of 5,000 digits as text", json.dumps({**BASE, "id": "1" * 5000}).encode()),
        (
            "2,000 attachments with a fileId as text",
            json.dumps({**BASE, "attachments": [{"fileId": "1"}] * 2000}).encode(),
        ),
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
        ("an id of 5,000 digits", base + b"&id=" + b"1" * 5000),
        (
            "20,000 recipients by position",
            base + b"".join(b"&to[%d]=r%d%%40example.org" % (i, i) for i in range(20_000)),
        ),
        ("2,000 attachments", base + b"".join(b"&attachments[%d][fileId]=1" % i for i in range(2000))),
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
    # Past the limits of one message (the sandbox's defaults), and names that lead out of the files folder.
    many = [f"r{n}@example.org" for n in range(1001)]
    parts = [{"fileId": 1, "fileName": f"a{n}.txt"} for n in range(101)]
    items += [(*item, JSON_TYPE) for item in [
        ("huge recipient list", "1,001 bcc", json.dumps({**BASE, "bcc": many}).encode()),
        ("repeated attachment references", "101 parts", json.dumps({**BASE, "attachments": parts}).encode()),
        ("link out of the files folder", "storedName escape", _attached({"storedName": "escape"})),
        ("link out of the files folder", "storedName ../x", _attached({"storedName": "../outbox.sqlite3"})),
    ]]  # fmt: skip
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
    # Charsets that name a codec but no text encoding a form can be read with.
    items += [
        ("malformed (form)", f"charset={name}", param(BASE), f"{FORM_TYPE.split(';')[0]}; charset={name}")
        for name in ("idna", "punycode", "base64", "no-such-charset")
    ]
    items += [("malformed (form)", label, raw, FORM_TYPE) for label, raw in _malformed_forms()]
    return items


# -- as Hypothesis strategies: hostile text in every field, for property-based tests -----------------

# Pieces an attacker combines: line breaks of every kind, NUL, encoded words that decode to them,
# quotes and address punctuation, a lone surrogate, non-ASCII, long runs without a space.
_PIECES = [
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\u2028",
    "\t",
    "=?utf-8?q?a=0D=0AX-Injected:_yes?=",
    "=?utf-8?b?DQpCY2M6IGV2aWxAZXZpbC5leGFtcGxl?=",
    "=?utf-8?q?=FF?=",
    "=?",
    "?=",
    "X-Injected: yes",
    "Bcc: evil@evil.example",
    '"',
    "\\",
    "<",
    ">",
    ",",
    ";",
    ":",
    "@",
    "(",
    ")",
    "\ud800",
    "é",
    "Zoë",
    "漢字",
    "x" * 200,
]


def hostile_text(max_size: int = 12) -> st.SearchStrategy[str]:
    """Text made of hostile pieces and arbitrary characters."""
    piece = st.one_of(st.sampled_from(_PIECES), st.text(max_size=8))
    return st.lists(piece, max_size=max_size).map("".join)


def hostile_mailboxes(domain: str = "example.org") -> st.SearchStrategy[str]:
    """Recipients: hostile display names around a valid address, and hostile text that is none."""
    local = st.from_regex(r"[a-z][a-z0-9.+-]{0,20}", fullmatch=True)
    named = st.tuples(hostile_text(6), local).map(lambda t: f'"{t[0]}" <{t[1]}@{domain}>')
    bare = st.tuples(hostile_text(6), local).map(lambda t: f"{t[0]} <{t[1]}@{domain}>")
    plain = local.map(lambda lp: f"{lp}@{domain}")
    # Mostly addresses that can pass, so that the tests reach what is done with accepted ones.
    forms = [plain, plain, plain, named, named, named, bare, bare, bare, hostile_text(6)]
    return st.integers(0, len(forms) - 1).flatmap(lambda i: forms[i])


def _value(prop: dict[str, Any], mailbox: bool) -> st.SearchStrategy[Any]:
    kind = spec.json_type(prop)
    resolved = spec.resolve(prop)
    if kind == "string":
        return hostile_mailboxes() if mailbox else hostile_text()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        enum = resolved.get("enum")
        return st.sampled_from(enum) if enum else st.integers(-(2**31), 2**31 - 1)
    if kind == "array":
        item = spec.resolve(resolved.get("items", {}))
        if spec.json_type(item) == "object":
            return st.lists(attachment_objects(item), max_size=3)
        return st.lists(_value(resolved.get("items", {}), mailbox), max_size=2)
    return st.nothing()


def attachment_objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = {name: _value(prop, False) for name, prop in schema.get("properties", {}).items()}
    return st.fixed_dictionaries({}, optional=properties)


def request_bodies(sender: str) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies over the request schema's fields (read from openapi.yaml), every string hostile, from
    `sender`; many break a rule and are refused, the rest must be sendable."""
    mailboxes = spec.mailbox_fields()
    optional = {
        name: _value(prop, name in mailboxes)
        for name, prop in spec.request_properties().items()
        if name not in {"from", "id", spec.recipient_fields()[0]}
    }
    first = spec.recipient_fields()[0]  # one recipient field always holds some: most bodies can pass
    required = {"from": st.just(sender), first: st.lists(hostile_mailboxes(), min_size=1, max_size=2)}
    return st.fixed_dictionaries(required, optional=optional)
