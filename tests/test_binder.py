"""The binder model: every leniency of the real server's binder, taken; and refused where the server refuses.

The rules are those of `../shared/onlyoffice-send-facts.md` ("Leniency of the real
server's binder") and of the server's source it names (ApiArgumentBuilder.cs,
Binder.cs, ConvertUtils.cs). Each table row is one request and what the server binds
(or the 400 it answers); the expected values are written here by hand.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness.form_wire import FORM_TYPE, param
from onlyoffice_contract import binder, dotnet, spec
from onlyoffice_contract.binder import BindError, Bound
from onlyoffice_contract.leniency import LeniencyKind

BASE: dict[str, Any] = {"from": "alice@example.test", "to": ["bob@example.org"]}
JSON = "application/json"


def bind(body: Any) -> Bound:
    return binder.bind_json(body)


def with_(**changes: Any) -> dict[str, Any]:
    return {**BASE, **{name.rstrip("_"): value for name, value in changes.items()}}


def refusal(raw: bytes, content_type: str = JSON) -> BindError:
    with pytest.raises(BindError) as caught:
        binder.bind(raw, content_type)
    return caught.value


# -- taken: (what is sent, what the server binds for it, the leniency it reports) ------------------------

TAKEN: list[tuple[str, dict[str, Any], dict[str, Any], str | None]] = [
    ("an integer as a string", with_(id="1234"), {"id": 1234}, 'id: "1234" taken as 1234'),
    ("an integer with spaces and a sign", with_(id=" +7 "), {"id": 7}, 'id: " +7 " taken as 7'),
    ("a negative integer as a string", with_(id="-5"), {"id": -5}, 'id: "-5" taken as -5'),
    ("hexadecimal, as .NET's Int32Converter reads it", with_(tags=["0x1F", "#10"]), {"tags": [31, 16]}, "31"),
    ("hexadecimal past Int32 wraps, as .NET reads it", with_(id="0xFFFFFFFF"), {"id": -1}, "taken as -1"),
    ("an integral number written with a fraction", with_(id=1.0), {"id": 1}, "id: 1.0 taken as 1"),
    ("an Int64 as a string", with_(attachments=[{"size": "9000000000"}]), {}, "attachments[0].size"),
    ("a boolean as a string", with_(importance="true"), {"importance": True}, 'importance: "true"'),
    ("a boolean in any case, with spaces", with_(requestRead=" FALSE "), {"requestRead": False}, None),
    ("a number where a string is expected", with_(calendarIcs=0), {"calendarIcs": "0"}, "calendarIcs: 0"),
    ("a boolean where a string is expected", with_(subject=True), {"subject": "true"}, "subject: true"),
    ("null for a boolean: its default", with_(importance=None), {"importance": False}, "importance: null"),
    ("null for an integer: its default", with_(id=None), {"id": 0}, "id: null taken as 0"),
    ('"" for an integer: its default', with_(id=""), {"id": 0}, 'id: "" taken as 0'),
    ("{} for a boolean: its default", with_(isAutoreply={}), {"isAutoreply": False}, "isAutoreply: {}"),
    ("null for a string: the empty string, as the spec allows", with_(subject=None), {"subject": ""}, None),
    ("a lone value for a list", with_(to="bob@example.org"), {"to": ["bob@example.org"]}, "to: a lone"),
    ("a lone number for a list", with_(tags=5), {"tags": [5]}, "tags: a lone value taken as a list"),
    ("a list for one value: its first item", with_(subject=["a", "b"]), {"subject": "a"}, "its first value"),
    ("a list of one for one value", with_(id=["7"]), {"id": 7}, "id: a list; its first value taken"),
    ("an object for one value: not read", with_(subject={"text": "a"}), {}, "subject[text]: not read"),
    (
        "a name in another case",
        {"From": "alice@example.test", "TO": ["b@x.org"]},
        {},
        "From: matched as from",
    ),
    (
        "an enum member's name",
        with_(fileLinksShareMode="Read"),
        {"fileLinksShareMode": 2},
        '"Read" taken as 2',
    ),
    ("an enum member's name in any case", with_(fileLinksShareMode="rEAD"), {"fileLinksShareMode": 2}, None),
    ("an enum value as a string", with_(fileLinksShareMode="2"), {"fileLinksShareMode": 2}, '"2" taken as 2'),
    (
        "an integer that is no member",
        with_(fileLinksShareMode=99),
        {"fileLinksShareMode": 99},
        "no FileShare",
    ),
    (
        "enum members joined by ','",
        with_(fileLinksShareMode="Read, ReadWrite"),
        {"fileLinksShareMode": 3},
        None,
    ),
    ("null for a list of addresses", with_(cc=None), {"cc": [""]}, "cc: null taken as a list of one empty"),
    ("null for the attachments: none", with_(attachments=None), {"attachments": []}, None),
    ("a lone attachment", with_(attachments={"fileId": 1}), {"attachments": [{"fileId": 1}]}, "a lone value"),
    (
        "an attachment member in lower case",
        with_(attachments=[{"fileid": 3}]),
        {},
        "fileid matched as fileId",
    ),
    ("an attachment member as a string", with_(attachments=[{"fileId": "3"}]), {}, '.fileId: "3" taken as 3'),
    ("null for an attachment's string", with_(attachments=[{"fileId": 3, "contentId": None}]), {}, None),
    (
        "an attachment with no member the server reads",
        with_(attachments=[{"fileId": 1}, {"docId": 9}]),
        {},
        "",
    ),
    ("a nested list: not read", with_(cc=[["c@example.org"]]), {"cc": []}, "cc[cc]: not read by the server"),
]
TAKEN_BINDS: dict[str, dict[str, Any]] = {
    "an Int64 as a string": {"attachments": [{"size": 9000000000}]},
    "a name in another case": {"from": "alice@example.test", "to": ["b@x.org"]},
    "an attachment member in lower case": {"attachments": [{"fileId": 3}]},
    "an attachment member as a string": {"attachments": [{"fileId": 3}]},
    "null for an attachment's string": {"attachments": [{"fileId": 3, "contentId": ""}]},
    "an attachment with no member the server reads": {"attachments": [{"fileId": 1}]},
}


@pytest.mark.parametrize(("label", "body", "expected", "note"), TAKEN, ids=[row[0] for row in TAKEN])
def test_taken(label: str, body: dict[str, Any], expected: dict[str, Any], note: str | None) -> None:
    result = bind(body)
    for name, value in {**expected, **TAKEN_BINDS.get(label, {})}.items():
        assert result.request.get(name) == value, (name, result.request)
    if label == "an object for one value: not read":
        assert "subject" not in result.request
    if note is not None:
        assert any(note in n for n in result.notes), result.notes
        assert not result.as_written
    else:
        assert not [n for n in result.notes if "null" in n or "0x" in n], result.notes


def test_every_note_is_short_ascii_text() -> None:
    """Notes go into an HTTP header and the log: ASCII, one line, however hostile the value."""
    hostile = with_(subject=["x\r\nX-Injected: 1" * 50, "b"], id="\u2028 7", cc="é\r\n" * 100)
    for note in bind(hostile).notes:
        assert note.isascii(), note
        assert note.isprintable(), note
        assert len(note) < 160, note


# -- refused: what the real server answers 400 for -----------------------------------------------------

REFUSED: list[tuple[str, Any, str]] = [
    ("text that is no integer", with_(id="abc"), 'id: "abc" does not convert to an Int32'),
    (
        "text that is no boolean",
        with_(importance="yes"),
        'importance: "yes" does not convert to true or false',
    ),
    ("1 for a boolean", with_(requestReceipt=1), "requestReceipt: 1 does not convert"),
    ("an integer past Int32", with_(id=2**31), "id: 2147483648 does not convert"),
    ("an integer past Int32, as a string", with_(id="-2147483649"), "does not convert to an Int32"),
    ("a fraction", with_(id=1.5), "id: 1.5 does not convert"),
    ("an exponent", with_(id="1e3"), 'id: "1e3" does not convert'),
    ("a large float: .NET writes it with an exponent", with_(id=1e15), "does not convert to an Int32"),
    ("a tag that is no integer", with_(tags=["x"]), 'tags[0]: "x" does not convert'),
    ("null for the tags: a list of one empty value", with_(tags=None), "tags[0]: null does not convert"),
    ("a name that is no FileShare member", with_(fileLinksShareMode="Reed"), "fileLinksShareMode"),
    ("a FileShare past Int32", with_(fileLinksShareMode=2**31), "fileLinksShareMode"),
    (
        "null for an attachment's integer",
        with_(attachments=[{"fileId": None}]),
        "attachments[0].fileId: null",
    ),
    ("an attachment's size that is no integer", with_(attachments=[{"size": "big"}]), "attachments[0].size"),
    (
        "an attachment that binds to nothing before another",
        with_(attachments=[{}, {"fileId": 1}]),
        "position 1",
    ),
]


@pytest.mark.parametrize(("label", "body", "message"), REFUSED, ids=[row[0] for row in REFUSED])
def test_refused(label: str, body: Any, message: str) -> None:
    with pytest.raises(BindError) as caught:
        bind(body)
    assert caught.value.status == 400
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "Unable to deserialize json"),
        (b"", "Unable to deserialize json"),
        (b"[]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b'{"from": "a@b.c", "to": ["b@c.d"], "a b": 1}', '"a b" is not an XML name'),
        (b'{"from": "a@b.c", "to": ["b@c.d"], "1st": 1}', "not an XML name"),
        (b'{"from": "a@b.c", "": 1}', "an empty property name"),
        (b'{"from": {"#text": {}}}', "where XML text is expected"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, "nested deeper than 64"),
        (b"[" * 100_000 + b"]" * 100_000, "Unable to deserialize json"),
    ],
)
def test_bodies_the_server_cannot_read_are_refused(raw: bytes, message: str) -> None:
    assert message in refusal(raw).message


def test_unknown_names_that_are_xml_names_are_ignored() -> None:
    result = bind(with_(unknownField={"x": 1}, isReceipt=True, _x=None))
    assert result.request == BASE


def test_two_keys_naming_one_attachment_member_is_the_servers_403() -> None:
    # SingleOrDefault throws InvalidOperationException, which the server answers with 403.
    raw = b"from=a%40b.c&to[]=b%40c.d&attachments[0][fileId]=1&attachments[0][[fileId]]=2"
    assert refusal(raw, FORM_TYPE).status == 403


def test_names_are_matched_ignoring_case_but_attachment_members_are_not() -> None:
    result = bind(
        {"from": "alice@example.test", "To": ["b@x.org"], "attachments": [{"FILEID": 5, "fileName": "a"}]}
    )
    assert result.request["to"] == ["b@x.org"]
    assert result.request["attachments"] == [{"fileName": "a"}]  # FILEID is not read: fileId stays 0
    assert "attachments[FILEID]: not read by the server" in result.notes  # one attachment's key
    # A capitalized list name is found, but its members are then looked up in lower case, and lost.
    capital = bind({"from": "alice@example.test", "to": ["b@x.org"], "Attachments": [{"fileId": 5}]})
    assert capital.request["attachments"] == []
    assert "Attachments[fileId]: not read by the server" in capital.notes


def test_a_name_given_twice() -> None:
    raw = b'{"from": "a@b.c", "to": ["x@y.z"], "to": "w@y.z", "subject": "first", "subject": "second"}'
    result = binder.bind(raw, JSON)
    assert result.request["to"] == ["x@y.z", "w@y.z"]
    assert result.request["subject"] == "first"
    assert "to: given 2 times; the items joined" in result.notes
    assert "subject: 2 values; the first taken" in result.notes
    # Within an attachment, the values are joined: a second fileId makes it unreadable as an integer.
    twice = b'{"from": "a@b.c", "to": ["x@y.z"], "attachments": [{"fileName": "a", "fileName": "b"}]}'
    assert binder.bind(twice, JSON).request["attachments"] == [{"fileName": "a,b"}]
    twice_id = b'{"from": "a@b.c", "to": ["x@y.z"], "attachments": [{"fileId": 1, "fileId": 2}]}'
    assert '"1,2" does not convert' in refusal(twice_id).message


def test_invalid_utf8_is_read_with_replacement_characters() -> None:
    result = binder.bind(b'{"from": "a@b.c", "to": ["x@y.z"], "subject": "caf\xe9"}', JSON)
    assert result.request["subject"] == "caf\ufffd"
    assert "the body is not valid UTF-8: its bad bytes read as U+FFFD" in result.notes
    assert binder.bind(b'\xef\xbb\xbf{"from": "a@b.c", "to": ["x@y.z"]}', JSON).as_written  # a BOM is dropped


def test_the_query_string_binds_first() -> None:
    body = json.dumps(with_(subject="from the body")).encode()
    result = binder.bind(body, JSON, b"subject=from+the+query&__=12345")
    assert result.request["subject"] == "from the query"
    assert "subject: taken from the query string" in result.notes
    assert binder.bind(body, JSON, b"__=12345").as_written  # the web client's cache breaker binds nothing


# ApiArgumentBuilder: exactly `application/json` is JSON; anything else is ASP.NET's Form, which holds
# nothing of a body that is no form: every parameter keeps its default, so `from` is missing.
@pytest.mark.parametrize(
    "content_type",
    ["text/json", "application/merge-patch+json", "Application/JSON", "text/plain", "", "application/xml"],
)
def test_a_body_of_any_other_media_type_is_not_read(content_type: str) -> None:
    bound = binder.bind(json.dumps(BASE).encode(), content_type)
    assert bound.request == {}
    assert bound.unread.startswith("the body was not read")
    assert repr(content_type or "(none)") in bound.unread


def test_the_query_string_still_binds_when_the_body_is_not_read() -> None:
    bound = binder.bind(json.dumps(BASE).encode(), "text/json", b"from=a%40example.test")
    assert bound.request == {"from": "a@example.test"}


def test_json_is_read_as_utf8_whatever_its_charset() -> None:
    raw = json.dumps({**BASE, "subject": "Zo\u00eb"}, ensure_ascii=False).encode()
    assert binder.bind(raw, "application/json; charset=iso-8859-1").request["subject"] == "Zo\u00eb"


def test_an_xml_body_is_refused_as_not_modelled() -> None:
    assert "does not" in refusal(b"<request><from>a@example.test</from></request>", "text/xml").message


def test_a_form_is_read_whatever_the_case_of_its_media_type() -> None:
    raw = b"from=a%40example.test&to%5B%5D=b%40example.org"
    bound = binder.bind(raw, "Application/X-WWW-Form-Urlencoded")
    assert bound.request == {"from": "a@example.test", "to": ["b@example.org"]}


def test_a_multipart_form_binds_its_fields_and_not_its_files() -> None:
    parts = [
        ("from", None, b"a@example.test"),
        ("to[]", None, b"b@example.org"),
        ("subject", "notes.txt", b"a file, which Request.Files holds and the binder never reads"),
    ]
    raw = (
        b"".join(
            b'--XyZ\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"'
            + (b'; filename="' + filename.encode() + b'"' if filename else b"")
            + b"\r\n\r\n"
            + value
            + b"\r\n"
            for name, filename, value in parts
        )
        + b"--XyZ--\r\n"
    )
    bound = binder.bind(raw, "multipart/form-data; boundary=XyZ")
    assert bound.request == {"from": "a@example.test", "to": ["b@example.org"]}
    assert "boundary" in refusal(raw, "multipart/form-data").message


# -- the form wire --------------------------------------------------------------------------------------


def test_the_web_clients_form_binds_like_its_json() -> None:
    message = {
        "id": 0,
        "from": "alice@example.test",
        "to": ['"Doe, John" <john@example.org>', "bob@example.org"],
        "cc": [],
        "subject": "Hi & welcome = yes",
        "body": "<p>a+b</p>",
        "attachments": [{"fileId": 4311, "fileName": "r.pdf", "contentId": None, "docId": 4311}],
        "mimeReplyToId": None,
        "importance": True,
        "tags": [3, 4],
        "fileLinksShareMode": "2",
        "calendarIcs": "",
        "requestReceipt": False,
        "requestRead": False,
    }
    result = binder.bind(param(message), FORM_TYPE)
    assert result.request == {
        "id": 0,
        "from": "alice@example.test",
        "to": ['"Doe, John" <john@example.org>', "bob@example.org"],
        "mimeReplyToId": "",
        "importance": True,
        "subject": "Hi & welcome = yes",
        "tags": [3, 4],
        "body": "<p>a+b</p>",
        "attachments": [{"fileId": 4311, "fileName": "r.pdf", "contentId": ""}],
        "fileLinksShareMode": 2,
        "calendarIcs": "",
        "requestReceipt": False,
        "requestRead": False,
    }
    assert result.notes == ()  # the form's own text for numbers and booleans is no leniency


@pytest.mark.parametrize(
    ("raw", "expected", "note"),
    [
        (b"from=a%40b.c&to=x%40y.z", {"to": ["x@y.z"]}, "to: sent without []; taken as an item of the list"),
        (b"from=a%40b.c&to[0]=x%40y.z", {"to": ["x@y.z"]}, "to[0]: taken as an item of to"),
        (b"from=a%40b.c&to[]=x%40y.z&importance=True", {"importance": True}, '"True" taken as true'),
        (b"from=a%40b.c&to[]=x%40y.z&importance=", {"importance": False}, 'importance: "" taken as false'),
        (b"from=a%40b.c&To[]=x%40y.z", {"to": ["x@y.z"]}, "To: matched as to"),
        (b"from=a%40b.c&to[]=x%40y.z&id=0x10", {"id": 16}, 'id: "0x10" taken as 16'),
        (b"from=a%40b.c&to[]=x%40y.z&novalue&x=1", {"to": ["x@y.z"]}, None),
    ],
)
def test_form_leniency(raw: bytes, expected: dict[str, Any], note: str | None) -> None:
    result = binder.bind(raw, FORM_TYPE)
    for name, value in expected.items():
        assert result.request[name] == value
    assert any(note in n for n in result.notes) if note else result.notes == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"from=a%40b.c&to[]=x%40y.z&importance=yes", 'importance: "yes" does not convert'),
        (b"from=a%40b.c&to[]=x%40y.z&tags[]=x", 'tags[0]: "x" does not convert'),
        (b"from=a%40b.c&to[]=x%40y.z&attachments[1][fileId]=1", "position 1"),
    ],
)
def test_form_refusals(raw: bytes, message: str) -> None:
    assert message in refusal(raw, FORM_TYPE).message


# -- .NET's converters, on their own --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        (" 12 ", 12),
        ("\u3000-3\u00a0", -3),
        ("+5", 5),
        ("7\x00", 7),
        ("0x7fffffff", 2**31 - 1),
        ("&h10", 16),
    ],
)
def test_int32_converter_reads(text: str, value: int) -> None:
    assert dotnet.integer(text) == value


@pytest.mark.parametrize(
    "text", ["", " ", "1.0", "1e3", "1,000", "- 1", "0x", "0x1FFFFFFFF", "2147483648", "\u0661"]
)
def test_int32_converter_refuses(text: str) -> None:
    with pytest.raises(dotnet.NotConvertible):
        dotnet.integer(text)


def test_double_text_is_what_newtonsoft_writes() -> None:
    cases = {
        1.0: "1",
        -2.0: "-2",
        1.5: "1.5",
        1e15: "1E+15",
        1e-5: "1E-05",
        123456789012345.0: "123456789012345",
    }
    assert {value: dotnet.double_text(value) for value in cases} == cases


# -- a body already as the spec writes it binds as it is ----------------------------------------------------

DECLARED = {p.name: p for p in binder.params()}


def _value(kind: binder.Kind, nullable: bool) -> st.SearchStrategy[Any]:
    if kind.type == "string":
        text = st.text(string.printable + "é✓", max_size=12)
        return st.one_of(st.none(), text) if nullable else text
    if kind.type == "integer":
        return st.integers(-(2 ** (kind.bits - 1)), 2 ** (kind.bits - 1) - 1)
    if kind.type == "boolean":
        return st.booleans()
    if kind.type == "enum":
        return st.sampled_from(sorted(kind.members.values()))
    member_schemas = spec.merged(spec.schema("MailAttachment"))["properties"]
    members = {
        m: _value(k, bool(spec.merged(member_schemas[m]).get("nullable"))) for m, k in kind.fields.items()
    }
    return st.fixed_dictionaries({}, optional=members).filter(bool)


@st.composite
def valid_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"from": "alice@example.test", "to": ["bob@example.org"]}
    for name, prop in spec.request_properties().items():
        if name in body or not draw(st.booleans()):
            continue
        p = DECLARED[name]
        value = _value(p.kind, bool(spec.merged(prop).get("nullable")))
        body[name] = draw(st.lists(value, max_size=3) if p.is_list else value)
    return body


@settings(max_examples=300, database=None, deadline=None)
@given(valid_bodies())
def test_the_shortcut_binds_what_the_long_way_binds(body: dict[str, Any]) -> None:
    assume(spec.validator(spec.request_schema_name()).is_valid(body))
    raw = json.dumps(body).encode()
    short, long = binder.bind(raw, JSON), binder.bind(raw, JSON, shortcut=False)
    assert short.as_written
    assert long.notes == ()
    assert long.request == short.request


def test_the_bound_request_is_judged_without_the_enum_list_only() -> None:
    judge = binder.request_validator()
    assert judge.is_valid(bind(with_(fileLinksShareMode=99)).request)
    assert not judge.is_valid(bind({"from": "", "to": ["b@x.org"]}).request)
    assert not judge.is_valid(bind(with_(to=None)).request)  # one empty address
    assert not spec.validator(spec.request_schema_name()).is_valid(with_(fileLinksShareMode=99))


# -- bounded work: what a hostile body costs (the hardening review of the merged binder) -------------


def test_a_number_of_thousands_of_digits_is_out_of_range_not_a_crash() -> None:
    """int() of more than 4,300 digits raises ValueError, which reached the server as a 500."""
    for raw, media in (
        (json.dumps({**BASE, "id": "1" * 5000}).encode(), binder.JSON_TYPE),
        (param({**BASE, "id": "9" * 5000}), FORM_TYPE),
        (json.dumps({**BASE, "attachments": [{"fileId": "1" * 5000}]}).encode(), binder.JSON_TYPE),
    ):
        with pytest.raises(BindError, match="does not convert") as refused:
            binder.bind(raw, media)
        assert refused.value.status == 400
    with pytest.raises(dotnet.NotConvertible, match="outside Int64"):
        dotnet.integer("1" * 21, 64)
    assert dotnet.integer("0" * 5000 + "7") == 7  # leading zeros are no magnitude


@pytest.mark.parametrize("charset", ["idna", "punycode", "base64", "rot13", "undefined", "no-such-charset"])
def test_a_charset_net_does_not_know_reads_the_form_as_utf8(charset: str) -> None:
    """ASP.NET's HttpRequest.ContentEncoding falls back to UTF-8 for a charset Encoding.GetEncoding
    refuses (`charset=undefined` answered 500 here): the form binds, and the note says so."""
    bound = binder.bind(
        param({**BASE, "subject": "caf\u00e9"}), f"application/x-www-form-urlencoded; charset={charset}"
    )
    assert bound.request["subject"] == "caf\u00e9"
    assert any("the form read as UTF-8" in note for note in bound.notes)


def test_a_charset_net_knows_reads_the_form() -> None:
    raw = b"from=alice%40example.test&to[]=bob%40example.org&subject=caf%E9"
    bound = binder.bind(raw, "application/x-www-form-urlencoded; charset=iso-8859-1")
    assert bound.request["subject"] == "caf\u00e9"
    assert not bound.notes


def test_notes_are_counted_past_a_bound_not_listed() -> None:
    """20,000 recipients each sent by position gave 20,000 notes (headers, log lines, outbox notes)."""
    raw = param({"from": BASE["from"]}) + b"".join(
        b"&to[%d]=r%d%%40example.org" % (i, i) for i in range(5000)
    )
    bound = binder.bind(raw, FORM_TYPE)
    assert len(bound.request["to"]) == 5000
    assert len(bound.notes) == binder.MAX_NOTES + 1
    assert bound.notes[-1] == f"and {5000 - binder.MAX_NOTES} more leniencies of the same kinds"


def test_each_of_many_attachments_binds_to_its_own_members() -> None:
    """The keys under each attachment's prefix are found at one pass; each still gets only its own."""
    items = [{"fileId": n + 1, "fileName": f"f{n}.txt"} for n in range(300)]
    for raw, media in ((json.dumps({**BASE, "attachments": items}).encode(), binder.JSON_TYPE),
                       (param({**BASE, "attachments": items}), FORM_TYPE)):  # fmt: skip
        assert binder.bind(raw, media).request["attachments"] == items


