"""The known disagreements between the Python binder and the oracle (Mono, Newtonsoft.Json 6.0.8), each
with its cause and the source line that shows the real server's side.

The differential test (tests/test_binder_oracle.py) accepts a disagreement only when a gap here
`applies` to it; each gap's `example` is asked again on every run and must still disagree, so a
gap that no longer holds cannot stay listed. docs/binder-oracle.md explains each one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

JSON_TYPE = "application/json"
Answer = dict[str, Any]


@dataclass(frozen=True)
class Gap:
    name: str
    cause: str
    source: str  # where the real server's side is seen (its code, or Newtonsoft.Json 13.0.1's)
    example: tuple[bytes, str, bytes]  # a request on which the two disagree because of it
    applies: Callable[[bytes, str, Answer, Answer], bool]  # (body, content type, python, oracle)


def _names_and_values(raw: bytes, content_type: str) -> Iterator[tuple[str, Any]]:
    """Every (property name, value) of a JSON body, at any depth; nothing for another body."""
    if content_type.split(";")[0].strip() != JSON_TYPE:
        return
    try:
        body = json.loads(raw, object_pairs_hook=lambda pairs: pairs)
    except ValueError:
        return

    def walk(value: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(value, list) and all(isinstance(p, tuple) for p in value) and value:
            for name, member in value:
                yield name, member
                yield from walk(member)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    yield from walk(body)


def _refusal(answer: Answer) -> str:
    refused = answer.get("refused")
    return str(refused.get("message", "")) if refused else ""


def _outside_int64(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | list | tuple):
        return False
    if isinstance(value, int):
        return not -(2**63) <= value < 2**63
    return any(_outside_int64(item) for item in value)


def _big_integer(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    return "Specified cast is not valid" in _refusal(theirs) and any(
        _outside_int64(value) for _, value in _names_and_values(raw, content_type)
    )


def _attribute_array(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    return "token type 'StartArray'" in _refusal(theirs) and any(
        name.startswith("@") and isinstance(value, list)
        for name, value in _names_and_values(raw, content_type)
    )


_DOLLAR_NAMES = {"$id", "$ref", "$type", "$value", "$values"}


def _dollar_name(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    names = {name for name, _ in _names_and_values(raw, content_type)}
    if "$values" in names:  # 6.0.8 drops it in an object: what follows from that differs, bound or not
        return True
    message = _refusal(theirs)  # otherwise only what 6.0.8 throws for them
    thrown = "cannot begin with the '$' character" in message or "Object reference not set" in message
    return thrown and bool(names & _DOLLAR_NAMES)


def _raw_exception(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    refused = theirs.get("refused") or {}
    return (
        "refused" in ours
        and ours["refused"]["status"] in (400, 403)
        and refused.get("status") == 500
        and refused.get("exception") in ("ArgumentOutOfRangeException", "InvalidOperationException")
    )


def _texts(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _near(a: Any, b: Any) -> bool:
    """Two texts of one double, to 15 or 17 digits: they read as numbers within 1e-14 of each other,
    or, for a subnormal (where 1e-14 of the value is less than one step), within two steps of the
    doubles there (Mono read `2.2250738585e-313` one step below the correctly rounded double)."""
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    larger = max(abs(x), abs(y))
    return a != b and abs(x - y) <= max(1e-14 * larger, 2 * math.ulp(larger))


def _double_digits(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    if "bound" not in ours or "bound" not in theirs:
        return False
    differing = [name for name in ours["bound"] if ours["bound"][name] != theirs["bound"][name]]
    for name in differing:
        a, b = _texts(ours["bound"][name]), _texts(theirs["bound"][name])
        if len(a) != len(b) or not all(x == y or _near(x, y) for x, y in zip(a, b, strict=True)):
            return False
    return bool(differing)


_TEXT_NAMES = {"#text", "#cdata-section", "#whitespace", "#significant-whitespace"}


def _text_value(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> bool:
    def typed(value: Any) -> bool:
        if isinstance(value, list):
            return any(typed(item) for item in value)
        return isinstance(value, bool | float)

    return any(name in _TEXT_NAMES and typed(value) for name, value in _names_and_values(raw, content_type))


NEWTONSOFT_13 = "Newtonsoft.Json 13.0.1, Src/Newtonsoft.Json/Converters/XmlNodeConverter.cs"

GAPS: list[Gap] = [
    Gap(
        "newtonsoft-6-big-integer",
        "A JSON integer outside Int64 is a BigInteger: Newtonsoft 13.0.1 writes its digits into the XML,"
        " 6.0.8 casts it to Int64 and throws (the body is refused).",
        f"{NEWTONSOFT_13}:1751 (`if (reader.Value is BigInteger i) return i.ToString(...)`)",
        (b'{"subject": 9223372036854775808}', JSON_TYPE, b""),
        _big_integer,
    ),
    Gap(
        "newtonsoft-6-attribute-array",
        "An array under an `@` name: Newtonsoft 13.0.1 makes each item an attribute (none for an empty"
        " array), 6.0.8 cannot read an array as an attribute's text and throws.",
        f"{NEWTONSOFT_13}:2083 (DeserializeNode: each item of an array under the property's name)",
        (b'{"@x": []}', JSON_TYPE, b""),
        _attribute_array,
    ),
    Gap(
        "newtonsoft-6-dollar-names",
        "`$id`, `$ref`, `$type`, `$value` are attributes and `$values` an element `values` in Newtonsoft"
        " 13.0.1; 6.0.8 reads them otherwise: as an element name with a `$`, which XML refuses (`$id: 0`),"
        " with a NullReferenceException (`$id: []`), or as metadata it drops (`$values` in an object).",
        f"{NEWTONSOFT_13}:1642 (ReadElement: `if (propertyName.StartsWith('$'))`)",
        (b'{"subject": "s", "$id": 0}', JSON_TYPE, b""),
        _dollar_name,
    ),
    Gap(
        "newtonsoft-6-text-value",
        "A boolean or a double under `#text` (or `#cdata-section`, `#whitespace`...): Newtonsoft 13.0.1"
        ' writes it as XML does (`false`, "R" digits), 6.0.8 with .NET\'s ToString (`False`, 15 digits).',
        f"{NEWTONSOFT_13}:1575 (`case TextName: ... CreateTextNode(ConvertTokenToXmlValue(reader))`)",
        (b'{"subject": {"#text": false}}', JSON_TYPE, b""),
        _text_value,
    ),
    Gap(
        "mono-double-digits",
        'A double that is not an integer is written with XmlConvert.ToString, "R": 15 digits when they read'
        " back as the same double, else 17. Mono decides that with its own double parser, which is not"
        " correctly rounded for subnormal and some extreme values (-2.225073858507203e-309 is written"
        " with 15 digits, which do not read back); the Python binder decides it with a correctly"
        " rounded one. Only a string parameter sent such a number sees it.",
        f"{NEWTONSOFT_13}:1769 (`return XmlConvert.ToString(Convert.ToDouble(reader.Value, ...))`)",
        (b'{"subject": -2.225073858507203e-309}', JSON_TYPE, b""),
        _double_digits,
    ),
    Gap(
        "raw-binder-exception-status",
        "BuildCallingArguments runs outside the call's try, so an exception the binder throws itself"
        " (List.Insert's ArgumentOutOfRangeException when an attachment before another binds to"
        " nothing; SingleOrDefault's InvalidOperationException when two keys name one member) reaches"
        " ApiHttpHandler unwrapped: its last catch answers 500. The Python binder answers 400 (403)"
        " instead, kept on purpose: the sandbox never answers a malformed request with a 500. The"
        " binder marks such a refusal `unhandled`, and the suite's onlyoffice profile takes the real"
        " server's 500 for it as the known deviation `binder-exception` (defects.py).",
        "module/ASC.Api/ASC.Api/Impl/ApiManager.cs:66 and Impl/ApiHttpHandler.cs:132"
        " (CommunityServer v12.7.1)",
        (b'{"attachments": [{}, {"fileId": 1}]}', JSON_TYPE, b""),
        _raw_exception,
    ),
]


def explained(raw: bytes, content_type: str, ours: Answer, theirs: Answer) -> Gap | None:
    """The known gap that explains this disagreement, or None."""
    return next((gap for gap in GAPS if gap.applies(raw, content_type, ours, theirs)), None)
