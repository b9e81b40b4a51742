"""The sandbox's JSON API for tests, each answer checked against sandbox-api.yaml; the long-poll wait."""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.sandbox_api import conforms
from harness.sandboxes import accepted_send, running, settings_in, wait_until
from onlyoffice_sandbox import api_spec, outbox
from onlyoffice_sandbox.letter import Letter
from onlyoffice_sandbox.outbox import Outbox
from onlyoffice_sandbox.pytest_plugin import Sandbox, SandboxError

API = "/sandbox/api/messages"


def get(sandbox: Sandbox, path: str, **params: Any) -> httpx.Response:
    return httpx.get(sandbox.url + path, params=params, timeout=90)


def test_list_and_filter_by_recipient_subject_text_message_id_and_send_id(sandbox: Sandbox) -> None:
    first = accepted_send(sandbox, to=["carol@example.org"], subject="Invoice 7")
    second = accepted_send(sandbox, bcc=["dave@example.org"], subject="Welcome aboard")
    sandbox.wait_for_mail(count=2)
    everything = conforms(get(sandbox, API), "listMessages", 200)
    assert everything["total"] == 2
    newest, oldest = everything["messages"]
    assert (newest["sendId"], oldest["sendId"]) == (second, first)
    assert newest["envelope"]["rcptTos"] == ["bob@example.org", "dave@example.org"]
    assert newest["envelope"]["mailFrom"] == sandbox.address

    def only(**params: Any) -> list[int]:
        found = conforms(get(sandbox, API, **params), "listMessages", 200)
        return [m["sendId"] for m in found["messages"]]

    assert only(to="DAVE@example.org") == [second]  # Bcc counts; case does not
    assert only(to="dave@example") == []  # the whole address
    assert only(subject="invoice") == [first]
    assert only(q="welcome") == [second]
    assert only(messageId=oldest["messageId"]) == [first]
    assert only(messageId=oldest["messageId"].strip("<>")) == [first]
    assert only(sendId=second) == [second]
    assert only(sendId=second, subject="invoice") == []
    assert only(sendId=999999) == []
    assert only(limit=1) == [second]
    assert only(limit=1, offset=1) == [first]


def test_each_filter_matches_what_sandbox_api_yaml_says(sandbox: Sandbox) -> None:
    """`to`: a whole address, or a domain (exactly it); `subject` and `q`: any part; case never counts."""
    at_org = accepted_send(sandbox, to=["Bob Smith <bob@example.org>"], subject="Welcome aboard")
    at_sub = accepted_send(sandbox, to=["bobby@mail.example.org"], subject="Invoice 7")
    at_uk = accepted_send(sandbox, to=["bob@example.org.uk"], cc=["ann_x@ex%ample.net"], subject="Receipt")
    sandbox.wait_for_mail(count=3)

    def only(**params: Any) -> set[int]:
        found = conforms(get(sandbox, API, **params), "listMessages", 200)
        return {m["sendId"] for m in found["messages"]}

    assert only(to="bob@example.org") == {at_org}  # not bobby@..., not bob@example.org.uk
    assert only(to="BOB@Example.ORG") == {at_org}
    assert only(to="example.org") == {at_org}  # the domain, exactly: not mail.example.org, not .uk
    assert only(to="@example.org") == {at_org}
    assert only(to="mail.example.org") == {at_sub}
    assert only(to="bob") == set()  # never a part of an address
    assert only(to="example") == set()
    assert only(to="ample.org") == set()
    assert only(to="ex%ample.net") == {at_uk}  # LIKE's wildcards are only themselves
    assert only(to="ex_ample.net") == set()
    assert only(q="bob") == {at_org, at_sub, at_uk}  # any part of a recipient
    assert only(q="smith") == {at_org}  # the display name as shown
    assert only(subject="ELCOM") == {at_org}
    assert [m["sendId"] for m in sandbox.wait_for_mail(to="example.org.uk", subject="receipt")] == [at_uk]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": "x"},
        {"offset": -1},
        {"sendId": "abc"},
        {"sendId": 0},
        {"offset": 10**25},  # past SQLite's integers: was a 500 (OverflowError)
        {"sendId": 10**25},
        {"sendId": 2**63},
        {"limit": "1" * 5000},  # more digits than int() takes
    ],
)
def test_a_parameter_outside_the_spec_is_400(sandbox: Sandbox, params: dict[str, Any]) -> None:
    body = conforms(get(sandbox, API, **params), "listMessages", 400)
    assert next(iter(params)) in body["error"]


