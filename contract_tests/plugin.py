"""The suite's pytest plugin: one object per run, holding its settings and what it has seen."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
import requests

from contract_tests import hooks, schema, target
from contract_tests.deviations import Deviation
from contract_tests.hooks import as_real_send
from contract_tests.redact import Redactor
from contract_tests.safety import make_safe
from contract_tests.settings import SuiteSettings
from contract_tests.transport import Transport
from onlyoffice_contract import spec


def spec_example() -> dict[str, Any]:
    """The request example openapi.yaml gives for the operation."""
    example: dict[str, Any] = spec.operation()["requestBody"]["content"]["application/json"]["example"]
    return example


class ContractRun:
    """Registered with pytest by the command (`cli.py`); the tests reach it as the `contract_run` fixture."""

    def __init__(self, settings: SuiteSettings) -> None:
        self.settings = settings
        self.sends = Transport(settings.max_sends, settings.request_timeout)
        self.redactor = Redactor(settings.api_key)
        self.accepted = 0
        self.auth_confirmed = False  # ignored_auth has shown that the server enforces auth
        self.deviations: list[Deviation] = []  # the real server's known defects met (profile onlyoffice)
        self._unregister: Callable[[], None] = lambda: None

    def _count_acceptance(self) -> None:
        self.accepted += 1

    def pytest_configure(self, config: pytest.Config) -> None:
        self.sends.install()
        self.hooks = hooks.Hooks(self.settings, self._count_acceptance)
        self._unregister = hooks.register(self.hooks)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._unregister()
        self.sends.uninstall()

    # -- the key is never printed --------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, None, None]:
        """Every test report, schemathesis' per-operation ones included, before the terminal and
        the JUnit writer read it."""
        self.redactor.report(report)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> Generator[None, None, None]:
        self.redactor.report(report)
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

    @pytest.hookimpl(tryfirst=True)  # a historic hook takes no wrapper; first, then, before the terminal's
    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage) -> None:
        text = str(warning_message.message)
        if self.redactor.text(text) != text:
            warning_message.message = UserWarning(self.redactor.text(text))

    def pytest_report_header(self) -> list[str]:
        s = self.settings
        where = s.base_url or "the embedded sandbox"
        return [
            f"contract suite: target {where}; profile {s.profile}; SEED={s.seed};"
            f" MAX_EXAMPLES={s.max_examples}; MAX_SENDS={s.max_sends}; REQUEST_TIMEOUT={s.request_timeout};"
            f" recipients in {s.recipient_domain}; from {s.from_}"
        ]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for deviation in self.deviations:
            terminalreporter.write_line(
                f"known deviation: {deviation.rule}: {deviation.seen}, where the contract says"
                f" {deviation.expected}"
            )
        terminalreporter.write_line(
            f"contract suite: {self.sends.sends} requests to the send call"
            f" (MAX_SENDS={self.settings.max_sends}),"
            f" {self.accepted} accepted, {len(self.deviations)} known deviation(s); SEED={self.settings.seed}"
        )

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
    def session(self) -> Iterator[requests.Session]:
        with requests.Session() as shared:
            yield shared

    @pytest.fixture(scope="session", autouse=True)
    def preflight(self, target_url: str, session: requests.Session) -> None:
        """One valid send before anything else: a wrong key or FROM stops the run with a usage error
        that says which setting is wrong, before hundreds of requests that could only be refused."""
        body = make_safe(as_real_send(spec_example(), self.settings), self.settings.recipient_domain)
        response = session.put(
            target_url + spec.OPERATION_PATH,
            json=body,
            headers={"Authorization": self.settings.api_key},
            timeout=60,
            allow_redirects=False,
        )
        if 200 <= response.status_code < 300:
            self.accepted += 1
        elif response.status_code == 401:
            pytest.exit(
                f"usage: the server refused API_KEY (401 to a valid send to {target_url}): set API_KEY to a"
                " valid token (POST /api/2.0/authentication)",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        elif response.status_code == 400 and "mailbox not found" in response.text.lower():
            pytest.exit(
                f"usage: FROM={self.settings.from_!r} is not a mailbox of API_KEY's user (the server answered"
                " 400 Mailbox not found to a valid send): set FROM to one of that user's mailboxes",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
