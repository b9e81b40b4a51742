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
from onlyoffice_contract import binder, defects, facts, spec
from onlyoffice_contract.facts import RefusalId, RuleId

NOT_AN_ADDRESS = "not an address"  # no RFC 5322 parser takes a mailbox without an @; it reaches nobody
NO_SUCH_ID = 2**31 - 1
# A file id no account has (the largest int32 but one: NO_SUCH_ID is a message id), so the server
# cannot read it and must skip it (the facts' rule 7: attachments are never refused).
UNRESOLVABLE_FILE_ID = 2**31 - 2
# The file the embedded sandbox holds for the probe of a readable attachment (ATTACHMENT_FILE_ID unset).
EMBEDDED_FILE_ID = 4311
EMBEDDED_FILE = b"A file of the account, attached by the contract suite.\n"
# The stored draft body the real server refuses to send (setting mail.maximum-message-body-size).
MAX_DRAFT_BODY = facts.draft_body_limit()


# The header the hostile probes try to add: no delivered mail may carry it (`mail/allowed_headers.py`).
INJECTED = "X-Contract-Injected"


def _injected(settings: SuiteSettings) -> str:
    return f"{INJECTED}: cs-{settings.seed}"


def _in_domain(settings: SuiteSettings, local: str) -> str:
    return f"{local}@{settings.recipient_domain}"


def _unparsable_in(name: str) -> Callable[[SuiteSettings], dict[str, Any]]:
    return lambda settings: {name: [NOT_AN_ADDRESS]}


def _empty_in(name: str) -> Callable[[SuiteSettings], dict[str, Any]]:
    return lambda settings: {name: [""]}


# The statuses the probes expect, from the registry: an accepted send, or the refusal a rule's break gets.
ACCEPTED = facts.accepted()
refused = facts.refused


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
    id: RuleId
    expected: int
    changes: Callable[[SuiteSettings], dict[str, Any]]
    # Why it cannot run with these settings (None: it runs).
    not_run: Callable[[SuiteSettings], str | None] = lambda settings: None
    # The Content-Type it is sent with; the body is JSON whatever it says.
    content_type: str = binder.JSON_TYPE

    @property
    def rule(self) -> str:
        return self.id.sentence


def _over_the_attachment_limit(settings: SuiteSettings) -> dict[str, Any]:
    """One attachment whose declared size is past the limit: no file is read, the size alone refuses it."""
    size = defects.attachments_total_limit() + 1
    item = {"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe-large.bin", "size": size}
    return {"attachments": [item]}


