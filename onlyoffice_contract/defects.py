"""The real server's known defects, judged on what it binds: where 12.7 answers other than the contract.

Each is recognised on the request as the real server's binder reads it (`binder.py`), never
on how the JSON looked: `"from": 0` is bound as the text "0", an address that does not parse,
so its 500 is the known defect of an unparsable `from` (`../shared/onlyoffice-send-facts.md`,
"Validation"). Under PROFILE=onlyoffice the suite reports a defect it meets as a known
deviation, in its probes and in the generated phases alike; under strict it is a failure.

Three kinds:
- a status: the contract says 400 or 404 and the real server answers 500 (`STATUS_DEFECTS`);
- a send accepted and never delivered (`send_task.py`): 200, then the background send task
  fails on a value MimeKit or the calendar parser cannot use, and no mail goes out;
- an exception of the binder itself (`BINDER_EXCEPTION`, judged on how the binder refuses the
  request, `BindError.unhandled`): 500 where the contract says 400 (403).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from onlyoffice_contract import facts, spec
from onlyoffice_contract.facts import DefectId as DefectId
from onlyoffice_contract.facts import RefusalId, RuleId
from onlyoffice_contract.mailbox import parse_mailbox

if TYPE_CHECKING:  # the binder loads the validators, which the delivery process must not
    from onlyoffice_contract.binder import BindError

# The words of both the real server's 500 and a conforming server's 400 (MailComposeBase.cs 55).
TOTAL_SIZE_MESSAGE = facts.refusal(RefusalId.ATTACHMENTS_OVER_LIMIT).message
attachments_total_limit = facts.attachments_total_limit


def declared_total(attachments: Any) -> int:
    """The sum of the declared `size`s of the distinct attachments, as `MailComposeBase` adds them
    (`attachments.Distinct()`: MailAttachmentData is equal by fileId, fileName and storedName)."""
    if not isinstance(attachments, list):
        return 0
    seen: dict[tuple[Any, Any, Any], int] = {}
    for item in attachments:
        if not isinstance(item, Mapping):
            continue
        key = (item.get("fileId", 0), item.get("fileName") or None, item.get("storedName") or None)
        size = item.get("size", 0)
        seen.setdefault(key, size if type(size) is int else 0)
    return sum(seen.values())


def over_attachment_limit(bound: Mapping[str, Any]) -> bool:
    return declared_total(bound.get("attachments")) > attachments_total_limit()


def _from_unparsable(bound: Mapping[str, Any]) -> bool:
    sender = bound.get("from")
    return isinstance(sender, str) and bool(sender) and parse_mailbox(sender) is None


def _id_of_a_message(bound: Mapping[str, Any]) -> bool:
    """An id > 0: when no message has it the real server dereferences null (500). Which ids exist
    is the server's to know, so any id > 0 answered 500 is taken as that defect."""
    message_id = bound.get("id")
    return type(message_id) is int and message_id > 0


@dataclass(frozen=True)
class Defect:
    id: DefectId
    name: str  # what the report calls it
    expected: str  # what the contract says: a status, or "delivered"
    seen: str  # what the real server does
    facts: str  # the facts' own words, shown in the report


@dataclass(frozen=True)
class StatusDefect(Defect):
    rule: RuleId | None = None  # the probe that meets it, whose sentence is the defect's name
    message: str = ""  # the real server's error message in that answer
    applies: Callable[[Mapping[str, Any]], bool] = lambda bound: False  # on the request as bound

    @property
    def seen_status(self) -> int:
        return int(self.seen)


