"""Settings, the target, and the run's bookkeeping for the conformance suite."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contract_tests import settings as suite_settings
from contract_tests.safety import SendCap

try:
    SUITE = suite_settings.load()
except suite_settings.UsageError as exc:
    pytest.exit(f"usage: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_report_header() -> list[str]:
    target = SUITE.base_url or "the embedded sandbox"
    return [
        f"contract suite: target {target}; profile {SUITE.profile}; SEED={SUITE.seed};"
        f" MAX_EXAMPLES={SUITE.max_examples}; MAX_SENDS={SUITE.max_sends};"
        f" recipients in {SUITE.recipient_domain}; from {SUITE.from_}"
    ]


@pytest.fixture(scope="session")
def target_url() -> Iterator[str]:
    """BASE_URL, or a sandbox started for this run (with its embedded SMTP capture) and stopped after."""
    if SUITE.base_url is not None:
        yield SUITE.base_url
        return
    from onlyoffice_sandbox.server import InProcess
    from onlyoffice_sandbox.settings import Settings

    with tempfile.TemporaryDirectory(prefix="contract-sandbox-") as folder:
        data = Path(folder)
        settings = Settings(
            port=0,
            tokens=(SUITE.api_key,),
            mailboxes=(SUITE.from_,),
            db=data / "outbox.sqlite3",
            mail_dir=data / "mail",
            files_dir=data / "files",
        )
        with InProcess(settings) as url:
            yield url


SENDS = SendCap(SUITE.max_sends)
SENDS.install()


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    with requests.Session() as shared:
        yield shared


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from contract_tests import test_conformance

    terminalreporter.write_line(
        f"contract suite: {SENDS.sends} requests to the send call (MAX_SENDS={SUITE.max_sends}),"
        f" {test_conformance.accepted} accepted; SEED={SUITE.seed}"
    )
