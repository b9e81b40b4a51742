"""Judging recorded traffic of the send call, without sending anything: by the spec and the real binder.

Each exchange (`traffic.Exchange`) of the send call, by any of its routes, is judged twice:
- the request: against the spec as written (strict), and through the real server's binder
  (`onlyoffice_contract.binder`): what it binds, with each leniency it relied on, or the 400 it
  would answer. A form body is itself a leniency (the spec declares JSON; the web client sends
  forms, and the real server reads them);
- the answer: against the spec (status, content type, schema) and the suite's own checks
  (envelope statusCode, a positive message id, the 401's bare text and challenge, no redirect),
  and against what the request makes certain: a success without credentials, or for a request
  the real server refuses whatever its state (binder refusal, empty `from`, no recipient, an
  address that does not parse, attachments over the limit, a body it does not read).
What depends on the server's state (whose mailbox `from` is, which drafts exist) is not judged.

Verdicts: `keeps`; `lenient` (keeps the contract by the real server's leniency: fails only under
PROFILE=strict); `refused` (the real binder refuses the request, and so did the answer: the
server kept the contract, the client did not); `known-deviation` (a known defect of the real
server, reported under PROFILE=onlyoffice, a failure under strict); `breaks`.
Reports show routes, statuses, verdicts, leniencies by kind and field, and findings by id:
never headers, the query string or body text, and whatever credentials the traffic carried are
masked (`redact.Redactor`) in everything written.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import enum
import functools
import html
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from jsonschema.protocols import Validator

from contract_tests import traffic
from contract_tests.redact import Redactor
from contract_tests.traffic import Exchange
from onlyoffice_contract import binder, defects, facts, spec
from onlyoffice_contract.facts import CheckId, DefectId, RefusalId, RuleId
from onlyoffice_contract.leniency import Leniency
from onlyoffice_contract.mailbox import parse_mailbox

FORM_BODY = "form-body"  # a request that relied on the real server reading a form (not in LeniencyKind:
# the binder reads forms as a matter of course; only the spec, which declares JSON, makes it one)
# An XML body (`text/xml`), which the real server reads and the binder does not model: not judged, a
# leniency all the same (the spec declares JSON).
XML_BODY = "xml-body"
JSON_MEDIA = binder.JSON_TYPE
By = CheckId | RuleId | DefectId


class Verdict(enum.Enum):
    KEEPS = "keeps"
    LENIENT = "lenient"
    REFUSED = "refused"
    DEVIATION = "known-deviation"
    BREAKS = "breaks"

    def fails(self, profile: str) -> bool:
        if self is Verdict.BREAKS:
            return True
        return profile == "strict" and self in (Verdict.LENIENT, Verdict.DEVIATION)


@dataclass(frozen=True)
class Finding:
    """What the answer did against the contract, named by the registry's id (a check, a rule, a defect)."""

    by: By
    text: str

    @property
    def label(self) -> str:
        kind = {CheckId: "check", RuleId: "rule", DefectId: "defect"}[type(self.by)]
        return f"{kind} {self.by.value}"