_FORM = FORM_TYPE
# One request for each kind of leniency: each kind the binder records is one a request can reach.
_EACH_KIND = {
    LeniencyKind.NAME_CASE: (b'{"FROM":"a@example.invalid"}', binder.JSON_TYPE, b""),
    LeniencyKind.MEMBER_CASE: (b'{"attachments":[{"fileid":1},{"fileid":2}]}', binder.JSON_TYPE, b""),
    LeniencyKind.CONVERTED: (b'{"importance":"true"}', binder.JSON_TYPE, b""),
    LeniencyKind.DEFAULTED: (b'{"importance":""}', binder.JSON_TYPE, b""),
    LeniencyKind.NOT_AN_ENUM_MEMBER: (b'{"fileLinksShareMode":99}', binder.JSON_TYPE, b""),
    LeniencyKind.LONE_VALUE: (b'{"to":"a@example.invalid"}', binder.JSON_TYPE, b""),
    LeniencyKind.NULL_AS_LIST: (b'{"to":null}', binder.JSON_TYPE, b""),
    LeniencyKind.WITHOUT_BRACKETS: (b"to=a%40example.invalid", _FORM, b""),
    LeniencyKind.ITEM_KEY: (b"to[3]=a%40example.invalid", _FORM, b""),
    LeniencyKind.FIRST_OF_A_LIST: (b'{"subject":["a","b"]}', binder.JSON_TYPE, b""),
    LeniencyKind.FIRST_OF_MANY: (b"subject=a&subject=b", _FORM, b""),
    LeniencyKind.REPEATED: (
        b'{"to":["a@example.invalid"],"to":["b@example.invalid"]}',
        binder.JSON_TYPE,
        b"",
    ),
    LeniencyKind.EMPTY_LIST: (b'{"subject":[]}', binder.JSON_TYPE, b""),
    LeniencyKind.FROM_THE_QUERY: (b"{}", binder.JSON_TYPE, b"subject=x"),
    LeniencyKind.NOT_READ: (b"subject[x]=1", _FORM, b""),
    LeniencyKind.ATTACHMENT_DROPPED: (b"attachments[0][x]=1&attachments[0][y]=2", _FORM, b""),
    LeniencyKind.MEMBER_VALUES_JOINED: (b"attachments[0][fileName]=a&attachments[0][fileName]=b", _FORM, b""),
    LeniencyKind.UNKNOWN_CHARSET: (b"subject=x", _FORM + "; charset=undefined", b""),
    LeniencyKind.NOT_UTF8: (b'{"subject":"\xff"}', binder.JSON_TYPE, b""),
    LeniencyKind.BODY_NOT_READ: (b"hello", "text/plain", b""),
    LeniencyKind.MORE: (b"&".join(b"to[%d]=a%%40example.invalid" % i for i in range(1, 40)), _FORM, b""),
}


@pytest.mark.parametrize("kind", list(LeniencyKind), ids=lambda kind: kind.value)
def test_each_kind_of_leniency_is_reached_by_a_request_and_recorded_with_its_field(
    kind: LeniencyKind,
) -> None:
    assert kind.meaning  # the docs' table and the coverage report show it
    if kind is LeniencyKind.MEMBER_FROM_EMPTY_KEY:
        # A form's empty key is in BindCollection's "simple" group: every member of that attachment
        # reads it, and no text converts to both an Int32 (fileId) and a Boolean (needSaveToTemp).
        with pytest.raises(BindError):
            binder.bind(b"=x&attachments[0][fileName]=a", _FORM)
        return
    raw, content_type, query = _EACH_KIND[kind]
    found = [item for item in binder.bind(raw, content_type, query).leniencies if item.kind is kind]
    assert found
    assert all(item.field in {p.name for p in binder.params()} | {""} for item in found)
