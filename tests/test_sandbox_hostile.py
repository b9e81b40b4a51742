"""Hostile input, with either binder: never a 5xx, never an injected header or recipient.

Strings in every field, as JSON and (onlyoffice) as the web client's form; then the
whole hostile corpus, malformed bodies and bodies aimed at the binder included.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from harness.form_wire import FORM_TYPE, param
from harness.hostile import INJECTIONS, PATHS, corpus, with_value
from harness.sandboxes import SEND_PATH, TOKEN, outbox, running, send, settings_in, wait_until
from harness.smtp_sink import SmtpSink
from onlyoffice_contract import binder, send_task

pytestmark = pytest.mark.slow  # the hostile corpus and Hypothesis over every field: seconds a test

RECIPIENTS = ["bob@example.org", "carol@example.org", "dave@example.org"]


def test_the_corpus_covers_every_string_field() -> None:
    covered = {path[0] for path in PATHS} | {path[-1] for path in PATHS}
    assert {"from", "to", "cc", "bcc", "subject", "mimeReplyToId", "body", "calendarIcs"} <= covered
    assert {"fileName", "contentType", "contentId", "storedName"} <= covered
    assert len(PATHS) * len(INJECTIONS) >= 150
    kinds = Counter(kind for kind, *_ in corpus())
    assert kinds["injection (form)"] == kinds["injection"] >= 150
    assert kinds["malformed (form)"] >= 10
    assert kinds["aimed at the binder"] >= 10


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, SmtpSink]]]:
    running_ones = {}
    with contextlib.ExitStack() as stack:
        for mode in ("onlyoffice", "strict"):
            folder = tmp_path_factory.mktemp(f"hostile-{mode}")
            sink = SmtpSink().up()
            stack.callback(sink.down)
            settings = settings_in(folder, smtp=sink.address, binder=mode)
            settings.files_dir.mkdir()
            (settings.files_dir / "1").write_bytes(b"attached")
            running_ones[mode] = (stack.enter_context(running(settings)), sink)
        yield running_ones


def _send(url: str, raw: bytes, content_type: str) -> httpx.Response:
    return httpx.put(
        url + SEND_PATH, content=raw, headers={"Authorization": TOKEN, "Content-Type": content_type}
    )


@pytest.mark.parametrize(
    ("mode", "wire"), [("onlyoffice", "json"), ("onlyoffice", "form"), ("strict", "json")]
)
def test_no_5xx_and_no_injected_header(
    sandboxes: dict[str, tuple[str, SmtpSink]], mode: str, wire: str
) -> None:
    url, sink = sandboxes[mode]
    before = {m["id"] for m in outbox(url)}
    statuses: Counter[int] = Counter()
    unsendable: set[int] = set()  # accepted, and not sent: what the real server's send task cannot build
    for path in PATHS:
        for value in INJECTIONS:
            payload = with_value(path, value)
            response = (
                send(url, payload)  # JSON with \u escapes: a lone surrogate can travel
                if wire == "json"
                else _send(url, param(payload), FORM_TYPE)
            )
            statuses[response.status_code] += 1
            assert response.status_code in {200, 400}, (path, value[:40], response.text)
            assert response.json()["statusCode"] == response.status_code
            if response.status_code == 200 and mode == "onlyoffice":
                bound = binder.bind_json(payload).request
                if send_task.delivery(bound)[0] is send_task.Reading.UNUSABLE:
                    unsendable.add(response.json()["response"])
    # Both outcomes happened: hostile text in free fields is accepted and made safe,
    # in addresses it is refused.
    assert statuses[200], statuses
    assert statuses[400], statuses
    added = [m for m in outbox(url) if m["id"] not in before]
    accepted = [m for m in added if m["state"] is not None]
    assert len(accepted) == statuses[200]
    # A send refused for an address leaves a draft, as the real server's does; no other refusal does.
    left = [m for m in added if m["state"] is None]
    assert len(left) <= statuses[400]
    assert all(
        m["folder"] == "drafts" and m["notes"][0].startswith("left in Drafts by a refused") for m in left
    )
    for m in accepted:  # as on the real server: 200, then back in Drafts, and no mail
        assert (m["id"] in unsendable) == (m["state"] == "failed" and m["folder"] == "drafts"), m
    ids = {m["messageId"] for m in accepted if m["id"] not in unsendable}

    def all_delivered() -> bool:
        return ids <= {str(d.message["Message-ID"]) for d in sink.delivered}

    wait_until(all_delivered, 120)
    for delivered in sink.delivered:
        if str(delivered.message["Message-ID"]) not in ids:
            continue
        assert sorted(delivered.rcpt_tos) == RECIPIENTS
        for part in delivered.message.walk():
            names = {name.lower() for name in part}
            assert "x-injected" not in names
            assert "bcc" not in names


@pytest.mark.parametrize("mode", ["onlyoffice", "strict"])
def test_the_rest_of_the_corpus_gets_an_answer_in_the_envelope_never_a_5xx(
    sandboxes: dict[str, tuple[str, SmtpSink]], mode: str
) -> None:
    """Wrong types, overlong addresses, malformed bodies and bodies aimed at the binder (the injections
    are above, followed into the mail)."""
    url, _ = sandboxes[mode]
    statuses: Counter[str] = Counter()
    for kind, label, raw, content_type in corpus():
        if kind.startswith("injection"):
            continue
        response = _send(url, raw, content_type)
        assert response.status_code < 500, (kind, label, response.text[:300])
        assert response.json()["statusCode"] == response.status_code, (kind, label)
        statuses[f"{kind}: {response.status_code}"] += 1
    if mode == "strict":  # the spec alone reads no form
        assert all(key.endswith(": 400") for key in statuses if "(form)" in key), statuses
    else:  # the binder takes some of what is aimed at it, and refuses some
        assert statuses["aimed at the binder: 200"], statuses
        assert statuses["aimed at the binder: 400"], statuses
