"""Which accepted sends the real server's send task cannot build: `mimeReplyToId` and `calendarIcs`.

ONLYOFFICE Community Server v12.7.1 answers 200 and then, in a background task, builds the
MIME message (`module/ASC.Mail/ASC.Mail/Core/Engine/DraftEngine.cs` 300-345: `draft.ToMimeMessage()`
at 330; on any exception, 376-385 put the message back in Drafts: no mail goes out). Two request
fields can make `ToMimeMessage` (`Extensions/MailDraftExtensions.cs` 104-158) throw:

- `mimeReplyToId`, when not empty (132-133), is given to MimeKit 2.15.0's `MimeMessage.InReplyTo`
  (MimeKit/MimeMessage.cs 674-697). Its UTF-8 bytes are read as ONE mailbox by
  `MailboxAddress.TryParse(Headers.Options, ...)` (MailboxAddress.cs 566-582), that is
  `InternetAddress.TryParse(..., AddressParserFlags.AllowMailboxAddress, ...)` (InternetAddress.cs
  590-883) with a new message's options, `ParserOptions.Default` cloned (ParserOptions.cs 183-192:
  `RfcComplianceMode.Loose`, unquoted commas allowed in names, addresses without a domain allowed).
  On failure it throws "Invalid Message-Id format."; on success it writes `In-Reply-To:
  <` + `mailbox.Address` + `>`. The setter never checks where the parse stopped: text after the
  first mailbox (another address, a line break and a header) is dropped, not refused.
  `_MimeKitMailbox` below is that parser, rewritten from its reading (character classes from
  Utils/ByteExtensions.cs 103-145, skipping rules from Utils/ParseUtils.cs 119-366, the address
  forms from InternetAddress.cs 300-541, routes from DomainList.cs 408-450).
- `calendarIcs`, when not empty, is read once when the request is bound (`Data/Contracts/Base/
  MailComposeBase.cs` 62-72) by `MailUtil.ParseValidCalendar` (`Utils/MailUtil.cs` 174-222, over
  Ical.Net 4.2.0's `CalendarCollection.Load`, the version `ASC.Mail.csproj` 560-562 references).
  When that returns null, the draft's `CalendarMethod` stays null and `ToMimeMessage` adds the
  parameter `method` with a null value (MailDraftExtensions.cs 288), which MimeKit 2.15.0 refuses
  (`ParameterList.Add(string, string)` -> `new Parameter`, Parameter.cs 77-78:
  ArgumentNullException). `_ical` below reads the text as Ical.Net 4.2.0 does
  (rianjs/ical.net at 4.2.0, commit efa41fb8: Serialization/SimpleDeserializer.cs, CalendarCollection.cs
  29-35, Serialization/DataTypes/StringSerializer.cs, CalendarComponents/UniqueComponent.cs).
  One consequence the source makes certain: an event with an empty or missing UID is never
  refused, since `UniqueComponent.EnsureProperties` (UniqueComponent.cs 31-47) gives it a new one
  when the event is deserialized (and its constructor already did), so `ParseValidCalendar`'s
  "Calendar event uid is empty" (MailUtil.cs 211-212) cannot happen for a parsed event.

Readings: USABLE (the real server certainly builds the mail), UNUSABLE (it certainly throws: no
mail), UNSURE (this model cannot tell, and says why). UNSURE is kept to what the source leaves
open: property values whose Ical.Net deserializers were not modelled (RRULE, DURATION, TRIGGER...),
components whose classes do more on deserializing (VALARM, VTIMEZONE...), an ENCODING parameter,
non-ASCII text where .NET's culture rules decide (METHOD is compared with
InvariantCultureIgnoreCase, MailUtil.cs 194-197), and In-Reply-To text that .NET's IdnMapping
rewrites (an `xn--` label: the reading is known, the written text is not).

Checked once, beyond this reading (2026-12-07, not kept in the repository, which builds no third
party's source): MimeKit 2.15.0's address parser and Ical.Net 4.2.0 (NodaTime and VTimeZone stood
in), compiled with Mono, read 200,000 generated reply ids and 192,699 calendars as this model does,
with no disagreement; mutants of the model gave hundreds.

Assumed, not proved: a date's TZID parameter never throws, as Utility/DateUtil.cs `GetZone` (102-163)
falls back to the local zone (which NodaTime must know on the server's machine); and Rfc2047's
phrase decoder, used for display names, throws only on its argument checks (Rfc2047.cs 566-577).

Not modelled, and outside these two fields: the send can still fail later for other reasons
(SMTP, attachments, storage), and a value longer than its database column (varchar 255 for
`mime_in_reply_to` and `calendar_uid`, build/sql/onlyoffice.sql 1574, 1582) may be refused
before the 200.
"""

