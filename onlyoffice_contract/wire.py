"""The request as the real server reads it before binding: one name/value collection of text.

`module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`, `GetRequestParams`: the query
string first, then the body. A JSON body is not deserialized into the method's types:
Newtonsoft turns it into XML (`JsonConvert.DeserializeXNode(body, "request")`), and
`FillCollectionFromXElement` flattens that XML into a .NET `NameValueCollection`:
- an element with no child element is one value, its text: `"id": 5` is `id` = `5`,
  `true` is `true`, `null` and `{}` are the empty text;
- a JSON array is its items, each an element of the array's name: `"to": ["a", "b"]` is
  `to` = `a`, `to` = `b`, the same as two `to` keys; `"to": "a"` and `"to": ["a"]` are the
  same XML; an empty array is nothing at all;
- an object is flattened under its name: one attachment is `attachments[fileId]`, several
  are `attachments[0][fileId]`, `attachments[1][fileId]`... (deeper levels get names that
  nothing reads: the server's `AddElement` walks the characters of the prefix);
- a property name must be an XML name, or the body is refused ("Unable to deserialize
  json"); `@name` and `$id`, `$ref`, `$type`, `$value` are attributes and `#text` is text,
  which no parameter reads; a nested array is an element of the array's name.
A form body (`application/x-www-form-urlencoded`, jQuery's bracket notation) is its
pairs as they are: `to[]` = `a`, `attachments[0][fileId]` = `4311`.

Modelled with these limits: Newtonsoft's lenient JSON syntax (comments, single quotes,
unquoted names) is refused here; a string that reads as an ISO 8601 date, which
Newtonsoft rewrites, is kept as it is; names with a namespace prefix (`a:b`) are refused;
JSON deeper than 64 levels is refused, as Newtonsoft.Json 13 does (`MaxDepth`); a flattened key
whose part before its last `[name]` is longer than 64 characters keeps its first 64 and a number
for the rest (`_Prefix`): no parameter reads such a key, unless a name is followed by more than 60
dots, brackets and dots only, which is not modelled.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import KeysView
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from onlyoffice_contract.dotnet import double_text


class Unreadable(ValueError):
    """The body cannot be read into the collection: the real server answers 400."""


UNABLE = "Unable to deserialize json"
MAX_DEPTH = 64  # Newtonsoft.Json 13: JsonSerializerSettings.MaxDepth
TEXT = "text"  # the kind of a value that came as text (a form body, the query string)
_TEXT_NAMES = {"#text", "#cdata-section", "#whitespace", "#significant-whitespace"}
_ATTRIBUTE_NAMES = {"$id", "$ref", "$type", "$value"}
# XML 1.0 (fifth edition) names, without ':' (a namespace prefix is not modelled).
_NAME_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_XML_NAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\xb7\u0300-\u036f\u203f\u2040]*\\Z")


@dataclass(frozen=True, slots=True)  # slots: a 2.9 MB form is 360,000 of them
class Entry:
    """One value of the collection, with where it came from (for the leniency notes)."""

    key: str
    value: str
    kind: str  # the JSON type it was written as (string, number, boolean, null, object), or TEXT
    written: str | None = None  # how it was written, when not as its text (`1.0`, `null`, `{}`)
    from_array: bool = False  # an item of a JSON array
    in_query: bool = False

    @property
    def shown(self) -> str:
        """How it was written, for a note: `"1234"`, `1.0`, `null` (made when a note needs it)."""
        return shown(self.value) if self.written is None else self.written


class Collection:
    """A .NET NameValueCollection: keys compared ignoring case, in the order first added, each with values.

    One dictionary, by the folded key, of the key's entry, or its entries when it has several: a
    2.9 MB form is 360,000 keys, and each key's cost is what a form's memory is made of."""

    def __init__(self) -> None:
        self._items: dict[str, Entry | list[Entry]] = {}  # the first entry's key is the key as first added

    def add(self, entry: Entry) -> None:
        folded = entry.key.lower()
        found = self._items.get(folded)
        if found is None:
            self._items[folded] = entry
        elif isinstance(found, Entry):
            self._items[folded] = [found, entry]
        else:
            found.append(entry)

    @staticmethod
    def _first(found: Entry | list[Entry]) -> Entry:
        return found if isinstance(found, Entry) else found[0]

    def names(self) -> list[str]:
        """AllKeys (without the null key, which the binder skips)."""
        return [self._first(found).key for found in self._items.values()]

    def folded(self) -> KeysView[str]:
        """AllKeys in lower case (`name_of` gives each as first added): scanned at C speed."""
        return self._items.keys()

    def name_of(self, folded: str) -> str:
        """A key of `folded()` as it was first added."""
        return self._first(self._items[folded]).key

    def entries(self, name: str) -> list[Entry]:
        """GetValues(name), with their origins; [] when the key is absent."""
        found = self._items.get(name.lower())
        return [] if found is None else [found] if isinstance(found, Entry) else found

    def text(self, name: str) -> str | None:
        """The indexer, `collection[name]`: the values joined by ',', None when the key is absent."""
        found = self._items.get(name.lower())
        return None if found is None else ",".join(e.value for e in self.entries(name))

    def __len__(self) -> int:
        return len(self._items)


# -- JSON: through the XML that Newtonsoft makes of it ---------------------------------------------


@dataclass(slots=True)
class _Element:
    name: str
    kind: str
    value: Any  # as parsed; shown in a note only if it becomes a value (a leaf), so once
    from_array: bool
    text: str = ""
    children: list[_Element] = field(default_factory=list)
    attributes: set[str] | None = None  # the names of its attributes, once it has one


def _plain(value: Any) -> Any:
    if isinstance(value, Pairs):
        return {name: _plain(member) for name, member in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def shown(value: Any) -> str:
    """A value as it was written, short and in ASCII: notes go into HTTP headers and logs."""
    text = json.dumps(_plain(value), ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, Pairs) else "array"


def _token_text(value: Any) -> str:
    """ConvertTokenToXmlValue: a scalar as XML text; an object or array there is an error."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return double_text(value)
    if isinstance(value, str):
        return value
    raise Unreadable(f"{UNABLE}: a {_kind(value)} where XML text is expected")