# In the order the real server meets them.
# In the order DraftEngine.Send meets them (lines 83-158 at v12.7.1): `new MailAddress(from)` after the
# empty checks, then the draft's lookup, then MailDraftData's constructor.
STATUS_DEFECTS = (
    StatusDefect(
        DefectId.FROM_UNPARSABLE,
        RuleId.FROM_UNPARSABLE.sentence,
        "400",
        "500",
        "A `from` that does not parse as an address throws a FormatException in the real server, which"
        " surfaces as 500: a defect of that server, not part of the contract; a conforming implementation"
        " answers 400.",
        RuleId.FROM_UNPARSABLE,
        "The specified string is not in the form required for an e-mail address.",  # MailAddress's
        _from_unparsable,
    ),
    StatusDefect(
        DefectId.ID_NOT_FOUND,
        RuleId.ID_NOT_FOUND.sentence,
        "404",
        "500",
        "An id that does not exist makes the real server dereference null, which surfaces as 500; a"
        " conforming implementation answers 404 in the error envelope (the server's ItemNotFoundException"
        " mapping).",
        RuleId.ID_NOT_FOUND,
        "Object reference not set to an instance of an object.",
        _id_of_a_message,
    ),
    StatusDefect(
        DefectId.ATTACHMENTS_OVER_LIMIT,
        RuleId.ATTACHMENTS_OVER_LIMIT.sentence,
        "400",
        "500",
        f"Declared attachment sizes over 25 MB: MailComposeBase throws {TOTAL_SIZE_MESSAGE!r}"
        " before anything is saved, and SendMessage does not map it: 500 (its own SaveMessage"
        " maps the same case to 400); a conforming implementation answers 400.",
        RuleId.ATTACHMENTS_OVER_LIMIT,
        TOTAL_SIZE_MESSAGE,
        over_attachment_limit,
    ),
)

NOT_DELIVERED = Defect(
    DefectId.ACCEPTED_NOT_DELIVERED,
    "accepted, not delivered",
    "delivered",
    "200, then no mail",
    "Accepted, then failed in the background: a `mimeReplyToId` MimeKit cannot read as a message id, or a"
    " `calendarIcs` that does not parse as an iCalendar event, makes the send task throw; the message goes"
    " back to Drafts and no mail goes out.",
)

# Judged on the raw request: the binder itself refuses it (`binder.BindError.unhandled`).
BINDER_EXCEPTION = Defect(
    DefectId.BINDER_EXCEPTION,
    "an exception of the binder itself",
    "400 or 403",
    "500",
    "The argument builder runs before the call's try (ApiManager.cs 66): an exception it throws itself"
    " (List.Insert out of range when an attachment before another binds to nothing, SingleOrDefault when"
    " two keys name one member of an attachment) reaches ApiHttpHandler's last catch (line 132): 500. A"
    " conforming implementation, and the sandbox, answer 400 (403).",
)


# Every known defect, as the report and the docs list them.
KNOWN = (*STATUS_DEFECTS, NOT_DELIVERED, BINDER_EXCEPTION)


def binder_exception(error: BindError, status: int) -> Defect | None:
    """The known defect that explains `status` for a request the binder refuses with `error`, if one does."""
    return BINDER_EXCEPTION if status == 500 and error.unhandled else None


def meeting(bound: Mapping[str, Any]) -> tuple[StatusDefect, ...]:
    """The known status defects this bound request meets, in the real server's order, after the two
    checks that come before all of them (an empty `from`, no recipient at all: 400)."""
    if not bound.get("from") or not any(bound.get(name) for name in spec.recipient_fields()):
        return ()
    return tuple(d for d in STATUS_DEFECTS if d.applies(bound))


def status_defect(bound: Mapping[str, Any], status: int) -> StatusDefect | None:
    """The known defect that explains `status` for this bound request, if one does."""
    return next((d for d in STATUS_DEFECTS if d.seen_status == status and d.applies(bound)), None)


def by_id(defect: DefectId) -> Defect:
    return next(d for d in KNOWN if d.id is defect)


def status_by_id(defect: DefectId) -> StatusDefect:
    """The known status defect `defect`: its rule, its status and the real server's words."""
    return next(d for d in STATUS_DEFECTS if d.id is defect)