from __future__ import annotations

import contextlib
import enum
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Reading", "calendar", "calendar_method", "delivery", "in_reply_to", "reply_id"]


class Reading(enum.Enum):
    USABLE = "usable"  # the real server certainly builds the mail
    UNUSABLE = "unusable"  # it certainly throws in the send task: no mail
    UNSURE = "unsure"  # the model cannot tell; a suite must accept both outcomes


@dataclass(frozen=True)
class _Verdict:
    reading: Reading
    reason: str  # in the source's words, one line
    value: str | None = None  # In-Reply-To written, or the calendar's METHOD, when known


# -- mimeReplyToId: MimeKit 2.15.0's mailbox parser ------------------------------------------------

# ByteExtensions.cs 54-145: atom characters are ASCII letters, digits and "!#$%&'*+-/=?^_`{|}~",
# and every byte from 128 up (so UTF-8 text is all atom); a phrase atom adds "[" and "]";
# whitespace is space, tab, CR and LF; a domain-literal character is any ASCII byte but
# "[", "]", "\\", CR, space and tab (so LF is one).
_ATOM_SAFE = frozenset(b"!#$%&'*+-/=?^_`{|}~")
_WHITESPACE = frozenset(b" \t\r\n")
_NOT_DOMAIN = frozenset(b"[]\\\r \t")
_MAILBOX_SENTINELS = frozenset(b",>;")  # InternetAddress.cs 369 (CommaGreaterThanOrSemiColon)
_ROUTE_SENTINELS = frozenset(b",:")  # DomainList.cs 44


def _is_atom(c: int) -> bool:
    return c >= 128 or (chr(c).isascii() and chr(c).isalnum()) or c in _ATOM_SAFE


def _is_phrase_atom(c: int) -> bool:
    return _is_atom(c) or c in b"[]"


def _is_domain(c: int) -> bool:
    return c < 128 and c not in _NOT_DOMAIN


def _dotnet_utf8(text: str) -> bytes:
    """Encoding.UTF8.GetBytes: a lone surrogate (JSON can carry "\\ud800") becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _is_idn_encoded(value: str) -> bool:
    """ParseUtils.IsIdnEncoded (ParseUtils.cs 532-538): then IdnDecode rewrites the text."""
    return value.startswith("xn--") or ".xn--" in value


class _Fail(Exception):
    """MimeKit's `return false` (throwOnError is false on this path)."""


@dataclass
class _Mailbox:
    address: str
    idn: bool  # the address went through .NET's IdnMapping.GetUnicode: its text is not known here