def test_one_message_with_headers_bodies_attachments_and_its_delivery(sandbox: Sandbox) -> None:
    sandbox.settings.files_dir.mkdir(parents=True)
    (sandbox.settings.files_dir / "7").write_bytes(b"report")
    send_id = accepted_send(
        sandbox,
        subject="Résumé",
        body="<p>Hi <i>there</i></p>",
        attachments=[{"fileId": 7, "fileName": "r.txt", "contentType": "text/plain"}],
    )
    [mail] = sandbox.wait_for_mail(sendId=send_id)
    message = conforms(get(sandbox, mail["links"]["api"]), "getMessage", 200)
    assert message["subject"] == "Résumé"
    assert message["html"].strip() == "<p>Hi <i>there</i></p>"
    assert message["text"].strip() == "Hi there"
    assert {"name": "Subject", "value": "Résumé"} in message["headers"]
    [attachment] = message["attachments"]
    assert (attachment["fileName"], attachment["contentType"], attachment["size"]) == (
        "r.txt",
        "text/plain",
        6,
    )
    assert httpx.get(sandbox.url + attachment["url"]).content == b"report"
    assert message["delivery"]["id"] == send_id
    assert message["delivery"]["state"] == "sent"
    assert sandbox.raw(mail["key"]).startswith(b"From: ")
    conforms(get(sandbox, f"{API}/{'0' * 24}"), "getMessage", 404)


def test_a_message_has_the_html_check_of_its_page(sandbox: Sandbox) -> None:
    html = '<p onclick="x()">Hi</p><img src="cid:nothing@example.test"><img src="cid:nothing@example.test">'
    [checked, plain] = [accepted_send(sandbox, body=body) for body in (html, "<p>Fine</p>")]
    found = {m["sendId"]: m["key"] for m in sandbox.wait_for_mail(count=2)}
    detail = conforms(get(sandbox, f"{API}/{found[checked]}"), "getMessage", 200)
    by_what = {f["what"]: f for f in detail["htmlCheck"]}
    assert set(by_what) == {"onclick", "cid:nothing@example.test"}
    assert by_what["cid:nothing@example.test"]["count"] == 2
    assert by_what["cid:nothing@example.test"]["examples"] == ["<img src>"]
    assert conforms(get(sandbox, f"{API}/{found[plain]}"), "getMessage", 200)["htmlCheck"] == []


def test_delete_one_and_all(sandbox: Sandbox) -> None:
    for n in range(3):
        accepted_send(sandbox, subject=f"m{n}")
    keys = [m["key"] for m in sandbox.wait_for_mail(count=3)]
    assert conforms(httpx.delete(f"{sandbox.url}{API}/{keys[0]}"), "deleteMessage", 200) == {"deleted": 1}
    conforms(httpx.delete(f"{sandbox.url}{API}/{keys[0]}"), "deleteMessage", 404)
    assert conforms(httpx.delete(sandbox.url + API), "deleteMessages", 200) == {"deleted": 2}
    assert sandbox.messages() == []


def test_the_wait_answers_at_once_for_mail_that_has_arrived(sandbox: Sandbox) -> None:
    send_id = accepted_send(sandbox, subject="early")
    sandbox.wait_for_mail(sendId=send_id)
    found = conforms(get(sandbox, f"{API}/wait", subject="early", timeout=0), "waitForMessages", 200)
    assert [m["sendId"] for m in found["messages"]] == [send_id]


