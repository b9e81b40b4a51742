"""ONLYOFFICE's own traffic (harness/first_party.py) through the onlyoffice sandbox, into the mail.

Each body goes as JSON and as the web client's form, to the spec's path and to `.json`;
each is accepted, says exactly the leniency it needed, and reaches an independent SMTP
sink with its fields in the headers and parts a mail reader sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from harness.first_party import CORPUS, DRAFT_ID, Traffic
from harness.form_wire import FORM_TYPE, param
from harness.sandboxes import SEND_PATH, TOKEN, outbox, running, settings_in, wait_until, write_drafts
from harness.smtp_sink import Delivered, SmtpSink
from onlyoffice_contract import binder, spec
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox.web.envelope import LENIENCY_HEADER

WAYS = [("json", ""), ("json", ".json"), ("form", ""), ("form", ".json")]
ISSUE_KINDS = [  # what the issue asks the corpus to hold, each matched to an entry's name
    "a new message", "a reply", "reply-all with tags and importance", "uploaded attachments",
    "a file from Documents", "file links with the share dialog", "receipts", "calendar request",
    "calendar reply", "calendar cancel", "id -1", "bcc only", "the autoreply",
]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SmtpSink]]:
    folder = tmp_path_factory.mktemp("first-party")
    sink = SmtpSink().up()
    drafts = [
        {"id": DRAFT_ID + n, **entry.draft} for entry in CORPUS if entry.draft for n in range(len(WAYS))
    ]
    settings = settings_in(
        folder, smtp=sink.address, binder="onlyoffice", drafts=write_drafts(folder, drafts)
    )
    settings.files_dir.mkdir()
    for entry in CORPUS:
        for name, data in entry.files.items():
            (settings.files_dir / name).write_bytes(data)
    try:
        with running(settings) as url:
            yield url, sink
    finally:
        sink.down()


def test_the_corpus_holds_what_the_issue_asks() -> None:
    names = [entry.name for entry in CORPUS]
    assert len(CORPUS) >= 12
    assert len(set(names)) == len(names)
    for kind in ISSUE_KINDS:
        assert any(kind in name for name in names), kind
    assert all(entry.source for entry in CORPUS)


@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_valid_against_the_spec_where_it_needs_no_leniency_beyond_null(entry: Traffic) -> None:
    valid = spec.validator(spec.request_schema_name(), formats=True).is_valid(entry.body)
    assert valid is (not entry.leniencies)
    assert binder.bind_json(entry.body).notes == entry.leniencies


def _addresses(message: EmailMessage, header: str) -> list[tuple[str, str]]:
    value = message[header]
    return [(a.display_name, a.addr_spec) for a in value.addresses] if value else []


def _expected(values: Any) -> list[tuple[str, str]]:
    found = [parse_mailbox(v) for v in ([values] if isinstance(values, str) else values or [])]
    return [(a.display_name, a.addr_spec) for a in found if a is not None]


def _calendar(part: EmailMessage) -> bool:
    """The event's two parts: the text/calendar alternative and the application/ics attachment."""
    return part.get_content_type() in ("text/calendar", "application/ics")


