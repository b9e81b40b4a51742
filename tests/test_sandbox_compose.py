"""Whatever the sandbox accepts, it can send: composed, the mail carries exactly the headers the
request caused, each decoding to what was sent, on this interpreter (CVE-2024-6923 included)."""

from __future__ import annotations

import email
import json
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness.hostile import request_bodies
from onlyoffice_contract import send_task
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox import attachments, request_reader, sending
from onlyoffice_sandbox.accounts import Accounts
from onlyoffice_sandbox.delivery import headers
from onlyoffice_sandbox.delivery.compose import compose
from onlyoffice_sandbox.letter import Letter, new_message_id, now
from onlyoffice_sandbox.problems import Problem

SENDER = "Sandbox User <sandbox@example.test>"
ACCOUNTS = Accounts((SENDER,), ())
ALWAYS = {"from", "subject", "date", "message-id", "mime-version", "content-type"}
# The headers each field causes when it is set (per the facts, "The mail that goes out").
CAUSED = {
    "to": {"to"},
    "cc": {"cc"},
    "importance": {"importance", "x-priority"},
    "mimeReplyToId": {"in-reply-to"},
    "isAutoreply": {"auto-submitted"},
    "calendarIcs": {"auto-submitted"},
    "requestReceipt": {"return-receipt-to"},
    "requestRead": {"disposition-notification-to"},
}
PART_HEADERS = {
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "mime-version",
}


def accepted_letter(body: dict[str, Any], files: Path) -> Letter | None:
    """The letter the sandbox would store for `body`, or None if its rules refuse it."""
    try:
        # Read by the default binder (onlyoffice), as the sandbox reads a JSON body on the wire.
        fields = request_reader.read("onlyoffice", json.dumps(body).encode(), "application/json").fields
        sender = ACCOUNTS.sender(fields["from"])
        recipients = sending.recipients(fields)
    except Problem:
        return None
    items = [
        {**item, "storedName": "file", "attachedAsLink": False} for item in fields.get("attachments") or []
    ]
    return Letter(
        fields=fields,
        message_id=new_message_id(sender),
        date=now(),
        author=str(sender),
        recipients=recipients,
        attachments=attachments.resolve(items, files, attachments.Limits(100, 25 * 1024 * 1024))[0],
    )


def expected_headers(fields: dict[str, Any]) -> set[str]:
    caused = {name for field, names in CAUSED.items() if fields.get(field) for name in names}
    return ALWAYS | caused


def raw_header(raw: bytes, name: str) -> str:
    value = email.message_from_bytes(raw, policy=policy.compat32)[name]
    assert isinstance(value, str)
    return value


def filename(part: EmailMessage) -> str:
    """The part's file name as a MIME reader reads it. Not `get_filename()`: it unquotes the quoted
    string twice, so a name `""` (hypothesis drew it in CI) reads as empty (CPython's
    collapse_rfc2231_value after get_param). The header's own parser unquotes once; stripped as
    get_filename strips."""
    value = part["Content-Disposition"].params.get("filename")
    return str(value or "").strip()


