"""What the real server's binder takes that the spec does not write: each leniency as a record.

The binder (`binder.py`) emits one `Leniency(kind, field, shown)` for each way a request relied on
the real server's leniency: `kind` says which rule of the binder it was, `field` the parameter of
the call it was about (as the spec names it; "" when it is about the body as a whole), and `shown`
the sentence the sandbox's `X-Sandbox-Leniency` header, its outbox and the tests show. Reports
group on `kind` and `field`, never on the sentence: rewording one breaks nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class LeniencyKind(enum.Enum):
    """Each rule of the binder a request can rely on; the value is its id in reports and docs."""

    NAME_CASE = "name-case"
    MEMBER_CASE = "member-case"
    CONVERTED = "converted"
    DEFAULTED = "defaulted"
    NOT_AN_ENUM_MEMBER = "not-an-enum-member"
    LONE_VALUE = "lone-value"
    NULL_AS_LIST = "null-as-list"
    WITHOUT_BRACKETS = "without-brackets"
    ITEM_KEY = "item-key"
    FIRST_OF_A_LIST = "first-of-a-list"
    FIRST_OF_MANY = "first-of-many"
    REPEATED = "repeated"
    EMPTY_LIST = "empty-list"
    FROM_THE_QUERY = "from-the-query"
    NOT_READ = "not-read"
    ATTACHMENT_DROPPED = "attachment-dropped"
    MEMBER_FROM_EMPTY_KEY = "member-from-empty-key"
    MEMBER_VALUES_JOINED = "member-values-joined"
    UNKNOWN_CHARSET = "unknown-charset"
    NOT_UTF8 = "not-utf8"
    BODY_NOT_READ = "body-not-read"
    MORE = "more"

    @property
    def meaning(self) -> str:
        """One line for reports and the docs' table: what the real server does."""
        return _MEANING[self]


_MEANING = {
    LeniencyKind.NAME_CASE: "a name matched ignoring case (`From` as `from`)",
    LeniencyKind.MEMBER_CASE: "an attachment member matched in lower case (`fileid` as `fileId`)",
    LeniencyKind.CONVERTED: 'a value converted from another JSON type or text ("2" as 2, 1 as "1")',
    LeniencyKind.DEFAULTED: "empty text for a number or boolean: the type's default (0, false)",
    LeniencyKind.NOT_AN_ENUM_MEMBER: "a number that is no member of the enum, bound as it is",
    LeniencyKind.LONE_VALUE: "a lone value for a list: a list of one",
    LeniencyKind.NULL_AS_LIST: "null for a list: a list of one empty value",
    LeniencyKind.WITHOUT_BRACKETS: "a form's list field sent without []: an item of the list",
    LeniencyKind.ITEM_KEY: "an indexed key (`to[3]`) taken as an item of the list",
    LeniencyKind.FIRST_OF_A_LIST: "a list for one value: its first value taken",
    LeniencyKind.FIRST_OF_MANY: "a name given several times for one value: the first taken",
    LeniencyKind.REPEATED: "a list given several times: the items joined",
    LeniencyKind.EMPTY_LIST: "an empty list for one value: left at its default",
    LeniencyKind.FROM_THE_QUERY: "a parameter taken from the query string",
    LeniencyKind.NOT_READ: "a key the server does not read (ignored)",
    LeniencyKind.ATTACHMENT_DROPPED: "an attachment with no member the server reads: dropped",
    LeniencyKind.MEMBER_FROM_EMPTY_KEY: 'an attachment member taken from the key ""',
    LeniencyKind.MEMBER_VALUES_JOINED: "an attachment member given several values: joined with ','",
    LeniencyKind.UNKNOWN_CHARSET: "a form charset .NET does not know: read as UTF-8",
    LeniencyKind.NOT_UTF8: "a JSON body that is not valid UTF-8: bad bytes read as U+FFFD",
    LeniencyKind.BODY_NOT_READ: "a body of another Content-Type: not read at all",
    LeniencyKind.MORE: "more leniencies than are listed, counted",
}


@dataclass(frozen=True, slots=True)
class Leniency:
    """One leniency a request relied on: its kind, the call's parameter it was about, the sentence."""

    kind: LeniencyKind
    field: str  # the parameter as the spec names it, or "" (the body as a whole)
    shown: str

    def __str__(self) -> str:
        return self.shown


def shown(leniencies: tuple[Leniency, ...]) -> tuple[str, ...]:
    """The sentences, in order: what a header, a log line or an outbox note shows."""
    return tuple(item.shown for item in leniencies)