class Pairs(list[tuple[str, Any]]):
    """A JSON object with its members in order, duplicates kept (json's object_pairs_hook)."""


def _element(name: str, value: Any, from_array: bool, depth: int) -> _Element:
    if depth > MAX_DEPTH:
        raise Unreadable(f"{UNABLE}: nested deeper than {MAX_DEPTH} levels")
    if not _XML_NAME.match(name):
        raise Unreadable(f"{UNABLE}: {shown(name)} is not an XML name")
    element = _Element(name, _kind(value), value, from_array)
    if isinstance(value, list) and not isinstance(value, Pairs):  # an array in an array: an element too
        for item in value:
            _member(element, name, item, True, depth + 1)
    elif isinstance(value, Pairs):
        for member_name, member in value:
            _members(element, member_name, member, depth + 1)
    elif value is not None:
        element.text = _token_text(value)
    return element


def _member(parent: _Element, name: str, value: Any, from_array: bool, depth: int) -> None:
    """DeserializeValue: one value under `parent`, by the rules of its name."""
    if name in _TEXT_NAMES:
        parent.text += _token_text(value)
    elif name.startswith(("?", "@")) or name in _ATTRIBUTE_NAMES or name.lower() == "!doctype":
        _token_text(value)  # an attribute or a declaration: no parameter reads it, but it must be text
        if name[:1] in "@$":  # an element takes an attribute once (XElement.Add: "Duplicate attribute")
            parent.attributes = parent.attributes or set()
            if name[1:] in parent.attributes:
                raise Unreadable(f"{UNABLE}: the attribute {shown(name[1:])} given twice")
            parent.attributes.add(name[1:])
    else:
        if not name:  # checked when an element is made: `"": []` makes none, and is read
            raise Unreadable(f"{UNABLE}: an empty property name")
        parent.children.append(_element("values" if name == "$values" else name, value, from_array, depth))


def _members(parent: _Element, name: str, value: Any, depth: int) -> None:
    if isinstance(value, list) and not isinstance(value, Pairs):
        for item in value:  # each item is an element of the array's name; an empty array is nothing
            _member(parent, name, item, True, depth)
    else:
        _member(parent, name, value, False, depth)


# A key's part before its last `[name]` longer than this is kept as its first HEAD characters (what a
# parameter or a note reads is shorter) and
# a number that stands for the rest (see `_Prefix`).
HEAD = 64