@pytest.mark.waits
def test_the_wait_returns_when_the_mail_arrives(sandbox: Sandbox) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(get, sandbox, f"{API}/wait", to="late@example.org", count=2, timeout=60)
        first = accepted_send(sandbox, to=["late@example.org"])
        sandbox.wait_for_mail(sendId=first)
        assert not waiting.done()  # one of two: still waiting
        second = accepted_send(sandbox, to=["late@example.org"])
        found = conforms(waiting.result(), "waitForMessages", 200)
    assert [m["sendId"] for m in found["messages"]] == [first, second]  # oldest first


@pytest.mark.waits
def test_the_wait_ends_with_404_after_its_timeout(sandbox: Sandbox) -> None:
    body = conforms(get(sandbox, f"{API}/wait", to="never@example.org", timeout=0.2), "waitForMessages", 404)
    assert "0 of 1" in body["error"]
    with pytest.raises(SandboxError, match="404"):
        sandbox.wait_for_mail(to="never@example.org", timeout=0.2)
    conforms(get(sandbox, f"{API}/wait", timeout=61), "waitForMessages", 400)
    for endless in ("nan", "inf", "-nan"):  # NaN passed minimum and maximum: the wait never ended
        conforms(get(sandbox, f"{API}/wait", timeout=endless), "waitForMessages", 400)


@pytest.mark.waits
def test_a_wait_holds_nothing_that_sends_and_deliveries_need(sandbox: Sandbox) -> None:
    """Many waits in flight, none ever satisfied: sends are still accepted and delivered meanwhile."""
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        waits = [
            pool.submit(get, sandbox, f"{API}/wait", to=f"never{n}@x.org", timeout=60) for n in range(12)
        ]
        ids = [accepted_send(sandbox, subject=f"during {n}") for n in range(10)]
        delivered = sandbox.wait_for_mail(subject="during", count=10, timeout=60)
        assert sorted(m["sendId"] for m in delivered) == sorted(ids)
        assert not any(w.done() for w in waits)
        sandbox.clear_mail()  # does not satisfy them either
        assert not any(w.done() for w in waits)
        for n in range(12):  # now each gets its mail
            accepted_send(sandbox, to=[f"never{n}@x.org"])
        assert {w.result().status_code for w in waits} == {200}


def test_the_outbox_json_is_unchanged_and_fits_the_spec(sandbox: Sandbox) -> None:
    send_id = accepted_send(sandbox)
    sandbox.wait_for_mail(sendId=send_id)
    wait_until(lambda: sandbox.outbox()[0]["state"] == "sent")  # marked after the capture's 250
    [record] = conforms(get(sandbox, "/sandbox/outbox"), "getOutbox", 200)
    # The fields it always had (more may come, such as the binder's notes), under their names.
    assert list(record)[:7] == ["id", "folder", "state", "messageId", "recipients", "attempts", "lastError"]
    assert record["state"] == "sent"


def letter(message_id: str) -> Letter:
    fields = {"to": ["bob@example.org"], "subject": "queued"}
    return Letter(
        fields, message_id, "Wed, 25 Nov 2026 10:00:00 +0000", "a@example.test", ["bob@example.org"], []
    )