PROBES = [
    Probe(
        RuleId.FROM_NOT_THE_CALLERS,
        refused(RefusalId.MAILBOX_NOT_FOUND),
        lambda s: {"from": _in_domain(s, "not-the-caller")},
    ),
    Probe(RuleId.FROM_UNPARSABLE, refused(RefusalId.ADDRESS_UNPARSABLE), lambda s: {"from": NOT_AN_ADDRESS}),
    *[
        Probe(RuleId.unparsable_in(name), refused(RefusalId.ADDRESS_UNPARSABLE), _unparsable_in(name))
        for name in spec.recipient_fields()
    ],
    # An empty address: schemathesis is not asked for one (schema.py: no minLength beside `mailbox`).
    Probe(RuleId.FROM_EMPTY, refused(RefusalId.FROM_EMPTY), lambda s: {"from": ""}),
    *[
        Probe(RuleId.empty_in(name), refused(RefusalId.ADDRESS_UNPARSABLE), _empty_in(name))
        for name in spec.recipient_fields()
    ],
    Probe(
        RuleId.NO_RECIPIENT,
        refused(RefusalId.NO_RECIPIENT),
        lambda s: {name: [] for name in spec.recipient_fields()},
    ),
    Probe(RuleId.ONLY_CC, ACCEPTED, lambda s: {"to": [], "cc": [_in_domain(s, "cc-only")], "bcc": []}),
    Probe(RuleId.ONLY_BCC, ACCEPTED, lambda s: {"to": [], "cc": [], "bcc": [_in_domain(s, "bcc-only")]}),
    Probe(RuleId.EMPTY_TO_BESIDE_CC, ACCEPTED, lambda s: {"to": [], "cc": [_in_domain(s, "beside")]}),
    Probe(RuleId.ID_NOT_FOUND, refused(RefusalId.MESSAGE_NOT_FOUND), lambda s: {"id": NO_SUCH_ID}),
    # MailComposeBase adds the declared sizes before anything is saved (the real server: 500, a defect).
    Probe(
        RuleId.ATTACHMENTS_OVER_LIMIT, refused(RefusalId.ATTACHMENTS_OVER_LIMIT), _over_the_attachment_limit
    ),
    # Only exactly application/json is read as JSON; the real server reads any other type as a form,
    # so a JSON body labelled text/json binds nothing, and `from` is missing.
    Probe(RuleId.TEXT_JSON_NOT_READ, refused(RefusalId.FROM_EMPTY), lambda s: {}, content_type="text/json"),
    Probe(RuleId.UNKNOWN_FIELDS_IGNORED, ACCEPTED, lambda s: {"unknownField": {"x": [1]}, "Extra": 1}),
    Probe(RuleId.IMPORTANCE, ACCEPTED, lambda s: {"importance": True}),
    Probe(RuleId.DELIVERY_RECEIPT, ACCEPTED, lambda s: {"requestReceipt": True}),
    Probe(RuleId.READ_RECEIPT, ACCEPTED, lambda s: {"requestRead": True}),
    Probe(RuleId.AUTOREPLY, ACCEPTED, lambda s: {"isAutoreply": True}),
    Probe(RuleId.CALENDAR, ACCEPTED, lambda s: {"calendarIcs": CALENDAR}),
    # The real server adds one Auto-Submitted header for each: this mail carries two.
    Probe(
        RuleId.AUTOREPLY_WITH_CALENDAR,
        ACCEPTED,
        lambda s: {"isAutoreply": True, "calendarIcs": CALENDAR},
    ),
    Probe(RuleId.REPLY, ACCEPTED, lambda s: {"mimeReplyToId": "<contract-probe@example.invalid>"}),
    # What the real server accepts and never delivers (send_task.py): the contract requires the mail;
    # under PROFILE=onlyoffice its absence is a known deviation.
    Probe(RuleId.REPLY_ID_UNREADABLE, ACCEPTED, lambda s: {"mimeReplyToId": "not a message id"}),
    Probe(RuleId.CALENDAR_WITHOUT_EVENT, ACCEPTED, lambda s: {"calendarIcs": NO_EVENT}),
    Probe(
        RuleId.NON_ASCII,
        ACCEPTED,
        lambda s: {
            "subject": "Zoë's Überblick ✓ 漢字",
            "to": [f'"Zoë Ünicode, Jr." <{_in_domain(s, "zoe")}>'],
        },
    ),
    Probe(RuleId.TAGS, ACCEPTED, lambda s: {"tags": [1]}),
    # Text a request carries into headers: a line break in it must not start a header of its own.
    Probe(
        RuleId.LINE_BREAK_IN_SUBJECT,
        ACCEPTED,
        lambda s: {"subject": f"contract probe\r\n{_injected(s)}"},
    ),
    # Whether the real server can use this reply id is MimeKit's to say (send_task.py): if not, it
    # accepts the send and no mail goes out, a known deviation under PROFILE=onlyoffice.
    Probe(
        RuleId.LINE_BREAK_IN_REPLY_ID,
        ACCEPTED,
        lambda s: {"mimeReplyToId": f"<contract-probe@example.invalid>\r\n{_injected(s)}"},
    ),
    Probe(
        RuleId.ENCODED_LINE_BREAK_IN_SUBJECT,
        ACCEPTED,
        lambda s: {"subject": f"=?utf-8?q?contract_probe=0D=0A{_injected(s).replace(' ', '_')}?="},
    ),
    # Attachments are never refused: one the server cannot read is skipped after the answer.
    Probe(
        RuleId.ATTACHMENT_UNRESOLVABLE,
        ACCEPTED,
        lambda s: {"attachments": [{"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe.txt"}]},
    ),
    Probe(
        RuleId.ATTACHMENTS_UNRESOLVABLE,
        ACCEPTED,
        lambda s: {
            "attachments": [
                {"fileId": UNRESOLVABLE_FILE_ID, "fileName": "contract-probe-1.txt"},
                {"storedName": _unresolvable_name(s), "fileName": "contract-probe-2.txt"},
                {"fileId": UNRESOLVABLE_FILE_ID, "storedName": _unresolvable_name(s)},
            ]
        },
    ),
    Probe(
        RuleId.FILE_OF_THE_ACCOUNT,
        ACCEPTED,
        lambda s: {"attachments": [{"fileId": attachment_file_id(s), "fileName": "contract-probe.txt"}]},
        _needs_a_file,
    ),
]

