"""The suite's pytest plugin: one object per run, holding its settings and what it has seen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from contract_tests import hooks, schema, target
from contract_tests.safety import SendCap
from contract_tests.settings import SuiteSettings


class ContractRun:
    """Registered with pytest by the command (`cli.py`); the tests reach it as the `contract_run` fixture."""

    def __init__(self, settings: SuiteSettings) -> None:
        self.settings = settings
        self.sends = SendCap(settings.max_sends)
        self.accepted = 0
        self.auth_confirmed = False  # ignored_auth has shown that the server enforces auth
        self._unregister: Callable[[], None] = lambda: None

    def _count_acceptance(self) -> None:
        self.accepted += 1

    def pytest_configure(self, config: pytest.Config) -> None:
        self.sends.install()
        self._unregister = hooks.register(hooks.Hooks(self.settings, self._count_acceptance))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._unregister()
        self.sends.uninstall()

    def pytest_report_header(self) -> list[str]:
        s = self.settings
        where = s.base_url or "the embedded sandbox"
        return [
            f"contract suite: target {where}; profile {s.profile}; SEED={s.seed};"
            f" MAX_EXAMPLES={s.max_examples}; MAX_SENDS={s.max_sends};"
            f" recipients in {s.recipient_domain}; from {s.from_}"
        ]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_line(
            f"contract suite: {self.sends.sends} requests to the send call"
            f" (MAX_SENDS={self.settings.max_sends}),"
            f" {self.accepted} accepted; SEED={self.settings.seed}"
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
