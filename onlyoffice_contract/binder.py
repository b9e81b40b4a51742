"""The real server's binder, written once: what ONLYOFFICE binds from a raw request, and how leniently.

`bind(raw, content_type, query)` gives the arguments the real server's `SendMessage`
receives, in openapi.yaml's JSON shape, with a record (`leniency.Leniency`: its kind, the
parameter, a short sentence) for every leniency it took on the way (`fileLinksShareMode: "2"
taken as 2`, `From: matched as from`, `to: a lone value taken as a list`); or raises
`BindError` with the status and message the real server answers. The sandbox's onlyoffice
mode, the suite's onlyoffice profile and the faulty variant "wrong types accepted when they
convert" all stand on it.

How the real server binds (`module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`,
`Utils/Binder.cs`, `Utils/ConvertUtils.cs`), over the collection `wire.py` reads:
- Names are matched ignoring case (a NameValueCollection), except the members of an
  attachment, which are matched by prefix with their exact case (`fileId` or `fileid`).
- A single value (`id`, `from`, `subject`, `importance`, `fileLinksShareMode`...) takes the
  first value under its name, converted from text (`dotnet.py`). If that fails, the binder
  tries the values joined by `,`; empty text binds nothing, so the parameter keeps its
  type's default (0, false); any other text that does not convert is refused (400). A name
  with no value (an object was flattened under it) binds nothing: the default.
- A list takes every value under its name, then under `name[]`, `name[0]`, `name[1]`...
  (`to`, `to[]`: a lone value is a list of one; `null` is a list of one empty value).
  Its items must convert, or the list is refused (400).
- An attachment binds each declared member found under its prefix; one with no member
  found is dropped. `attachments[i]` is inserted at position i: an attachment that binds
  to nothing before others makes the server refuse the list (400). Within an attachment,
  `null` for a number or boolean is refused (400), unlike at the top level.
- The real server also binds members of an attachment that are not part of this contract
  (`user`, `tenant`, `mailboxId`...) and form fields from cookies; neither is modelled.
"""

from __future__ import annotations

import codecs
import dataclasses
import email.parser
import email.policy
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator

from onlyoffice_contract import dotnet, facts, spec
from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.leniency import Leniency, LeniencyKind
from onlyoffice_contract.wire import (
    TEXT,
    Collection,
    Entry,
    Pairs,
    Unreadable,
    from_json,
    from_pairs,
    parse_json,
    shown,
)

# The binder's refusal, in the real server's words (ArgumentException: 400).
INVALID = facts.refusal(RefusalId.INVALID_ARGUMENTS).message

JSON_TYPE = "application/json"  # compared case-sensitively, as ApiArgumentBuilder does
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
XML_TYPE = "text/xml"  # read as XML by the real server (exactly this), not modelled here


