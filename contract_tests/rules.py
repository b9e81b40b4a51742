"""The rule probes as data: what each sends and the status it must get, read by the probes, the
embedded target (which seeds what the draft probes need), the coverage report and the faults.

Generated cases are made into sends that keep every rule (hooks.py), so that a server keeping the
contract never fails; these probes break one rule each, on purpose, or use one path of the call
generated cases never reach (drafts, attachments), and expect the answer the operation's
description and the facts' validation order give. Each is a real send, so every recipient is
inside RECIPIENT_DOMAIN (or is no address at all), and each request counts against MAX_SENDS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.settings import SuiteSettings
from onlyoffice_contract import binder, defects, spec

NOT_AN_ADDRESS = "not an address"  # no RFC 5322 parser takes a mailbox without an @; it reaches nobody
NO_SUCH_ID = 2**31 - 1
# A file id no account has (the largest int32 but one: NO_SUCH_ID is a message id), so the server
# cannot read it and must skip it (the facts' rule 7: attachments are never refused).
UNRESOLVABLE_FILE_ID = 2**31 - 2
# The file the embedded sandbox holds for the probe of a readable attachment (ATTACHMENT_FILE_ID unset).
EMBEDDED_FILE_ID = 4311
EMBEDDED_FILE = b"A file of the account, attached by the contract suite.\n"
# The stored draft body the real server refuses to send (setting mail.maximum-message-body-size).
MAX_DRAFT_BODY = 524288


# The header the hostile probes try to add: no delivered mail may carry it (`mail/allowed_headers.py`).
INJECTED = "X-Contract-Injected"


def _injected(settings: SuiteSettings) -> str:
    return f"{INJECTED}: cs-{settings.seed}"


def _in_domain(settings: SuiteSettings, local: str) -> str:
    return f"{local}@{settings.recipient_domain}"


def _unparsable_in(name: str) -> Callable[[SuiteSettings], dict[str, Any]]:
    return lambda settings: {name: [NOT_AN_ADDRESS]}


def _unresolvable_name(settings: SuiteSettings) -> str:
    """A storedName no server holds, random per seed (the same seed sends the same name)."""
    return f"contract-probe-{settings.seed:010d}-no-such-file.bin"


def attachment_file_id(settings: SuiteSettings) -> int | None:
    """The real file the readable-attachment probe attaches: ATTACHMENT_FILE_ID, or the embedded one."""
    if settings.attachment_file_id is not None:
        return settings.attachment_file_id
    return EMBEDDED_FILE_ID if settings.embedded else None


# One event the real server can use (MailUtil.ParseValidCalendar: version 2.0, a method of REQUEST,
# REPLY or CANCEL, one event with a UID): without one it accepts the send and never delivers it.
NO_EVENT = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//onlyoffice-send-contract//probe//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:contract-probe-event@example.invalid\r\nDTSTAMP:20261201T090000Z\r\n"
    "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Contract probe\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _needs_a_file(settings: SuiteSettings) -> str | None:
    if attachment_file_id(settings) is None:
        return "not run: ATTACHMENT_FILE_ID is not set (the id of a file of the account to attach)"
    return None


@dataclass(frozen=True)
class Probe:
    rule: str
    expected: int
    changes: Callable[[SuiteSettings], dict[str, Any]]
    # Why it cannot run with these settings (None: it runs).
    not_run: Callable[[SuiteSettings], str | None] = lambda settings: None
    # The Content-Type it is sent with; the body is JSON whatever it says.
    content_type: str = binder.JSON_TYPE


def _over_the_attachment_limit(settings: SuiteSettings) -> dict[str, Any]:
    """One attachment whose declared size is past the limit: no file is read, the size alone refuses it."""
    size = defects.attachments_total_limit() + 1
    item = {"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe-large.bin", "size": size}
    return {"attachments": [item]}


PROBES = [
    Probe(
        "a from that is not the caller's mailbox", 400, lambda s: {"from": _in_domain(s, "not-the-caller")}
    ),
    Probe("a from that does not parse", 400, lambda s: {"from": NOT_AN_ADDRESS}),
    *[
        Probe(f"a value in {name} that does not parse", 400, _unparsable_in(name))
        for name in spec.recipient_fields()
    ],
    Probe("no recipient at all", 400, lambda s: {name: [] for name in spec.recipient_fields()}),
    Probe("only cc", 200, lambda s: {"to": [], "cc": [_in_domain(s, "cc-only")], "bcc": []}),
    Probe("only bcc", 200, lambda s: {"to": [], "cc": [], "bcc": [_in_domain(s, "bcc-only")]}),
    Probe("an empty to beside a cc", 200, lambda s: {"to": [], "cc": [_in_domain(s, "beside")]}),
    Probe("an id that no message has", 404, lambda s: {"id": NO_SUCH_ID}),
    # MailComposeBase adds the declared sizes before anything is saved (the real server: 500, a defect).
    Probe(defects.by_id(defects.DefectId.ATTACHMENTS_OVER_LIMIT).name, 400, _over_the_attachment_limit),
    # Only exactly application/json is read as JSON; the real server reads any other type as a form,
    # so a JSON body labelled text/json binds nothing, and `from` is missing.
    Probe("a JSON body labelled text/json is not read", 400, lambda s: {}, content_type="text/json"),
    Probe(
        "fields the server does not know are ignored", 200, lambda s: {"unknownField": {"x": [1]}, "Extra": 1}
    ),
    Probe("importance", 200, lambda s: {"importance": True}),
    Probe("a delivery receipt", 200, lambda s: {"requestReceipt": True}),
    Probe("a read receipt", 200, lambda s: {"requestRead": True}),
    Probe("an autoreply", 200, lambda s: {"isAutoreply": True}),
    Probe("a calendar invitation", 200, lambda s: {"calendarIcs": CALENDAR}),
    # The real server adds one Auto-Submitted header for each: this mail carries two.
    Probe(
        "an autoreply with a calendar invitation",
        200,
        lambda s: {"isAutoreply": True, "calendarIcs": CALENDAR},
    ),
    Probe("a reply", 200, lambda s: {"mimeReplyToId": "<contract-probe@example.invalid>"}),
    # What the real server accepts and never delivers (send_task.py): the contract requires the mail;
    # under PROFILE=onlyoffice its absence is a known deviation.
    Probe("a reply id MimeKit cannot read", 200, lambda s: {"mimeReplyToId": "not a message id"}),
    Probe("a calendar without an event", 200, lambda s: {"calendarIcs": NO_EVENT}),
    Probe(
        "a non-ASCII subject and names",
        200,
        lambda s: {
            "subject": "Zoë's Überblick ✓ 漢字",
            "to": [f'"Zoë Ünicode, Jr." <{_in_domain(s, "zoe")}>'],
        },
    ),
    Probe("tags", 200, lambda s: {"tags": [1]}),
    # Text a request carries into headers: a line break in it must not start a header of its own.
    Probe(
        "a line break and a header line in the subject",
        200,
        lambda s: {"subject": f"contract probe\r\n{_injected(s)}"},
    ),
    # Whether the real server can use this reply id is MimeKit's to say (send_task.py): if not, it
    # accepts the send and no mail goes out, a known deviation under PROFILE=onlyoffice.
    Probe(
        "a line break and a header line in the reply id",
        200,
        lambda s: {"mimeReplyToId": f"<contract-probe@example.invalid>\r\n{_injected(s)}"},
    ),
    Probe(
        "an encoded line break (RFC 2047) in the subject",
        200,
        lambda s: {"subject": f"=?utf-8?q?contract_probe=0D=0A{_injected(s).replace(' ', '_')}?="},
    ),
    # Attachments are never refused: one the server cannot read is skipped after the answer.
    Probe(
        "an attachment the server cannot resolve",
        200,
        lambda s: {"attachments": [{"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe.txt"}]},
    ),
    Probe(
        "several attachments the server cannot resolve",
        200,
        lambda s: {
            "attachments": [
                {"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe-1.txt"},
                {"storedName": _unresolvable_name(s), "fileName": "contract-probe-2.txt"},
                {"fileId": UNRESOLVABLE_FILE_ID, "storedName": _unresolvable_name(s)},
            ]
        },
    ),
    Probe(
        "a file of the account attached",
        200,
        lambda s: {"attachments": [{"fileId": attachment_file_id(s), "fileName": "contract-probe.txt"}]},
        _needs_a_file,
    ),
]

# The probe that sends again the id a first send returned (two requests, one rule).
SENT_AGAIN = "the id just returned, sent again"


STORED_ID_MARK = ".contract-suite-stored"  # in the Message-ID a seeded message is stored with


@dataclass(frozen=True)
class DraftProbe:
    """A message the embedded sandbox is seeded with, and the statuses its sends must get, in order."""

    rule: str
    id: int
    folder: str
    expected: tuple[int, ...]
    fields: dict[str, Any] = field(default_factory=dict)

    def seed(self, settings: SuiteSettings) -> dict[str, Any]:
        """The stored message: a valid request from the run's mailbox to the recipient domain."""
        return {
            "id": self.id,
            "folder": self.folder,
            "from": settings.from_,
            "to": [_in_domain(settings, f"draft-{self.id}")],
            "subject": f"contract suite: {self.rule}",
            "body": "<p>A seeded message.</p>",
            "mimeMessageId": self.stored_message_id(settings),
            **self.fields,
        }

    def stored_message_id(self, settings: SuiteSettings) -> str:
        """The Message-ID the stored message was saved with, which its send keeps (DraftEngine.Send:
        a message in Drafts or Templates goes out with its stored MimeMessageId)."""
        return f"AU{self.id}{STORED_ID_MARK}@{settings.recipient_domain}"


