"""The registry of the send call's facts: each rule, refusal, check, known defect and limit has an id.

Everything else refers to a fact by its id, never by its words: a sentence, a message or a limit
is written here once (or in openapi.yaml, read through `spec.py`) and looked up by id. Reworded
here, it changes everywhere; a module that matched the old words would silently stop matching.

- `RuleId`: each rule the suite probes (`contract_tests/rules.py`), with its sentence;
- `RefusalId`: each refusal the call makes (status, message, HRESULT), which the sandbox answers
  and the faulty variants imitate;
- `CheckId`: each check whose failure names a fault, with the title it prints (schemathesis'
  checks and the suite's own);
- `DefectId`: the real server's known deviations (`defects.py` describes each);
- `LeniencyKind`: each rule of the real server's binder a request can rely on (`leniency.py` defines
  the records, which the binder emits), re-exported here so that this is the one index;
- limits and the statuses a filter produces: `x-` extensions of openapi.yaml, read here.

The facts themselves come from ../shared/onlyoffice-send-facts.md (the real server, v12.7.1).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from onlyoffice_contract import spec
from onlyoffice_contract.leniency import LeniencyKind as LeniencyKind

# -- limits and filter statuses: the spec's `x-` extensions ------------------------------------------


def attachments_total_limit() -> int:
    """The bound on the declared sizes of a send's distinct attachments, bytes (`x-total-size-limit` of
    `attachments`: `Defines.ATTACHMENTS_TOTAL_SIZE_LIMIT`, 25 MB)."""
    return int(spec.extension("attachments", "x-total-size-limit"))


def draft_body_limit() -> int:
    """The most characters of HTML body a stored draft may hold and still be sent (`x-stored-draft-limit`
    of `body`: the setting `mail.maximum-message-body-size`)."""
    return int(spec.extension("body", "x-stored-draft-limit"))


def accepted() -> int:
    """The status of an accepted send (openapi.yaml's one 2xx): what a probe that must pass expects."""
    return spec.success_status()


def refused_before_the_call() -> tuple[int, ...]:
    """The statuses the portal's state or a filter answers before the call (402, 503)."""
    return spec.refused_before_the_call()


# -- refusals ----------------------------------------------------------------------------------------


class Hresult(enum.IntEnum):
    """The HRESULT of each .NET exception the real server maps to a status (`error.hresult`)."""

    ARGUMENT = -2147024809  # System.ArgumentException: 400
    INVALID_OPERATION = -2146233079  # System.InvalidOperationException: 403
    NOT_FOUND = -2146233088  # ASC.Api.Exceptions.ItemNotFoundException: 404
    HTTP_EXCEPTION = -2147467259  # System.Web.HttpException (E_FAIL): the API's filters
    NULL_REFERENCE = -2147467261  # System.NullReferenceException (E_POINTER): a defect's 500


class RefusalId(enum.Enum):
    FROM_EMPTY = "from-empty"
    NO_RECIPIENT = "no-recipient"
    MAILBOX_NOT_FOUND = "mailbox-not-found"
    MAILBOX_NOT_PERMITTED = "mailbox-not-permitted"
    NOT_IN_DRAFTS = "not-in-drafts"
    MESSAGE_NOT_FOUND = "message-not-found"
    DRAFT_BODY_OVER_LIMIT = "draft-body-over-limit"
    ADDRESS_UNPARSABLE = "address-unparsable"
    ATTACHMENTS_OVER_LIMIT = "attachments-over-limit"
    INVALID_ARGUMENTS = "invalid-arguments"
    PAYMENT_REQUIRED = "payment-required"
    MAIL_UNAVAILABLE = "mail-unavailable"
    UNAUTHORIZED = "unauthorized"
    PORTAL_TRANSFERRING = "portal-transferring"
    PORTAL_SUSPENDED = "portal-suspended"
    PORTAL_UNPAID = "portal-unpaid"


@dataclass(frozen=True)
class Refusal:
    id: RefusalId
    status: int
    message: str  # the error envelope's message ("" for an empty body); `{name}` fields filled by `text`
    hresult: int | None  # None: no envelope (the 401's bare text, the portal's empty answers)

    def text(self, **values: Any) -> str:
        """The message with its fields filled (`kb` for the draft body limit, `field` for an address)."""
        return self.message.format(**values) if values else self.message


def _refusals(*table: Refusal) -> Mapping[RefusalId, Refusal]:
    found = {r.id: r for r in table}
    if set(found) != set(RefusalId):
        raise RuntimeError(f"refusals without an entry: {set(RefusalId) - set(found)}")
    return MappingProxyType(found)


# In the order the real server meets them (DraftEngine.Send, lines 80-158 at v12.7.1).
REFUSALS = _refusals(
    Refusal(RefusalId.PORTAL_TRANSFERRING, 503, "", None),  # Global.asax.cs 66-71: before auth, no body
    Refusal(RefusalId.PORTAL_SUSPENDED, 404, "", None),
    Refusal(RefusalId.PORTAL_UNPAID, 402, "", None),
    # ErrorHttpHandler writes the bare text; no content type, so ASP.NET's text/html goes out.
    Refusal(RefusalId.UNAUTHORIZED, 401, "Unauthorized", None),
    Refusal(RefusalId.INVALID_ARGUMENTS, 400, "Invalid arguments", Hresult.ARGUMENT),  # the binder
    # ProductSecurityFilter, after binding: the status's name, HttpException's HRESULT.
    Refusal(RefusalId.PAYMENT_REQUIRED, 402, "PaymentRequired", Hresult.HTTP_EXCEPTION),
    Refusal(RefusalId.MAIL_UNAVAILABLE, 403, "Forbidden", Hresult.HTTP_EXCEPTION),
    Refusal(RefusalId.FROM_EMPTY, 400, "This field cannot be empty", Hresult.ARGUMENT),
    Refusal(RefusalId.NO_RECIPIENT, 400, "Value cannot be null. Parameter name: to", Hresult.ARGUMENT),
    Refusal(RefusalId.MAILBOX_NOT_FOUND, 400, "Mailbox not found", Hresult.ARGUMENT),
    # The facts give no words for a group address or a disabled account: these are the sandbox's.
    Refusal(
        RefusalId.MAILBOX_NOT_PERMITTED,
        403,
        "Sending from this mailbox is not permitted: it is disabled or a group address",
        Hresult.INVALID_OPERATION,
    ),
    Refusal(
        RefusalId.NOT_IN_DRAFTS,
        403,
        "Sending emails is permitted only in the Drafts folder",
        Hresult.INVALID_OPERATION,
    ),
    Refusal(RefusalId.MESSAGE_NOT_FOUND, 404, "Message not found", Hresult.NOT_FOUND),
    Refusal(
        RefusalId.DRAFT_BODY_OVER_LIMIT,
        403,
        "Message body exceeded limit ({kb} KB)",
        Hresult.INVALID_OPERATION,
    ),
    # MailDraftData's checks: "Incorrect email address in To field", and From, Cc, Bcc alike.
    Refusal(RefusalId.ADDRESS_UNPARSABLE, 400, "Incorrect email address in {field} field", Hresult.ARGUMENT),
    # MailComposeBase.cs 55; the real server answers it 500 (a known defect), a conforming one 400.
    Refusal(
        RefusalId.ATTACHMENTS_OVER_LIMIT, 400, "Total size of all files exceeds limit!", Hresult.ARGUMENT
    ),
)


def refusal(refusal_id: RefusalId) -> Refusal:
    return REFUSALS[refusal_id]


def refused(refusal_id: RefusalId) -> int:
    """The status of the refusal `refusal_id`: what a probe that breaks its rule expects."""
    return REFUSALS[refusal_id].status


# -- the rules the suite probes ----------------------------------------------------------------------


class RuleId(enum.Enum):
    """Each rule a probe of the suite checks (`contract_tests/rules.py`); `.sentence` is what reports say."""

    FROM_NOT_THE_CALLERS = "from-not-the-callers"
    FROM_UNPARSABLE = "from-unparsable"
    TO_UNPARSABLE = "to-unparsable"
    CC_UNPARSABLE = "cc-unparsable"
    BCC_UNPARSABLE = "bcc-unparsable"
    FROM_EMPTY = "from-empty"
    TO_EMPTY = "to-empty"
    CC_EMPTY = "cc-empty"
    BCC_EMPTY = "bcc-empty"
    NO_RECIPIENT = "no-recipient"
    ONLY_CC = "only-cc"
    ONLY_BCC = "only-bcc"
    EMPTY_TO_BESIDE_CC = "empty-to-beside-cc"
    ID_NOT_FOUND = "id-not-found"
    ATTACHMENTS_OVER_LIMIT = "attachments-over-limit"
    TEXT_JSON_NOT_READ = "text-json-not-read"
    UNKNOWN_FIELDS_IGNORED = "unknown-fields-ignored"
    IMPORTANCE = "importance"
    DELIVERY_RECEIPT = "delivery-receipt"
    READ_RECEIPT = "read-receipt"
    AUTOREPLY = "autoreply"
    CALENDAR = "calendar"
    AUTOREPLY_WITH_CALENDAR = "autoreply-with-calendar"
    REPLY = "reply"
    REPLY_ID_UNREADABLE = "reply-id-unreadable"
    CALENDAR_WITHOUT_EVENT = "calendar-without-event"
    NON_ASCII = "non-ascii"
    TAGS = "tags"
    LINE_BREAK_IN_SUBJECT = "line-break-in-subject"
    LINE_BREAK_IN_REPLY_ID = "line-break-in-reply-id"
    ENCODED_LINE_BREAK_IN_SUBJECT = "encoded-line-break-in-subject"
    ATTACHMENT_UNRESOLVABLE = "attachment-unresolvable"
    ATTACHMENTS_UNRESOLVABLE = "attachments-unresolvable"
    FILE_OF_THE_ACCOUNT = "file-of-the-account"
    SENT_AGAIN = "sent-again"
    DRAFT_SENDS_ONCE = "draft-sends-once"
    TEMPLATE_STAYS = "template-stays"
    OTHER_FOLDER = "other-folder"
    DRAFT_BODY_OVER_LIMIT = "draft-body-over-limit"
    PORTAL_TRANSFERRING = "portal-transferring"
    PORTAL_SUSPENDED = "portal-suspended"
    PORTAL_UNPAID = "portal-unpaid"
    PORTAL_PAYMENT_FILTER = "portal-payment-filter"

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]

    @classmethod
    def unparsable_in(cls, field: str) -> RuleId:
        """The rule of an address that does not parse in the recipient field `field` (to, cc, bcc)."""
        return cls(f"{field}-unparsable")

    @classmethod
    def empty_in(cls, field: str) -> RuleId:
        """The rule of an empty address in the recipient field `field` (to, cc, bcc)."""
        return cls(f"{field}-empty")


