"""First-party traffic: request bodies shaped as ONLYOFFICE's own clients build them, kept as data.

Written from reading the clients' source (ONLYOFFICE/CommunityServer), not captured:
- the web mail client: `web/studio/ASC.Web.Studio/addons/mail/js/mail.messagepage.js`
  (`prepareMessageData`: `from` is the account's bare address, `to`/`cc`/`bcc` come from the
  address selector, `fileLinksShareMode` is the share dialog's `<select>` value, a string,
  or the number 2 when the dialog was not shown; `requestRead` follows `requestReceipt`),
  `js/asc/core/asc.mail.utility.js` (`ASC.Mail.Message` and its `ToData`: every field,
  display names double-quoted; the calendar request, reply and cancel),
  `addons/mail/js/mail.attachmentmanager.js` (attachments: `contentId: null`, and the
  client's own keys `orderNumber`, `operation`, `error`, `docId`...);
  it sends them as `PUT .../messages/send.json`, form-urlencoded (`harness/form_wire.py`);
- the server's own C# client, `module/ASC.Mail/ASC.Mail/Utils/ApiHelper.cs` (`SendMessage`,
  used for autoreplies): JSON to `send.json`, `to` as one string.
Each entry says what the JSON needs beyond the spec (besides null for an optional string)
in the binder's words; `tests/test_first_party.py` sends each as JSON and as the form, to
both routes, and follows it into the mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.sandboxes import MAILBOX

SENDER = "sandbox@example.test"  # the account `MAILBOX` names: the web client sends the bare address
DRAFT_ID = 7001  # the reopened draft; the test seeds one per way of sending it
ICS_REQUEST = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Ascensio System//OnlyOffice Calendar//EN\r\nVERSION:2.0\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:7f3c2a90-58b1-4f55-9c0e-1a2b3c4d5e6f\r\nDTSTAMP:20261124T090000Z\r\n"
    "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Quarterly review\r\n"
    'ORGANIZER;CN="Sandbox User":mailto:sandbox@example.test\r\n'
    "ATTENDEE;CN=Bob Example;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n"
    "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.net\r\n"
    "END:VEVENT\r\nEND:VCALENDAR"
)
ICS_REPLY = ICS_REQUEST.replace("METHOD:REQUEST", "METHOD:REPLY").replace(
    "ATTENDEE;CN=Bob Example;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n"
    "ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.net",
    "ATTENDEE;CN=Sandbox User;PARTSTAT=ACCEPTED:mailto:sandbox@example.test",
)
ICS_CANCEL = ICS_REQUEST.replace("METHOD:REQUEST", "METHOD:CANCEL").replace(
    "END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT"
)


def message(**fields: Any) -> dict[str, Any]:
    """`new ASC.Mail.Message()` after `ToData()`: every field at its default, then the page's values.

    The page's object also carries `isReceipt`, which the server does not know."""
    data: dict[str, Any] = {
        "id": 0,
        "from": SENDER,
        "to": [],
        "cc": [],
        "bcc": [],
        "subject": "",
        "body": "",
        "attachments": [],
        "mimeReplyToId": "",
        "importance": False,
        "tags": [],
        "fileLinksShareMode": 2,
        "calendarIcs": "",
        "isAutoreply": False,
        "requestReceipt": False,
        "requestRead": False,
        "isReceipt": False,
    }
    data.update(fields)
    return data


def uploaded(order: int, name: str, stored: str, size: int, content_type: str, **more: Any) -> dict[str, Any]:
    """A file uploaded in the compose form, after the upload handler answered (attachmentmanager.js)."""
    return {
        "fileId": 9000 + order,
        "fileName": name,
        "size": size,
        "contentType": content_type,
        "needSaveToTemp": False,
        "contentId": None,
        "fileNumber": order,
        "storedName": stored,
        "streamId": "2f4a1c7e9b3d4e5f8a6b7c8d9e0f1a2b",
        "attachedAsLink": False,
        "tempStoredUrl": None,
        "orderNumber": order,
        "operation": 0,
        "error": "",
        "iconCls": "ftDocx",
        **more,
    }


@dataclass(frozen=True)
class Traffic:
    name: str
    source: str  # where in the clients' source this shape comes from
    body: dict[str, Any]
    leniencies: tuple[str, ...] = ()  # what its JSON needs beyond the spec, as the binder says it
    form_leniencies: tuple[str, ...] = ()  # and its form: numbers and booleans are text there anyway
    files: dict[str, bytes] = field(default_factory=dict)  # the server's copies of its attachments
    draft: dict[str, Any] | None = None  # the stored draft that body["id"] names

    @property
    def attached(self) -> list[str]:
        """The file names that reach the mail: attachments whose file the server holds."""
        names = []
        for item in self.body.get("attachments") or []:
            key = item.get("storedName") or str(item.get("fileId"))
            if key in self.files and not item.get("attachedAsLink"):
                names.append(item["fileName"])
        return names


