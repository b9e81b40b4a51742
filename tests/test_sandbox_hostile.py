"""Hostile strings in every string field: never a 5xx, never an injected header or recipient."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from onlyoffice_sandbox import spec
from tests.sandbox_fixtures import running, send, settings_in, wait_until
from tests.smtp_sink import SmtpSink

BASE: dict[str, Any] = {
    "from": "sandbox@example.test",
    "to": ["bob@example.org"],
    "cc": ["carol@example.org"],
    "bcc": ["dave@example.org"],
    "mimeReplyToId": "<orig@example.org>",
    "subject": "Hello",
    "body": "<p>Hello</p>",
    "calendarIcs": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "attachments": [
        {
            "fileId": 1,
            "fileName": "a.txt",
            "contentType": "text/plain",
            "contentId": "",
            "storedName": "",
            "streamId": "s",
            "tempStoredUrl": "u",
        }
    ],
}
INJECTIONS = [
    "x\r\nX-Injected: yes",
    "x\nX-Injected: yes",
    "x\rX-Injected: yes",
    "x\x00X-Injected: yes",
    "x\r\n\r\nX-Injected: yes",
    "x\u2028X-Injected: yes",
    "x\r\nBcc: evil@evil.example",
    "x" * 100_000 + "\r\nX-Injected: yes",
    "Zoë\r\n\tX-Injected: yes",
    "Eve\r\nX-Injected: yes <eve@example.org>",
    "eve@example.org\r\nX-Injected: yes",
    '"Eve\r\nBcc: evil@evil.example" <eve@example.org>',
]


def string_paths(schema: dict[str, Any], prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where the request holds strings, read from openapi.yaml: ('to', 0), ('attachments', 0, 'fileName')."""
    for name, prop in schema.get("properties", {}).items():
        prop = spec.resolve(prop)
        items = spec.resolve(prop.get("items", {}))
        if prop.get("type") == "string":
            yield (*prefix, name)
        elif items.get("type") == "string":
            yield (*prefix, name, 0)
        elif items.get("type") == "object":
            yield from string_paths(items, (*prefix, name, 0))


PATHS = list(string_paths(spec.schema(spec.request_schema_name())))


def test_the_corpus_covers_every_string_field() -> None:
    covered = {path[0] for path in PATHS} | {path[-1] for path in PATHS}
    assert {"from", "to", "cc", "bcc", "subject", "mimeReplyToId", "body", "calendarIcs"} <= covered
    assert {"fileName", "contentType", "contentId", "storedName"} <= covered
    assert len(PATHS) * len(INJECTIONS) >= 150


def with_value(path: tuple[Any, ...], value: str) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    target: Any = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return payload


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