_SENTENCES: Mapping[RuleId, str] = MappingProxyType(
    {
        RuleId.FROM_NOT_THE_CALLERS: "a from that is not the caller's mailbox",
        RuleId.FROM_UNPARSABLE: "a from that does not parse",
        **{RuleId.unparsable_in(f): f"a value in {f} that does not parse" for f in ("to", "cc", "bcc")},
        RuleId.FROM_EMPTY: "an empty from",
        **{RuleId.empty_in(f): f"an empty address in {f}" for f in ("to", "cc", "bcc")},
        RuleId.NO_RECIPIENT: "no recipient at all",
        RuleId.ONLY_CC: "only cc",
        RuleId.ONLY_BCC: "only bcc",
        RuleId.EMPTY_TO_BESIDE_CC: "an empty to beside a cc",
        RuleId.ID_NOT_FOUND: "an id that no message has",
        RuleId.ATTACHMENTS_OVER_LIMIT: f"attachments declared over {attachments_total_limit() // 2**20} MB",
        RuleId.TEXT_JSON_NOT_READ: "a JSON body labelled text/json is not read",
        RuleId.UNKNOWN_FIELDS_IGNORED: "fields the server does not know are ignored",
        RuleId.IMPORTANCE: "importance",
        RuleId.DELIVERY_RECEIPT: "a delivery receipt",
        RuleId.READ_RECEIPT: "a read receipt",
        RuleId.AUTOREPLY: "an autoreply",
        RuleId.CALENDAR: "a calendar invitation",
        RuleId.AUTOREPLY_WITH_CALENDAR: "an autoreply with a calendar invitation",
        RuleId.REPLY: "a reply",
        RuleId.REPLY_ID_UNREADABLE: "a reply id MimeKit cannot read",
        RuleId.CALENDAR_WITHOUT_EVENT: "a calendar without an event",
        RuleId.NON_ASCII: "a non-ASCII subject and names",
        RuleId.TAGS: "tags",
        RuleId.LINE_BREAK_IN_SUBJECT: "a line break and a header line in the subject",
        RuleId.LINE_BREAK_IN_REPLY_ID: "a line break and a header line in the reply id",
        RuleId.ENCODED_LINE_BREAK_IN_SUBJECT: "an encoded line break (RFC 2047) in the subject",
        RuleId.ATTACHMENT_UNRESOLVABLE: "an attachment the server cannot resolve",
        RuleId.ATTACHMENTS_UNRESOLVABLE: "several attachments the server cannot resolve",
        RuleId.FILE_OF_THE_ACCOUNT: "a file of the account attached",
        RuleId.SENT_AGAIN: "the id just returned, sent again",
        RuleId.DRAFT_SENDS_ONCE: "a draft sends once, then 403",
        RuleId.TEMPLATE_STAYS: "a template stays a template, each send a new id",
        RuleId.OTHER_FOLDER: "a message in another folder (inbox)",
        RuleId.DRAFT_BODY_OVER_LIMIT: f"a draft whose stored body is over {draft_body_limit()} characters",
        RuleId.PORTAL_TRANSFERRING: "a portal being transferred: 503, empty, before auth",
        RuleId.PORTAL_SUSPENDED: "a suspended portal: 404, empty, before auth",
        RuleId.PORTAL_UNPAID: "an unpaid portal: 402, empty, before auth",
        RuleId.PORTAL_PAYMENT_FILTER: (
            "an unpaid portal with tariff settings: 402 in the envelope, after binding"
        ),
    }
)
if set(_SENTENCES) != set(RuleId):
    raise RuntimeError(f"rules without a sentence: {set(RuleId) - set(_SENTENCES)}")


