"""Tenants: a token of its own, and nothing of one tenant visible to another (outbox, captured mail,
drafts, accounts, armed faults, pages); and two pytest-xdist workers sharing one sandbox through
the fixture, each with its own faults and magic recipients."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.sandbox_api import conforms
from harness.sandboxes import wait_until
from onlyoffice_contract import spec
from onlyoffice_sandbox.pytest_plugin import SHARED_TOKEN, SHARED_URL, Sandbox, SandboxError

DRAFT = {"id": 501, "folder": "drafts", "from": "sandbox@example.test", "to": ["bob@example.org"]}


def send(who: Sandbox, subject: str, to: str = "bob@example.org", **headers: str) -> httpx.Response:
    body = {"from": who.address, "to": [to], "subject": subject}
    return httpx.put(
        who.url + spec.OPERATION_PATH, json=body, headers={"Authorization": who.token, **headers}
    )


def test_a_tenant_is_made_by_the_sandboxs_own_token_only(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/sandbox/api/tenants"
    made = conforms(httpx.post(url, headers={"Authorization": sandbox.token}), "createTenant", 201)
    assert made["mailboxes"] == list(sandbox.settings.mailboxes)
    conforms(httpx.post(url), "createTenant", 401)
    conforms(httpx.post(url, headers={"Authorization": made["token"]}), "createTenant", 403)
    bodies: list[dict[str, object]] = [{"mailboxes": []}, {"mailboxes": ["not a mailbox"]}, {"x": 1}]
    for body in bodies:
        conforms(httpx.post(url, json=body, headers={"Authorization": sandbox.token}), "createTenant", 400)


def test_nothing_of_one_tenant_is_visible_to_another(sandbox: Sandbox) -> None:
    one = sandbox.new_tenant()
    other = sandbox.new_tenant(["Other <other@example.test>"])
    sent = send(one, "one's mail")
    assert sent.status_code == 200, sent.text
    send_id = sent.json()["response"]
    [mail] = one.wait_for_mail(subject="one's mail")
    assert mail["sendId"] == send_id
    # the outbox and the mail: the tenant's own alone, in the JSON API and the pages
    assert [r["id"] for r in one.outbox()] == [send_id]
    assert other.outbox() == []
    assert sandbox.outbox() == []
    assert other.messages() == []
    assert sandbox.messages() == []
    with pytest.raises(SandboxError, match="404"):
        other.message(mail["key"])
    with pytest.raises(SandboxError, match="404"):
        other.wait_for_mail(sendId=send_id, timeout=0.5)
    for path in (f"/sandbox/mail/{mail['key']}", f"/sandbox/mail/{mail['key']}.eml"):
        assert httpx.get(sandbox.url + path, headers={"Authorization": other.token}).status_code == 404
        assert httpx.get(sandbox.url + path, headers={"Authorization": one.token}).status_code == 200
    assert other.clear_mail() == 0
    assert sandbox.clear_mail() == 0
    assert one.message(mail["key"])["delivery"]["id"] == send_id  # still there
    # the accounts: `other` sends from its own mailbox only
    assert send(other, "from its own account").status_code == 200
    assert (
        httpx.put(
            other.url + spec.OPERATION_PATH,
            json={"from": "sandbox@example.test", "to": ["bob@example.org"]},
            headers={"Authorization": other.token},
        ).json()["error"]["message"]
        == "Mailbox not found"
    )
    # armed faults: each tenant's own
    one.fail_sends("mail-unavailable")
    assert other.faults()["send"] is None
    assert sandbox.faults()["send"] is None
    assert send(other, "other's, unhindered").status_code == 200
    assert send(sandbox, "the default's, unhindered").status_code == 200
    assert send(one, "one's, refused").status_code == 403
    assert one.faults()["send"] is None
    assert one.clear_mail() == 1


def test_a_tenants_capture_fault_meets_its_own_mail_alone(sandbox: Sandbox) -> None:
    one, other = sandbox.new_tenant(), sandbox.new_tenant()
    assert one.refuse_deliveries(550, count=2)["delivery"] == {"code": 550, "remaining": 2}
    assert other.faults()["delivery"] is None
    assert sandbox.faults()["delivery"] is None
    others = send(other, "other's, delivered").json()["response"]
    defaults = send(sandbox, "the default's, delivered").json()["response"]
    [mine] = [send(one, "one's, refused").json()["response"]]
    other.wait_for_mail(subject="other's, delivered")
    sandbox.wait_for_mail(subject="the default's, delivered")
    wait_until(lambda: [r["state"] for r in one.outbox()] == ["failed"])
    [record] = one.outbox()
    assert (record["id"], record["attempts"]) == (mine, 1)
    assert "550" in record["lastError"]
    assert one.messages() == []
    assert one.faults()["delivery"] == {"code": 550, "remaining": 1}  # the others' mail did not use it
    assert [r["id"] for r in other.outbox()] == [others]
    assert [r["id"] for r in sandbox.outbox()] == [defaults]
    assert one.clear_faults()["delivery"] is None


def test_a_seeded_draft_is_the_default_tenants(tmp_path: Path) -> None:
    from harness.sandboxes import MAILBOX, TOKEN, running, settings_in, write_drafts

    draft = {**DRAFT, "from": MAILBOX}
    with running(settings_in(tmp_path, drafts=write_drafts(tmp_path, [draft]))) as url:
        owner = Sandbox(url, TOKEN, MAILBOX, tmp_path, None)
        tenant = owner.new_tenant()
        body = {"id": 501, "from": tenant.address, "to": ["bob@example.org"]}
        theirs = httpx.put(url + spec.OPERATION_PATH, json=body, headers={"Authorization": tenant.token})
        assert theirs.status_code == 404, theirs.text  # no draft 501 of the tenant's
        mine = httpx.put(url + spec.OPERATION_PATH, json=body, headers={"Authorization": TOKEN})
        assert mine.status_code == 200, mine.text
        owner.close()
        tenant.close()


SCRATCH = """
import os
import re
import time
from pathlib import Path