@dataclass
class _MimeKitMailbox:
    """`InternetAddress.TryParse` with `AllowMailboxAddress` only, `ParserOptions.Default`, no throwing.

    Method names follow MimeKit's; each returns normally where MimeKit returns true and raises
    _Fail where it returns false. `i` is MimeKit's `ref int index`."""

    t: bytes
    i: int = 0
    idn: bool = False
    end: int = field(init=False)

    def __post_init__(self) -> None:
        self.end = len(self.t)

    def at(self, c: bytes) -> bool:
        return self.i < self.end and self.t[self.i] == c[0]

    # ParseUtils.cs ------------------------------------------------------------------------------

    def skip_whitespace(self) -> None:  # 119-127
        while self.i < self.end and self.t[self.i] in _WHITESPACE:
            self.i += 1

    def skip_comment(self) -> bool:  # 129-153: escapes honoured, nesting counted
        escaped, depth = False, 1
        self.i += 1
        while self.i < self.end and depth > 0:
            c = self.t[self.i]
            if c == 0x5C:
                escaped = not escaped
            elif not escaped:
                if c == 0x28:
                    depth += 1
                elif c == 0x29:
                    depth -= 1
                escaped = False
            else:
                escaped = False
            self.i += 1
        return depth == 0

    def skip_cfws(self) -> None:  # 155-173 SkipCommentsAndWhiteSpace: an open comment fails
        self.skip_whitespace()
        while self.at(b"("):
            if not self.skip_comment():
                raise _Fail
            self.skip_whitespace()

    def skip_quoted(self) -> bool:  # 175-207: leaves i at the end when the quote is not closed
        escaped = False
        self.i += 1
        while self.i < self.end:
            c = self.t[self.i]
            if c == 0x5C:
                escaped = not escaped
            elif not escaped:
                if c == 0x22:
                    break
            else:
                escaped = False
            self.i += 1
        if self.i >= self.end:
            return False
        self.i += 1
        return True

    def skip_run(self, accept: Callable[[int], bool]) -> bool:  # SkipAtom / SkipPhraseAtom (209-228)
        start = self.i
        while self.i < self.end and accept(self.t[self.i]):
            self.i += 1
        return self.i > start

    def skip_word(self) -> bool:  # 240-249
        c = self.t[self.i]
        if c == 0x22:
            return self.skip_quoted()
        if _is_atom(c):
            return self.skip_run(_is_atom)
        return False

    def text(self, start: int) -> str:
        # CharsetUtils.UTF8.GetString of a token: atom runs and quoted strings end on ASCII bytes,
        # so a slice of valid UTF-8 decodes (the Latin-1 fallback is never reached).
        return self.t[start : self.i].decode("utf-8")

    def dot_atom(self, sentinels: frozenset[int]) -> str:  # 261-315 TryParseDotAtom
        parts: list[str] = []
        while True:
            if not _is_atom(self.t[self.i]):
                raise _Fail
            start = self.i
            self.skip_run(_is_atom)
            parts.append(self.text(start))
            comment = self.i
            self.skip_cfws()
            if self.i >= self.end or self.t[self.i] != 0x2E:
                self.i = comment
                break
            self.i += 1
            self.skip_cfws()
            if self.i >= self.end or self.t[self.i] in sentinels:
                break  # a trailing "." is allowed, and dropped
            parts.append(".")
        return "".join(parts)

    def domain_literal(self) -> str:  # 317-358 TryParseDomainLiteral: whitespace inside is dropped
        literal = "["
        self.i += 1
        self.skip_whitespace()
        while True:
            while self.i < self.end and _is_domain(self.t[self.i]):
                literal += chr(self.t[self.i])
                self.i += 1
            self.skip_whitespace()
            if self.i >= self.end:
                raise _Fail
            if self.t[self.i] == 0x5D:
                break
            if not _is_domain(self.t[self.i]):
                raise _Fail
        self.i += 1
        return literal + "]"

    def domain(self, sentinels: frozenset[int]) -> str:  # 360-366 TryParseDomain
        return self.domain_literal() if self.t[self.i] == 0x5B else self.dot_atom(sentinels)

    # InternetAddress.cs -------------------------------------------------------------------------

    def local_part(self, skip_trailing_cfws: bool) -> str:  # 300-367 TryParseLocalPart (Loose)
        parts: list[str] = []
        while True:
            c = self.t[self.i]
            if not _is_atom(c) and c != 0x22:
                raise _Fail
            start = self.i
            if not self.skip_word():
                raise _Fail
            parts.append(self.text(start))
            cfws = self.i
            self.skip_cfws()
            if self.i >= self.end or self.t[self.i] != 0x2E:
                if not skip_trailing_cfws:
                    self.i = cfws
                break
            parts.append(".")  # Loose reads one "." at a time: "a..b" fails on the second
            self.i += 1
            self.skip_cfws()
            if self.i >= self.end:
                raise _Fail
        local = "".join(parts)
        self.idn = self.idn or _is_idn_encoded(local)
        return local

    def addrspec(self, sentinels: frozenset[int]) -> str:  # 371-423 TryParseAddrspec
        local = self.local_part(skip_trailing_cfws=True)
        if self.i >= self.end or self.t[self.i] in sentinels:
            return local  # no domain: allowed
        if self.t[self.i] != 0x40:
            raise _Fail
        self.i += 1
        if self.i >= self.end:
            raise _Fail
        self.skip_cfws()
        if self.i >= self.end:
            raise _Fail
        domain = self.domain(sentinels)
        self.idn = self.idn or _is_idn_encoded(domain)
        return f"{local}@{domain}"

    def route(self) -> None:  # DomainList.cs 408-450: "@a,@b:" before the addr-spec, then dropped
        while True:
            self.i += 1
            if self.i >= self.end:
                raise _Fail
            self.domain(_ROUTE_SENTINELS)
            while True:
                self.skip_cfws()
                if self.i >= self.end or self.t[self.i] != 0x2C:
                    break
                self.i += 1
            self.skip_cfws()
            if not self.at(b"@"):
                return

    def angle_addr(self) -> str:  # 425-541 TryParseMailbox (Loose: "<<a>>" and a missing ">" pass)
        self.i += 1
        while self.at(b"<"):
            self.i += 1
        self.skip_cfws()
        if self.i >= self.end:
            raise _Fail
        if self.t[self.i] == 0x40:
            self.route()
            if not self.at(b":"):
                raise _Fail
            self.i += 1
            self.skip_cfws()
            if self.i >= self.end:
                raise _Fail
        address = self.addrspec(_MAILBOX_SENTINELS)
        self.skip_cfws()
        while self.at(b">"):
            self.i += 1
        return address

    def mailbox(self) -> str:  # 590-883 TryParse with AllowMailboxAddress
        self.skip_cfws()
        if self.i == self.end:
            raise _Fail  # "No address found."
        start = self.i
        # The phrase (a display name, or a local part read as one): 613-666.
        while self.i < self.end:
            if self.t[self.i] == 0x22:
                quote = self.i
                if not self.skip_quoted():
                    self.i = quote + 1
                    self.skip_whitespace()
                    if not self.skip_run(_is_phrase_atom):
                        break
            elif not self.skip_run(_is_phrase_atom):
                break
            while True:
                self.skip_cfws()
                if not self.at(b"."):  # unquoted dots in names
                    break
                self.i += 1
            if self.at(b","):  # unquoted commas in names (AllowUnquotedCommasInAddresses)
                self.i += 1
                self.skip_cfws()
        self.skip_cfws()
        if self.i >= self.end or self.t[self.i] in _MAILBOX_SENTINELS:
            return self.without_domain(start)  # 675-736
        c = self.t[self.i]
        if c == 0x3A:
            raise _Fail  # a group: not allowed here (744-749)
        if c == 0x40:  # 782-854: an addr-spec, maybe followed by "<...>"
            self.i = start
            address = self.addrspec(_MAILBOX_SENTINELS)
            self.skip_whitespace()
            if self.at(b"(") and not self.skip_comment():
                raise _Fail
            self.skip_cfws()
            if self.i >= self.end:
                return address
            if self.t[self.i] != 0x3C:
                if self.t[self.i] == 0x3E:
                    self.i += 1
                return address  # anything after it is left unread
        if self.t[self.i] == 0x3C:
            return self.angle_addr()  # 856-877
        raise _Fail  # "Invalid address token"

    def without_domain(self, start: int) -> str:  # 675-736: "we've completely gobbled up an addr-spec"
        sentinel = self.t[self.i] if self.i < self.end else 0x2C
        self.i = start
        local = self.local_part(skip_trailing_cfws=False)
        self.skip_whitespace()
        if self.at(b"("):
            self.skip_comment()  # already read once by local_part: it closes
            with contextlib.suppress(_Fail):  # MimeKit ignores this one's result (InternetAddress.cs 710)
                self.skip_cfws()
        if self.at(b">"):
            self.i += 1
        if self.i < self.end and self.t[self.i] != sentinel:
            raise _Fail  # "Unexpected token"
        return local


