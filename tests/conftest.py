from collections.abc import Iterator

import pytest

from tests.scripted_server import ScriptedServer
from tests.smtp_sink import SmtpSink

# A token that must never show up anywhere but the Authorization header.
SECRET_TOKEN = "tok-5ecret-c4n4ry-8f2b"


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer().running() as server:
        yield server


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().up()
    yield server
    server.down()
