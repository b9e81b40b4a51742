from collections.abc import Iterator

import pytest

from harness.scripted_server import ScriptedServer
from harness.smtp_sink import SmtpSink

# Markers that say why a test is slow (pyproject.toml); each implies `slow`, which `make check` leaves out.
SLOW_BECAUSE = ("browser", "dovecot", "suite_run", "subprocess", "delivery")


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