class BindError(Exception):
    """The real server refuses the request while binding it: `status` (400, or 403) and `message`.

    `unhandled`: the exception is the binder's own (List.Insert out of range, SingleOrDefault over two
    keys), thrown before the call's `try` (`ApiManager.cs` 66 at v12.7.1), so `ApiHttpHandler`'s last
    catch (line 132) answers 500: the real server's known defect `binder-exception`. `status` is what a
    conforming server answers, and what the sandbox answers (never a 500 for a malformed request)."""

    def __init__(self, message: str, status: int = 400, *, unhandled: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.unhandled = unhandled


@dataclass(frozen=True)
class Bound:
    """What the real server binds: the request in openapi.yaml's JSON shape, and the leniencies used."""

    request: dict[str, Any]
    leniencies: tuple[Leniency, ...] = ()
    # True when the body was already as the spec writes it (and valid): bound as it is, with no leniency.
    as_written: bool = False
    # Why the body was not read at all (a Content-Type that is neither JSON nor a form), or "".
    unread: str = ""

    @property
    def notes(self) -> tuple[str, ...]:
        """The leniencies' sentences, in order (what the sandbox's header and outbox show)."""
        return tuple(item.shown for item in self.leniencies)


# -- the parameters, read from openapi.yaml ---------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """The .NET type a value binds to: string, integer (Int32/Int64), boolean, enum, or object."""

    type: str
    bits: int = 32
    enum_name: str = ""
    members: Mapping[str, int] = field(default_factory=dict)  # an enum's names and values
    fields: Mapping[str, Kind] = field(default_factory=dict)  # an object's members

    def describe(self) -> str:
        return {
            "string": "a string",
            "integer": f"an Int{self.bits}",
            "boolean": "true or false",
            "enum": f"a {self.enum_name} member",
            "object": "an object",
        }[self.type]


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    is_list: bool


def _kind_of(prop: dict[str, Any]) -> Kind:
    node = spec.merged(prop)
    kind = node.get("type")
    if kind == "integer":
        bits = 64 if node.get("format") == "int64" else 32
        if "x-enum-varnames" in node:
            name = prop.get("$ref", "").rsplit("/", 1)[-1] or "enum"
            members = dict(zip(node["x-enum-varnames"], node["enum"], strict=True))
            return Kind("enum", bits, name, members)
        return Kind("integer", bits)
    if kind == "object":
        return Kind("object", fields={name: _kind_of(p) for name, p in node.get("properties", {}).items()})
    if kind in ("string", "boolean"):
        return Kind(kind)
    raise ValueError(f"a request property of type {kind!r} has no binding model")


@functools.cache
def params() -> tuple[Param, ...]:
    """SendMessage's parameters, in the spec's order (the method's), with the types they bind to."""
    found = []
    for name, prop in spec.request_properties().items():
        if spec.json_type(prop) == "array":
            found.append(Param(name, _kind_of(spec.merged(prop)["items"]), True))
        else:
            found.append(Param(name, _kind_of(prop), False))
    return tuple(found)


@functools.cache
def request_validator() -> Validator:
    """The request schema as the binder leaves it to be judged: an enum takes any integer it binds.

    `Enum.Parse` accepts any number of the underlying type (`fileLinksShareMode: 99`), so
    what the binder gives is judged without the enum's list; every other rule stays."""

    def relaxed(node: Any) -> Any:
        if isinstance(node, dict):
            kept = {k: relaxed(v) for k, v in node.items()}
            if "x-enum-varnames" in kept:
                kept.pop("enum", None)
            return kept
        if isinstance(node, list):
            return [relaxed(item) for item in node]
        return node

    return OAS30Validator(relaxed(spec.inlined(spec.schema(spec.request_schema_name()))))


# -- binding ----------------------------------------------------------------------------------------

_DEFAULTS = {"integer": 0, "boolean": False, "enum": 0, "string": ""}


_INDEXED = re.compile(r"(?P<name>[^\[]*)\[\d*\]", re.DOTALL)  # `attachments[12]` at the start of a key


def _member_name(key: str, prefix: str) -> str:
    """GetValue's reading of a key under a prefix: the rest, with '[', '.' and ']' trimmed off both ends."""
    return key[len(prefix) :].strip("[.]")


def _parse_index(text: str) -> int | None:
    """int.TryParse of a list position: ASCII digits within Int32 (leading zeros allowed).

    BindCollection (`Utils/Binder.cs`, `bool indexed = int.TryParse(key.Key, out index)`) reads
    `to[<5000 digits>]` as not indexed: it binds `to[]`, which such a body does not hold.
    int() of more than 4,300 digits raises, so the length is looked at first."""
    digits = text.lstrip("0") or "0"
    if text.isascii() and text.isdigit() and len(digits) <= 10 and int(digits) < 2**31:
        return int(digits)
    return None


def _field(path: str) -> str:
    """The parameter a path is under (`attachments[3].fileId`: attachments)."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


# Notes past this many are counted, not listed: a list of 20,000 items each sent its own odd way
# would otherwise give 20,000 headers, log lines and outbox notes.
MAX_NOTES = 20


class _Binding:
    def __init__(self, collection: Collection) -> None:
        self.c = collection
        self._notes: dict[Leniency, None] = {}  # an ordered set: a note once, however often it applies
        self._more = 0
        self._under: dict[str, list[str]] = {}  # prefix: the keys that start with it
        self._indexed: set[str] = set()  # names whose `name[i]` prefixes are all in _under

    def note(self, kind: LeniencyKind, field: str, text: str) -> None:
        self.add(Leniency(kind, field, text))

    def add(self, leniency: Leniency) -> None:
        if leniency in self._notes:
            return
        if len(self._notes) < MAX_NOTES:
            self._notes[leniency] = None
        else:
            self._more += 1

    @property
    def notes(self) -> list[Leniency]:
        more = f"and {self._more} more leniencies of the same kinds"
        return [*self._notes, *([Leniency(LeniencyKind.MORE, "", more)] if self._more else [])]

    def under(self, prefix: str) -> list[str]:
        """The keys that start with `prefix`, exactly (BindObject's test). For `attachments[12]` all
        such prefixes of a name are found at one pass over the keys: a pass per attachment made
        2,000 of them take 5 s."""
        if prefix in self._under:
            return self._under[prefix]
        found = _INDEXED.match(prefix)
        if found is None or found[0] != prefix:  # `attachments`: one such prefix a list, a scan each
            self._under[prefix] = [k for k in self.c.names() if k.startswith(prefix)]
            return self._under[prefix]
        name = found["name"]
        if name not in self._indexed:
            self._indexed.add(name)
            for key in self.c.names():
                at = _INDEXED.match(key)
                if at is not None and at["name"] == name:
                    self._under.setdefault(at[0], []).append(key)
        return self._under.setdefault(prefix, [])

    def _matched_as(self, key: str, name: str) -> None:
        if key != name and key.lower() == name.lower():
            self.note(LeniencyKind.NAME_CASE, name, f"{shown(key).strip(chr(34))}: matched as {name}")

    def convert(self, entry: Entry, kind: Kind, path: str) -> Any:
        """The entry's text as `kind`, noting a value not written as the spec writes it; NotConvertible."""
        if kind.type == "string":
            # a number or boolean as its text; an empty object or array (or one holding #text) as its text
            if entry.kind in ("number", "boolean", "object", "array"):
                self.note(
                    LeniencyKind.CONVERTED,
                    _field(path),
                    f"{path}: {entry.shown} taken as {shown(entry.value)}",
                )
            return entry.value
        if kind.type == "integer":
            value: Any = dotnet.integer(entry.value, kind.bits)
        elif kind.type == "boolean":
            value = dotnet.boolean(entry.value)
        else:
            value = dotnet.enum_member(entry.value, kind.members, kind.bits)
        written = json.dumps(value)
        as_spec = entry.kind in ("number", "boolean") if entry.kind != TEXT else True
        if not as_spec or entry.shown.strip('"') != written:
            self.note(LeniencyKind.CONVERTED, _field(path), f"{path}: {entry.shown} taken as {written}")
        if kind.type == "enum" and value not in kind.members.values():
            text = f"{path}: {value} is no {kind.enum_name} member; bound as it is"
            self.note(LeniencyKind.NOT_AN_ENUM_MEMBER, _field(path), text)
        return value

    def refused(self, path: str, entry_shown: str, kind: Kind) -> BindError:
        return BindError(f"{INVALID}: {path}: {entry_shown} does not convert to {kind.describe()}")

    # -- one value ------------------------------------------------------------------------------

    def single(self, p: Param) -> tuple[bool, Any]:
        entries = self.c.entries(p.name)
        if not entries:
            start = p.name.lower() + "["
            for folded in self.c.folded():
                if folded.startswith(start):
                    key = self.c.name_of(folded)
                    text = f"{shown(key).strip(chr(34))}: not read by the server ({p.name} is one value)"
                    self.note(LeniencyKind.NOT_READ, p.name, text)
            return False, None
        first = entries[0]
        self._matched_as(first.key, p.name)
        if first.in_query:
            self.note(LeniencyKind.FROM_THE_QUERY, p.name, f"{p.name}: taken from the query string")
        if first.from_array:
            self.note(LeniencyKind.FIRST_OF_A_LIST, p.name, f"{p.name}: a list; its first value taken")
        elif len(entries) > 1:
            self.note(LeniencyKind.FIRST_OF_MANY, p.name, f"{p.name}: {len(entries)} values; the first taken")
        try:
            return True, self.convert(first, p.kind, p.name)
        except dotnet.NotConvertible:
            pass
        # Binder.Bind: the values joined by ','; empty text binds nothing, and the default stays.
        joined = self.c.text(p.name) or ""
        if joined:
            try:
                return True, self.convert(Entry(first.key, joined, TEXT, shown(joined)), p.kind, p.name)
            except dotnet.NotConvertible:
                raise self.refused(p.name, first.shown, p.kind) from None
        default = _DEFAULTS[p.kind.type]
        self.note(LeniencyKind.DEFAULTED, p.name, f"{p.name}: {first.shown} taken as {json.dumps(default)}")
        return True, default

    # -- a list -----------------------------------------------------------------------------------

    def _groups(self, p: Param) -> list[str]:
        """BindCollection's groups: each key by its position (`to[3]`), `[]` (""), or none ("simple")."""
        parse = re.compile(
            "^" + re.escape(p.name) + r"(?P<left>\[)?(?P<pos>\d+)?(?P<right>\])?(?P<suffix>.+)?",
            re.IGNORECASE | re.DOTALL,
        )
        groups: dict[str, None] = {}
        low = p.name.lower()
        for folded in self.c.folded():
            # a key that does not start with the name is in "simple": the expression is only for those that do
            found = parse.match(self.c.name_of(folded)) if folded.startswith(low) else None
            if found is not None and found["pos"]:
                groups.setdefault(found["pos"])
            else:
                groups.setdefault("" if found is not None and found["left"] else "simple")
        return list(groups)

    def listing(self, p: Param) -> tuple[bool, list[Any]]:
        low = p.name.lower()
        related = [self.c.name_of(f) for f in self.c.folded() if f == low or f.startswith(low + "[")]
        # The server binds a list whether or not a key names it (ApiArgumentBuilder, IsTypeBindable):
        # with none, an attachment still reads each member from the key "" (`=4311` in a form).
        if not related and not (p.kind.type == "object" and self.c.entries("")):
            return False, []
        result: list[Any] = []
        read: set[str] = set()
        for group in self._groups(p):
            index = _parse_index(group)
            prefix = p.name if group == "simple" else f"{p.name}[{'' if index is None else index}]"
            if p.kind.type == "object":
                self._insert(p, result, prefix, 0 if index is None else index, read)
                continue
            for entry in self.c.entries(prefix):
                read.add(entry.key.lower())
                self._item_notes(p, entry)
                path = f"{p.name}[{len(result)}]"
                try:
                    result.append(self.convert(entry, p.kind, path))
                except dotnet.NotConvertible:
                    raise self.refused(path, entry.shown, p.kind) from None
        for key in related:
            if key.lower() not in read and self._declared_member(p, key):
                self.note(
                    LeniencyKind.NOT_READ, p.name, f"{shown(key).strip(chr(34))}: not read by the server"
                )
        return True, result

    def _item_notes(self, p: Param, entry: Entry) -> None:
        self._matched_as(entry.key.removesuffix("[]"), p.name)
        if entry.in_query:
            self.note(LeniencyKind.FROM_THE_QUERY, p.name, f"{p.name}: items taken from the query string")
        if entry.kind == TEXT:
            if entry.key.lower() == p.name.lower():
                text = f"{p.name}: sent without []; taken as an item of the list"
                self.note(LeniencyKind.WITHOUT_BRACKETS, p.name, text)
            elif entry.key.lower() != p.name.lower() + "[]":
                text = f"{shown(entry.key).strip(chr(34))}: taken as an item of {p.name}"
                self.note(LeniencyKind.ITEM_KEY, p.name, text)
        elif not entry.from_array:
            if entry.kind == "null":
                self.note(
                    LeniencyKind.NULL_AS_LIST, p.name, f"{p.name}: null taken as a list of one empty value"
                )
            else:
                self.note(LeniencyKind.LONE_VALUE, p.name, f"{p.name}: a lone value taken as a list")

    def _declared_member(self, p: Param, key: str) -> bool:
        """Whether a key left unread under a list names something the contract declares."""
        if p.kind.type != "object":
            return True
        last = key.rsplit("[", 1)[-1].rstrip("]").lower()
        return last in {name.lower() for name in p.kind.fields}

    # -- attachments ------------------------------------------------------------------------------

    def _insert(self, p: Param, result: list[Any], prefix: str, index: int, read: set[str]) -> None:
        path = f"{p.name}[{index}]"
        bound = self.attachment(p, prefix, path, read)
        if bound is None:
            pattern = re.escape(prefix) + r"\[[^\[\]]*\]\Z" if prefix == p.name else re.escape(prefix) + r"\["
            if any(re.match(pattern, k) for k in self.under(prefix)):
                self.note(
                    LeniencyKind.ATTACHMENT_DROPPED, p.name, f"{path}: no member the server reads; dropped"
                )
            return
        if index > len(result):
            raise BindError(
                f"{INVALID}: {path}: the server inserts it at position {index} of a list of"
                f" {len(result)}, because an attachment before it bound to nothing",
                unhandled=True,
            )
        result.insert(index, bound)

    def attachment(self, p: Param, prefix: str, path: str, read: set[str]) -> dict[str, Any] | None:
        """BindObject: each member's value under the prefix, by its exact name or its lower case."""
        found: dict[str, Any] = {}
        for member, kind in p.kind.fields.items():
            names = {member, member[:1].lower() + member[1:], member.lower()}
            keys = [k for k in self.under(prefix) if _member_name(k, prefix) in names]
            if len(keys) > 1:  # SingleOrDefault throws InvalidOperationException: the server's 403
                raise BindError(f"{INVALID}: {path}: {len(keys)} keys name its {member}", 403, unhandled=True)
            entries = self.c.entries(keys[0] if keys else "")
            if not entries:
                continue
            member_path = f"{path}.{member}"
            if keys:
                read.add(keys[0].lower())
                written = _member_name(keys[0], prefix)
                if written != member:
                    self.note(
                        LeniencyKind.MEMBER_CASE, p.name, f"{member_path}: {written} matched as {member}"
                    )
            else:
                self.note(LeniencyKind.MEMBER_FROM_EMPTY_KEY, p.name, f'{member_path}: taken from the key ""')
            entry = entries[0]
            if len(entries) > 1:
                joined = ",".join(e.value for e in entries)
                entry = Entry(entry.key, joined, TEXT, shown(joined))
                text = f"{member_path}: {len(entries)} values joined with ','"
                self.note(LeniencyKind.MEMBER_VALUES_JOINED, p.name, text)
            try:
                found[member] = self.convert(entry, kind, member_path)
            except dotnet.NotConvertible:
                raise self.refused(member_path, entry.shown, kind) from None
        return found or None


def _json_shape_notes(body: Pairs, binding: _Binding) -> None:
    """What the collection no longer shows: a lone value for a list, a list or object for one value."""
    counts: dict[str, int] = {}
    for name, value in body:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
        param = next((p for p in params() if p.name.lower() == name.lower()), None)
        if param is None:
            continue
        if param.is_list and isinstance(value, Pairs) and param.kind.type == "object":
            binding.note(LeniencyKind.LONE_VALUE, param.name, f"{param.name}: a lone value taken as a list")
        elif not param.is_list and isinstance(value, list) and not isinstance(value, Pairs) and not value:
            binding.note(
                LeniencyKind.EMPTY_LIST, param.name, f"{param.name}: an empty list; left at its default"
            )
    for p in params():
        if p.is_list and counts.get(p.name.lower(), 0) > 1:  # a single value says so when it is bound
            text = f"{p.name}: given {counts[p.name.lower()]} times; the items joined"
            binding.note(LeniencyKind.REPEATED, p.name, text)


def _bind(collection: Collection, notes: Iterable[Leniency] = ()) -> Bound:
    binding = _Binding(collection)
    for note in notes:
        binding.add(note)
    request: dict[str, Any] = {}
    for p in params():
        present, value = binding.listing(p) if p.is_list else binding.single(p)
        if present:
            request[p.name] = value
    return Bound(request, tuple(binding.notes))


# -- the fast path: a body already as the spec writes it binds as it is ----------------------------


@functools.cache
def _declared() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    objects = {p.name: frozenset(p.kind.fields) for p in params() if p.kind.type == "object"}
    return frozenset(p.name for p in params()), objects


def _as_written(body: Pairs) -> dict[str, Any] | None:
    """The body as a dict if it has only declared names, once each, and non-empty attachments; else None.

    Such a body, if valid, binds to itself: every name matches exactly, every value is
    already of its type, and no attachment can be dropped. The tests check this against
    the full binder."""
    names, objects = _declared()
    # null for an optional string binds as the empty string, as the long way gives it
    request = {name: "" if value is None else value for name, value in body}
    if len(request) != len(body) or not request.keys() <= names:
        return None
    for name in [n for n, v in request.items() if type(v) is list and not v]:
        del request[name]  # an empty list is no XML at all: absent, which means the same
    for name, members in objects.items():
        items = request.get(name)
        if not isinstance(items, list):
            continue
        plain = []
        for item in items:
            if not isinstance(item, Pairs) or not item:
                return None
            fields = {member: "" if value is None else value for member, value in item}
            if len(fields) != len(item) or not fields.keys() <= members:
                return None
            plain.append(fields)
        request[name] = plain
    return request


@functools.cache
def _request_schema() -> spec.Compiled:
    return spec.compiled(spec.request_schema_name())


# -- the entry points -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)  # a client sends one or two content types, again and again
def _media(content_type: str) -> tuple[str, str, str]:
    """The media type as sent (the JSON test is case-sensitive), its charset, and its boundary."""
    media, _, parameters = content_type.partition(";")
    found = {"charset": "utf-8", "boundary": ""}
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() in found and value.strip():
            found[key.strip().lower()] = value.strip().strip('"')
    return media.strip(), found["charset"], found["boundary"]


def _from_multipart(raw: bytes, boundary: str, collection: Collection) -> None:
    """ASP.NET's Form of a multipart/form-data body: each part without a file name, as text."""
    if not boundary:
        raise BindError(f"{INVALID}: a multipart/form-data body without a boundary")
    head = f'Content-Type: multipart/form-data; boundary="{boundary}"\r\n\r\n'.encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise BindError(f"{INVALID}: the multipart/form-data body does not parse")
    for part in message.iter_parts():
        if part.get_content_disposition() != "form-data" or part.get_filename() is not None:
            continue  # a file goes to Request.Files, which the binder does not read
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        text = raw.decode(_form_encoding(part.get_content_charset() or "utf-8"), "replace")
        collection.add(Entry(name, text, TEXT, shown(text)))


def _not_read(media: str) -> str:
    return (
        f"the body was not read: its Content-Type {media or '(none)'!r} is not exactly {JSON_TYPE}, so the"
        " real server reads it as a form, and it is no form"
    )


# Python codecs that are text encodings but no encoding .NET's Encoding.GetEncoding knows by name
# (or that cannot decode bytes on their own).
_NOT_DOTNET_CHARSETS = {
    *("undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape"),
    *("mbcs", "oem", "charmap", "utf_8_sig", "palmos", "mac_latin2"),
}


@functools.lru_cache(maxsize=64)
def _form_encoding(charset: str) -> str:
    """The encoding ASP.NET reads a form with: the Content-Type's charset, if .NET knows it, else UTF-8.

    The form is `request.Form` (`ApiArgumentBuilder.cs`, GetRequestParams, `collection.Add(request.Form)`),
    decoded with `HttpRequest.ContentEncoding`, which for a charset `Encoding.GetEncoding` refuses
    falls back to the configured request encoding, UTF-8 (Mono's System.Web `HttpRequest.cs`,
    ContentEncoding: `try { encoding = Encoding.GetEncoding (parameter); } catch { encoding =
    WebEncoding.RequestEncoding; }`; .NET Framework's GetEncodingFromHeaders does the same). So an
    unknown charset (`undefined`, `rot13`) binds as UTF-8: it is never refused."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        return "utf-8"
    if not info._is_text_encoding or info.name.replace("-", "_") in _NOT_DOTNET_CHARSETS:
        return "utf-8"
    try:
        b"a=b".decode(info.name, "replace")
    except (UnicodeError, LookupError, TypeError):
        return "utf-8"
    return charset


def _query_touches_params(query: bytes) -> bool:
    if not query:
        return False
    names = [p.name.lower() for p in params()]
    collection = Collection()
    from_pairs(query, collection, in_query=True)
    return any(key.lower().startswith(n) for key in collection.names() for n in names)


def bind(raw: bytes, content_type: str, query: bytes = b"", *, shortcut: bool = True) -> Bound:
    """What the real server binds from a request body (and its query string); BindError if it refuses.

    `shortcut=False` binds a body already as the spec writes it the long way too (for the tests
    that show both ways give the same)."""
    # ApiArgumentBuilder picks the reader by the media type alone: exactly `application/json` (in that
    # case) is JSON, read as UTF-8 whatever the charset; anything else is ASP.NET's Form, which holds
    # the pairs of a urlencoded or multipart body and nothing of any other.
    media, charset, boundary = _media(content_type)
    if media == XML_TYPE:
        raise BindError(
            f"Unsupported content type {media!r}: the real server reads an XML body, which this model"
            f" does not; send {JSON_TYPE}, or {FORM_TYPE} as the web client does"
        )
    collection = Collection()
    notes: list[Leniency] = []
    try:
        if query:
            from_pairs(query, collection, in_query=True)
        if media != JSON_TYPE:
            if media.lower() == FORM_TYPE:
                encoding = _form_encoding(charset)
                if encoding != charset:
                    note = f"charset {shown(charset)}: not an encoding .NET knows; the form read as UTF-8"
                    notes.append(Leniency(LeniencyKind.UNKNOWN_CHARSET, "", note))
                from_pairs(raw, collection, encoding=encoding)
            elif media.lower() == MULTIPART_TYPE:
                _from_multipart(raw, boundary, collection)
            elif raw:
                unread = _not_read(media)
                leniency = Leniency(LeniencyKind.BODY_NOT_READ, "", unread)
                return dataclasses.replace(_bind(collection, [leniency]), unread=unread)
            return _bind(collection, notes)
        raw = raw.removeprefix(b"\xef\xbb\xbf")  # StreamReader drops a UTF-8 byte order mark
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")  # as StreamReader reads it
            notes.append(
                Leniency(
                    LeniencyKind.NOT_UTF8, "", "the body is not valid UTF-8: its bad bytes read as U+FFFD"
                )
            )
        body = parse_json(text)
        if shortcut and not notes and not _query_touches_params(query):
            written = _as_written(body)
            # Valid as written: "" where null was sent is valid wherever null is (optional strings).
            if written is not None and _request_schema().is_valid(written):
                return Bound(written, (), as_written=True)
        binding = _Binding(collection)
        _json_shape_notes(body, binding)
        from_json(body, collection)
        return _bind(collection, [*notes, *binding.notes])
    except Unreadable as exc:
        raise BindError(str(exc)) from None
    except RecursionError:
        raise BindError("Unable to deserialize json: nested too deeply") from None


def bind_json(body: Any) -> Bound:
    """What the real server binds from `body` sent as JSON (a parsed body, as a test case holds it)."""
    try:
        raw = json.dumps(body).encode()  # as an HTTP client writes it: ASCII, non-ASCII escaped
    except (TypeError, ValueError) as exc:
        raise BindError(f"Unable to deserialize json: {exc}") from None
    return bind(raw, JSON_TYPE)