@dataclass(frozen=True)
class Judged:
    number: int  # the exchange's position in the file (1-based), counting every exchange
    route: str
    status: int
    verdict: Verdict
    leniencies: tuple[Leniency, ...] = ()  # the binder's records
    wire: str = ""  # FORM_BODY when the body was a form (a leniency of its own), else ""
    refusal: str = ""  # what the real server answers instead (status, and the field it names), or ""
    findings: tuple[Finding, ...] = ()
    recorded: bool = True  # both bodies were in the file

    @property
    def relied(self) -> tuple[str, ...]:
        """Each leniency as `kind(field)`: what reports show, never the value."""
        named = [
            f"{item.kind.value}({item.field})" if item.field else item.kind.value for item in self.leniencies
        ]
        return tuple(dict.fromkeys([*([self.wire] if self.wire else []), *named]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry": self.number,
            "route": self.route,
            "status": self.status,
            "verdict": self.verdict.value,
            "leniencies": list(self.relied),
            "refusal": self.refusal,
            "findings": [
                {"id": f.by.value, "kind": f.label.split()[0], "text": f.text} for f in self.findings
            ],
        }


# -- the request --------------------------------------------------------------------------------------


@dataclass
class _Request:
    media: str
    body: Any = None  # the JSON body, parsed (None: not JSON, or unparsable)
    json_object: bool = False
    strict: bool = False
    bound: binder.Bound | None = None
    refused: binder.BindError | None = None
    invalid: str = ""  # bound, but not valid against the spec as the binder leaves it: the field


_INVALID_FIELD = re.compile(re.escape(binder.INVALID) + r": ([A-Za-z_][\w.\[\]]*):")


def _refusal_shown(error: binder.BindError) -> str:
    """The refusal, naming the field and not the value: `400 Invalid arguments (id)`."""
    found = _INVALID_FIELD.match(error.message)
    words = f"{binder.INVALID} ({found[1]})" if found else error.message.split(":", 1)[0][:60]
    return f"{error.status} {words}"


def _request(exchange: Exchange) -> _Request:
    content_type = exchange.request_header("Content-Type") or ""
    read = _Request(content_type.partition(";")[0].strip())
    if not exchange.request_recorded:  # judged by its answer alone
        read.strict = True
        return read
    if read.media == JSON_MEDIA:
        try:
            read.body = json.loads(exchange.request_body.removeprefix(b"\xef\xbb\xbf"))
        except (ValueError, RecursionError):
            read.body = None
        read.json_object = isinstance(read.body, dict)
        # A query string is judged by the binder, which names a parameter taken from it.
        read.strict = read.json_object and spec.compiled(spec.request_schema_name()).is_valid(read.body)
    if read.media == binder.XML_TYPE:  # the real server reads XML, which the binder does not model
        return read
    try:
        read.bound = binder.bind(exchange.request_body, content_type, exchange.query)
    except binder.BindError as exc:
        read.refused = exc
        return read
    if not read.bound.as_written:
        error = next(iter(binder.request_validator().iter_errors(read.bound.request)), None)
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path) or "the body"
            read.invalid = f"{facts.refusal(RefusalId.INVALID_ARGUMENTS).status} {binder.INVALID} ({path})"
    return read


def _implied(request: dict[str, Any]) -> list[tuple[By, str]]:
    """What the real server refuses in this bound request whatever its state, with the rule each breaks."""
    found: list[tuple[By, str]] = []
    if not request.get("from"):
        refusal = facts.refusal(RefusalId.FROM_EMPTY)
        found.append((RuleId.FROM_EMPTY, f"{RuleId.FROM_EMPTY.sentence}: {refusal.status} {refusal.message}"))
    if not any(request.get(name) for name in spec.recipient_fields()):
        status = facts.refusal(RefusalId.NO_RECIPIENT).status
        found.append((RuleId.NO_RECIPIENT, f"{RuleId.NO_RECIPIENT.sentence}: {status}"))
    if defects.over_attachment_limit(request):
        status = facts.refusal(RefusalId.ATTACHMENTS_OVER_LIMIT).status
        found.append((RuleId.ATTACHMENTS_OVER_LIMIT, f"{RuleId.ATTACHMENTS_OVER_LIMIT.sentence}: {status}"))
    for name, is_list in spec.mailbox_fields().items():
        value = request.get(name)
        items = value if isinstance(value, list) else [value] if value else []
        unparsable = facts.refusal(RefusalId.ADDRESS_UNPARSABLE).status
        if is_list and "" in items:
            found.append((RuleId.empty_in(name), f"{RuleId.empty_in(name).sentence}: {unparsable}"))
        if any(isinstance(item, str) and item and parse_mailbox(item) is None for item in items):
            rule = RuleId.unparsable_in(name) if is_list else RuleId.FROM_UNPARSABLE
            found.append((rule, f"{rule.sentence}: {unparsable}"))
    return found


# -- the answer ---------------------------------------------------------------------------------------


@functools.cache
def _answer_validator(status: int, media: str) -> Validator | None:
    from openapi_schema_validator import OAS30Validator

    response = spec.resolve(spec.operation()["responses"].get(str(status), {}))
    schema = response.get("content", {}).get(media, {}).get("schema")
    return None if schema is None else OAS30Validator(spec.inlined(schema))