import httpx
import pytest

BARRIER = Path(os.environ["BARRIER"])


def _send(sandbox, to, subject, fault=None):
    headers = {"Authorization": sandbox.token}
    if fault:
        headers["X-Sandbox-Fault"] = fault
    body = {"from": sandbox.address, "to": to, "subject": subject}
    return httpx.put(sandbox.url + "/api/2.0/mail/messages/send", json=body, headers=headers)


def _meet(name, other):
    (BARRIER / name).touch()
    deadline = time.monotonic() + 60
    while not (BARRIER / other).exists():
        assert time.monotonic() < deadline, "the other worker never came"
        time.sleep(0.05)


@pytest.mark.parametrize("me, other", [("a", "b"), ("b", "a")])
def test_a_worker_sees_its_own_alone(sandbox, me, other):
    sandbox.fail_sends("mail-unavailable")  # this tenant's armed fault
    assert _send(sandbox, ["bob@example.org"], me).status_code == 403
    refused = _send(sandbox, ["bob@example.org"], me, fault="payment-required")
    assert refused.status_code == 402  # its own per-request fault; the armed one is used up
    magic = "reject@sandbox.test" if me == "a" else "defer-1@sandbox.test"
    if me == "b":
        sandbox.refuse_deliveries(451)  # this tenant's capture fault: a's mail does not meet it
    sent = _send(sandbox, [magic, "bob@example.org"], me)
    assert sent.status_code == 200, sent.text
    mails = sandbox.wait_for_mail(subject=me)
    _meet(me, other)  # both have sent and been captured: now look
    assert {m["subject"] for m in sandbox.messages()} == {me}
    assert [r["id"] for r in sandbox.outbox()] == [sent.json()["response"]]
    while sandbox.outbox()[0]["state"] == "queued":  # recorded just after the capture's 250
        time.sleep(0.05)
    record = sandbox.outbox()[0]
    if me == "a":
        assert (record["attempts"], list(record["refused"])) == (1, ["reject@sandbox.test"])
        assert [m["envelope"]["rcptTos"] for m in mails] == [["bob@example.org"]]
    else:
        # 451 at RCPT for defer-1 and 451 at DATA (its capture fault); then both in one mail
        assert (record["attempts"], record["refused"]) == (2, {})
        assert [sorted(m["envelope"]["rcptTos"]) for m in mails] == [["bob@example.org", magic]]
    assert os.environ["PYTEST_XDIST_WORKER"] in ("gw0", "gw1")
