"""The generated client, through the sandbox, into its embedded capture: the mail as it went out.

Each test gets a fresh sandbox from the `sandbox` fixture (onlyoffice_sandbox.pytest_plugin)
and waits for its mail with the sandbox's long-poll wait, not by polling or sleeping.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from onlyoffice_send_client import AuthenticatedClient
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import FileShare, MailAttachment, SendMessageRequest

from harness.pages import Page
from harness.sandboxes import outbox, running, send, settings_in, wait_until
from harness.smtp_sink import Delivered
from onlyoffice_sandbox.pytest_plugin import Sandbox

PDF = b"%PDF-1.4 a small report\n" * 20
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
# A calendar the real server can send (ParseValidCalendar): version 2.0, a method, one event.
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:review@example.test\r\n"
    "SUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
# No METHOD: MailUtil.ParseValidCalendar refuses it, and the real server's send task then cannot build
# the mail. The same for a reply id MimeKit cannot read as a mailbox.
UNUSABLE = {
    "a calendar without a method": {"calendarIcs": ICS.replace("METHOD:REQUEST\r\n", "")},
    "a reply id that is no mailbox": {"mimeReplyToId": "not a message id"},
}


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    return {"mailboxes": ("Sandbox User <sandbox@example.test>", "Other Box <other@example.test>")}


@pytest.fixture(autouse=True)
def files(sandbox: Sandbox) -> None:
    sandbox.settings.files_dir.mkdir(parents=True)
    (sandbox.settings.files_dir / "41").write_bytes(PDF)
    (sandbox.settings.files_dir / "logo.png").write_bytes(PNG)


def deliver(sandbox: Sandbox, request: SendMessageRequest) -> tuple[int, Delivered]:
    client = AuthenticatedClient(base_url=sandbox.url, token=sandbox.token)
    message_id = send_message.sync_or_raise(client=client, body=request).response
    [mail] = sandbox.wait_for_mail(sendId=message_id)

    def recorded() -> dict[str, Any]:
        [state] = [m for m in sandbox.outbox() if m["id"] == message_id]
        return state

    wait_until(lambda: recorded()["state"] == "sent")  # marked after the capture's 250, not before
    state = recorded()
    delivered = Delivered(mail["envelope"]["mailFrom"], mail["envelope"]["rcptTos"], sandbox.raw(mail["key"]))
    assert str(delivered.message["Message-ID"]) == state["messageId"] == mail["messageId"]
    assert sandbox.messages() == [mail]  # one message, delivered once
    return message_id, delivered


def addresses(message: EmailMessage, header: str) -> list[tuple[str, str]]:
    value = message[header]
    return [(a.display_name, a.addr_spec) for a in value.addresses] if value else []


def test_every_field_reaches_the_mail(sandbox: Sandbox) -> None:
    request = SendMessageRequest(
        from_="sandbox@example.test",
        to=["Bob Example <bob@example.org>", "Zoë Ünicode <zoe@example.org>"],
        cc=["carol@example.net"],
        bcc=["Dave Hidden <dave@example.com>"],
        mime_reply_to_id="<orig-1@example.org>",
        importance=True,
        subject="Quarterly report ✓",
        tags=[3],
        body='<p>Hello <b>Bob</b></p><img src="cid:logo1">',
        attachments=[
            MailAttachment(file_id=41, file_name="résumé.pdf", content_type="application/pdf"),
            MailAttachment(stored_name="logo.png", content_id="logo1", content_type="image/png"),
        ],
        file_links_share_mode=FileShare.READ,
        calendar_ics=ICS,
        request_receipt=True,
        request_read=True,
    )
    message_id, delivered = deliver(sandbox, request)
    assert message_id > 0
    mail = delivered.message

    # Envelope: every recipient, Bcc included, and the mailbox as sender.
    assert delivered.mail_from == "sandbox@example.test"
    assert sorted(delivered.rcpt_tos) == sorted(
        ["bob@example.org", "zoe@example.org", "carol@example.net", "dave@example.com"]
    )
    # Headers, field by field.
    assert addresses(mail, "From") == [("Sandbox User", "sandbox@example.test")]  # the account's name
    assert addresses(mail, "To") == [("Bob Example", "bob@example.org"), ("Zoë Ünicode", "zoe@example.org")]
    assert addresses(mail, "Cc") == [("", "carol@example.net")]
    assert mail["Bcc"] is None
    assert b"dave" not in delivered.content.lower()  # no trace of the Bcc recipient for the others
    assert mail["Subject"] == "Quarterly report ✓"
    head = delivered.content.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # 7-bit: non-ASCII names and subject travel as RFC 2047 encoded words
    assert b"=?utf-8?" in head
    assert mail["Date"] is not None
    assert mail["Importance"] == "high"
    assert mail["X-Priority"] == "1 (Highest)"
    assert mail["In-Reply-To"] == "<orig-1@example.org>"
    assert mail.get_all("Auto-Submitted") == ["auto-generated"]  # calendarIcs
    # The receipts name the sender as From does, with the account's display name.
    assert mail["Return-Receipt-To"] == "Sandbox User <sandbox@example.test>" == mail["From"]
    assert mail["Disposition-Notification-To"] == "Sandbox User <sandbox@example.test>"

    # Parts: mixed( alternative( text, related( html, inline png ), calendar ), pdf, ics ): the event
    # twice, as ToMimeMessageBody writes it.
    assert mail.get_content_type() == "multipart/mixed"
    alternative, pdf, ics = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related, calendar = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content().strip() == "Hello Bob"
    html, logo = related.iter_parts()
    assert (related.get_content_type(), html.get_content_type()) == ("multipart/related", "text/html")
    assert html.get_content().strip() == request.body
    assert (logo.get_content_type(), logo.get_content_disposition()) == ("image/png", "inline")
    assert logo["Content-ID"] == "<logo1>"
    assert logo["Content-Transfer-Encoding"] == "base64"
    assert logo.get_content() == PNG
    assert (pdf.get_content_type(), pdf.get_content_disposition()) == ("application/pdf", "attachment")
    assert pdf["Content-Transfer-Encoding"] == "base64"
    assert pdf.get_filename() == "résumé.pdf"
    assert b'filename="=?utf-8?' in delivered.content
    assert pdf.get_content() == PDF
    assert calendar.get_content_type() == "text/calendar"
    assert (calendar["Content-Transfer-Encoding"], calendar.get_param("method")) == (
        "quoted-printable",
        "REQUEST",
    )
    assert calendar.get_content_disposition() is None
    assert calendar.get_content().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")
    assert (ics.get_content_type(), ics.get_content_disposition()) == ("application/ics", "attachment")
    assert (ics.get_param("method"), ics.get_param("name"), ics.get_filename()) == (
        "REQUEST",
        "invite.ics",
        "invite.ics",
    )
    assert ics["Content-Transfer-Encoding"] == "base64"
    assert ics.get_content().decode().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")


def test_a_plain_autoreply(sandbox: Sandbox) -> None:
    request = SendMessageRequest(
        from_="Whatever Name <other@example.test>",
        bcc=["x@example.org"],
        is_autoreply=True,
        body="<p>Away</p>",
    )
    _, delivered = deliver(sandbox, request)
    mail = delivered.message
    assert addresses(mail, "From") == [("Other Box", "other@example.test")]
    assert delivered.rcpt_tos == ["x@example.org"]
    assert (mail["To"], mail["Cc"], mail["Bcc"]) == (None, None, None)
    assert mail["Subject"] == ""  # missing subject: empty, as the real server sends it
    assert mail.get_all("Auto-Submitted") == ["auto-replied"]
    for absent in (
        "Importance",
        "X-Priority",
        "In-Reply-To",
        "Return-Receipt-To",
        "Disposition-Notification-To",
    ):
        assert mail[absent] is None, absent
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]


def test_the_raw_filename_is_rfc2047(sandbox: Sandbox) -> None:
    request = SendMessageRequest(
        from_="sandbox@example.test",
        to=["bob@example.org"],
        attachments=[MailAttachment(file_id=41, file_name="отчёт.pdf")],
    )
    _, delivered = deliver(sandbox, request)
    raw = delivered.content.decode("ascii")  # all of it 7-bit: names are encoded
    assert 'filename="=?utf-8?' in raw
    assert "filename*=" not in raw  # not RFC 2231
    [part] = delivered.message.iter_attachments()
    assert part.get_filename() == "отчёт.pdf"
    assert part.get_content_type() == "application/pdf"  # guessed from the name


def test_the_capture_files_each_message_and_lists_it(sandbox: Sandbox) -> None:
    client = AuthenticatedClient(base_url=sandbox.url, token=sandbox.token)
    body = SendMessageRequest(
        from_="sandbox@example.test",
        to=["bob@example.org"],
        bcc=["eve@example.org"],
        subject="<Captured>",
    )
    message_id = send_message.sync_or_raise(client=client, body=body).response
    [mail] = sandbox.wait_for_mail(to="eve@example.org")
    assert mail["sendId"] == message_id
    [eml] = sandbox.settings.mail_dir.glob("*.eml")
    assert eml.stem == mail["key"]
    assert b"Subject: <Captured>" in eml.read_bytes()
    listing = httpx.get(sandbox.url + "/sandbox/mail").text
    assert "&lt;Captured&gt;" in listing  # escaped
    page = Page(httpx.get(sandbox.url + mail["links"]["page"]).text)
    assert "eve@example.org" in page.text_of("envelope")  # the envelope shows Bcc recipients
    download = httpx.get(f"{sandbox.url}/sandbox/mail/{eml.stem}.eml")
    assert download.headers["content-type"].startswith("message/rfc822")
    assert download.content == eml.read_bytes() == sandbox.raw(mail["key"])
    for path in (
        "/sandbox/mail/../outbox.sqlite3.eml",
        "/sandbox/mail/..%2Foutbox.sqlite3.eml",
        "/sandbox/mail/index",
    ):
        assert httpx.get(sandbox.url + path).status_code == 404, path


def test_an_autoreply_with_an_event_is_both_auto_submitted(sandbox: Sandbox) -> None:
    # ToMimeMessage adds one Auto-Submitted header for each flag: both when both are set.
    request = SendMessageRequest(
        from_="sandbox@example.test", to=["x@example.org"], is_autoreply=True, calendar_ics=ICS
    )
    _, delivered = deliver(sandbox, request)
    assert delivered.message.get_all("Auto-Submitted") == ["auto-generated", "auto-replied"]


@pytest.mark.parametrize("changes", UNUSABLE.values(), ids=list(UNUSABLE))
@pytest.mark.parametrize("binder", ["onlyoffice", "strict"])
def test_what_the_real_server_cannot_build_is_accepted_and_not_sent(
    sandbox_settings: dict[str, Any], tmp_path: Any, binder: str, changes: dict[str, Any]
) -> None:
    """The real server answers 200, its send task throws, and the message goes back to Drafts with no
    mail: the sandbox shows that where it binds as that server does; strict delivers, as the spec asks."""
    payload = {"from": "sandbox@example.test", "to": ["bob@example.org"], "subject": "Hi", **changes}
    with running(settings_in(tmp_path, binder=binder)) as url:
        answer = send(url, payload)
        assert answer.status_code == 200, answer.text
        sent = answer.json()["response"]

        def record() -> dict[str, Any]:
            [found] = [m for m in outbox(url) if m["id"] == sent]
            return found

        if binder == "strict":
            wait_until(lambda: record()["state"] == "sent")
            return
        # Failed for good in the transaction that accepted it: never queued for the relay.
        state = record()
    assert (state["folder"], state["state"], state["attempts"]) == ("drafts", "failed", 1)  # the send task's
    assert "the real server's send task fails" in state["lastError"]