def test_a_queued_messages_record_fits_the_spec_on_every_path(tmp_path: Path) -> None:
    """Review finding F: the full record (the message API's `delivery`, the outbox page) gave
    `deliveredTo: null, refused: null` for a message not yet attempted, which OutboxRecord forbids;
    the listing gave `[]` and `{}`. One builder now makes both."""
    box = Outbox(tmp_path / "outbox.sqlite3")
    try:
        box.call(outbox.seed([{"id": 7, "folder": "drafts", "to": ["b@example.org"]}]))
        box.call(outbox.queue_message(letter("<q@example.test>")))
        record = api_spec.validator("OutboxRecord")
        full = box.read(outbox.record_of("<q@example.test>"))
        assert full is not None
        assert list(record.iter_errors(full)) == []
        assert (full["state"], full["deliveredTo"], full["refused"], full["notes"]) == ("queued", [], {}, [])
        assert not {"fields", "attachments", "mime"} & set(full)  # the message itself is not read
        total, page = box.read(outbox.records(50, 0))
        listed = box.read(outbox.listing())
        assert total == 2
        for one in [*page, *listed]:
            assert list(record.iter_errors(one)) == [], one
        assert [r["id"] for r in listed] == [7, full["id"]]
        assert listed[1] == {
            k: v for k, v in full.items() if k in listed[1]
        }  # the same fields, the same values
    finally:
        box.close()


def test_the_outbox_index_serves_the_message_id_lookups(tmp_path: Path) -> None:
    """Review finding E: `WHERE message_id = ?` (and `IN (...)`) scanned the whole outbox."""
    box = Outbox(tmp_path / "outbox.sqlite3")
    try:
        plan = box.read(
            lambda conn: conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE message_id = ? ORDER BY id DESC LIMIT 1",
                ("x",),
            ).fetchall()
        )
        assert "messages_message_id" in " ".join(str(step[-1]) for step in plan)
    finally:
        box.close()


@pytest.mark.waits
def test_the_read_endpoints_answer_while_another_process_holds_the_outbox_write_lock(
    sandbox: Sandbox,
) -> None:
    """Review finding E: the JSON API and the pages read the outbox in its writer thread, so they
    waited for the write lock (the delivery process's, or another's) and delayed the sends batched
    with them. They read on a snapshot of their own now."""
    send_id = accepted_send(sandbox, subject="read while locked")
    [mail] = sandbox.wait_for_mail(sendId=send_id)
    holder = sqlite3.connect(sandbox.settings.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process, in the middle of a write
    try:
        assert [r["id"] for r in conforms(get(sandbox, "/sandbox/outbox"), "getOutbox", 200)] == [send_id]
        found = conforms(get(sandbox, API, sendId=send_id), "listMessages", 200)
        assert [m["sendId"] for m in found["messages"]] == [send_id]
        assert conforms(get(sandbox, mail["links"]["api"]), "getMessage", 200)["delivery"]["id"] == send_id
        for path in ("/sandbox/outbox", mail["links"]["page"]):
            page = httpx.get(sandbox.url + path, headers={"Accept": "text/html"}, timeout=90)
            assert page.status_code == 200, path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_large_outbox_is_listed_by_pages_and_streamed(tmp_path: Path) -> None:
    """GET /sandbox/outbox?format=json over a large outbox built 141 MB in one answer on the event
    loop. Now `limit` gives a page with a Link to the next, and the whole listing is streamed."""
    settings = settings_in(tmp_path)
    box = Outbox(settings.db)
    try:
        box.call(outbox.seed([{"id": n, "folder": "drafts", "to": ["b@x.org"]} for n in range(1, 1201)]))
    finally:
        box.close()
    with running(settings) as url:
        pages, path = [], "/sandbox/outbox?format=json&limit=500"
        while path:
            response = httpx.get(url + path, timeout=60)
            assert response.status_code == 200
            pages.append([r["id"] for r in conforms(response, "getOutbox", 200)])
            link = response.headers.get("link", "")
            path = link[1 : link.index(">")] if link else ""
        assert [len(p) for p in pages] == [500, 500, 200]
        assert [n for page in pages for n in page] == list(range(1, 1201))
        with httpx.stream("GET", url + "/sandbox/outbox", timeout=60) as whole:
            assert "content-length" not in whole.headers  # streamed, not built whole
            chunks = [chunk for chunk in whole.iter_raw()]
        assert len(chunks) > 2
        listed = json.loads(b"".join(chunks))
        assert [r["id"] for r in listed] == list(range(1, 1201))
        assert httpx.get(url + "/sandbox/outbox?limit=0").status_code == 400
