"""The mail viewer: a paginated list read from the index, a page per message, delete; any header survives.

Mail reaches the pages two ways here: through the send call (the `sandbox` fixture of
onlyoffice_sandbox.pytest_plugin) and straight over SMTP to the embedded capture
(harness/capture_thread.py), for what the send call never composes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from harness.capture_thread import capture_at, deliver
from harness.pages import Page
from harness.sandboxes import accepted_send, running, settings_in
from onlyoffice_sandbox import mailparse
from onlyoffice_sandbox.delivery.compose import compose
from onlyoffice_sandbox.letter import Letter
from onlyoffice_sandbox.mailstore import INDEX_NAME, MailStore
from onlyoffice_sandbox.pytest_plugin import Sandbox
from onlyoffice_sandbox.web import html_part
from onlyoffice_sandbox.web import viewer as viewer_module

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def raw(subject: str, body: str = "hello", message_id: str = "<m-1@example.test>", extra: str = "") -> bytes:
    return (
        f"From: Sender <sender@example.test>\r\nTo: bob@example.org\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    ).encode()


@dataclass
class Viewer:
    url: str
    smtp: tuple[str, int]  # a capture of its own, filing into the sandbox's mail folder
    mail_dir: Path

    def page(self, path: str, **params: str) -> Page:
        response = httpx.get(self.url + path, params=params)
        assert response.status_code == 200, response.text
        return Page(response.text)

    def keys(self, **params: str) -> list[str]:
        page = self.page("/sandbox/mail", **params)
        return [str(e.attrs["data-key"]) for e in page.elements if e.tag == "tr" and "data-key" in e.attrs]


@pytest.fixture
def viewer(tmp_path: Path) -> Iterator[Viewer]:
    settings = settings_in(tmp_path)
    with capture_at(settings.mail_dir) as smtp, running(settings) as url:
        yield Viewer(url, smtp, settings.mail_dir)


def test_the_list_is_paginated_and_read_from_the_index_alone(viewer: Viewer) -> None:
    """Finding 8 of the hardening issue: the list re-parsed every file on each view, and had no pages."""
    for n in range(120):
        deliver(
            viewer.smtp, raw(f"message {n}", message_id=f"<m-{n}@example.test>"), "s@x.test", [f"r{n}@x.org"]
        )
    first = viewer.page("/sandbox/mail")
    assert len(viewer.keys()) == 50
    assert "page 1 of 3" in first.all_text()
    assert "message 119" in first.text_of("mail")  # newest first
    assert "message 69" not in first.text_of("mail")
    assert len(viewer.keys(page="3")) == 20
    # What the list shows was written at capture: with every message file gone, it is the same.
    keys = viewer.keys()
    for eml in viewer.mail_dir.glob("*.eml"):
        eml.unlink()
    assert viewer.keys() == keys


def test_a_mail_to_16000_recipients_is_listed_shortened(viewer: Viewer) -> None:
    to = ",\r\n ".join(f"r{n}@example.org" for n in range(16_000))
    deliver(viewer.smtp, raw("many", extra=f"Cc: {to}\r\n"), "s@x.test", ["r1@example.org"])
    response = httpx.get(viewer.url + "/sandbox/mail")
    assert response.status_code == 200
    assert len(response.content) < 20_000  # the page holds a summary, not the header
    assert "more characters" in Page(response.text).text_of("mail")
    [key] = viewer.keys()
    message = httpx.get(f"{viewer.url}/sandbox/api/messages/{key}").json()
    [cc] = [h["value"] for h in message["headers"] if h["name"] == "Cc"]
    assert cc.startswith("r0@example.org, r1@example.org")


def test_search_by_recipient_or_subject(viewer: Viewer) -> None:
    deliver(viewer.smtp, raw("Invoice 7", message_id="<a@x>"), "s@x.test", ["carol@example.org"])
    deliver(viewer.smtp, raw("Welcome", message_id="<b@x>"), "s@x.test", ["dave@example.org"])
    assert len(viewer.keys()) == 2
    [by_subject] = viewer.keys(q="invoice")
    [by_recipient] = viewer.keys(q="DAVE@example")  # an envelope recipient, Bcc included
    assert by_subject != by_recipient
    assert viewer.keys(q="nobody") == []


@pytest.mark.parametrize(
    "extra",
    [
        "Cc: g:; <a@example.org>\r\n",
        'Cc: " .,)", \'.";"g:.;\'\r\n',
        "To: =?utf-8?q?=FF=FE?= <x@y>\r\n",
        "Subject: =?x-unknown?q?abc?=\r\n",
        "Content-Type: multipart/mixed\r\n",  # no boundary
        "Content-Disposition: attachment; filename*=x''%FF%FE\r\n"
        "Content-Type: text/html; charset=nonsense\r\n",
        "Content-Type: text/plain; charset=idna\r\n",  # a codec that refuses errors="replace"
        "Content-Type: text/plain; charset=punycode\r\n",
    ],
)
def test_a_header_email_cannot_parse_is_shown_raw_never_a_500(viewer: Viewer, extra: str) -> None:
    """Follow-on of finding 1: `Cc: g:; <a@...>` made GET /sandbox/mail a 500 for good."""
    deliver(viewer.smtp, raw("odd", extra=extra), "s@x.test", ["bob@example.org"])
    [key] = viewer.keys()
    for path in (f"/sandbox/mail/{key}", f"/sandbox/api/messages/{key}", f"/sandbox/mail/{key}.eml", "/"):
        assert httpx.get(viewer.url + path).status_code == 200, path
    shown = viewer.page(f"/sandbox/mail/{key}").text_of("headers")
    name, value = extra.split(":", 1)
    assert name in shown
    assert value.split(";")[0].strip()[:5] in shown


def nested(depth: int) -> bytes:
    """A multipart nested `depth` deep: parsing it whole raises RecursionError in `email`."""
    opening = "".join(f"Content-Type: multipart/mixed; boundary=b{n}\r\n\r\n--b{n}\r\n" for n in range(depth))
    closing = "".join(f"--b{n}--\r\n" for n in reversed(range(depth)))
    text = "Content-Type: text/plain\r\n\r\ninnermost\r\n"
    return (
        raw("deep", extra="MIME-Version: 1.0\r\n").replace(b"\r\n\r\nhello\r\n", b"\r\n")
        + (opening + text + closing).encode()
    )


@pytest.mark.slow
def test_a_message_email_cannot_parse_whole_is_filed_listed_and_shown(viewer: Viewer) -> None:
    """Review finding A: its file was written, its entry not (RecursionError); the capture's start
    then re-parsed the file, died, and was started again every second: no mail was filed again."""
    deliver(viewer.smtp, nested(2000), "s@x.test", ["bob@example.org"])
    [key] = viewer.keys()
    for path in (f"/sandbox/mail/{key}", f"/sandbox/api/messages/{key}", f"/sandbox/mail/{key}.eml", "/"):
        assert httpx.get(viewer.url + path).status_code == 200, path
    assert httpx.get(f"{viewer.url}/sandbox/api/messages/{key}").json()["subject"] == "deep"


def test_an_import_at_start_files_what_it_can_and_skips_what_it_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding A: one file whose filing raised stopped every start of the capture."""
    (tmp_path / f"{'a' * 24}.eml").write_bytes(nested(2000))
    (tmp_path / f"{'b' * 24}.eml").write_bytes(raw("fine", message_id="<fine@x>"))
    (tmp_path / f"{'c' * 24}.eml").write_bytes(raw("poison", message_id="<poison@x>"))
    fingerprint = mailparse.fingerprint

    def failing(content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
        if b"poison" in content:
            raise RuntimeError("a defect in filing this one")
        return fingerprint(content, mail_from, rcpt_tos)

    monkeypatch.setattr(mailparse, "fingerprint", failing)
    store = MailStore(tmp_path)
    assert store.import_files() == 2
    assert sorted(s.subject for s in store.find()) == ["deep", "fine"]
    assert len(list(tmp_path.glob("*.eml"))) == 3  # the one not filed is left for a later version
    store.close()


def test_a_message_claiming_anothers_message_id_is_filed_beside_it(viewer: Viewer) -> None:
    """Follow-on of finding 1: the capture filed by Message-ID, so the second overwrote the first."""
    deliver(viewer.smtp, raw("the original", "first body", "<same@example.test>"), "s@x.test", ["a@x.org"])
    deliver(viewer.smtp, raw("an impostor", "second body", "<same@example.test>"), "s@x.test", ["a@x.org"])
    keys = viewer.keys()
    assert len(keys) == 2
    texts = {httpx.get(f"{viewer.url}/sandbox/api/messages/{k}").json()["text"].strip() for k in keys}
    assert texts == {"first body", "second body"}


def letter() -> Letter:
    fields = {"to": ["bob@example.org"], "subject": "Redelivered", "body": "<p>Once</p>"}
    return Letter(fields, "<once@example.test>", "Wed, 25 Nov 2026 10:00:00 +0000", "s@example.test", [], [])


def test_a_redelivery_of_one_message_is_filed_once(viewer: Viewer) -> None:
    """Finding 11: a relay that stored a message and dropped before its 250 gets it again. Composed
    again, the copy has new MIME boundaries; it is the same message to the same envelope."""
    first, again = (compose(letter()).as_bytes() for _ in range(2))
    assert first != again  # the boundaries differ
    deliver(viewer.smtp, first, "s@example.test", ["bob@example.org"])
    deliver(viewer.smtp, again, "s@example.test", ["bob@example.org"])
    [key] = viewer.keys()
    summary = httpx.get(f"{viewer.url}/sandbox/api/messages/{key}").json()
    assert summary["copies"] == 2
    assert "delivered 2 times" in viewer.page(f"/sandbox/mail/{key}").all_text()
    # To another envelope, it is another delivery: shown apart.
    deliver(viewer.smtp, again, "s@example.test", ["carol@example.org"])
    assert len(viewer.keys()) == 2


def test_an_import_at_start_never_takes_a_message_being_filed_by_another_capture(tmp_path: Path) -> None:
    """Two captures on one folder (a test's and the sandbox's own): the one starting imports files
    without an entry while the other files a message. Seen in a run: that message was filed a second
    time under another key, and its own file removed."""
    filing, starting = MailStore(tmp_path), MailStore(tmp_path)
    imported: list[int] = []
    with filing._write() as conn:  # the file is written, its entry not yet committed
        key = filing._file(conn, raw("in flight"), "s@x.test", ["r@x.org"])
        importer = threading.Thread(target=lambda: imported.append(starting.import_files()))
        importer.start()
        importer.join(0.5)  # it must wait for the filing to commit, whatever the machine's speed
    importer.join()
    assert imported == [0]
    assert [s.key for s in starting.find()] == [key]
    assert (tmp_path / f"{key}.eml").exists()
    filing.close()
    starting.close()


def test_delete_one_then_all_from_the_pages(viewer: Viewer) -> None:
    for n in range(3):
        deliver(viewer.smtp, raw(f"m{n}", message_id=f"<d{n}@x>"), "s@x.test", ["a@x.org"])
    first, *rest = viewer.keys()
    gone = httpx.post(f"{viewer.url}/sandbox/mail/{first}/delete")
    assert (gone.status_code, gone.headers["location"]) == (303, "/sandbox/mail")
    assert viewer.keys() == rest
    assert not (viewer.mail_dir / f"{first}.eml").exists()
    assert httpx.get(f"{viewer.url}/sandbox/mail/{first}").status_code == 404
    assert httpx.post(f"{viewer.url}/sandbox/mail/delete").status_code == 303
    assert viewer.keys() == []
    assert list(viewer.mail_dir.glob("*.eml")) == []


def test_a_message_page_shows_headers_bodies_attachments_source_and_delivery(sandbox: Sandbox) -> None:
    sandbox.settings.files_dir.mkdir(parents=True)
    (sandbox.settings.files_dir / "logo.png").write_bytes(PNG)
    response = httpx.put(
        sandbox.url + "/api/2.0/mail/messages/send",
        headers={"Authorization": sandbox.token},
        json={
            "from": sandbox.address,
            "to": ["Zoë <zoe@example.org>"],
            "bcc": ["hidden@example.org"],
            "subject": "Grüße ✓",
            "body": "<p>Hello <b>Zoë</b></p>",
            "attachments": [{"storedName": "logo.png", "fileName": "logo.png", "contentType": "image/png"}],
        },
    )
    send_id = response.json()["response"]
    [mail] = sandbox.wait_for_mail(to="hidden@example.org", sendId=send_id)
    page = Page(httpx.get(sandbox.url + mail["links"]["page"]).text)
    assert page.text_of("subject") == "Grüße ✓"
    assert "hidden@example.org" in page.text_of("envelope")  # Bcc: only in the envelope
    assert "Hello Zoë" in page.text_of("text")
    [frame] = [e for e in page.elements if e.tag == "iframe"]
    # Of its origin only, for the page's script to measure its height: no script runs in it, no form
    # is sent, nothing navigates (no allow-scripts, allow-forms, allow-top-navigation...).
    assert frame.attrs["sandbox"] == "allow-same-origin"
    html = httpx.get(sandbox.url + str(frame.attrs["src"]))
    assert html.text.strip() == "<p>Hello <b>Zoë</b></p>"
    policy = html.headers["content-security-policy"]
    assert policy.startswith("sandbox allow-same-origin;")
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    [link] = [e for e in page.elements if e.attrs.get("class") == "file"]
    assert "".join(link.text) == "logo.png"
    assert "image/png" in page.text_of("attachments")
    download = httpx.get(sandbox.url + str(link.attrs["href"]))
    assert download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "Subject: =?utf-8?" in page.text_of("source")
    delivery = page.text_of("delivery")
    assert f"id{send_id}" in delivery.replace("\n", "")
    assert "sent" in delivery
    assert "Message-ID" in page.text_of("headers")


def test_a_delete_removes_the_file_inside_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding H: the file was removed after the commit, so a redelivery of the same message
    filed in between (by the capture, another process) lost its fresh file: listed, and a 404."""
    store = MailStore(tmp_path)
    first = store.add(raw("one", message_id="<one@x>"), "s@x.test", ["a@x.org"])
    store.add(raw("two", message_id="<two@x>"), "s@x.test", ["a@x.org"])
    locked: list[bool] = []
    unlink = Path.unlink

    def probing(path: Path, missing_ok: bool = False) -> None:
        if path.suffix == ".eml":  # could the capture file a message right now?
            probe = sqlite3.connect(tmp_path / INDEX_NAME, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                locked.append(False)
            except sqlite3.OperationalError:
                locked.append(True)
            finally:
                probe.close()
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", probing)
    assert store.delete(first)
    assert store.delete_all() == 1
    assert locked == [True, True]
    assert list(tmp_path.glob("*.eml")) == []
    store.close()


def test_the_newest_entrys_number_never_goes_down(tmp_path: Path) -> None:
    """Review finding I: the wait took max(seq) as the newest entry; deleting the newest (or all)
    lowered it, and a wait that had seen the higher number returned at once, again and again."""
    store = MailStore(tmp_path)
    assert store.last_seq() == 0
    store.add(raw("one", message_id="<one@x>"), "s@x.test", ["a@x.org"])
    newest = store.add(raw("two", message_id="<two@x>"), "s@x.test", ["a@x.org"])
    assert store.last_seq() == 2
    store.delete(newest)
    assert store.last_seq() == 2
    store.delete_all()
    assert store.last_seq() == 2
    store.add(raw("three", message_id="<three@x>"), "s@x.test", ["a@x.org"])
    assert store.last_seq() == 3
    store.close()


SURROGATES = ["=?unicode-escape?q?=5Cud800?=", "=?utf-7?q?+2AA-?=", "=?raw-unicode-escape?q?x=5Cudfff?="]


@pytest.mark.parametrize("word", SURROGATES)
def test_a_header_that_decodes_to_a_lone_surrogate_is_filed_and_every_view_answers(
    viewer: Viewer, word: str
) -> None:
    """An encoded word decoding to a lone surrogate in Subject or From made the capture answer 500
    (the mail was not filed); in an attachment's `filename*` the page, JSON and download 500."""
    attachment = (
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        "Content-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename*=unicode-escape''x%5Cud800.txt\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n"
    )
    content = (
        f"From: {word} <sender@example.test>\r\nTo: bob@example.org\r\nSubject: a {word} b\r\n"
        f"Message-ID: <s-1@example.test>\r\n{attachment}"
    ).encode()
    deliver(viewer.smtp, content, "s@x.test", ["bob@example.org"])  # raised SMTPDataError 500
    [key] = viewer.keys()
    paths = [f"/sandbox/mail/{key}", f"/sandbox/api/messages/{key}", f"/sandbox/mail/{key}.eml", "/",
             f"/sandbox/mail/{key}/attachments/0", "/sandbox/api/messages"]  # fmt: skip
    for path in paths:
        response = httpx.get(viewer.url + path)
        assert response.status_code == 200, path
    summary = httpx.get(f"{viewer.url}/sandbox/api/messages/{key}").json()
    assert summary["subject"].startswith("a ")
    assert "\ufffd" in summary["subject"]
    assert "\ufffd" in summary["attachments"][0]["fileName"]


CID_HTML = (
    '<p><img src="cid:logo@example.test" alt="logo"><img src="cid:missing@example.test" alt="gone"></p>'
    '<div style="background: url(cid:logo@example.test)">x</div>'
    '<script>x()</script><a href="javascript:x()" onclick="x()">a</a><form action="/"></form>'
)


def test_cid_images_point_at_their_part_and_the_html_check_names_what_clients_drop(
    sandbox: Sandbox,
) -> None:
    sandbox.settings.files_dir.mkdir(parents=True)
    (sandbox.settings.files_dir / "logo.png").write_bytes(PNG)
    logo = {"storedName": "logo.png", "fileName": "logo.png", "contentType": "image/png"}
    send_id = accepted_send(sandbox, body=CID_HTML, attachments=[{**logo, "contentId": "logo@example.test"}])
    [mail] = sandbox.wait_for_mail(sendId=send_id)
    page = Page(httpx.get(sandbox.url + mail["links"]["page"]).text)
    [frame] = [e for e in page.elements if e.tag == "iframe"]
    html = httpx.get(sandbox.url + str(frame.attrs["src"])).text
    part = f"/sandbox/mail/{mail['key']}/inline/0"
    assert html.count(part) == 2  # the <img> and the CSS url()
    assert "cid:logo@" not in html
    assert 'src="cid:missing@example.test"' in html  # a cid: that names no part is left as it is
    image = httpx.get(sandbox.url + part)
    assert image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-security-policy"].startswith("sandbox")
    check = page.text_of("html-check")
    for found in ("<script>", "onclick", "javascript:", "<form>", "cid:missing@example.test"):
        assert found in check, found
    assert "cid:logo@example.test" not in check


def test_a_message_whose_html_clients_show_whole_says_so(sandbox: Sandbox) -> None:
    send_id = accepted_send(sandbox, body="<p>Plain <b>and</b> <a href='https://example.org'>fine</a></p>")
    [mail] = sandbox.wait_for_mail(sendId=send_id)
    page = Page(httpx.get(sandbox.url + mail["links"]["page"]).text)
    assert page.by_id("html-check").tag == "p"
    assert "Nothing that the common mail clients would drop" in page.text_of("html-check")


def test_the_outbox_page_shows_each_subject_state_and_a_link_to_its_mail(sandbox: Sandbox) -> None:
    first = accepted_send(sandbox, subject="Invoice <7> & co")
    second = accepted_send(sandbox, subject="Welcome aboard")
    keys = {m["sendId"]: m["key"] for m in sandbox.wait_for_mail(count=2)}
    html = httpx.get(sandbox.url + "/sandbox/outbox", headers={"Accept": "text/html"}).text
    page = Page(html)
    rows = {int(str(e.attrs["data-id"])): e for e in page.elements if e.tag == "tr" and "data-id" in e.attrs}
    assert set(rows) == {first, second}
    assert "Invoice <7> & co" in "".join(rows[first].text)  # escaped, shown as text
    assert "Invoice <7>" not in html  # never as markup
    assert "Welcome aboard" in "".join(rows[second].text)
    links = {str(e.attrs["href"]) for e in page.elements if e.tag == "a" and e.attrs.get("class") == "mail"}
    assert links == {f"/sandbox/mail/{keys[first]}", f"/sandbox/mail/{keys[second]}"}
    states = {"".join(e.text) for e in page.elements if "state" in str(e.attrs.get("class", "")).split()}
    assert states <= {"queued", "sent"}
    assert states


def _events(sandbox: Sandbox, since: str) -> Generator[str, None, None]:
    with httpx.stream("GET", sandbox.url + "/sandbox/events", params={"since": since}, timeout=60) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        yield from answer.iter_lines()


@pytest.mark.waits
def test_the_pages_live_refresh_is_a_server_sent_event_when_mail_arrives(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(viewer_module, "EVENTS_SECONDS", 1.0)  # the sandbox runs in this process
    page = Page(httpx.get(sandbox.url + "/sandbox/mail").text)
    [body] = [e for e in page.elements if e.tag == "body"]
    since = str(body.attrs["data-live"])
    [script] = [e for e in page.elements if e.tag == "script"]
    assert script.attrs["src"] == "/static/viewer.js"
    source = httpx.get(sandbox.url + "/static/viewer.js").text
    assert "EventSource" in source
    assert "setInterval" not in source  # no polling loop in the page
    assert "setTimeout" not in source
    # Nothing changed: the stream says nothing and ends (the browser then asks again).
    assert [line for line in _events(sandbox, since) if line.startswith("event:")] == []
    lines = _events(sandbox, since)
    assert next(lines) == "retry: 1000"
    send_id = accepted_send(sandbox, subject="live")
    sandbox.wait_for_mail(sendId=send_id)
    assert next(line for line in lines if line.startswith("event:")) == "event: change"
    lines.close()
    # A page drawn before a change hears of it at once, even one drawn before its stream opened.
    assert "event: change" in list(_events(sandbox, since))


def test_the_html_check_of_a_long_body_checks_its_head_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """html.parser is pure Python: a body of megabytes is checked in its first part only, never silently."""
    monkeypatch.setattr(html_part, "CHECKED_CHARS", 100)
    found = html_part.check("<p>ok</p>" * 5 + "<script></script>" + "x" * 200 + "<form></form>", {})
    assert [f.what for f in found] == ["<script>", "(the rest)"]
    assert "only the first 100 were checked" in found[-1].why