def _read_mailbox(text: str) -> _Mailbox | None:
    parser = _MimeKitMailbox(_dotnet_utf8(text))
    try:
        address = parser.mailbox()
    except (_Fail, IndexError):  # IndexError: .NET's IndexOutOfRangeException, an exception all the same
        return None
    return _Mailbox(address, parser.idn)


def _shown(value: str, limit: int = 80) -> str:
    """A value in a one-line reason: JSON-quoted (line breaks escaped), long ones cut."""
    cut = value if len(value) <= limit else value[:limit] + "..."
    return json.dumps(cut, ensure_ascii=True)


def _reply(text: str) -> _Verdict:
    if not text:
        return _Verdict(Reading.USABLE, "mimeReplyToId empty: no In-Reply-To (MailDraftExtensions.cs 132)")
    mailbox = _read_mailbox(text)
    if mailbox is None:
        return _Verdict(
            Reading.UNUSABLE,
            f'mimeReplyToId {_shown(text)}: MimeKit 2.15 throws "Invalid Message-Id format."',
        )
    if mailbox.idn:
        return _Verdict(
            Reading.USABLE,
            f"mimeReplyToId {_shown(text)}: read, but its In-Reply-To text goes through .NET's IdnMapping",
        )
    # Header.SetValue -> Unfold (Header.cs 1109-1122, 1276-1314) takes CR and LF out of the value.
    written = "<" + mailbox.address.replace("\r", "").replace("\n", "") + ">"
    return _Verdict(Reading.USABLE, f"mimeReplyToId {_shown(text)}: In-Reply-To {written}", written)