def _credentials(exchange: Exchange) -> bool:
    if (exchange.request_header("Authorization") or "").strip():
        return True
    cookie = SimpleCookie()
    try:
        cookie.load(exchange.request_header("Cookie") or "")
    except CookieError:
        return "asc_auth_key" in (exchange.request_header("Cookie") or "")
    return any(name.lower() == "asc_auth_key" and morsel.value for name, morsel in cookie.items())


def _answer(exchange: Exchange, route: str, request: _Request) -> list[Finding]:
    status = exchange.status
    found: list[Finding] = []
    if 300 <= status < 400:
        return [
            Finding(
                CheckId.ANSWERS_WITHOUT_REDIRECTING, f"{CheckId.ANSWERS_WITHOUT_REDIRECTING.title}: {status}"
            )
        ]
    content_type = exchange.response_header("Content-Type") or ""
    media = content_type.partition(";")[0].strip().lower()
    if status not in spec.declared_statuses():
        if status != 500:  # a 500 is judged below, with what the request makes of it
            found.append(
                Finding(CheckId.STATUS_CODE_CONFORMANCE, f"{CheckId.STATUS_CODE_CONFORMANCE.title}: {status}")
            )
        return found
    declared = spec.media_types(status)
    if status == 401:
        if media not in declared:
            shown = content_type or "without a Content-Type"
            found.append(
                Finding(
                    CheckId.UNAUTHORIZED_BARE_TEXT, f"{CheckId.UNAUTHORIZED_BARE_TEXT.title}, not {shown}"
                )
            )
        if exchange.answer_recorded and _json_object(exchange.response_body) is not None:
            found.append(
                Finding(CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE, CheckId.UNAUTHORIZED_NOT_AN_ENVELOPE.title)
            )
        if (exchange.request_header("Authorization") or "").strip() and not exchange.response_header(
            "WWW-Authenticate"
        ):
            found.append(Finding(CheckId.UNAUTHORIZED_CHALLENGE, CheckId.UNAUTHORIZED_CHALLENGE.title))
        return found
    if route.endswith(spec.XML_SUFFIXES) and request.media != JSON_MEDIA:
        return found  # the envelope as XML: the spec describes the JSON one only
    if not exchange.answer_recorded:  # the status and headers are judged, the body is not there
        return found
    if declared and media not in declared:
        shown = content_type or "no Content-Type"
        found.append(
            Finding(CheckId.CONTENT_TYPE_CONFORMANCE, f"{CheckId.CONTENT_TYPE_CONFORMANCE.title}: {shown}")
        )
        return found
    validator = _answer_validator(status, media)
    if validator is None:
        return found
    try:
        body = json.loads(exchange.response_body)
    except (ValueError, RecursionError):
        return [
            *found,
            Finding(
                CheckId.RESPONSE_SCHEMA_CONFORMANCE, f"{CheckId.RESPONSE_SCHEMA_CONFORMANCE.title}: not JSON"
            ),
        ]
    error = next(iter(validator.iter_errors(body)), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "the body"
        found.append(
            Finding(
                CheckId.RESPONSE_SCHEMA_CONFORMANCE, f"{CheckId.RESPONSE_SCHEMA_CONFORMANCE.title} at {where}"
            )
        )
    if isinstance(body, dict) and "statusCode" in body and body["statusCode"] != status:
        text = f"{CheckId.ENVELOPE_STATUS_CODE.title}: {body['statusCode']!r}, for HTTP {status}"
        found.append(Finding(CheckId.ENVELOPE_STATUS_CODE, text))
    if 200 <= status < 300:
        message_id = body.get("response") if isinstance(body, dict) else None
        if type(message_id) is not int or message_id < 1:
            found.append(Finding(CheckId.SUCCESS_MESSAGE_ID, CheckId.SUCCESS_MESSAGE_ID.title))
    return found


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _against_the_request(
    exchange: Exchange, request: _Request, profile: str, credentials_recorded: bool
) -> list[Finding]:
    """What the answer's status says against what the request makes certain."""
    status = exchange.status
    found: list[Finding] = []
    implied = [] if request.bound is None else _implied(request.bound.request)
    if 200 <= status < 300:
        if credentials_recorded and not _credentials(exchange):
            text = f"{CheckId.IGNORED_AUTH.title}: {status} without credentials"
            found.append(Finding(CheckId.IGNORED_AUTH, text))
        if request.refused is not None:
            malformed = request.media == JSON_MEDIA and not request.json_object
            by = CheckId.MALFORMED_BODIES_REFUSED if malformed else CheckId.NEGATIVE_DATA_REJECTION
            text = f"{by.title}: the real server answers {_refusal_shown(request.refused)}"
            found.append(Finding(by, text))
        elif request.bound is not None and request.bound.unread:
            text = f"{RuleId.TEXT_JSON_NOT_READ.sentence}: {request.media or 'no Content-Type'} accepted"
            found.append(Finding(RuleId.TEXT_JSON_NOT_READ, text))
        elif implied:
            found += [Finding(by, f"accepted {text}") for by, text in implied]
        elif request.invalid:
            text = f"{CheckId.NEGATIVE_DATA_REJECTION.title}: {request.invalid}"
            found.append(Finding(CheckId.NEGATIVE_DATA_REJECTION, text))
    elif status == 500:
        defect = None
        if request.refused is not None:
            defect = defects.binder_exception(request.refused, status)
        elif request.bound is not None:
            defect = defects.status_defect(request.bound.request, status)
        if defect is not None and profile == "onlyoffice":
            found.append(Finding(defect.id, f"the real server's known defect {defect.id.value}: 500"))
        elif defect is not None:  # under strict, a failure of the rule the defect breaks
            rule = getattr(defect, "rule", None) or CheckId.NOT_A_SERVER_ERROR
            text = f"500: the real server's known defect {defect.id.value}, not the contract"
            found.append(Finding(rule, text))
        elif implied and request.refused is None:
            found += [Finding(by, f"500 for {text}") for by, text in implied[:1]]
        else:
            found.append(Finding(CheckId.NOT_A_SERVER_ERROR, f"{CheckId.NOT_A_SERVER_ERROR.title}: 500"))
    return found


def judge(
    exchange: Exchange, number: int = 1, profile: str = "onlyoffice", *, credentials_recorded: bool = True
) -> Judged:
    """The verdict on one exchange of the send call (`exchange.route` not empty).

    `credentials_recorded` False: the recording kept no credentials at all (browsers' "sanitized"
    HAR export drops Authorization and cookies), so a success without them proves nothing."""
    route = exchange.route
    request = _request(exchange)
    findings = _answer(exchange, route, request)
    findings += _against_the_request(exchange, request, profile, credentials_recorded)
    wire = FORM_BODY if request.media.lower() in (binder.FORM_TYPE, binder.MULTIPART_TYPE) else ""
    wire = XML_BODY if request.media == binder.XML_TYPE else wire
    leniencies = request.bound.leniencies if request.bound is not None else ()
    implied = [] if request.bound is None else _implied(request.bound.request)
    refusal = (
        _refusal_shown(request.refused)
        if request.refused is not None
        else (implied[0][1] if implied else request.invalid)
    )
    deviations = [f for f in findings if isinstance(f.by, DefectId)]
    if any(not isinstance(f.by, DefectId) for f in findings):
        verdict = Verdict.BREAKS
    elif deviations:
        verdict = Verdict.DEVIATION if profile == "onlyoffice" else Verdict.BREAKS
    elif refusal:
        verdict = Verdict.REFUSED
    elif leniencies or wire or (request.media == JSON_MEDIA and not request.strict):
        verdict = Verdict.LENIENT
    else:
        verdict = Verdict.KEEPS
    recorded = exchange.request_recorded and exchange.answer_recorded
    return Judged(
        number, route, exchange.status, verdict, leniencies, wire, refusal, tuple(findings), recorded
    )


# -- the report ---------------------------------------------------------------------------------------


def secrets_of(exchange: Exchange) -> list[str]:
    """The credentials an exchange carries: the Authorization header's value and token, Basic's parts,
    and cookies' values (`asc_auth_key` is masked wherever it is named anyway)."""
    found = []
    for name, value in exchange.request_headers:
        if name.lower() == "authorization" and value.strip():
            found.append(value.strip())
            scheme, _, token = value.strip().partition(" ")
            if token:
                found.append(token.strip())
                if scheme.lower() == "basic":
                    with contextlib.suppress(binascii.Error, ValueError):
                        plain = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
                        found += plain.split(":", 1)
        if name.lower() == "cookie":
            found += [part.partition("=")[2].strip() for part in value.split(";") if "=" in part]
    for name, value in exchange.response_headers:
        if name.lower() == "set-cookie":
            found.append(value.partition(";")[0].partition("=")[2].strip())
    return [s for s in found if len(s) >= 4]


@dataclass
class Report:
    profile: str
    entries: list[Judged] = field(default_factory=list)
    passed_through: int = 0  # exchanges that were not the send call
    credentials_recorded: bool = True
    secrets: set[str] = field(default_factory=set)

    def add(self, exchange: Exchange, number: int, *, credentials_recorded: bool = True) -> Judged | None:
        self.secrets.update(secrets_of(exchange))
        if not exchange.route:
            self.passed_through += 1
            return None
        judged = judge(exchange, number, self.profile, credentials_recorded=credentials_recorded)
        self.entries.append(judged)
        return judged

    @property
    def failed(self) -> bool:
        return any(e.verdict.fails(self.profile) for e in self.entries)

    def by_verdict(self) -> dict[str, int]:
        counts = Counter(e.verdict.value for e in self.entries)
        return {v.value: counts[v.value] for v in Verdict if counts[v.value]}

    def by_leniency(self) -> dict[str, int]:
        return dict(Counter(name for e in self.entries for name in e.relied).most_common())

    def by_finding(self) -> dict[str, int]:
        return dict(Counter(f.label for e in self.entries for f in e.findings).most_common())

    def redactor(self) -> Redactor:
        return Redactor(*sorted(self.secrets, key=len, reverse=True))

    # -- rendering ----------------------------------------------------------------------------------

    def line(self, judged: Judged) -> str:
        details = [*(f.text for f in judged.findings)]
        if judged.refusal:
            details.append(f"the real server answers {judged.refusal}")
        if judged.relied:
            details.append("relies on " + ", ".join(judged.relied))
        text = f"#{judged.number} {spec.OPERATION_METHOD.upper()} {judged.route} -> {judged.status}"
        return self.redactor().text(
            f"{text}: {judged.verdict.value}" + (f" ({'; '.join(details)})" if details else "")
        )

    def verdict_line(self) -> str:
        totals = ", ".join(f"{n} {v}" for v, n in self.by_verdict().items()) or "nothing judged"
        state = "breaks the contract" if self.failed else "keeps the contract"
        return (
            f"audit ({self.profile} profile): {len(self.entries)} entries of the send call: {totals}; {state}"
        )

    def terminal(self) -> list[str]:
        return [*(self.line(e) for e in self.entries), *self.totals()]

    def totals(self) -> list[str]:
        lines = []
        if self.by_leniency():
            lines.append("leniencies: " + ", ".join(f"{k} x{n}" for k, n in self.by_leniency().items()))
        if self.by_finding():
            lines.append("findings: " + ", ".join(f"{k} x{n}" for k, n in self.by_finding().items()))
        if self.passed_through:
            lines.append(f"{self.passed_through} exchanges were not the send call: passed over")
        if not self.credentials_recorded:
            lines.append("no request carried credentials (a sanitized export?): ignored_auth not judged")
        unrecorded = sum(1 for e in self.entries if not e.recorded)
        if unrecorded:
            lines.append(f"{unrecorded} entries without their body in the file: judged without it")
        lines.append(self.verdict_line())
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "failed": self.failed,
            "entries": [e.as_dict() for e in self.entries],
            "totals": {
                "verdicts": self.by_verdict(),
                "leniencies": self.by_leniency(),
                "findings": self.by_finding(),
                "not_the_send_call": self.passed_through,
            },
        }

    def markdown(self) -> str:
        rows = [
            f"| {e.number} | {_md(e.route)} | {e.status} | {e.verdict.value} | {_md(', '.join(e.relied))} |"
            f" {_md('; '.join(_said(e)))} |"
            for e in self.entries
        ]
        lines = [
            "# Audit of the send call's traffic",
            "",
            _md(self.verdict_line()),
            "",
            "| # | route | status | verdict | leniencies | findings |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "## Totals",
            "",
            "| by | count |",
            "|---|---|",
            *(f"| verdict {_md(k)} | {n} |" for k, n in self.by_verdict().items()),
            *(f"| leniency {_md(k)} | {n} |" for k, n in self.by_leniency().items()),
            *(f"| {_md(k)} | {n} |" for k, n in self.by_finding().items()),
            f"| not the send call | {self.passed_through} |",
            "",
        ]
        return self.redactor().text("\n".join(lines))

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        md, js = folder / "audit.md", folder / "audit.json"
        md.write_text(self.markdown(), encoding="utf-8")
        js.write_text(self.redactor().text(json.dumps(self.as_dict(), indent=2)) + "\n", encoding="utf-8")
        return md, js


