"""The send task's readings of `mimeReplyToId` and `calendarIcs`, each case worked out by hand from
the sources (MimeKit 2.15.0, Ical.Net 4.2.0, CommunityServer v12.7.1), not from the model."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harness.first_party import ICS_CANCEL, ICS_REPLY, ICS_REQUEST
from onlyoffice_contract.send_task import (
    Reading,
    calendar,
    calendar_method,
    delivery,
    in_reply_to,
    reply_id,
)

USABLE, UNUSABLE, UNSURE = Reading.USABLE, Reading.UNUSABLE, Reading.UNSURE

# (value, reading, In-Reply-To written, why: the source's reason)
REPLY_IDS = [
    ("<a@b.c>", USABLE, "<a@b.c>", "InternetAddress.cs 856-877: an angle-addr"),
    ("a@b.c", USABLE, "<a@b.c>", "782-818: an addr-spec to the end"),
    ("abc", USABLE, "<abc>", "675-736 with AllowAddressesWithoutDomain (ParserOptions.cs 190)"),
    (
        "20261124093000.4F2A1B@example.org",
        USABLE,
        "<20261124093000.4F2A1B@example.org>",
        "the web client's form",
    ),
    (
        "<contract-probe@example.invalid>\r\nX-Contract-Injected: cs-1",
        USABLE,
        "<contract-probe@example.invalid>",
        "MimeMessage.cs 690: the setter never checks where the parse stopped; the rest is dropped",
    ),
    ("a@b.c\r\nBcc: x@y.z", USABLE, "<a@b.c>", "836-852: after an addr-spec, the rest is left unread"),
    ("abc\r\nX-Injected: 1", UNUSABLE, None, "738-749: 'abc X-Injected' then ':' reads as a group"),
    ("", USABLE, None, "MailDraftExtensions.cs 132: empty sets no In-Reply-To"),
    (" ", UNUSABLE, None, "600-605: nothing but whitespace: 'No address found.'"),
    ("\r\n\t", UNUSABLE, None, "600-605: whitespace is space, tab, CR, LF (ByteExtensions.cs 62)"),
    ("(only a comment)", UNUSABLE, None, "ParseUtils.cs 155-173 skips it, then 'No address found.'"),
    ("(open", UNUSABLE, None, "ParseUtils.cs 162-166: an unclosed comment fails"),
    ("<>", UNUSABLE, None, "TryParseMailbox 503: TryParseLocalPart at '>' (not atom)"),
    ("<@>", UNUSABLE, None, "DomainList.cs 427: a route with no domain"),
    ("a b", UNUSABLE, None, "726-731: local part 'a', then 'b' is not the sentinel"),
    ("a b@c.d", UNUSABLE, None, "387-392: local part 'a', then 'b' is not '@'"),
    ("a @ b . c", USABLE, "<a@b.c>", "CFWS around '@' and '.' is skipped (ParseUtils.cs 290-303)"),
    ('"a b"@c.d', USABLE, '<"a b"@c.d>', "SkipWord: a quoted local part is kept with its quotes"),
    ('"q\\"x"@c.d', USABLE, '<"q\\"x"@c.d>', "SkipQuoted 184-190: escapes kept as written"),
    ('"abc"', USABLE, '<"abc">', "a quoted local part, no domain"),
    ('"abc', UNUSABLE, None, "SkipQuoted fails: the local part cannot start"),
    ('"abc <a@b.c>', USABLE, "<a@b.c>", "617-634: the unclosed quote belongs to the name"),
    ('"Doe, John" <john@example.com>', USABLE, "<john@example.com>", "a display name, then the angle-addr"),
    ("Bob <b@x.y>", USABLE, "<b@x.y>", "856-877"),
    (
        "Doe, John <j@x.y>",
        USABLE,
        "<j@x.y>",
        "657-665: an unquoted comma stays in the name (ParserOptions.cs 189)",
    ),
    ("(c) a@b.c", USABLE, "<a@b.c>", "597: leading comments skipped"),
    ("a@b.c (c)", USABLE, "<a@b.c>", "795-810: a trailing comment is the name"),
    ("a(x)@b.c", USABLE, "<a@b.c>", "TryParseLocalPart 333: comments between tokens skipped"),
    ("a.b", USABLE, "<a.b>", "no domain, dot-atom local part"),
    ("a..b@c", UNUSABLE, None, "Loose reads one '.' at a time (355): the second is not atom"),
    ("a.@b", UNUSABLE, None, "308-313: '@' after '.' is not atom"),
    (".a@b", UNUSABLE, None, "308: '.' cannot start a local part"),
    ("a@", UNUSABLE, None, "395-400: incomplete addr-spec"),
    ("@b.c", UNUSABLE, None, "308: '@' cannot start a local part"),
    ("a@b..c", UNUSABLE, None, "ParseUtils.cs 270-275: an empty domain label"),
    ("a@b.c.", USABLE, "<a@b.c>", "ParseUtils.cs 305-307: a trailing '.' is dropped"),
    ("a@b.c x", USABLE, "<a@b.c>", "836-852: text after the addr-spec is ignored"),
    ("a@b.c, d@e.f", USABLE, "<a@b.c>", "the first mailbox of a list; the rest is ignored"),
    ("abc, def", USABLE, "<abc>", "658-665 and 726: the comma is the sentinel after 'abc'"),
    ("a@b.c <d@e.f>", USABLE, "<d@e.f>", "820-834: an unquoted name with '@', then the angle-addr"),
    ("<a@b.c", USABLE, "<a@b.c>", "509-515: Loose accepts a missing '>'"),
    ("<<a@b.c>>", USABLE, "<a@b.c>", "441-453, 520-532: Loose skips extra angle brackets"),
    ("<@r1,@r2:a@b.c>", USABLE, "<a@b.c>", "465-493: an obsolete route, dropped"),
    ("a@[1 2]", USABLE, "<a@[12]>", "ParseUtils.cs 317-358: whitespace in a domain literal dropped"),
    ("a@[1\\2]", UNUSABLE, None, "ByteExtensions.cs 57: '\\' is not a domain-literal character"),
    ("g: a@b.c;", UNUSABLE, None, "744-749: a group is not allowed (AllowMailboxAddress only)"),
    (";", UNUSABLE, None, "675-698: a sentinel where the local part should be"),
    ("abc>", USABLE, "<abc>", "715-724: Loose skips a stray '>'"),
    ("[a]@b.c", UNUSABLE, None, "'[' is a phrase atom but not an atom (ByteExtensions.cs 143)"),
    ("ü@bü.c", USABLE, "<ü@bü.c>", "ByteExtensions.cs 119-123: every byte from 128 is atom"),
    ("<é>", USABLE, "<é>", "non-ASCII local part, no domain"),
    ("a\xa0b@c.d", USABLE, "<a\xa0b@c.d>", "NBSP's UTF-8 bytes are atom, not whitespace"),
    ("x@xn--bcher-kva.example", USABLE, None, "ParseUtils.cs 549-556: IdnMapping rewrites the text"),
]


@pytest.mark.parametrize(("value", "reading", "written", "why"), REPLY_IDS, ids=[r[3] for r in REPLY_IDS])
def test_reply_id_reads_as_mimekit_does(value: str, reading: Reading, written: str | None, why: str) -> None:
    assert reply_id(value) is reading, why
    assert in_reply_to(value) == written, why


VEVENT = "BEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nEND:VEVENT\r\n"


def _ics(body: str = VEVENT, method: str = "METHOD:REQUEST\r\n", version: str = "VERSION:2.0\r\n") -> str:
    return f"BEGIN:VCALENDAR\r\n{version}{method}{body}END:VCALENDAR\r\n"


# (text, reading, method= written, why)
CALENDARS = [
    (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        UNUSABLE,
        None,
        "no METHOD, no event (MailUtil.cs 194, 203)",
    ),
    (_ics(), USABLE, "REQUEST", "VERSION 2.0, METHOD REQUEST, one VEVENT"),
    (ICS_REQUEST, USABLE, "REQUEST", "the web client's invitation"),
    (ICS_REPLY, USABLE, "REPLY", "the web client's reply"),
    (ICS_CANCEL, USABLE, "CANCEL", "the web client's cancel"),
    (_ics(method=""), UNUSABLE, None, "MailUtil.cs 194: method empty"),
    (_ics(method="METHOD:PUBLISH\r\n"), UNUSABLE, None, "MailUtil.cs 195-197: not REQUEST/REPLY/CANCEL"),
    (_ics(method="METHOD:REQUEST,REPLY\r\n"), UNUSABLE, None, "METHOD is one string, not a list"),
    (
        _ics(method="METHOD:request\r\n"),
        USABLE,
        "request",
        "InvariantCultureIgnoreCase; Method kept as written",
    ),
    (_ics(method="METHOD:Reply\r\n"), USABLE, "Reply", "MailComposeBase.cs 70: not upper-cased"),
    (_ics(method="METHOD:REQUEST \r\n"), UNSURE, None, "culture comparison with a trailing space"),
    (_ics(method="METHOD:RÉQUEST\r\n"), UNSURE, None, "non-ASCII: the culture decides"),
    (_ics(body=""), UNUSABLE, None, "MailUtil.cs 203: 'Calendar events not found'"),
    (_ics(body=VEVENT + VEVENT.replace("u1", "u2")), UNUSABLE, None, "206: 'Too many calendar events'"),
    (
        _ics(body=VEVENT.replace("UID:u1", "UID:")),
        USABLE,
        "REQUEST",
        "UniqueComponent.cs 31-37, 86-91: a new UID",
    ),
    (_ics(body=VEVENT.replace("UID:u1\r\n", "")), USABLE, "REQUEST", "no UID: one is made"),
    (_ics(version="VERSION:1.0\r\n"), UNUSABLE, None, "MailUtil.cs 190: version must be 2.0"),
    (_ics(version="VERSION:2.0 \r\n"), UNUSABLE, None, "190: compared with != '2.0' exactly"),
    (_ics() + _ics(), UNUSABLE, None, "185: 'Too many calendars'"),
    ("", USABLE, None, "MailComposeBase.cs 62: empty is no calendar"),
    (_ics().replace("\r\n", "\n"), USABLE, "REQUEST", "ReadLine ends a line at LF too"),
    (_ics().replace("\r\n", "\r"), USABLE, "REQUEST", "and at a lone CR"),
    (
        _ics(method="METH\r\n OD:REQ\r\n\tUEST\r\n"),
        USABLE,
        "REQUEST",
        "SimpleDeserializer.cs 197-200: a folded line loses its first space or tab",
    ),
    (_ics().replace("\r\n", "\r\n\r\n"), USABLE, "REQUEST", "192-195: empty lines skipped"),
    (_ics().lower(), USABLE, "request", "names upper-cased (133, CalendarComponentFactory ToUpper)"),
    (
        _ics(body="X-FOO:bar\r\nBEGIN:X-THING\r\nA:b\r\nEND:X-THING\r\n" + VEVENT),
        USABLE,
        "REQUEST",
        "unknown: plain",
    ),
    (VEVENT + _ics(), USABLE, "REQUEST", "CalendarCollection.cs 31: a top-level VEVENT is not a calendar"),
    (VEVENT, UNUSABLE, None, "MailUtil.cs 182: 'Calendars not found'"),
    (
        _ics(method="", body=VEVENT.replace("END:VEVENT", "METHOD:REQUEST\r\nEND:VEVENT")),
        UNUSABLE,
        None,
        "the event's",
    ),
    ("VERSION:2.0\r\n" + _ics(), UNUSABLE, None, "SimpleDeserializer.cs 87-90: 'Expected BEGIN'"),
    (_ics(body=VEVENT.replace("UID:u1", "UID u1")), UNUSABLE, None, "123-127: 'Could not parse line'"),
    (_ics(body=VEVENT.replace("UID:u1", "U ID:u1")), UNUSABLE, None, "the name is [-A-Za-z0-9_]+"),
    (_ics(body=VEVENT.replace("UID:u1", "UID:u\x01")), UNUSABLE, None, "66: the value has no C0 control"),
    (_ics(body=VEVENT.replace("END:VEVENT", "END:VTODO")), UNUSABLE, None, "93-96: END does not match"),
    (_ics().replace("END:VCALENDAR\r\n", ""), UNUSABLE, None, "115-118: 'Unclosed component'"),
    ("  ", UNUSABLE, None, "a folded line holding one space: 'Could not parse line'"),
    (
        "\ufeff" + _ics(),
        UNUSABLE,
        None,
        "a BOM is not stripped by StringReader: the first line does not parse",
    ),
    (
        _ics(body=VEVENT.replace("END:VEVENT\r\n", "END:VEVENT\r\n  \r\n")),
        UNUSABLE,
        None,
        "a blank line of spaces continues END:VEVENT: 'Expected END:VEVENT, found END:VEVENT '",
    ),
    ("0", UNUSABLE, None, "calendarIcs 0 binds as '0': not a content line"),
    (
        _ics(body=VEVENT.replace("DTSTART:20261201T100000Z", "DTSTART:tomorrow")),
        USABLE,
        "REQUEST",
        "no match: null",
    ),
    (
        _ics(body=VEVENT.replace("20261201T100000Z", "\u0662\u0660\u0662\u06661201T100000Z")),
        UNUSABLE,
        None,
        "\\d matches, ToInt32 throws",
    ),
    (_ics(body=VEVENT.replace("20261201T100000Z", "20261301T100000Z")), UNSURE, None, "month 13: MinValue"),
    (
        _ics(body=VEVENT.replace("UID:u1", "ATTENDEE:not a uri")),
        USABLE,
        "REQUEST",
        "AttendeeSerializer catches all",
    ),
    (_ics(body=VEVENT.replace("UID:u1", "SEQUENCE:x")), USABLE, "REQUEST", "IntegerSerializer catches all"),
    (
        _ics(body=VEVENT.replace("UID:u1", "RRULE:FREQ=DAILY")),
        UNSURE,
        None,
        "RecurrencePattern: not modelled",
    ),
    (_ics(body=VEVENT.replace("UID:u1", "DURATION:PT1H")), UNSURE, None, "TimeSpan: not modelled"),
    (
        _ics(body=VEVENT.replace("END:VEVENT", "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT")),
        UNSURE,
        None,
        "Alarm and Trigger: not modelled",
    ),
    (_ics(body=VEVENT.replace("UID:u1", "UID;ENCODING=BASE64:dTE=")), UNSURE, None, "Decode: not modelled"),
    (
        _ics(body=VEVENT.replace("UID:u1", "BEGIN:x-i\r\nEND:x-i")),
        UNSURE,
        None,
        "ToUpper in the user's culture (MailApi.Messages.cs 514): Turkish makes END:x-i miss X-\u0130",
    ),
    (
        _ics(body=VEVENT.replace("UID:u1", "UID;ENCODING=BASE64:dTE=") + "BAD LINE\r\n"),
        UNUSABLE,
        None,
        "a line that does not parse throws whatever else the text holds",
    ),
]


@pytest.mark.parametrize(("text", "reading", "method", "why"), CALENDARS, ids=[c[3] for c in CALENDARS])
def test_calendar_reads_as_ical_net_and_parse_valid_calendar_do(
    text: str, reading: Reading, method: str | None, why: str
) -> None:
    assert calendar(text) is reading, why
    assert calendar_method(text) == method, why


@pytest.mark.parametrize(
    ("bound", "reading", "words"),
    [
        ({}, USABLE, "mimeReplyToId empty"),
        ({"mimeReplyToId": None, "calendarIcs": None}, USABLE, "calendarIcs empty"),
        (
            {"mimeReplyToId": "x y"},
            UNUSABLE,
            'mimeReplyToId "x y": MimeKit 2.15 throws "Invalid Message-Id format."',
        ),
        ({"mimeReplyToId": "<a@b.c>", "calendarIcs": _ics()}, USABLE, "In-Reply-To <a@b.c>"),
        ({"calendarIcs": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"}, UNUSABLE, "method == )"),
        # InReplyTo is set (MailDraftExtensions.cs 133) before the calendar part is built (288).
        ({"mimeReplyToId": " ", "calendarIcs": "0"}, UNUSABLE, "mimeReplyToId"),
        ({"mimeReplyToId": "<a@b.c>", "calendarIcs": "0"}, UNUSABLE, "Could not parse line"),
        (
            {"mimeReplyToId": "a@b.c", "calendarIcs": _ics(body=VEVENT.replace("UID:u1", "RRULE:X"))},
            UNSURE,
            "RRULE",
        ),
        (
            {"mimeReplyToId": "a b", "calendarIcs": _ics(body=VEVENT.replace("UID:u1", "RRULE:X"))},
            UNUSABLE,
            "a b",
        ),
    ],
)
def test_delivery_combines_both_fields_in_the_order_the_task_uses_them(
    bound: dict[str, str | None], reading: Reading, words: str
) -> None:
    got, reason = delivery(bound)
    assert got is reading
    assert words in reason
    assert not {"\r", "\n"} & set(reason)


def test_delivery_refuses_what_the_binder_never_gives() -> None:
    with pytest.raises(TypeError, match="calendarIcs"):
        delivery({"calendarIcs": 0})


# Characters that matter to both grammars, and some that do not.
_GRAMMAR = [*'aZ09.@<>,;:"\\()[] \t\r\n=-_', "é", "\xa0", "\ud800", "\x00"]
_ICS_LINES = [
    "BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "VERSION:2.0", "METHOD:REQUEST",
    "METHOD:request", "UID:", "UID:u", "DTSTART:20261201T100000Z", "DTSTART:\u0662\u0660\u0662\u06661201",
    "RRULE:FREQ=DAILY",
    " folded", "\tfolded", "X;A=\"q:;\":v", "BEGIN:VALARM", "END:VALARM", "bad line", "",
]  # fmt: skip
_texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from([*_GRAMMAR, "xn--"]), max_size=40).map("".join),
    st.lists(st.sampled_from(_ICS_LINES), max_size=14).map("\r\n".join),
    st.lists(st.sampled_from(_ICS_LINES), max_size=14).map("\n".join),
)


@settings(max_examples=1500, database=None, deadline=None)
@given(_texts)
@example("")
@example("\ud800")
@example('"')
@example("(")
@example("<@")
@example("a@[")
@example("BEGIN:VCALENDAR\r\nEND:VEVENT")
def test_the_readings_never_raise_and_agree_with_what_they_write(text: str) -> None:
    reading = reply_id(text)
    assert isinstance(reading, Reading)
    written = in_reply_to(text)
    assert written is None or (reading is USABLE and written.startswith("<") and written.endswith(">"))
    assert written is None or not ({"\r", "\n"} & set(written))
    method = calendar_method(text)
    assert isinstance(calendar(text), Reading)
    assert method is None or (calendar(text) is USABLE and method.upper() in ("REQUEST", "REPLY", "CANCEL"))
    both, reason = delivery({"mimeReplyToId": text, "calendarIcs": text})
    assert isinstance(both, Reading)
    assert reason
    if UNUSABLE in (reading, calendar(text)):
        assert both is UNUSABLE


@settings(max_examples=500, database=None, deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\.[A-Za-z0-9-]{1,8}){0,2}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,2}", fullmatch=True),
    st.text(),
)
def test_an_angle_addr_is_read_and_whatever_follows_it_is_dropped(local: str, domain: str, rest: str) -> None:
    """MimeMessage.cs 690: the setter does not look past the mailbox it read."""
    assert in_reply_to(f"<{local}@{domain}>{rest}") == f"<{local}@{domain}>"