# -- the checks whose failure names a fault ----------------------------------------------------------


class CheckId(enum.Enum):
    """A check the suite runs, by the name of its function (schemathesis' or the suite's own); `.title`
    is the words its failure prints, which a faulty variant's test looks for in the output."""

    # schemathesis' own checks, by the titles it prints for them (schemathesis 4.32)
    STATUS_CODE_CONFORMANCE = "status_code_conformance"
    RESPONSE_SCHEMA_CONFORMANCE = "response_schema_conformance"
    CONTENT_TYPE_CONFORMANCE = "content_type_conformance"
    IGNORED_AUTH = "ignored_auth"
    NOT_A_SERVER_ERROR = "not_a_server_error"
    POSITIVE_DATA_ACCEPTANCE = "positive_data_acceptance"
    NEGATIVE_DATA_REJECTION = "negative_data_rejection"
    RESPONSE_HEADERS_CONFORMANCE = "response_headers_conformance"
    MISSING_REQUIRED_HEADER = "missing_required_header"
    UNSUPPORTED_METHOD = "unsupported_method"
    # the suite's own (contract_tests/checks.py, test_probes.py, preflight.py, delivered.py)
    ENVELOPE_STATUS_CODE = "envelope_status_code_matches_http_status"
    SUCCESS_MESSAGE_ID = "success_carries_a_positive_message_id"
    ANSWERS_WITHOUT_REDIRECTING = "answers_without_redirecting"
    UNAUTHORIZED_BARE_TEXT = "unauthorized_is_bare_text"
    UNAUTHORIZED_NOT_AN_ENVELOPE = "unauthorized_is_not_an_envelope"
    UNAUTHORIZED_CHALLENGE = "unauthorized_carries_a_challenge"
    MALFORMED_BODIES_REFUSED = "bodies_that_are_not_json_objects_are_refused"
    PREFLIGHT_KEY_REFUSED = "preflight_key_refused"
    STORED_MESSAGE_ID_KEPT = "stored_message_id_kept"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES: Mapping[CheckId, str] = MappingProxyType(
    {
        CheckId.STATUS_CODE_CONFORMANCE: "Undocumented status code",
        CheckId.RESPONSE_SCHEMA_CONFORMANCE: "Response violates schema",
        CheckId.CONTENT_TYPE_CONFORMANCE: "Undocumented Content-Type",
        CheckId.IGNORED_AUTH: "API accepts requests without authentication",
        CheckId.NOT_A_SERVER_ERROR: "Server error",
        CheckId.POSITIVE_DATA_ACCEPTANCE: "Schema-valid request rejected",
        CheckId.NEGATIVE_DATA_REJECTION: "Schema-violating request accepted",
        CheckId.RESPONSE_HEADERS_CONFORMANCE: "Missing required response headers",
        CheckId.MISSING_REQUIRED_HEADER: "Missing required header accepted",
        CheckId.UNSUPPORTED_METHOD: "Wrong response to undeclared method",
        CheckId.ENVELOPE_STATUS_CODE: "Envelope statusCode differs from the HTTP status",
        CheckId.SUCCESS_MESSAGE_ID: "A success must carry a positive integer message id in `response`",
        CheckId.ANSWERS_WITHOUT_REDIRECTING: "A redirect, which the suite does not follow",
        CheckId.UNAUTHORIZED_BARE_TEXT: "A 401 must be bare text",
        CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE: (
            "A 401 must be the bare text `Unauthorized`, not a JSON envelope"
        ),
        CheckId.UNAUTHORIZED_CHALLENGE: (
            "A 401 to a request with an Authorization header must carry WWW-Authenticate"
        ),
        CheckId.MALFORMED_BODIES_REFUSED: "A body that is not a JSON object must be refused with 400",
        CheckId.PREFLIGHT_KEY_REFUSED: "the server refused API_KEY",
        CheckId.STORED_MESSAGE_ID_KEPT: "Message-ID: a new one,",
    }
)
if set(_TITLES) != set(CheckId):
    raise RuntimeError(f"checks without a title: {set(CheckId) - set(_TITLES)}")


