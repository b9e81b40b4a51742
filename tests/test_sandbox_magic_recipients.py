"""Magic recipients: one test per address, each outcome seen in the answer, the outbox and the capture."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.sandboxes import accepted_send, wait_until
from onlyoffice_sandbox.delivery import magic
from onlyoffice_sandbox.pytest_plugin import Sandbox

# Each address's outcome is a delivery, a refusal or a retry of it, waited for in the capture.
pytestmark = pytest.mark.waits

OTHER = "bob@example.org"


def send(sandbox: Sandbox, to: list[str], subject: str) -> int:
    """The send call: whatever SMTP later does with a recipient, the answer is 200 and an id."""
    return accepted_send(sandbox, to=to, subject=subject)


def record(sandbox: Sandbox, send_id: int) -> dict[str, Any]:
    [found] = [r for r in sandbox.outbox() if r["id"] == send_id]
    return found


def settled(sandbox: Sandbox, send_id: int, state: str) -> dict[str, Any]:
    wait_until(lambda: record(sandbox, send_id)["state"] == state)
    return record(sandbox, send_id)


def test_reject_is_refused_for_good_and_not_captured_for_it(sandbox: Sandbox) -> None:
    send_id = send(sandbox, ["reject@sandbox.test", OTHER], "reject")
    done = settled(sandbox, send_id, "sent")
    assert list(done["refused"]) == ["reject@sandbox.test"]
    assert done["refused"]["reject@sandbox.test"].startswith("550 5.1.1")
    assert (done["deliveredTo"], done["attempts"]) == ([OTHER], 1)
    [mail] = sandbox.wait_for_mail(subject="reject")
    assert mail["envelope"]["rcptTos"] == [OTHER]
    alone = send(sandbox, ["reject@sandbox.test"], "reject alone")
    assert settled(sandbox, alone, "failed")["folder"] == "drafts"  # nobody took it: back in Drafts
    assert sandbox.messages(subject="reject alone") == []


def test_defer_n_is_deferred_n_times_then_delivered(sandbox: Sandbox) -> None:
    send_id = send(sandbox, ["defer-2@sandbox.test", OTHER], "defer")
    done = settled(sandbox, send_id, "sent")
    assert done["attempts"] == 3  # 451, 451, then 250
    assert done["deliveredTo"] == [OTHER, "defer-2@sandbox.test"]
    assert done["refused"] == {}
    first, second = sandbox.wait_for_mail(subject="defer", count=2)
    assert (first["envelope"]["rcptTos"], second["envelope"]["rcptTos"]) == (
        [OTHER],
        ["defer-2@sandbox.test"],
    )


def test_over_limit_is_452_beside_another_recipient_and_taken_alone(sandbox: Sandbox) -> None:
    send_id = send(sandbox, [OTHER, "over-limit@sandbox.test"], "over the limit")
    done = settled(sandbox, send_id, "sent")
    assert done["attempts"] == 2  # 452 for it beside bob; alone on the retry, accepted
    assert done["deliveredTo"] == [OTHER, "over-limit@sandbox.test"]
    mails = sandbox.wait_for_mail(subject="over the limit", count=2)
    assert [m["envelope"]["rcptTos"] for m in mails] == [[OTHER], ["over-limit@sandbox.test"]]


@pytest.mark.parametrize("sandbox_settings", [{"smtp_step_seconds": 0.5}])
def test_slow_outlasts_an_impatient_sender_which_retries(sandbox: Sandbox) -> None:
    send_id = send(sandbox, ["slow-2@sandbox.test"], "slow")
    wait_until(lambda: record(sandbox, send_id)["attempts"] >= 1)
    waiting = record(sandbox, send_id)
    assert waiting["state"] == "queued"  # the capture took longer than the sender waits
    assert "reply to RCPT did not come whole in 0.5 s" in waiting["lastError"], waiting["lastError"]
    assert sandbox.messages(subject="slow") == []


def test_slow_within_the_senders_patience_is_delivered(sandbox: Sandbox) -> None:
    send_id = send(sandbox, ["slow-1@sandbox.test"], "slow but on time")
    assert settled(sandbox, send_id, "sent")["attempts"] == 1
    [mail] = sandbox.wait_for_mail(subject="slow but on time")
    assert mail["envelope"]["rcptTos"] == ["slow-1@sandbox.test"]


def test_drop_loses_the_connection_after_data_and_nothing_is_captured(sandbox: Sandbox) -> None:
    send_id = send(sandbox, ["drop-1@sandbox.test", OTHER], "dropped once")
    done = settled(sandbox, send_id, "sent")
    assert done["attempts"] == 2  # the first delivery's connection closed after DATA, the retry went in
    [mail] = sandbox.wait_for_mail(subject="dropped once")
    assert mail["copies"] == 1  # the dropped one was not filed
    always = send(sandbox, ["drop@sandbox.test"], "always dropped")
    wait_until(lambda: record(sandbox, always)["attempts"] >= 2)
    dropped = record(sandbox, always)
    assert dropped["state"] == "queued"
    assert re.search(r"closed|lost|disconnect", dropped["lastError"], re.IGNORECASE), dropped["lastError"]
    assert sandbox.messages(subject="always dropped") == []


def test_an_address_that_only_looks_magic_is_ordinary(sandbox: Sandbox) -> None:
    assert magic.of("reject@example.org") is None
    assert magic.of("rejected@sandbox.test") is None
    assert magic.of("Defer-3+mine@Sandbox.Test") == magic.Magic("defer", 3)
    send_id = send(sandbox, ["reject@example.org"], "not magic")
    assert settled(sandbox, send_id, "sent")["deliveredTo"] == ["reject@example.org"]