def check_mail(letter: Letter, raw: bytes) -> None:
    raw.decode("ascii")  # 7-bit: every non-ASCII text is encoded
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line over RFC 5322's limit"
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    fields = letter.fields
    assert {name.lower() for name in mail} == expected_headers(fields)
    # None twice, but Auto-Submitted when both flags ask for it (ToMimeMessage adds one for each).
    twice = ["Auto-Submitted"] if fields.get("calendarIcs") and fields.get("isAutoreply") else []
    assert sorted(mail.keys()) == sorted([*set(mail.keys()), *twice])
    assert mail["Message-ID"] == letter.message_id
    assert str(mail["Subject"]) == headers.one_line(fields.get("subject") or "")
    for field in ("to", "cc"):
        if fields.get(field):
            sent = [a for a in (parse_mailbox(v) for v in fields[field]) if a]
            # Decoded with the legacy decoder: the new parser puts a space between adjacent encoded
            # words of a display name (a CPython bug); RFC 2047 decoders, MimeKit's among them, do not.
            got = getaddresses([raw_header(raw, field)])
            assert [addr for _, addr in got] == [headers.addr_spec(a) for a in sent]
            assert [str(make_header(decode_header(name))) for name, _ in got] == [
                headers.one_line(a.display_name) for a in sent
            ]
    if fields.get("mimeReplyToId"):
        # As MimeKit writes it where it reads a mailbox (send_task.in_reply_to), else the text as sent.
        reply_to = headers.one_line(send_task.in_reply_to(fields["mimeReplyToId"]) or fields["mimeReplyToId"])
        assert str(mail["In-Reply-To"]).strip("<>") == reply_to.strip("<>") or not reply_to.strip("<>")
    named = [p for p in mail.walk() if p.get_content_disposition() in {"attachment", "inline"}]
    files = [p for p in named if filename(p) != "calendar.ics" or not fields.get("calendarIcs")]
    assert [filename(p) for p in files if p.get_content_disposition() == "attachment"] == [
        headers.one_line(a.file_name) for a in letter.attachments if not a.content_id
    ][: len([p for p in files if p.get_content_disposition() == "attachment"])]
    for part in mail.walk():
        if part is not mail:
            assert {name.lower() for name in part} <= PART_HEADERS, part.keys()


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=request_bodies(SENDER))
def test_every_accepted_request_composes_into_exactly_the_mail_it_asked_for(
    body: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "file").write_bytes(b"attached")
    letter = accepted_letter(body, tmp_path)
    assume(letter is not None)  # Hypothesis fails the test if it cannot find enough accepted ones
    assert letter is not None
    check_mail(letter, compose(letter).as_bytes())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "=?utf-8?q?hello=0D=0AX-Injected:_yes=0D=0ABcc:_leak@evil.example?="),
        ("subject", "=?utf-8?q?hello=0D=0A=0D=0Areplaced_body?="),
        ("mimeReplyToId", "=?utf-8?q?x=0D=0AX-Injected:_yes?="),
        ("subject", "\ud800 lone"),
        ("subject", "café =?utf-8?q?=FF?="),
        ("calendarIcs", "BEGIN:VCALENDAR\ud800"),
        ("body", "<p>\udfff</p>"),
    ],
)
def test_the_reported_injections_and_unwritable_text(field: str, value: str, tmp_path: Path) -> None:
    """Finding 1 and 5 of the hardening issue: each put a header in, replaced the body or failed."""
    letter = accepted_letter({"from": SENDER, "to": ["bob@example.org"], field: value}, tmp_path)
    assert letter is not None
    raw = compose(letter).as_bytes()
    check_mail(letter, raw)
    assert b"\r\nX-Injected" not in raw
    assert b"\r\nBcc" not in raw


@pytest.mark.parametrize(
    "item",
    [
        {"fileName": "=?utf-8?q?a=0D=0AX-Injected:_yes?=.txt"},
        {"fileName": "a.txt", "contentId": "=?utf-8?q?a=0D=0AX-Injected:_yes?="},
        {"fileName": "report", "contentType": "message/delivery-status"},
        {"fileName": "data:message/delivery-status,x"},
        {"fileName": "mail.eml", "contentType": "message/rfc822"},
        {"fileName": "parts", "contentType": "multipart/mixed"},
        {"fileName": '""'},  # a quoted string of two quotes: read back as written (hypothesis, in CI)
        {"fileName": '"quoted" name.txt'},
    ],
)
def test_attachments_that_injected_or_crashed_compose(item: dict[str, Any], tmp_path: Path) -> None:
    """Findings 1 and 3: an injected header through a file name or Content-ID; and a content type
    that made `email` raise at compose, which stopped all delivery."""
    (tmp_path / "file").write_bytes(b"attached")
    letter = accepted_letter({"from": SENDER, "to": ["bob@example.org"], "attachments": [item]}, tmp_path)
    assert letter is not None
    raw = compose(letter).as_bytes()
    check_mail(letter, raw)
    assert b"\r\nX-Injected" not in raw
    mail = email.message_from_bytes(raw, policy=policy.default)
    [part] = [p for p in mail.walk() if p.get_content_disposition() in {"attachment", "inline"}]
    assert part.get_content() in (b"attached", "attached")
    assert not part.get_content_type().startswith(("message/", "multipart/"))