# -- the real server's known deviations (described in defects.py) -------------------------------------


class DefectId(enum.Enum):
    """Each known defect's identity: what reports, probes and faulty variants refer to."""

    FROM_UNPARSABLE = "from-unparsable"
    ID_NOT_FOUND = "id-not-found"
    ATTACHMENTS_OVER_LIMIT = "attachments-over-limit"
    ACCEPTED_NOT_DELIVERED = "accepted-not-delivered"
    BINDER_EXCEPTION = "binder-exception"


# What catches a faulty variant of the sandbox: a rule's probe, or a check.
CaughtBy = RuleId | CheckId
# The suite's own checks, whose titles are their own words: found in a failed test's text (a probe that
# validates its answer with every check, a test of the mail), before schemathesis' titles.
_OWN = (
    CheckId.MALFORMED_BODIES_REFUSED,
    CheckId.STORED_MESSAGE_ID_KEPT,
    CheckId.ENVELOPE_STATUS_CODE,
    CheckId.SUCCESS_MESSAGE_ID,
    CheckId.ANSWERS_WITHOUT_REDIRECTING,
    CheckId.UNAUTHORIZED_BARE_TEXT,
    CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE,
    CheckId.UNAUTHORIZED_CHALLENGE,
)
_IN_TEXT = (*_OWN, *(c for c in CheckId if c not in _OWN))
_CUSTOM = "Custom check failed: `"  # how schemathesis titles a failure of a check registered with it


def check_titled(title: str, message: str = "") -> CheckId | None:
    """The check whose failure schemathesis titled `title`: its own by their titles; the suite's own
    (registered with `schemathesis.check`, titled by their function's name) by the registry's title
    that their message begins with, else by that name."""
    if title.startswith(_CUSTOM):
        found = next((c for c in CheckId if message.startswith(c.title)), None)
        name = title.removeprefix(_CUSTOM).rstrip("`")
        return found or next((c for c in CheckId if c.value == name), None)
    return next((c for c in CheckId if c.title == title), None)


def check_of_test(name: str, text: str) -> CheckId | None:
    """The check a failed test of the suite is (its name without `test_`), or whose title its failure's
    `text` says (the mail of a stored message: "Message-ID: a new one,"; a 401 without a challenge)."""
    named = next((c for c in CheckId if c.value == name.removeprefix("test_").split("[")[0]), None)
    return named or next((c for c in _IN_TEXT if c.title in text), None)


def printed(caught_by: CaughtBy) -> str:
    """What the suite's output says when `caught_by` fails: "rule: <sentence>", or the check's title."""
    return f"rule: {caught_by.sentence}" if isinstance(caught_by, RuleId) else caught_by.title
