"""The mail a stored message's send makes: a draft or template keeps the Message-ID it was saved with
(DraftEngine.Send: `mimeMessageId = message.MimeMessageId` for a message in Drafts or Templates),
and only a new message (id 0, or a template sent as id -1) gets a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from harness.sandboxes import MAILBOX, TOKEN, outbox, running, send, settings_in, write_drafts

STORED = "AU1234567.stored@example.test"
BASE = {"from": MAILBOX, "to": ["bob@example.org"], "body": "<p>Hi</p>"}
DRAFTS = [
    {"id": 601, "folder": "drafts", **BASE, "subject": "draft", "mimeMessageId": STORED},
    {"id": 602, "folder": "templates", **BASE, "subject": "template", "mimeMessageId": f"<{STORED}x>"},
    {"id": 603, "folder": "drafts", **BASE, "subject": "seeded without one"},
]


def mail_of(url: str, send_id: int) -> bytes:
    headers = {"Authorization": TOKEN}
    found = httpx.get(
        f"{url}/sandbox/api/messages/wait", params={"sendId": send_id}, headers=headers, timeout=30
    )
    assert found.status_code == 200, found.text
    [summary] = found.json()["messages"]
    return httpx.get(url + summary["links"]["raw"], headers=headers).content


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"]).strip()


@pytest.fixture(params=["onlyoffice", "strict"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    settings = settings_in(tmp_path, drafts=write_drafts(tmp_path, DRAFTS), binder=request.param)
    with running(settings) as started:
        yield started


def test_a_draft_keeps_its_stored_message_id(url: str) -> None:
    response = send(url, {**BASE, "id": 601, "subject": "sent"})
    assert response.status_code == 200, response.text
    assert message_id(mail_of(url, 601)) == f"<{STORED}>"


def test_a_template_sent_by_its_id_keeps_its_stored_message_id(url: str) -> None:
    first, second = (send(url, {**BASE, "id": 602, "subject": s}).json()["response"] for s in ("1", "2"))
    assert first != second
    assert message_id(mail_of(url, first)) == f"<{STORED}x>"


def test_each_send_of_a_template_finds_its_own_mail(url: str) -> None:
    """Both sends carry the template's Message-ID: the mail of each is told apart by what the delivery
    linked to its send, in the wait filter and in the listing's sendId, once both have arrived."""
    sent = {s: send(url, {**BASE, "id": 602, "subject": s}).json()["response"] for s in ("one", "two")}
    headers = {"Authorization": TOKEN}
    both = httpx.get(
        f"{url}/sandbox/api/messages/wait",
        params={"messageId": f"<{STORED}x>", "count": 2},
        headers=headers,
        timeout=30,
    )
    assert both.status_code == 200, both.text
    assert {m["subject"]: m["sendId"] for m in both.json()["messages"]} == sent
    for subject, send_id in sent.items():
        raw = mail_of(url, send_id)
        assert str(message_from_bytes(raw, policy=policy.default)["Subject"]) == subject
    # The Outbox page links each send's row to that send's mail, not to the newest with its Message-ID.
    page = httpx.get(f"{url}/sandbox/outbox", headers={**headers, "Accept": "text/html"}).text
    keys = {m["subject"]: m["key"] for m in both.json()["messages"]}
    linked = set(re.findall(r'<a class="mail" href="/sandbox/mail/([0-9a-f]+)"', page))
    assert linked == set(keys.values())


def test_a_new_message_and_a_template_sent_as_minus_one_get_new_ones(url: str) -> None:
    ids = [send(url, {**BASE, "id": given}).json()["response"] for given in (0, -1)]
    made = {message_id(mail_of(url, sent)) for sent in ids}
    assert len(made) == 2
    assert not {f"<{STORED}>", f"<{STORED}x>"} & made


def test_a_draft_seeded_without_one_keeps_the_one_it_was_given(url: str) -> None:
    """Every saved message has one; the sandbox makes it at seeding, so a draft back in Drafts after a
    failed delivery goes out again with the same Message-ID."""
    [seeded] = [r for r in outbox(url) if r["id"] == 603]
    assert seeded["messageId"]
    assert send(url, {**BASE, "id": 603}).status_code == 200
    assert message_id(mail_of(url, 603)) == seeded["messageId"]