# The probe that sends again the id a first send returned (two requests, one rule).
SENT_AGAIN = RuleId.SENT_AGAIN


STORED_ID_MARK = ".contract-suite-stored"  # in the Message-ID a seeded message is stored with


@dataclass(frozen=True)
class DraftProbe:
    """A message the embedded sandbox is seeded with, and the statuses its sends must get, in order."""

    rule_id: RuleId
    id: int
    folder: str
    expected: tuple[int, ...]
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return self.rule_id.sentence

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
    DraftProbe(RuleId.DRAFT_SENDS_ONCE, 101, "drafts", (ACCEPTED, refused(RefusalId.NOT_IN_DRAFTS))),
    DraftProbe(RuleId.TEMPLATE_STAYS, 102, "templates", (ACCEPTED, ACCEPTED)),
    DraftProbe(RuleId.OTHER_FOLDER, 103, "inbox", (refused(RefusalId.NOT_IN_DRAFTS),)),
    DraftProbe(
        RuleId.DRAFT_BODY_OVER_LIMIT,
        104,
        "drafts",
        (refused(RefusalId.DRAFT_BODY_OVER_LIMIT),),
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

    id: RuleId
    fault: str
    expected: int
    after_binding: bool = False

    @property
    def rule(self) -> str:
        return self.id.sentence


PORTAL_PROBES = [
    PortalProbe(RuleId.PORTAL_TRANSFERRING, "transferring", refused(RefusalId.PORTAL_TRANSFERRING)),
    PortalProbe(RuleId.PORTAL_SUSPENDED, "deactivated", refused(RefusalId.PORTAL_SUSPENDED)),
    PortalProbe(RuleId.PORTAL_UNPAID, "unpaid", refused(RefusalId.PORTAL_UNPAID)),
    PortalProbe(
        RuleId.PORTAL_PAYMENT_FILTER,
        "payment-required",
        refused(RefusalId.PAYMENT_REQUIRED),
        after_binding=True,
    ),
]
PORTAL_NOT_RUN = (
    "not run: only against the embedded sandbox, whose portal state the suite sets; a live portal's"
    " is not the suite's to change"
)


def rule_ids() -> list[RuleId]:
    """Every rule the probes check, in the order they run."""
    return [
        *(p.id for p in PROBES),
        SENT_AGAIN,
        *(d.rule_id for d in DRAFT_PROBES),
        *(p.id for p in PORTAL_PROBES),
    ]


def rule_names() -> list[str]:
    """Every rule's sentence, in the order they run."""
    return [rule.sentence for rule in rule_ids()]


def draft(rule: RuleId) -> DraftProbe:
    """The stored message whose sends check `rule`."""
    found = [d for d in DRAFT_PROBES if d.rule_id is rule]
    if len(found) != 1:
        raise LookupError(f"{len(found)} stored messages check {rule}")
    return found[0]


def from_a_filter(status: int) -> bool:
    """Whether the spec says `status` comes from the portal's state or a filter before the call (402, 503;
    `x-refused-before-the-call`): no request the suite can send produces it against a live server."""
    return status in facts.refused_before_the_call()