"""


@pytest.mark.subprocess
def test_two_xdist_workers_share_one_sandbox_through_the_fixture(sandbox: Sandbox, tmp_path: Path) -> None:
    """The issue's first "done when": two workers, one sandbox, a tenant each, each its own faults and
    magic recipients; they pass together, and neither sees the other's mail."""
    (tmp_path / "test_scratch.py").write_text(SCRATCH)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PYTEST_"))}
    env |= {SHARED_URL: sandbox.url, SHARED_TOKEN: sandbox.token, "BARRIER": str(barrier)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "test_scratch.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
    assert sorted(p.name for p in barrier.iterdir()) == ["a", "b"]
    assert sandbox.messages() == []  # the default tenant saw none of it
    assert sandbox.outbox() == []


def test_mail_filed_before_its_delivery_is_recorded_is_already_its_tenants(tmp_path: Path) -> None:
    """The capture files a message a moment before the delivery records its key: by then the
    outbox knows the send's Message-ID, which marks the mail as the tenant's (and not the default
    tenant's) in that moment too."""
    from onlyoffice_sandbox import outbox
    from onlyoffice_sandbox.letter import Letter
    from onlyoffice_sandbox.mailstore import MailStore, Query

    store = MailStore(tmp_path / "mail")
    box = outbox.Outbox(tmp_path / "outbox.sqlite3")
    try:
        header = "<AU-unlinked@example.test>"
        letter = Letter({"subject": "s"}, header, "date", "a@example.test", ["b@example.org"], [])
        box.call(outbox.queue_message(letter, None, "t1"))
        store.add(
            f"Message-ID: {header}\r\nSubject: s\r\n\r\nbody\r\n".encode(),
            "a@example.test",
            ["b@example.org"],
        )
        keys, headers = box.read(outbox.tenant_keys("t1"))
        assert (keys, headers) == ((), (header,))
        assert store.count(Query(keys=keys, headers=headers)) == 1
        assert store.count(Query(keys=(), headers=())) == 0  # another tenant's view
        others_keys, others_headers = box.read(outbox.tenant_keys("", mine=False))
        assert store.count(Query(excluded=others_keys, headers=others_headers)) == 0  # the default's
        assert store.count(Query()) == 1
    finally:
        box.close()
        store.close()


@pytest.mark.parametrize("sandbox_settings", [{"binder": "onlyoffice"}])
def test_a_tenants_token_authenticates_in_each_form_the_send_call_takes(sandbox: Sandbox) -> None:
    tenant = sandbox.new_tenant()
    body = {"from": tenant.address, "to": ["bob@example.org"]}
    url = tenant.url + spec.OPERATION_PATH
    for headers in (
        {"Authorization": tenant.token},
        {"Authorization": f"Bearer {tenant.token}"},
        {"Cookie": f"asc_auth_key={tenant.token}"},
    ):
        answer = httpx.put(url, json=body, headers=headers)
        assert answer.status_code == 200, (headers.keys(), answer.text)
    for wrong in (tenant.token[:-1], f"bearer {tenant.token}", f"Basic {tenant.token}"):
        assert httpx.put(url, json=body, headers={"Authorization": wrong}).status_code == 401
    assert len(tenant.outbox()) == 3
    assert sandbox.outbox() == []


def test_a_tenants_live_refresh_changes_with_its_own_mail_alone(sandbox: Sandbox) -> None:
    """The pages' live version (`data-live`, which /sandbox/events compares) of a tenant: another
    tenant's mail and records tell it nothing; its own change it."""
    one, other = sandbox.new_tenant(), sandbox.new_tenant()

    def live(who: Sandbox) -> str:
        page = httpx.get(who.url + "/", headers={"Authorization": who.token})
        found = re.search(r'data-live="([^"]*)"', page.text)
        assert found is not None, page.text[:300]
        return found[1]

    before = live(one)
    assert send(other, "other's").status_code == 200
    other.wait_for_mail(subject="other's")
    wait_until(lambda: other.outbox()[0]["state"] == "sent")
    assert live(one) == before
    assert send(one, "one's").status_code == 200
    one.wait_for_mail(subject="one's")
    assert live(one) != before
