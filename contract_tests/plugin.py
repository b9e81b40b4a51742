"""The suite's pytest plugin: one object per run, holding its settings and what it has seen."""

from __future__ import annotations

import json
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests
from _pytest.junitxml import xml_key
from schemathesis import Case
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup

from contract_tests import coverage, hooks, pacing, preflight, replay, rules, schema, target, terminal
from contract_tests.coverage import Coverage, Failure
from contract_tests.in_flight import InFlight
from contract_tests.mail import GeneratedSends, Sink, SinkError, sink_for
from contract_tests.pacing import Pacer
from contract_tests.preflight import spec_example
from contract_tests.redact import Redactor
from contract_tests.settings import SuiteSettings, UsageError
from contract_tests.transport import Transport
from onlyoffice_contract import facts
from onlyoffice_contract.defects import Defect
from onlyoffice_contract.facts import RuleId

__all__ = ["ContractRun", "spec_example"]  # spec_example: the probes import it from here

# What sending one generated case gives: its answer, and the checks that failed on it (or None).
CaseResult = tuple[Any, FailureGroup | None]
# A progress line every this many requests to the send call, or this many seconds, whichever is first.
PROGRESS_REQUESTS = 100
PROGRESS_SECONDS = 5.0
COVERAGE_FILE = "contract-coverage.md"  # rendered from the JSON beside it
COVERAGE_JSON = "contract-coverage.json"  # what a program reads: rules, checks and deviations by id
CONFORMS, DOES_NOT_CONFORM = "CONFORMS", "DOES NOT CONFORM"
# Tests that keep each failure (coverage.failed) and go on: one JUnit case is reported for each.
REPORTS_EACH_FAILURE = ("test_conformance", "test_delivered_mail_of_generated_sends")