def _said(judged: Judged) -> list[str]:
    return [*(f"{f.label}: {f.text}" for f in judged.findings), *([judged.refusal] if judged.refusal else [])]


def _md(text: str) -> str:
    """A value in a Markdown table cell: HTML escaped, and no character that ends a cell or a line."""
    return html.escape(text).replace("|", "\\|").replace("`", "\\`").replace("\n", " ").replace("\r", " ")


def judge_all(exchanges: Iterable[Exchange], profile: str) -> Report:
    report = Report(profile)
    listed = list(exchanges)
    # A recording with no credentials anywhere was stripped of them: `ignored_auth` cannot be judged.
    recorded = any(_credentials(e) for e in listed if e.route)
    report.credentials_recorded = recorded
    for number, exchange in enumerate(listed, 1):
        report.add(exchange, number, credentials_recorded=recorded)
    return report


# -- the command --------------------------------------------------------------------------------------

USAGE_ERROR = 4


def profile_option(parser: Any) -> None:
    """PROFILE, as the suite reads it: the option, else the environment, else the suite's default."""
    from contract_tests import settings as suite_settings

    row = next(r for r in suite_settings.described() if r.variable == "PROFILE")
    parser.add_argument(
        "--profile",
        dest="PROFILE",
        choices=suite_settings.PROFILES,
        # The real server's by default: traffic that production takes is reported, not failed.
        default=os.environ.get("PROFILE") or "onlyoffice",
        help=f"{row.help} [default: onlyoffice; also read from PROFILE]",
    )
    parser.add_argument(
        "--report-dir",
        dest="REPORT_DIR",
        type=Path,
        default=Path(os.environ.get("REPORT_DIR") or str(suite_settings.FIELDS["REPORT_DIR"].default)),
        help="where audit.md and audit.json go [default: reports; also read from REPORT_DIR]",
    )


