"""What a run exercised, and how each part fared: the coverage report and the verdict.

One row for each status the spec declares for the operation (`spec.declared_statuses()`), each
rule probe (`rules.rule_names()`) and, under PROFILE=onlyoffice, each kind of binder leniency the
requests needed (`binder.bind_json`), with the number of requests that exercised it and the
verdict. Every request to the send call is seen here, from the transport (`Transport.observe`).
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from contract_tests import rules, transport
from contract_tests.settings import SuiteSettings
from onlyoffice_contract import binder, spec
from onlyoffice_contract.defects import Defect
from onlyoffice_contract.leniency import LeniencyKind

PASSED, FAILED, DEVIATION, NOT_RUN = "passed", "failed", "known deviation", "not run"
NOT_SEEN = "not seen"
FROM_A_FILTER = "cannot be produced against a live server (a filter refuses the call before it runs)"
_RANK = {FAILED: 0, DEVIATION: 1, PASSED: 2, NOT_RUN: 3}  # a rule run twice keeps the worse verdict


@dataclass
class Rule:
    requests: int = 0
    verdict: str = NOT_RUN
    reason: str = ""


@dataclass
class Failure:
    """One check or rule that failed, for the one-line list, the JUnit case and the report."""

    check: str  # the check's title, or "rule: ..." or the test's name
    request: str  # "PUT /path -> 201"
    reproduce: str
    text: str = ""  # the whole failure, as schemathesis or the assertion wrote it
    count: int = 1
    replay: dict[str, Any] | None = None  # the request, for a replay file (`replay.py`), when known

    def line(self) -> str:
        times = f" ({self.count} times)" if self.count > 1 else ""
        return f"FAILED {self.check}{times}: {self.request}; reproduce: {self.reproduce}"


def curl(request: requests.PreparedRequest) -> str:
    """A curl line that sends `request` again, the key shown as schemathesis shows it."""
    parts = ["curl", "-X", str(request.method or "PUT")]
    for name, value in request.headers.items():
        if name.lower() in ("content-type", "authorization"):
            shown = (
                "[Filtered]"
                if name.lower() == "authorization"
                else str(value, "latin-1")
                if isinstance(value, bytes)
                else value
            )
            parts += ["-H", f"{name}: {shown}"]
    body = request.body
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        parts += ["-d", text if len(text) <= 2000 else text[:2000] + "...(cut)"]
    return shlex.join([*parts, request.url or ""])


class Coverage:
    def __init__(self, settings: SuiteSettings) -> None:
        self.settings = settings
        self.statuses: Counter[int] = Counter()
        self.failed_statuses: set[int] = set()
        self.deviation_statuses: set[int] = set()
        self.defects: Counter[Defect] = Counter()  # the real server's known defects met, requests each
        self.rules = {name: Rule() for name in rules.rule_names()}
        self.leniencies: Counter[LeniencyKind] = Counter()  # requests that relied on each kind
        self.leniency_fields: dict[LeniencyKind, set[str]] = {}
        self.failed_leniencies: set[LeniencyKind] = set()
        self.failures: list[Failure] = []
        self.accepted = 0
        self.last_request = "no request sent"
        self.last_curl = "(no request was sent)"
        self.last_status: int | None = None
        self.last_sent: requests.PreparedRequest | None = None
        self._last_leniencies: tuple[LeniencyKind, ...] = ()
        self.deliveries: dict[str, tuple[int, str]] = {}  # rule: (messages read, verdict)

    # -- what the transport sees -------------------------------------------------

    def observe(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        """Every answer of the send call."""
        if not transport.is_send_call(request):
            return
        status = response.status_code
        self.statuses[status] += 1
        self.accepted += 200 <= status < 300
        self.last_status = status
        self.last_request = f"{request.method} {urlsplit(request.url or '').path} -> {status}"
        self.last_curl = curl(request)
        self.last_sent = request
        self._last_leniencies = ()
        if self.settings.profile == "onlyoffice":
            self._last_leniencies = self._needed(request.body)
            self.leniencies.update(self._last_leniencies)

    def _needed(self, body: object) -> tuple[LeniencyKind, ...]:
        try:
            payload = json.loads(body if isinstance(body, bytes | str) else b"")
            bound = binder.bind_json(payload)
        except (ValueError, RecursionError, binder.BindError):
            return ()
        for leniency in bound.leniencies:
            self.leniency_fields.setdefault(leniency.kind, set()).add(leniency.field)
        return tuple(dict.fromkeys(leniency.kind for leniency in bound.leniencies))

    # -- failures ----------------------------------------------------------------

    def failed(self, check: str, request: str, reproduce: str, text: str, status: int | None) -> Failure:
        """A failure; the same check failing again is counted on the first one."""
        if status is not None:
            self.failed_statuses.add(status)
        self.failed_leniencies.update(self._last_leniencies)
        for known in self.failures:
            if known.check == check:
                known.count += 1
                return known
        failure = Failure(check, request, reproduce, text)
        self.failures.append(failure)
        return failure

    # -- rule probes -------------------------------------------------------------

    @contextmanager
    def probing(self, rule: str, sends: transport.Transport) -> Iterator[None]:
        """Runs one rule's probe: counts its requests, and takes its verdict from how it ends."""
        before, verdict, reason = sends.sends, PASSED, ""
        self._deviated = False
        try:
            yield
        except pytest.skip.Exception as skipped:
            verdict, reason = (DEVIATION if self._deviated else NOT_RUN), str(skipped.msg)
            raise
        except BaseException:
            verdict = FAILED
            if self.last_status is not None:
                self.failed_statuses.add(self.last_status)
            raise
        finally:
            entry = self.rules.setdefault(rule, Rule())
            entry.requests += sends.sends - before
            if entry.verdict == NOT_RUN or _RANK[verdict] < _RANK[entry.verdict]:
                entry.verdict, entry.reason = verdict, reason

    _deviated = False

    def deviation(self, defect: Defect, status: int | None = None) -> None:
        """A request met a known defect of the real server (a probe that meets one is then skipped);
        `status` is what it answered, when the defect is a status."""
        self.defects[defect] += 1
        if status is not None:
            self.deviation_statuses.add(status)
        self._deviated = True

    def delivery(self, rule: str, messages: int, verdict: str) -> None:
        """The delivered-mail check of one accepted probe send: passed, failed, or not run (why)."""
        self.deliveries[rule] = (messages, verdict)

    # -- the report --------------------------------------------------------------

    def status_verdict(self, status: int) -> str:
        if status in self.failed_statuses:
            return FAILED
        if self.statuses[status]:
            return PASSED
        if status in self.deviation_statuses:
            return DEVIATION
        return FROM_A_FILTER if rules.from_a_filter(status) else NOT_SEEN

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(kind, what, requests, verdict), in the report's order."""
        declared = spec.declared_statuses()
        found: list[tuple[str, str, int, str]] = [
            ("status", str(s), self.statuses[s], self.status_verdict(s)) for s in declared
        ]
        for status in sorted(set(self.statuses) - set(declared)):
            verdict = (
                FAILED
                if status in self.failed_statuses
                else DEVIATION
                if status in self.deviation_statuses
                else "seen"
            )
            found.append(("status", f"{status} (not declared)", self.statuses[status], verdict))
        for name, rule in self.rules.items():
            verdict = rule.verdict
            if rule.reason:  # the skip's own words, which name the verdict first
                verdict = rule.reason if rule.reason.startswith(rule.verdict) else f"{verdict}: {rule.reason}"
            found.append(("rule", name, rule.requests, verdict))
        for defect, count in self.defects.items():
            what = f"{defect.name} [{defect.id.value}]: {defect.seen}, where the contract says"
            found.append(("deviation", f"{what} {defect.expected}", count, DEVIATION))
        for name, (messages, delivery) in self.deliveries.items():
            found.append(("delivered mail", name, messages, delivery))
        for kind, count in sorted(self.leniencies.items(), key=lambda item: item[0].value):
            fields = sorted(self.leniency_fields.get(kind, set()) - {""})
            where = f" (in {', '.join(fields[:6])}{', ...' if len(fields) > 6 else ''})" if fields else ""
            shown = f"{kind.meaning} [{kind.value}]{where}"
            found.append(("leniency", shown, count, FAILED if kind in self.failed_leniencies else PASSED))
        return found

    def properties(self, deviations: int) -> dict[str, str]:
        s = self.settings
        return {
            "seed": str(s.seed),
            "target": s.target,
            "profile": s.profile,
            "requests": str(self.statuses.total()),
            "accepted": str(self.accepted),
            "failures": str(len(self.failures)),
            "known_deviations": str(deviations),
        }

    def markdown(self, deviations: int, verdict: str) -> str:
        props = self.properties(deviations)
        lines = [
            "# Contract coverage",
            "",
            f"`{spec.OPERATION_METHOD.upper()} {spec.OPERATION_PATH}` against {props['target']}; profile"
            f" {props['profile']}; SEED={props['seed']}.",
            "",
            f"{verdict}: {props['requests']} requests, {props['accepted']} accepted, {props['failures']}"
            f" failures, {props['known_deviations']} known deviations.",
            "",
            "| kind | what | requests (messages read, for delivered mail) | verdict |",
            "| --- | --- | --- | --- |",
        ]
        for kind, what, count, row_verdict in self.rows():
            cell = what.replace("|", "\\|")
            lines.append(f"| {kind} | {cell} | {count} | {row_verdict.replace('|', chr(92) + '|')} |")
        if self.failures:
            lines += ["", "## Failures", ""]
            lines += [f"- {failure.line()}" for failure in self.failures]
        return "\n".join(lines) + "\n"