def reply_id(text: str) -> Reading:
    """Whether the send task can set `mimeReplyToId` as In-Reply-To (empty: not set, USABLE)."""
    return _reply(text).reading


def in_reply_to(text: str) -> str | None:
    """The In-Reply-To value MimeKit writes for `text` (`<` + mailbox.Address + `>`, CR/LF unfolded).

    None when `text` sets no In-Reply-To (empty), cannot be set (UNUSABLE), or when the written
    text depends on .NET's IdnMapping (an `xn--` label). Non-ASCII stays as text here: MimeKit
    writes the header's bytes as raw UTF-8."""
    return _reply(text).value


# -- calendarIcs: Ical.Net 4.2.0 ---------------------------------------------------------------------

# SimpleDeserializer.cs 39-69: the content-line grammar, as one regular expression.
_IDENTIFIER = r"[-A-Za-z0-9_]+"
_PARAM_VALUE = r'(?:[^\x00-\x08\x0A-\x1F\x7F";:,]*|"[^\x00-\x08\x0A-\x1F\x7F"]*")'
_CONTENT_LINE = re.compile(
    rf"(?P<name>{_IDENTIFIER})(?P<params>(?:;{_IDENTIFIER}={_PARAM_VALUE}(?:,{_PARAM_VALUE})*)*)"
    r":(?P<value>[^\x00-\x08\x0E-\x1F\x7F]*)"
)
# StreamReader/StringReader.ReadLine: a line ends at CR LF, CR or LF.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SINGLE_BACKSLASH = re.compile(r"(?<!\\)\\(?!\\)")  # StringSerializer.cs 17
# DataTypeMapper.cs 20-59: properties read by a typed deserializer. Those not here, and those
# mapped to string or to a class of constants (ACTION, TRANSP), or STATUS (its resolver sees no
# parent yet, so string), are read by StringSerializer, which does not throw.
_DATE_TIMES = frozenset(
    {"COMPLETED", "CREATED", "DTEND", "DTSTAMP", "DTSTART", "DUE", "LAST-MODIFIED", "RECURRENCE-ID"}
)
# IntegerSerializer, UriSerializer, OrganizerSerializer, AttendeeSerializer catch everything.
_NEVER_THROW = frozenset(
    {"PERCENT-COMPLETE", "PRIORITY", "REPEAT", "SEQUENCE", "URL", "TZURL", "ORGANIZER", "ATTENDEE"}
)
_NOT_MODELLED = frozenset(
    {
        "ATTACH", "DURATION", "EXDATE", "EXRULE", "FREEBUSY", "GEO", "RDATE",
        "REQUEST-STATUS", "RRULE", "TRIGGER", "TZOFFSETFROM", "TZOFFSETTO",
    }
)  # fmt: skip
# CalendarComponentFactory.cs: classes that do more than a plain component when deserialized.
_COMPONENTS_NOT_MODELLED = frozenset(
    {"VALARM", "VFREEBUSY", "VJOURNAL", "VTIMEZONE", "VTODO", "DAYLIGHT", "STANDARD"}
)
# DateTimeSerializer.cs: `\d` in .NET is any Unicode digit (as in Python); Convert.ToInt32 then
# reads only ASCII digits.
_FULL_DATE_TIME = re.compile(r"((\d{4})(\d{2})(\d{2}))T((\d{2})(\d{2})(\d{2})(Z)?)", re.IGNORECASE)
_DATE_ONLY = re.compile(r"((\d{4})(\d{2})(\d{2}))?")
_METHODS = ("REQUEST", "REPLY", "CANCEL")  # Defines.cs 172-174


def _unescape(value: str) -> str:
    """StringSerializer.Unescape (StringSerializer.cs 19-39)."""
    if not value.strip():
        return value
    for escaped, plain in ((r"\n", "\n"), (r"\N", "\n"), (r"\;", ";"), (r"\,", ","), ('\\"', '"')):
        value = value.replace(escaped, plain)
    return _SINGLE_BACKSLASH.sub(r"\\\\", value).replace("\\\\", "\\")