def check_mail(delivered: Delivered, body: dict[str, Any], entry: Traffic) -> None:
    """The fields of `body`, as a mail reader sees them in what was delivered."""
    mail = delivered.message
    assert _addresses(mail, "From") == [("Sandbox User", "sandbox@example.test")]
    assert _addresses(mail, "To") == _expected(body.get("to"))
    assert _addresses(mail, "Cc") == _expected(body.get("cc"))
    assert "Bcc" not in mail
    everyone = [
        a for _, a in _expected(body.get("to")) + _expected(body.get("cc")) + _expected(body.get("bcc"))
    ]
    assert sorted(delivered.rcpt_tos) == sorted(everyone)
    assert mail["Subject"] == body["subject"]
    reply_to = body.get("mimeReplyToId")
    assert mail["In-Reply-To"] == (f"<{reply_to}>" if reply_to else None)
    assert mail["Importance"] == ("high" if body.get("importance") else None)
    sender = "Sandbox User <sandbox@example.test>"  # the receipts name the sender as From does
    assert mail["Return-Receipt-To"] == (sender if body.get("requestReceipt") else None)
    assert mail["Disposition-Notification-To"] == (sender if body.get("requestRead") else None)
    submitted = ["auto-generated"] if body.get("calendarIcs") else []
    submitted += ["auto-replied"] if body.get("isAutoreply") else []
    assert mail.get_all("Auto-Submitted", []) == submitted
    html = mail.get_body(("html",))
    assert html is not None
    assert html.get_content().strip() == body["body"]
    calendars = [p for p in mail.walk() if _calendar(p)]
    if body.get("calendarIcs"):
        assert [p.get_content_type() for p in calendars] == ["text/calendar", "application/ics"]
        for calendar in calendars:
            content = calendar.get_content()
            text = content.decode() if isinstance(content, bytes) else content
            assert text.replace("\r\n", "\n").strip() == body["calendarIcs"].replace("\r\n", "\n")
    else:
        assert calendars == []
    files = sorted(str(p.get_filename()) for p in mail.walk() if p.get_filename() and not _calendar(p))
    assert files == sorted(entry.attached)
    for item in body.get("attachments") or []:
        if item.get("contentId") and item["fileName"] in entry.attached:
            [inline] = [p for p in mail.walk() if p.get_filename() == item["fileName"]]
            assert inline["Content-ID"] == f"<{item['contentId']}>"
            assert inline.get_content_disposition() == "inline"


# The web client's own keys (harness/first_party.py: its page object and its attachment items), which
# production ignores: sent as JSON, the sandbox names each one (a form goes to the binder alone).
PAGE_KEYS = ("isReceipt",)
ATTACHMENT_KEYS = ("docId", "orderNumber", "operation", "error", "iconCls")


def ignored_names(body: dict[str, Any]) -> tuple[str, ...]:
    notes = [f'"{name}": not a field of the request; ignored' for name in body if name in PAGE_KEYS]
    for index, item in enumerate(body.get("attachments") or []):
        notes += [
            f"attachments[{index}].{name}: not a member of an attachment; ignored"
            for name in item
            if name in ATTACHMENT_KEYS
        ]
    return tuple(notes)


@pytest.mark.parametrize(("wire", "route"), WAYS, ids=[f"{w}{r or ' send'}" for w, r in WAYS])
@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_accepted_as_production_accepts_it_and_delivered(
    sandbox: tuple[str, SmtpSink], entry: Traffic, wire: str, route: str
) -> None:
    url, sink = sandbox
    body = dict(entry.body)
    if entry.draft:
        body["id"] = DRAFT_ID + WAYS.index((wire, route))  # a draft is sent once: one each
    if wire == "json":  # as an app or the server's C# client sends it
        headers = {"Authorization": TOKEN, "Content-Type": "application/json; charset=utf-8"}
        raw, expected_notes = json.dumps(body).encode(), entry.leniencies + ignored_names(body)
    else:  # as the web client sends it: the form, and its cookie
        headers = {"Cookie": f"asc_auth_key={TOKEN}", "Content-Type": FORM_TYPE}
        raw, expected_notes = param(body), entry.form_leniencies
    response = httpx.put(f"{url}{SEND_PATH}{route}?__=482913", content=raw, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    message_id = response.json()["response"]
    assert tuple(response.headers.get_list(LENIENCY_HEADER)) == expected_notes
    [row] = [m for m in outbox(url) if m["id"] == message_id]
    assert row["notes"] == list(expected_notes)  # and no attachment skipped: each names a file it has

    def delivered() -> bool:
        return any(str(d.message["Message-ID"]) == row["messageId"] for d in sink.delivered)

    wait_until(delivered, 60)
    [mail] = [d for d in sink.delivered if str(d.message["Message-ID"]) == row["messageId"]]
    check_mail(mail, body, entry)