@given(st.text())
def test_sendable_text_always_encodes(text: str) -> None:
    headers.sendable(text).encode("utf-8")


@pytest.mark.parametrize(
    "written",
    [
        '"<x@evil.example>"@example.org',
        '"john doe"@example.org',
        'Name <"a@b"@example.org>',
        '"a\\"b"@example.org',
    ],
)
def test_a_quoted_local_part_is_written_quoted(written: str, tmp_path: Path) -> None:
    """`"<x@evil.example>"@example.org` went out as `To: <x@evil.example>@example.org`, which mail
    readers show as x@evil.example. MimeKit keeps a quoted local part quoted (it does not refuse it):
    the mail names the mailbox the request named, read back the same by a reader."""
    letter = accepted_letter({"from": SENDER, "to": [written], "cc": [written]}, tmp_path)
    assert letter is not None
    raw = compose(letter).as_bytes()
    check_mail(letter, raw)
    asked = parse_mailbox(written)
    assert asked is not None
    mail = email.message_from_bytes(raw, policy=policy.default)
    for name in ("To", "Cc"):
        [read] = mail[name].addresses
        assert (read.username, read.domain) == (asked.username, asked.domain)
        assert read.addr_spec == asked.addr_spec
        assert raw_header(raw, name).count("@") == written.count("@")
    assert letter.recipients == [asked.addr_spec, asked.addr_spec]  # the envelope names it quoted too
    assert asked.addr_spec.startswith('"')


def _calendar_parts(ics: str) -> tuple[EmailMessage, EmailMessage]:
    letter = Letter(
        fields={"from": SENDER, "to": ["bob@example.org"], "body": "<p>Hi</p>", "calendarIcs": ics},
        message_id="<m@example.test>",
        date=now(),
        author=SENDER,
        recipients=["bob@example.org"],
        attachments=[],
    )
    mail = email.message_from_bytes(compose(letter).as_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    [alternative_calendar] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    [attached] = [p for p in mail.walk() if p.get_content_type() == "application/ics"]
    return alternative_calendar, attached


@pytest.mark.parametrize(
    ("method", "file_name"),
    [
        ("REQUEST", "invite.ics"),
        ("REPLY", "reply.ics"),
        ("CANCEL", "cancel.ics"),
        ("request", "calendar.ics"),  # taken in any case, but named by an exact comparison
        ("PUBLISH", None),  # no method the real server takes: no parameter, the default name
    ],
)
def test_the_calendar_goes_out_twice_named_by_its_method(method: str, file_name: str | None) -> None:
    """ToMimeMessageBody: a text/calendar alternative (quoted-printable, method=CalendarMethod) and an
    application/ics attachment (base64, method and name parameters, a file name by the method)."""
    event = "BEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n"
    ics = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:{method}\r\n{event}END:VCALENDAR"
    calendar, attached = _calendar_parts(ics)
    taken = method if file_name else None
    assert calendar["Content-Transfer-Encoding"] == "quoted-printable"
    assert calendar.get_param("method") == taken
    assert attached["Content-Transfer-Encoding"] == "base64"
    assert attached.get_content_disposition() == "attachment"
    name = file_name or "calendar.ics"
    assert (attached.get_param("method"), attached.get_param("name"), attached.get_filename()) == (
        taken,
        name,
        name,
    )
    assert attached.get_content().decode() == ics