class ContractRun:
    """Registered with pytest by the command (`cli.py`); the tests reach it as the `contract_run` fixture."""

    def __init__(self, settings: SuiteSettings) -> None:
        self.settings = settings
        self.pacer = Pacer(settings.sends_per_second, settings.throttle_budget)
        self.sends = Transport(settings.max_sends, settings.request_timeout, pacer=self.pacer)
        # The key, and a password written into BASE_URL (https://user:password@host) or MAIL_SINK.
        self.redactor = Redactor(
            settings.api_key.reveal(), settings.base_url_password, *settings.mail_sink_passwords
        )
        self.coverage = Coverage(settings)
        self.auth_confirmed = False  # ignored_auth has shown that the server enforces auth
        # The generated cases' workers (WORKERS), once auth is confirmed; None: one case at a time.
        self.in_flight: InFlight[Case[Any], CaseResult] | None = None
        self.usage: str | None = None  # why the run stopped with a usage error, when it did
        self.no_verdict: str | None = None  # why the run stopped without a verdict (throttled), when it did
        self.stopped_before_run = False  # the pre-run check stopped it: no table, one line
        self.collected = 0  # the items pytest collected ("collected N items")
        self.subtests = 0  # JUnit cases schemathesis adds: its test of the operation
        self.extra_cases = 0  # JUnit cases the suite adds: one per check the fuzzing run failed
        self.sends.observers += [self.coverage.observe, self._progress]
        self._progress_at = (0, time.monotonic())
        self._unregister: Callable[[], None] = lambda: None
        # This run's own, in every recipient of a probe whose mail is checked: a shared catch-all
        # holds earlier runs' mail too, with the same seed the same sends.
        self.delivery_token = secrets.token_hex(4)
        self.accepted_probes: dict[RuleId, dict[str, Any]] = {}  # rule: the body of its accepted send
        self.delivery_deadline: float | None = None  # for the mail of all of them, from the first check
        self.generated = GeneratedSends(settings, self.delivery_token)  # the fuzzed sends, marked
        self.checked: list[str] = []  # every address whose mail was checked, one copy found
        self.from_name_checked = 0  # sends whose From display name was compared with the account's
        self.from_name_failed = 0
        # The status each probe of one send must get: what a replay of its failure is judged by.
        self.expected: dict[RuleId, int] = {p.id: p.expected for p in rules.PROBES}
        self.probed: dict[str, RuleId] = {}  # the node id of each probe's test: the rule it checks

    @property
    def deviations(self) -> list[Defect]:
        """The real server's known defects met (profile onlyoffice), each once."""
        return list(self.coverage.defects)

    @property
    def accepted(self) -> int:
        """Answers 2xx to the send call, counted as they are read (before any check can stop the run)."""
        return self.coverage.accepted

    def pytest_configure(self, config: pytest.Config) -> None:
        self.sends.install()
        self.hooks = hooks.Hooks(
            self.settings, generated=self.generated, on_deviation=self.coverage.deviation
        )
        self._unregister = hooks.register(self.hooks)
        self._config = config

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._unregister()
        self.sends.uninstall()

    # -- the key is never printed --------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, None, None]:
        """Every test report, schemathesis' per-operation ones included, before the terminal and
        the JUnit writer read it."""
        self.redactor.report(report)
        terminal.report(report)
        if report.failed and report.when in ("setup", "call"):
            self._record_failure(report)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """A test that the server's throttling stopped is no failure of the server: skipped, and the run
        stops there with no verdict (`pacing.py`)."""
        report = yield
        if report.failed and self.pacer.exhausted is not None:
            self.no_verdict = self.redactor.text(self.pacer.exhausted)
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, self.no_verdict)
            item.session.shouldstop = self.no_verdict
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> Generator[None, None, None]:
        self.redactor.report(report)
        terminal.report(report)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_exception_interact(
        self, call: pytest.CallInfo[Any], report: pytest.TestReport | pytest.CollectReport
    ) -> Generator[None, None, None]:
        """After the other implementations: schemathesis' own writes a new failure text from the
        exception, after the JUnit writer and before the terminal's summary."""
        try:
            return (yield)
        finally:
            self.redactor.report(report)
            terminal.report(report)

    # -- a mail sink that misbehaves ends the run: exit 4, the sink named, no verdict on the server --

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        try:
            return (yield)
        except SinkError as exc:
            self._sink_failed(exc)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        try:
            result = yield
        except SinkError as exc:
            self._sink_failed(exc)
        finally:
            # The cases still in flight belong to this test: taken (and an error raised) before it ends.
            if self.in_flight is not None:
                try:
                    self.in_flight.drain()
                finally:
                    self.in_flight = None
        return result

    def _sink_failed(self, exc: SinkError) -> None:
        self.usage = self.redactor.text(f"{exc}; the server was not judged")
        pytest.exit(self.usage, returncode=pytest.ExitCode.USAGE_ERROR)

    @pytest.hookimpl(tryfirst=True)  # a historic hook takes no wrapper; first, then, before the terminal's
    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage) -> None:
        text = str(warning_message.message)
        if self.redactor.text(text) != text:
            warning_message.message = UserWarning(self.redactor.text(text))

    def pytest_report_header(self) -> list[str]:
        s = self.settings
        return [
            f"contract suite: target {s.target}; profile {s.profile}; SEED={s.seed};"
            f" MAX_EXAMPLES={s.max_examples}; MAX_SENDS={s.max_sends}; REQUEST_TIMEOUT={s.request_timeout};"
            f" recipients in {s.recipient_domain}; from {s.from_}"
        ]

    # -- progress, failures, coverage and the verdict --------------------------------

    def _progress(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        """A line now and then while the run lasts, so that a slow server's run is not silent.

        Written from the test's own thread only: pytest's terminal and output capture are not for a
        worker's (WORKERS); the cases the workers send are counted when taken (`take`)."""
        if threading.current_thread() is threading.main_thread():
            self._progress_line()

    def _progress_line(self) -> None:
        sent, when = self._progress_at
        now = time.monotonic()
        if self.sends.sends - sent < PROGRESS_REQUESTS and now - when < PROGRESS_SECONDS:
            return
        self._progress_at = (self.sends.sends, now)
        terminal = self._config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        line = (
            f"progress: {self.sends.sends} requests sent, {self.accepted} accepted,"
            f" {len(self.coverage.failures)} failures so far"
        )
        capture = self._config.pluginmanager.get_plugin("capturemanager")
        if capture is None:
            terminal.write_line(line)
            return
        with capture.global_and_fixture_disabled():  # while a test runs, its output is captured
            terminal.write_line(line)

    def probing(self, rule: RuleId, node: pytest.Item) -> AbstractContextManager[None]:
        """The probe of `rule` runs inside: its requests counted, its verdict kept for the report;
        the rule's sentence is a property of its JUnit case."""
        node.user_properties.append(("rule", rule.sentence))
        self.probed[node.nodeid] = rule
        return self.coverage.probing(rule, self.sends)

    def start_workers(
        self,
        send: Callable[[Case[Any], requests.Session], CaseResult],
        take: Callable[[Case[Any], CaseResult], None],
    ) -> None:
        """The generated cases are sent by WORKERS threads (`in_flight.py`) and taken by `take` in the
        order drawn; with one worker, by the test itself (nothing starts)."""
        if self.in_flight is None and self.settings.requests_in_flight > 1:
            self.in_flight = InFlight(self.settings.requests_in_flight, send, take)

    def take(self, case: Case[Any], result: CaseResult) -> None:
        """What one generated case's answer shows, taken in the order the cases were drawn."""
        response, group = result
        self._progress_line()
        if group is not None:
            self.conformance_failed(group, case, response)
        self.auth_confirmed = self.auth_confirmed or 200 <= response.status_code < 300

    def conformance_failed(self, group: FailureGroup, case: Case[Any], response: Any) -> None:
        """The checks that failed on one generated case: each kept once, with the first request."""
        body = (
            ""
            if case.body is None or isinstance(case.body, NotSet)
            else json.dumps(case.body, ensure_ascii=False, default=repr)
        )
        request = f"{case.method} {case.path} {body[:120]}{'...' if len(body) > 120 else ''}"
        request = self.redactor.text(f"{request} -> {response.status_code}")
        curl = self.redactor.text(case.as_curl_command(headers=dict(response.request.headers)))
        for failure in group.exceptions:
            kept = self.coverage.failed(
                failure.title,
                request,
                curl,
                self.redactor.text(str(group)),
                response.status_code,
                facts.check_titled(failure.title, failure.message),
            )
            if kept.replay is None:
                kept.replay = replay.record(response.request, self.settings, replay.kind_of(failure))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, Any]:
        """After the fuzzing run, one JUnit case (and terminal failure) per check that failed in it:
        schemathesis gives one pytest item for the whole run, which says only "it failed"."""
        before, counted = len(self.coverage.failures), self.collected + self.extra_cases
        result = yield
        if item.originalname in REPORTS_EACH_FAILURE:  # type: ignore[attr-defined]
            for failure in self.coverage.failures[before:]:
                self._report_check(item, failure)
        # schemathesis counts its test of the operation as one more collected (a JUnit case of its own,
        # which the terminal does not report apart): the count the progress column divides by is the
        # cases it does report, so that it ends at 100%, not 98% (or 103% with the checks' cases).
        self.subtests += item.session.testscollected - counted
        item.session.testscollected = self.collected + self.extra_cases
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        self.collected = session.testscollected  # as "collected N items" said
        return (yield)

    def _report_check(self, item: pytest.Item, failure: Failure) -> None:
        nodeid = f"{item.nodeid}::{failure.check}"
        # One more JUnit case than pytest collected: the summary says how the count is made.
        self.extra_cases += 1
        for when, outcome, longrepr in (("call", "failed", failure.text), ("teardown", "passed", None)):
            report = pytest.TestReport(
                nodeid,
                item.location,
                {},
                outcome,  # type: ignore[arg-type]
                longrepr,
                when,  # type: ignore[arg-type]
                user_properties=[("check", failure.check), ("count", str(failure.count))],
            )
            item.ihook.pytest_runtest_logreport(report=report)

    def _record_failure(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if "check" in properties:  # a check of the fuzzing run, recorded already
            return
        name = report.nodeid.split("::")[-1]
        rule = self.probed.get(report.nodeid)
        check = name if rule is None else facts.printed(rule)
        kept = self.coverage.failed(
            check,
            self.coverage.last_request,
            self.coverage.last_curl,
            "",
            None,
            rule or facts.check_of_test(name, report.longreprtext),
        )
        sent = self.coverage.last_sent
        expected = None if rule is None else self.expected.get(rule)
        if kept.replay is None and sent is not None and expected is not None:  # a probe of one send
            kept.replay = replay.record(sent, self.settings, "rule", expected)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> Generator[None, None, None]:
        """The failures one per line, before pytest's tracebacks; after them the deviations, the
        coverage table and the counts. After the pre-run check stopped the run, the counts alone."""
        if self.stopped_before_run:
            yield
            terminalreporter.write_line(self._counts())
            return
        if self.coverage.failures:
            terminalreporter.section("contract failures", sep="=")
            for failure in self.coverage.failures:
                terminalreporter.write_line(terminal.report_text(self.redactor.text(failure.line())))
        yield
        for defect, count in self.coverage.defects.items():
            terminalreporter.write_line(
                f"known deviation: {defect.name} [{defect.id.value}]: {defect.seen}, where the contract says"
                f" {defect.expected} ({count} requests)"
            )
        terminalreporter.section("contract coverage", sep="=")
        for kind, what, count, verdict in self.coverage.rows():
            unit = "messages read" if kind == "delivered mail" else "requests"
            terminalreporter.write_line(self.redactor.text(f"{kind:8} {what}: {count} {unit}, {verdict}"))
        terminalreporter.write_line(f"coverage report: {self.settings.report_dir / COVERAGE_FILE}")
        total = self.collected + self.subtests + self.extra_cases
        if total != self.collected:
            checks = (
                f", and one for each of the {self.extra_cases} checks it failed" if self.extra_cases else ""
            )
            terminalreporter.write_line(
                f"JUnit: {total} test cases: the {self.collected} collected, {self.subtests} for"
                f" schemathesis' fuzzing run of the operation{checks}"
            )
        terminalreporter.write_line(self._counts())

    def _counts(self) -> str:
        throttled = (
            f"; {self.pacer.throttled} throttled answers waited on ({self.pacer.waited:g} s)"
            if self.pacer.throttled
            else ""
        )
        return (
            f"contract suite: {self.sends.sends} requests to the send call"
            f" (MAX_SENDS={self.settings.max_sends}),"
            f" {self.accepted} accepted, {len(self.deviations)} known deviation(s); SEED={self.settings.seed}"
            f"{throttled}"
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Before the JUnit writer: the run's properties; and the coverage file."""
        xml = session.config.stash.get(xml_key, None)
        if xml is not None:
            for name, value in self.coverage.properties(len(self.deviations)).items():
                xml.add_global_property(name, self.redactor.text(value))
        self.settings.report_dir.mkdir(parents=True, exist_ok=True)
        found = self.coverage.report(len(self.deviations), self.verdict(int(exitstatus), counts=False))
        found = self.redactor.value(found)  # the key masked in every string, before either file is written
        written = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
        (self.settings.report_dir / COVERAGE_JSON).write_text(written, encoding="utf-8")
        markdown = coverage.markdown(json.loads(written))  # from the JSON as written, nothing else
        (self.settings.report_dir / COVERAGE_FILE).write_text(markdown, encoding="utf-8")

    def verdict(self, exitstatus: int, counts: bool = True) -> str:
        """The line a person reads at once: CONFORMS, DOES NOT CONFORM, or why there is no verdict."""
        if self.usage is not None:
            return self.usage
        failures = len(self.coverage.failures)
        counted = (
            f": {self.sends.sends} requests, {self.accepted} accepted, {failures} failures,"
            f" {len(self.deviations)} known deviations"
        )
        if self.no_verdict is not None and not self.coverage.failures:
            return self.no_verdict if not counts else self.no_verdict + counted.replace(":", ";", 1)
        if self.sends.cap_reached:
            word = f"NO VERDICT (MAX_SENDS={self.settings.max_sends} reached; the run stopped before the end)"
        elif exitstatus == 0:
            word = CONFORMS
        elif exitstatus == 1:
            word = DOES_NOT_CONFORM
        else:
            word = f"NO VERDICT (pytest exit status {exitstatus})"
        return word + counted if counts else word

    def exit_status(self, pytest_status: int) -> int:
        """The command's status: pytest's, but no verdict (throttled, and no failure shown) is its own."""
        if self.usage is not None:
            return preflight.USAGE
        if self.no_verdict is not None and not self.coverage.failures:
            return pacing.NO_VERDICT
        return pytest_status

    def stop(self, line: str, status: int) -> None:
        """End the run before it starts: `line` once, as the last line, and a failed `preflight` case in
        JUnit (which the terminal does not print again), so that CI shows red."""
        line = self.redactor.text(line)
        if status == pacing.NO_VERDICT:
            self.no_verdict = line
        else:
            self.usage = line
        self.stopped_before_run = True
        xml = self._config.stash.get(xml_key, None)
        if xml is not None:
            name = preflight.PREFLIGHT
            failed = pytest.TestReport(
                f"contract::{name}", ("contract", None, name), {}, "failed", line, "call"
            )
            done = pytest.TestReport(
                f"contract::{name}", ("contract", None, name), {}, "passed", None, "teardown"
            )
            for report in (failed, done):
                xml.pytest_runtest_logreport(report)
        pytest.exit("the pre-run check stopped the run (the last line says why)", returncode=status)

    # -- fixtures --------------------------------------------------------------

    @pytest.fixture(scope="session")
    def contract_run(self) -> ContractRun:
        return self

    @pytest.fixture(scope="session")
    def contract_schema(self) -> Any:
        return schema.load(self.settings)

    @pytest.fixture(scope="session")
    def target_url(self) -> Iterator[str]:
        """BASE_URL, or a sandbox started for this run and stopped after."""
        if self.settings.base_url is not None:
            yield self.settings.base_url
            return
        with target.embedded_sandbox(self.settings) as url:
            yield url

    @pytest.fixture(scope="session")
    def mail_sink(self, target_url: str, session: requests.Session) -> Sink | None:
        """Where the mail of the probes' accepted sends is read (MAIL_SINK), or None; opened before the
        first send, so that a sink that cannot be read is a usage error before anything is sent."""
        try:
            return sink_for(self.settings, target_url, session)
        except UsageError as exc:
            self.stop(f"usage: {exc}", preflight.USAGE)
            raise  # not reached: stop() ends the run

    @pytest.fixture(scope="session")
    def session(self) -> Iterator[requests.Session]:
        with requests.Session() as shared:
            yield shared

    @pytest.fixture(scope="session", autouse=True)
    def preflight(self, target_url: str, session: requests.Session, mail_sink: Sink | None) -> None:
        """The pre-run check (`preflight.py`) before anything else: a wrong target or setting stops the
        run with one line that says which, before hundreds of requests that could only fail."""
        try:
            preflight.check(self.settings, target_url, session)
        except preflight.Stop as stopped:
            self.stop(stopped.line, stopped.status)
