from collections.abc import Iterator

import pytest

from harness.scripted_server import ScriptedServer
from harness.smtp_sink import SmtpSink


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer().running() as server:
        yield server


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().up()
    yield server
    server.down()
