import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.scripted_server import ScriptedServer
from harness.smtp_sink import SmtpSink

# Markers that say why a test is slow (pyproject.toml); each implies `slow`, which `make check` leaves out.
SLOW_BECAUSE = ("browser", "dovecot", "suite_run", "subprocess", "delivery", "oracle", "waits")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects on the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "sink" in getattr(item, "fixturenames", ()):  # the fixture below: real SMTP delivery
            item.add_marker(pytest.mark.delivery)
        if any(item.get_closest_marker(name) for name in SLOW_BECAUSE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer().running() as server:
        yield server


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().up()
    yield server
    server.down()


# The binder oracle's differential test says what it did, or plainly why it did not run, in the
# summary: under xdist a test's own output is not shown, and a skip is easy to miss.
_STARTED = time.time()
_ORACLE_REPORT = Path("reports") / "binder-oracle.json"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    from harness import binder_oracle

    if _ORACLE_REPORT.exists() and _ORACLE_REPORT.stat().st_mtime >= _STARTED:
        terminalreporter.write_line(f"binder oracle: {_ORACLE_REPORT.read_text().strip()}")
        return
    whole = config.args_source is not pytest.Config.ArgsSource.ARGS
    if binder_oracle.missing() and (whole or any("binder_oracle" in a for a in config.args)):
        terminalreporter.write_line(f"binder oracle: SKIPPED, {binder_oracle.missing()}")