@dataclass(frozen=True, slots=True)
class _Prefix:
    """FillCollectionFromXElement's prefix (`.attachments[0]`, `.a.b`), without writing it out.

    AddElement makes each value's key from every character of its prefix: `a[a][.][b][leaf]`
    for `.a.b`, so one long name over many leaves was hundreds of megabytes of keys, and a
    second written anew for each leaf. What reads keys looks only at their start (a parameter's
    name, `attachments[12]`) and their last `[name]`, and compares whole keys ignoring case.
    So a key is built once per prefix: its head, the real key's first HEAD characters, and for
    a longer one, the number of its (case-folded) prefix in this body, which keeps two keys
    equal exactly when the real ones are. Its cost is linear in the names, not their product."""

    text: str  # the prefix's first HEAD + 1 characters (enough to know its head)
    dots: int  # the '.' in it, up to 2 (more than one: the characters become the key)
    ident: int  # the number of the whole prefix, folded, in this body (0: the root)
    long: bool  # the prefix is longer than `text`

    def then(self, name: str, intern: dict[tuple[int, str], int], index: int | None = None) -> _Prefix:
        """The prefix of `name`'s children: `prefix + "." + name`, or `+ "[index]"` (in a group).

        A group's elements share one look-up of the name: a long name over many objects
        is not read again for each of them."""
        ident = intern.setdefault((self.ident, name.lower()), len(intern) + 1)
        written = name[: HEAD + 1]
        if index is not None:
            ident = intern.setdefault((ident, f"[{index}]"), len(intern) + 1)
            written = f"{written}[{index}]"
        text = f"{self.text}.{written}"
        long = self.long or len(name) > HEAD or len(text) > HEAD + 1
        return _Prefix(text[: HEAD + 1], min(self.dots + 1 + written.count("."), 2), ident, long)

    def head(self) -> str:
        """The key of a value under this prefix, without its `[name]`: the head, and past HEAD its number."""
        if not self.text:
            return ""
        first = self.text.lstrip(".").split(".")[0]
        # the real key: prefixes[0] + (when there are several) every character after the first '.', bracketed
        head = first + ("".join(f"[{c}]" for c in self.text[1:]) if self.dots > 1 else "")
        if len(head) <= HEAD and not self.long:
            return head
        return f"{head[:HEAD]}\x00{self.ident}"


def _add(head: str, collection: Collection, element: _Element) -> None:
    """AddElement: the value under `head` (`_Prefix.head`), or at the top level under its name."""
    key = f"{head}[{element.name}]" if head else element.name
    written = None if element.kind == "string" else shown(element.value)
    collection.add(Entry(key, element.text, element.kind, written, element.from_array))


def _fill(
    elements: list[_Element], prefix: _Prefix, collection: Collection, intern: dict[tuple[int, str], int]
) -> None:
    """FillCollectionFromXElement: elements grouped by name (exact case), each group flattened."""
    groups: dict[str, list[_Element]] = {}
    for element in elements:
        groups.setdefault(element.name, []).append(element)
    head: str | None = None
    for name, group in groups.items():
        if len(group) == 1:
            [element] = group
            if element.children:
                _fill(element.children, prefix.then(name, intern), collection, intern)
            else:
                head = prefix.head() if head is None else head
                _add(head, collection, element)
        elif all(not e.children for e in group):
            head = prefix.head() if head is None else head
            for element in group:
                _add(head, collection, element)
        else:
            for i, element in enumerate(group):
                _fill(element.children, prefix.then(name, intern, i), collection, intern)


# One decoder for every body: json.loads with a hook builds a decoder and its scanner on every
# call, which was half of reading a small body.
_DECODER = json.JSONDecoder(object_pairs_hook=Pairs)


def parse_json(text: str) -> Pairs:
    """The body as JSON, objects as Pairs (duplicates kept); Unreadable if it is not a JSON object."""
    try:
        body = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise Unreadable(UNABLE) from None
    if not isinstance(body, Pairs):
        raise Unreadable(f"{UNABLE}: the body is not a JSON object")
    return body


def from_json(body: Pairs, collection: Collection) -> None:
    """Add what Newtonsoft's XML of `body` flattens into."""
    root = _Element("request", "object", None, False)
    try:
        for name, value in body:
            _members(root, name, value, 1)
    except RecursionError:
        raise Unreadable(f"{UNABLE}: nested too deeply") from None
    _fill(root.children, _Prefix("", 0, 0, False), collection, {})


# -- form bodies and the query string ---------------------------------------------------------------


def _cp1252_as_dotnet(error: UnicodeError) -> tuple[str, int]:
    """.NET's code page 1252 (Mono's too) reads the five bytes windows-1252 leaves undefined (0x81, 0x8D,
    0x8F, 0x90, 0x9D) as the C1 control of the same number, where Python's cp1252 has no mapping."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(map(chr, bad)), error.end


codecs.register_error("cp1252-as-dotnet", _cp1252_as_dotnet)


def from_pairs(raw: bytes, into: Collection, *, encoding: str = "utf-8", in_query: bool = False) -> None:
    """URL-encoded pairs, as ASP.NET reads them: `+` is a space, a part without `=` has no key."""

    def text(part: bytes) -> str:
        if b"%" in part or b"+" in part:
            part = unquote_to_bytes(part.replace(b"+", b" "))
        return part.decode(encoding, errors)

    errors = "cp1252-as-dotnet" if codecs.lookup(encoding).name == "cp1252" else "replace"

    start = 0
    while start <= len(raw):  # part by part: a list of every part of a 3 MB form is one more copy of it
        end = raw.find(b"&", start)
        end = len(raw) if end < 0 else end
        key, equals, value = raw[start:end].partition(b"=")
        start = end + 1
        if not equals:
            continue  # ASP.NET files it under the null key, which nothing binds
        into.add(Entry(text(key), text(value), TEXT, in_query=in_query))
