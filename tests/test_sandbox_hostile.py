"""Hostile strings in every string field: never a 5xx, never an injected header or recipient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.hostile import INJECTIONS, PATHS, with_value
from harness.sandboxes import running, send, settings_in, wait_until
from harness.smtp_sink import SmtpSink


def test_the_corpus_covers_every_string_field() -> None:
    covered = {path[0] for path in PATHS} | {path[-1] for path in PATHS}
    assert {"from", "to", "cc", "bcc", "subject", "mimeReplyToId", "body", "calendarIcs"} <= covered
    assert {"fileName", "contentType", "contentId", "storedName"} <= covered
    assert len(PATHS) * len(INJECTIONS) >= 150


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SmtpSink]]:
    folder = tmp_path_factory.mktemp("hostile")
    sink = SmtpSink().up()
    settings = settings_in(folder, smtp=sink.address)
    settings.files_dir.mkdir()
    (settings.files_dir / "1").write_bytes(b"attached")
    try:
        with running(settings) as url:
            yield url, sink
    finally:
        sink.down()


def test_no_5xx_and_no_injected_header(sandbox: tuple[str, SmtpSink]) -> None:
    url, sink = sandbox
    accepted = 0
    statuses: dict[int, int] = {}
    for path in PATHS:
        for value in INJECTIONS:
            response = send(url, with_value(path, value))
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in {200, 400}, (path, value[:40], response.text)
            assert response.json()["statusCode"] == response.status_code
            accepted += response.status_code == 200
    # Both outcomes happened: hostile text in free fields is accepted and made safe,
    # in addresses it is refused.
    assert statuses.get(200), statuses
    assert statuses.get(400), statuses
    wait_until(lambda: len(sink.delivered) == accepted, 60)
    for delivered in sink.delivered:
        assert sorted(delivered.rcpt_tos) == ["bob@example.org", "carol@example.org", "dave@example.org"]
        for part in delivered.message.walk():
            names = {name.lower() for name in part}
            assert "x-injected" not in names
            assert "bcc" not in names