def _content_lines(text: str) -> list[str]:
    """SimpleDeserializer.GetContentLines (181-215): empty lines skipped, a line starting with a
    space or a tab continues the one before without that character."""
    lines: list[str] = []
    current = ""
    for line in _LINE_BREAK.split(text):
        if not line:
            continue
        if line[0] in " \t":
            current += line[1:]
        else:
            if current:
                lines.append(current)
            current = line
    if current:
        lines.append(current)
    return lines


class _Refused(Exception):
    """An exception in CalendarCollection.Load, or a null from ParseValidCalendar: no calendar."""


@dataclass
class _Component:
    name: str
    properties: list[tuple[str, str]] = field(default_factory=list)  # (NAME, unescaped value)
    children: list[_Component] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        """Properties.Get<string>(name): the first such property's value."""
        return next((value for key, value in self.properties if key == name), None)


def _date_time_doubt(name: str, raw: str) -> str | None:
    """What DateTimeSerializer.Deserialize does with the raw value (it does not unescape): None when
    certainly harmless; raises _Refused when it certainly throws; else the doubt."""
    full = _FULL_DATE_TIME.fullmatch(raw)
    match = full or _DATE_ONLY.fullmatch(raw)
    if match is None or match.group(1) is None:
        return None  # no match: null, and the property keeps no value; empty: today, date only
    if not raw.isascii():
        raise _Refused(f"{name}: Convert.ToInt32 throws FormatException on the digits of {_shown(raw)}")
    year, month, day = (int(match.group(n)) for n in (2, 3, 4))
    hour, minute, second = (int(full.group(n)) for n in (6, 7, 8)) if full else (0, 0, 0)
    # CoerceDateTime turns a date .NET cannot hold into MinValue or MaxValue; years at the very ends
    # may overflow when moved between time zones (ExtrapolateTimes subtracts DTSTART from DTEND).
    if not (2 <= year <= 9998 and 1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
        return f"{name} {_shown(raw)}: coerced to DateTime.MinValue or MaxValue"
    if hour > 23 or minute > 59 or second > 59:
        return f"{name} {_shown(raw)}: coerced to DateTime.MinValue"
    return None


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass
class _Ical:
    """SimpleDeserializer.Deserialize (71-119) and MailUtil.ParseValidCalendar, with what is doubted."""

    doubts: list[str] = field(default_factory=list)

    def load(self, text: str) -> list[_Component]:
        """The top-level components, or _Refused; with a doubt about the structure itself, []."""
        parsed = []
        for line in _content_lines(text):
            match = _CONTENT_LINE.fullmatch(line)
            if match is None:  # a line that does not parse throws, wherever it is
                raise _Refused(f"Could not parse line: {_shown(line)}")
            parsed.append(match)
        for match in parsed:
            if "encoding" in match["params"].lower():
                self.doubts.append("an ENCODING parameter: Ical.Net decodes the value first")
            if match["name"].upper() in ("BEGIN", "END") and not match["value"].isascii():
                self.doubts.append(f"{match[0]!r}: .NET's case rules decide the component")
        if self.doubts:
            return []
        stack: list[_Component | None] = []
        current: _Component | None = None
        top: list[_Component] = []
        for match in parsed:
            name, raw = match["name"].upper(), match["value"]
            self.check_value(name, raw)
            value = _unescape(raw)
            if name == "BEGIN":
                stack.append(current)
                current = _Component(value.upper())  # CalendarComponentFactory.Build: ToUpper()
                if current.name in _COMPONENTS_NOT_MODELLED:
                    self.doubts.append(f"a {current.name} component: its class is not modelled")
                if "i" in value:
                    self.doubts.append(f"BEGIN:{value}: ToUpper in the user's culture (Turkish i) names it")
            elif current is None:
                raise _Refused(f"Expected 'BEGIN', found '{name}'")
            elif name == "END":
                if value.upper() != current.name:  # OrdinalIgnoreCase, ASCII here
                    raise _Refused(f"Expected 'END:{current.name}', found 'END:{value}'")
                finished, current = current, stack.pop()
                (top if current is None else current.children).append(finished)
            else:
                current.properties.append((name, value))
        if current is not None:
            raise _Refused(f"Unclosed component {current.name}")
        return top

    def check_value(self, name: str, raw: str) -> None:
        if name in _DATE_TIMES:
            doubt = _date_time_doubt(name, raw)
            if doubt:
                self.doubts.append(doubt)
        elif name in _NOT_MODELLED:
            self.doubts.append(f"{name}: its Ical.Net deserializer is not modelled")

    def valid(self, text: str) -> str:
        """ParseValidCalendar (MailUtil.cs 180-214): the calendar's METHOD, or _Refused with its message."""
        calendars = [c for c in self.load(text) if c.name == "VCALENDAR"]
        if self.doubts and not calendars:
            raise _Doubt  # the structure itself is in doubt: nothing was read
        if not calendars:
            raise _Refused("Calendars not found")
        if len(calendars) > 1:
            raise _Refused("Too many calendars")
        (cal,) = calendars
        version = cal.first("VERSION")
        if version != "2.0":
            raise _Refused(f"Calendar version is not supported (version == {version or ''})")
        method = cal.first("METHOD") or ""
        self.check_method(method)
        events = [c for c in cal.children if c.name == "VEVENT"]
        if not events:
            raise _Refused("Calendar events not found")
        if len(events) > 1:
            raise _Refused("Too many calendar events")
        # No UID check: an empty or missing UID was replaced when the event was deserialized.
        return method

    def check_method(self, method: str) -> None:
        """IsNullOrEmpty, or Equals REQUEST/REPLY/CANCEL with InvariantCultureIgnoreCase.

        ASCII letters match by case alone; a culture may ignore other characters (so they leave
        the answer open when the letters match) but never turns them into letters."""
        letters = "".join(c for c in method if c.isascii() and c.isalpha())
        if method and letters.upper() in _METHODS:
            if letters != method:
                self.doubts.append(f"METHOD {_shown(method)}: the culture's comparison decides")
        elif method.isascii():
            raise _Refused(f"Calendar method is not supported (method == {method})")
        else:
            self.doubts.append(f"METHOD {_shown(method)}: the culture's comparison decides")


class _Doubt(Exception):
    pass


def _calendar(text: str) -> _Verdict:
    if not text:
        return _Verdict(Reading.USABLE, "calendarIcs empty: no calendar part (MailComposeBase.cs 62-63)")
    model = _Ical()
    try:
        method = model.valid(text)
    except _Refused as refused:
        return _Verdict(
            Reading.UNUSABLE,
            f"calendarIcs: MailUtil.ParseValidCalendar returns null ({refused}), so method=null and "
            "MimeKit 2.15 throws ArgumentNullException",
        )
    except _Doubt:
        pass
    else:
        if not model.doubts:
            return _Verdict(
                Reading.USABLE,
                f"calendarIcs: METHOD {method}, one VEVENT: text/calendar; method={method}",
                method,
            )
    return _Verdict(Reading.UNSURE, f"calendarIcs: the model cannot tell ({'; '.join(model.doubts)})")


def calendar(text: str) -> Reading:
    """Whether the send task can attach `calendarIcs` (empty: not set, USABLE)."""
    return _calendar(text).reading


def calendar_method(text: str) -> str | None:
    """The `method=` parameter MimeKit writes for a USABLE `calendarIcs`: METHOD as Ical.Net gives it,
    unescaped and NOT upper-cased (MailComposeBase.cs 70; `request` stays `request`). None otherwise."""
    return _calendar(text).value


# -- the request ----------------------------------------------------------------------------------


def delivery(bound: Mapping[str, Any]) -> tuple[Reading, str]:
    """The send task's fate for a request as the real server binds it, and why.

    `mimeReplyToId` is set first (MailDraftExtensions.cs 133), the calendar part later (288): a
    certain failure of either means no mail; a doubt about either leaves the outcome open."""
    verdicts = [_reply(_text_of(bound, "mimeReplyToId")), _calendar(_text_of(bound, "calendarIcs"))]
    for wanted in (Reading.UNUSABLE, Reading.UNSURE):
        found = [v for v in verdicts if v.reading is wanted]
        if found:
            return wanted, found[0].reason
    return Reading.USABLE, "; ".join(v.reason for v in verdicts)


def _text_of(bound: Mapping[str, Any], name: str) -> str:
    value = bound.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name}: the binder gives text, not {type(value).__name__}")
    return value