# Small ids: a new message's id follows the largest one stored, and must never reach NO_SUCH_ID.
DRAFT_PROBES = [
    DraftProbe("a draft sends once, then 403", 101, "drafts", (200, 403)),
    DraftProbe("a template stays a template, each send a new id", 102, "templates", (200, 200)),
    DraftProbe("a message in another folder (inbox)", 103, "inbox", (403,)),
    DraftProbe(
        f"a draft whose stored body is over {MAX_DRAFT_BODY} characters",
        104,
        "drafts",
        (403,),
        {"body": "x" * (MAX_DRAFT_BODY + 1)},
    ),
]
DRAFTS_NOT_RUN = (
    "not run: only against the embedded sandbox, which the suite seeds with the drafts and templates"
    " these need; a live server's drafts are not the suite's to send"
)


@dataclass(frozen=True)
class PortalProbe:
    """A state of the portal the embedded sandbox is put in (its send fault `fault`, sandbox-api.yaml),
    and what the call must then answer: the status, with an empty body before authentication
    (Global.asax.cs, so sent without credentials), or in the error envelope after binding (a filter)."""

    rule: str
    fault: str
    expected: int
    after_binding: bool = False


PORTAL_PROBES = [
    PortalProbe("a portal being transferred: 503, empty, before auth", "transferring", 503),
    PortalProbe("a suspended portal: 404, empty, before auth", "deactivated", 404),
    PortalProbe("an unpaid portal: 402, empty, before auth", "unpaid", 402),
    PortalProbe(
        "an unpaid portal with tariff settings: 402 in the envelope, after binding",
        "payment-required",
        402,
        after_binding=True,
    ),
]
PORTAL_NOT_RUN = (
    "not run: only against the embedded sandbox, whose portal state the suite sets; a live portal's"
    " is not the suite's to change"
)


def rule_names() -> list[str]:
    """Every rule the probes check, in the order they run."""
    return [
        *(p.rule for p in PROBES),
        SENT_AGAIN,
        *(d.rule for d in DRAFT_PROBES),
        *(p.rule for p in PORTAL_PROBES),
    ]


def from_a_filter(status: int) -> bool:
    """Whether the spec says `status` comes from the portal's state or a filter before the call (402, 503;
    `x-refused-before-the-call`): no request the suite can send produces it against a live server."""
    response = spec.resolve(spec.operation()["responses"][str(status)])
    return bool(response.get("x-refused-before-the-call"))