CORPUS = [
    Traffic(
        "a new message",
        "mail.messagepage.js prepareMessageData, compose form",
        message(
            to=['"Doe, John" <john.doe@example.org>', "bob@example.org"],
            subject="Lunch on Friday?",
            body="<div>Hi John,</div><div>are you free on Friday?</div>",
        ),
    ),
    Traffic(
        "a reply",
        "mail.messagepage.js preprocessMessages 'reply': mimeReplyToId from the original, no brackets",
        message(
            to=['"Bob Example" <bob@example.org>'],
            subject="Re: Quarterly report",
            body="<div>Thanks, Bob.</div><blockquote>Please find the report attached.</blockquote>",
            mimeReplyToId="20261124093000.4F2A1B@example.org",
        ),
    ),
    Traffic(
        "reply-all with tags and importance",
        "mail.messagepage.js preprocessMessages 'replyAll': cc from the original's To and Cc",
        message(
            to=['"Bob Example" <bob@example.org>'],
            cc=['"Carol Q." <carol@example.net>', "dave@example.com"],
            subject="Re: Budget 2027",
            body="<div>Agreed, see my notes below.</div>",
            mimeReplyToId="20261123170512.77AC@example.org",
            importance=True,
            tags=[3, 12],
        ),
    ),
    Traffic(
        "a reopened draft with uploaded attachments",
        "mail.attachmentmanager.js uploads; a draft sent from Drafts: its id, mimeReplyToId null",
        message(
            id=DRAFT_ID,
            to=["bob@example.org"],
            subject="Minutes and the new logo",
            body='<p>Minutes attached.</p><p><img src="cid:logo-7001@example.test"></p>',
            mimeReplyToId=None,
            attachments=[
                uploaded(1, "minutes.docx", "f0a1b2c3.docx", 18, "application/msword"),
                uploaded(2, "logo.png", "d4e5f6a7.png", 12, "image/png", contentId="logo-7001@example.test"),
            ],
        ),
        files={"f0a1b2c3.docx": b"meeting minutes", "d4e5f6a7.png": b"\x89PNG\r\n\x1a\nlogo"},
        draft={"folder": "drafts", "from": SENDER, "to": ["bob@example.org"], "subject": "Minutes (draft)"},
    ),
    Traffic(
        "a file from Documents",
        "mail.attachmentmanager.js convertDocumentToAttachment, after the document was attached",
        message(
            to=["carol@example.net"],
            subject="The contract, as discussed",
            body="<p>Here it is.</p>",
            attachments=[
                {
                    "contentId": None,
                    "contentType": "",
                    "fileId": 4311,
                    "fileName": "Contract 2027.docx",
                    "docId": 4311,
                    "orderNumber": 1,
                    "size": 21,
                    "storedName": "",
                    "streamId": "",
                    "error": "",
                    "operation": 0,
                    "attachedAsLink": False,
                }
            ],
        ),
        files={"4311": b"the signed contract.."},
    ),
    Traffic(
        "file links with the share dialog",
        "mail.messagepage.js sendMessage: the share dialog's #shareFileLinksAccessSelector value",
        message(
            to=["bob@example.org"],
            subject="Edit the plan with me",
            body=(
                '<div class="mailmessage-filelink" data-fileid="5120"><a class="mailmessage-filelink-link"'
                ' href="https://portal.example.org/Products/Files/doceditor.aspx?fileid=5120"'
                ' title="Plan.docx">Plan.docx</a></div>'
            ),
            fileLinksShareMode="2",
        ),
        leniencies=('fileLinksShareMode: "2" taken as 2',),
    ),
    Traffic(
        "receipts",
        "mail.messagepage.js prepareMessageData: requestRead = requestReceipt (one checkbox)",
        message(
            to=["bob@example.org"],
            subject="Please confirm",
            body="<p>Please confirm you got this.</p>",
            requestReceipt=True,
            requestRead=True,
        ),
    ),
    Traffic(
        "a calendar request",
        "asc.mail.utility.js createMessageWithCalendarRequest: from the organizer, to the attendees",
        message(
            **{"from": f'"Sandbox User" <{SENDER}>'},
            to=['"Bob Example" <bob@example.org>', '"Carol" <carol@example.net>'],
            subject="Invitation: Quarterly review",
            body="<html><body><div>Quarterly review, Tue, 01 Dec 2026, 10:00 - 11:00</div></body></html>",
            calendarIcs=ICS_REQUEST,
        ),
    ),
    Traffic(
        "a calendar reply",
        "asc.mail.utility.js createMessageWithCalendarReply: from the attendee's bare address",
        message(
            to=['"Bob Example" <bob@example.org>'],
            subject='Reply: Sandbox User accepted "Quarterly review"',
            body="<html><body><div>Sandbox User accepted the invitation</div></body></html>",
            calendarIcs=ICS_REPLY,
        ),
    ),
    Traffic(
        "a calendar cancel",
        "asc.mail.utility.js createMessageWithCalendarCancel: METHOD:CANCEL, STATUS:CANCELLED",
        message(
            **{"from": f'"Sandbox User" <{SENDER}>'},
            to=['"Bob Example" <bob@example.org>', '"Carol" <carol@example.net>'],
            subject="Cancelled: Quarterly review",
            body="<html><body><div>The event was cancelled</div></body></html>",
            calendarIcs=ICS_CANCEL,
        ),
    ),
    Traffic(
        "a template sent with id -1",
        "the facts: sending from a template uses id -1 (taken as 0: a new message)",
        message(
            id=-1,
            to=["bob@example.org"],
            subject="Weekly status",
            body="<p>Status: green.</p>",
            tags=[5],
        ),
    ),
    Traffic(
        "bcc only",
        "asc.mail.utility.js ASC.Mail.Message: to and cc empty, one recipient in bcc",
        message(bcc=['"Hidden Reader" <hidden@example.com>'], subject="For your eyes", body="<p>FYI</p>"),
    ),
    Traffic(
        "the autoreply",
        "ApiHelper.cs SendMessage(message, isAutoreply: true): JSON, `to` as one string",
        {
            "id": 0,
            "from": MAILBOX,
            "to": "Bob Example <bob@example.org>",
            "subject": "Auto: Quarterly report",
            "body": "<p>I am away until Monday.</p>",
            "mimeReplyToId": "20261124093000.4F2A1B@example.org",
            "importance": False,
            "isAutoreply": True,
        },
        leniencies=("to: a lone value taken as a list",),
        form_leniencies=("to: sent without []; taken as an item of the list",),
    ),
]