def main(argv: list[str]) -> int:
    """`onlyoffice-contract audit FILE`: 0 every entry keeps the contract, 1 one breaks it, 4 usage."""
    parser = argparse.ArgumentParser(
        prog="onlyoffice-contract audit",
        description="Judge recorded traffic of the send call (a HAR file or a JSON-lines log) by the spec"
        " and the real server's binder, without sending anything.",
        epilog="Exit status: 0 every entry keeps the contract (leniencies are reported, and fail only under"
        " PROFILE=strict), 1 an entry breaks it, 4 usage error (not a HAR or a log, or no entry of the"
        " send call).",
    )
    parser.add_argument("file", type=Path, help="a HAR file, or JSON lines (docs/audit.md)")
    profile_option(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    try:
        exchanges = traffic.read(args.file)
    except traffic.NotTraffic as exc:
        print(f"usage: {exc}", file=sys.stderr)
        return USAGE_ERROR
    report = judge_all(exchanges, args.PROFILE)
    if not report.entries:
        print(f"usage: {args.file}: no entry of the send call ({len(exchanges)} exchanges)", file=sys.stderr)
        return USAGE_ERROR
    for line in report.terminal():
        print(line)
    md, js = report.write(args.REPORT_DIR)
    print(f"report: {md}, {js}", flush=True)
    return 1 if report.failed else 0
