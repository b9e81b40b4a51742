"""Delivery: outages and restarts only delay mail; every accepted message arrives exactly once."""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import os
import signal
import smtplib
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes
from email.policy import compat32
from pathlib import Path

import pytest
from onlyoffice_send_client import AuthenticatedClient
from onlyoffice_send_client.api.messages import send_message
from onlyoffice_send_client.models import SendMessageRequest

from harness.sandboxes import TOKEN, outbox, running, send, settings_in, wait_until
from harness.smtp_sink import SmtpSink
from onlyoffice_sandbox import Subprocess
from onlyoffice_sandbox import outbox as outbox_ops
from onlyoffice_sandbox.delivery.child import WAITING_FOR_LOCK, lock_path
from onlyoffice_sandbox.delivery.smtp import describe
from onlyoffice_sandbox.outbox import Outbox


def payload(n: int) -> dict[str, object]:
    return {"from": "sandbox@example.test", "to": [f"r{n}@example.org"], "subject": f"message {n}"}


def accept(url: str, numbers: range) -> list[int]:
    ids = []
    for n in numbers:
        response = send(url, payload(n))
        assert response.status_code == 200, response.text
        ids.append(response.json()["response"])
    return ids


def assert_exactly_once(sink: SmtpSink, expected_message_ids: list[str]) -> None:
    counts = Counter(sink.message_ids())
    assert sorted(counts) == sorted(expected_message_ids)
    assert set(counts.values()) == {1}, [m for m, c in counts.items() if c > 1]


def test_an_smtp_outage_only_delays_delivery(tmp_path: Path, sink: SmtpSink) -> None:
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        accept(url, range(10))
        wait_until(lambda: len(sink.delivered) == 10)
        sink.down()
        accept(url, range(10, 20))

        def retried_while_down() -> bool:
            queued = [m for m in outbox(url) if m["state"] == "queued"]
            return len(queued) == 10 and all(m["attempts"] >= 2 for m in queued)

        wait_until(retried_while_down)
        assert len(sink.delivered) == 10
        sink.up()
        wait_until(lambda: len(sink.delivered) == 20)
        states = outbox(url)
    assert {m["state"] for m in states} == {"sent"}
    assert_exactly_once(sink, [m["messageId"] for m in states])


@pytest.mark.subprocess
def test_a_kill_and_restart_with_mail_queued(tmp_path: Path, sink: SmtpSink) -> None:
    settings = settings_in(tmp_path, smtp=sink.address)
    sink.down()  # mail is accepted and stays queued
    with Subprocess(settings) as sandbox:
        ids = accept(sandbox.url, range(15))
        sandbox.kill()  # SIGKILL: no shutdown of any kind
    with sqlite3.connect(settings.db) as db:
        stored = dict(db.execute("SELECT id, message_id FROM messages WHERE state = 'queued'").fetchall())
    assert sorted(stored) == sorted(ids)  # everything answered 200 was on disk
    assert sink.delivered == []
    sink.up()
    with Subprocess(settings) as sandbox:
        wait_until(lambda: len(sink.delivered) == 15)
        states = outbox(sandbox.url)
    assert {m["state"] for m in states} == {"sent"}
    # The same Message-IDs as before the kill: a message keeps its identity across restarts.
    assert_exactly_once(sink, list(stored.values()))


def test_a_permanent_refusal_is_recorded_and_not_retried(tmp_path: Path, sink: SmtpSink) -> None:
    sink.refuse.add("nobody@example.org")
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        refused = send(url, {**payload(0), "to": ["nobody@example.org"]}).json()["response"]
        wait_until(lambda: any(m["id"] == refused and m["state"] == "failed" for m in outbox(url)))
        accept(url, range(1, 4))  # the worker keeps going, and never comes back to the refused one
        wait_until(lambda: len(sink.delivered) == 3)
        [state] = [m for m in outbox(url) if m["id"] == refused]
    assert state["attempts"] == 1
    # As SMTP says it (code, enhanced status, text), not Python's repr of a dict or an exception.
    assert state["lastError"] == "refused: nobody@example.org: 550 5.1.1 No such user here"
    assert state["refused"] == {"nobody@example.org": "550 5.1.1 No such user here"}
    assert all("nobody@example.org" not in d.rcpt_tos for d in sink.delivered)


def test_concurrent_sends_are_each_delivered_once(tmp_path: Path, sink: SmtpSink) -> None:
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        client = AuthenticatedClient(base_url=url, token=TOKEN)

        def one(n: int) -> int:
            body = SendMessageRequest(from_="sandbox@example.test", to=[f"r{n}@example.org"], subject=f"m{n}")
            return send_message.sync_or_raise(client=client, body=body).response

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(one, range(300)))
        assert len(set(ids)) == 300
        wait_until(lambda: len(sink.delivered) == 300, 60)
        states = outbox(url)
    assert_exactly_once(sink, [m["messageId"] for m in states])
    assert sorted(r for d in sink.delivered for r in d.rcpt_tos) == sorted(
        f"r{n}@example.org" for n in range(300)
    )


# -- delivery in its own process (onlyoffice_sandbox/courier.py) -----------------------------------


def children_of(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def courier_of(server_pid: int) -> int:
    """The server's one child: the delivery process, which it starts once it has started itself.

    Between fork and exec a child still shows the server's command line and environment, so it
    counts only once it runs the delivery package."""

    def started() -> bool:
        children = children_of(server_pid)
        return len(children) == 1 and b"onlyoffice_sandbox.delivery" in _cmdline(children[0])

    wait_until(started)
    [child] = children_of(server_pid)
    return child


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@pytest.mark.subprocess
def test_the_delivery_process_ends_with_a_killed_server(tmp_path: Path, sink: SmtpSink) -> None:
    settings = settings_in(tmp_path, smtp=sink.address)
    with Subprocess(settings) as sandbox:
        assert sandbox.process is not None
        courier = courier_of(sandbox.process.pid)
        accept(sandbox.url, range(3))
        wait_until(lambda: len(sink.delivered) == 3)
        sandbox.kill()
        wait_until(lambda: not alive(courier))


@pytest.mark.subprocess
def test_the_delivery_process_is_given_no_token(
    tmp_path: Path, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its command line is readable by every user of the machine; its settings and environment hold
    no token at all, though the server's own environment does (SANDBOX_TOKENS)."""
    settings = settings_in(tmp_path, smtp=sink.address)
    # As the embedded contract run has it: the suite's API_KEY, which is the sandbox's token.
    monkeypatch.setenv("API_KEY", TOKEN)
    with Subprocess(settings) as sandbox:
        assert sandbox.process is not None
        server_environment = Path(f"/proc/{sandbox.process.pid}/environ").read_bytes()
        courier = courier_of(sandbox.process.pid)
        command_line = Path(f"/proc/{courier}/cmdline").read_bytes()
        environment = Path(f"/proc/{courier}/environ").read_bytes()
    assert (
        b"SANDBOX_TOKENS=" + TOKEN.encode() in server_environment
    )  # the test put it where a child could inherit it
    assert TOKEN.encode() not in command_line
    assert TOKEN.encode() not in environment


@pytest.mark.subprocess
def test_a_delivery_process_that_dies_is_started_again(tmp_path: Path, sink: SmtpSink) -> None:
    settings = settings_in(tmp_path, smtp=sink.address)
    with Subprocess(settings) as sandbox:
        assert sandbox.process is not None
        first = courier_of(sandbox.process.pid)
        os.kill(first, signal.SIGKILL)
        accept(sandbox.url, range(5))  # accepted while no delivery process runs
        wait_until(lambda: children_of(sandbox.process.pid) not in ([], [first]))  # type: ignore[union-attr]
        second = courier_of(sandbox.process.pid)
        assert alive(second)
        wait_until(lambda: len(sink.delivered) == 5)
        states = outbox(sandbox.url)
    assert_exactly_once(sink, [m["messageId"] for m in states])


def test_only_the_holder_of_the_outbox_lock_delivers(
    tmp_path: Path, sink: SmtpSink, capfd: pytest.CaptureFixture[str]
) -> None:
    """A restarted server's delivery process waits for the one before it: here the test holds the lock."""
    settings = settings_in(tmp_path, smtp=sink.address)
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(lock_path(settings.db), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    printed: list[str] = []  # the delivery process's stderr is this test's

    def says_it_waits() -> bool:
        """the delivery process said it waits for the lock"""
        printed.append(capfd.readouterr().err)
        return WAITING_FOR_LOCK in "".join(printed)

    try:
        with running(settings) as url:
            accept(url, range(4))
            # Not a sleep: it has found the lock taken, and sends nothing until it holds it. A process
            # that ignored the lock never says so, and this wait fails.
            wait_until(says_it_waits)
            assert sink.delivered == []
            assert {m["state"] for m in outbox(url)} == {"queued"}
            os.close(lock)
            lock = -1
            wait_until(lambda: len(sink.delivered) == 4)
    finally:
        if lock >= 0:
            os.close(lock)


# -- what the outbox keeps at accept is all that delivery needs ---------------------------------------


def test_an_attachment_removed_after_accept_is_still_delivered(tmp_path: Path, sink: SmtpSink) -> None:
    settings = settings_in(tmp_path, smtp=sink.address)
    settings.files_dir.mkdir(parents=True)
    (settings.files_dir / "report.txt").write_bytes(b"quarterly figures")
    sink.down()
    with running(settings) as url:
        attachment = {"storedName": "report.txt", "fileName": "report.txt", "contentType": "text/plain"}
        assert send(url, {**payload(0), "attachments": [attachment]}).status_code == 200
        (settings.files_dir / "report.txt").unlink()
        sink.up()
        wait_until(lambda: len(sink.delivered) == 1)
    [part] = list(sink.delivered[0].message.iter_attachments())
    assert part.get_filename() == "report.txt"
    assert part.get_content() == "quarterly figures"


def test_a_stored_message_that_cannot_be_composed_is_recorded_as_failed(
    tmp_path: Path, sink: SmtpSink
) -> None:
    """Validation at accept is what prevents this; if it ever misses, the message is kept and shown."""
    settings = settings_in(tmp_path, smtp=sink.address)
    with running(settings) as url:
        [good] = accept(url, range(1))
        wait_until(lambda: len(sink.delivered) == 1)
        with sqlite3.connect(settings.db) as db:  # what a validation gap would have let through
            db.execute(
                "INSERT INTO messages (folder, fields, state, message_id, date, sender, author, recipients,"
                " attachments, next_attempt, updated) VALUES ('sent', '{}', 'queued', '<bad@x>', 'now',"
                " 'sandbox@example.test', 'not a mailbox', '[\"r@example.org\"]', '[]', 0, 0)"
            )
        accept(url, range(1, 2))
        wait_until(lambda: len(sink.delivered) == 2)
        wait_until(lambda: any(m["state"] == "failed" for m in outbox(url)))
        states = {m["id"]: m for m in outbox(url)}
    [failed] = [m for m in states.values() if m["state"] == "failed"]
    assert "cannot be composed" in failed["lastError"]
    assert failed["attempts"] == 1
    assert states[good]["state"] == "sent"


def test_an_outbox_that_cannot_be_opened_fails_the_start_with_its_reason(tmp_path: Path) -> None:
    """The writer thread opens the file; what it raises reaches the caller (it used to wait forever)."""
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database " * 100)
    outcome: list[BaseException | None] = []

    def open_it() -> None:
        try:
            Outbox(path)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    opener = threading.Thread(target=open_it, daemon=True)  # daemon: a hang must not hang pytest's exit
    opener.start()
    opener.join(60)  # a bound against hanging, not a speed claim
    assert outcome, "Outbox() neither returned nor raised"
    assert isinstance(outcome[0], sqlite3.DatabaseError), outcome


# -- one message never stops the others; SMTP's answers per recipient -------------------------------


def test_a_message_email_could_not_write_does_not_stop_the_ones_after_it(
    tmp_path: Path, sink: SmtpSink
) -> None:
    """Hardening finding 3: an attachment typed message/delivery-status crashed the delivery process
    at compose, again after each restart, and every later mail stayed queued. Sent between two good
    ones, through the API, it must go out (as application/octet-stream) and so must they."""
    settings = settings_in(tmp_path, smtp=sink.address)
    settings.files_dir.mkdir(parents=True)
    (settings.files_dir / "status").write_bytes(b"Reporting-MTA: dns; x\r\n")
    poison = [
        {"storedName": "status", "fileName": "status", "contentType": "message/delivery-status"},
        {"storedName": "status", "fileName": "data:message/delivery-status,x"},
    ]
    with running(settings) as url:
        accept(url, range(1))
        assert send(url, {**payload(1), "attachments": poison}).status_code == 200
        accept(url, range(2, 3))
        wait_until(lambda: len(sink.delivered) == 3)
        states = outbox(url)
    assert {m["state"] for m in states} == {"sent"}
    assert_exactly_once(sink, [m["messageId"] for m in states])
    [with_files] = [d for d in sink.delivered if d.message["Subject"] == "message 1"]
    types = [part.get_content_type() for part in with_files.message.iter_attachments()]
    assert types == ["application/octet-stream", "application/octet-stream"]


def test_recipients_a_relay_defers_get_the_message_later_and_only_once(
    tmp_path: Path, sink: SmtpSink
) -> None:
    """Hardening finding 11: a relay that answers 452 after 100 recipients left the message "sent"
    while 150 of 250 never got it. Each deferred recipient is retried, and nobody gets it twice."""
    sink.max_recipients = 100
    recipients = [f"r{n}@example.org" for n in range(250)]
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        response = send(url, {"from": "sandbox@example.test", "bcc": recipients, "subject": "many"})
        assert response.status_code == 200
        wait_until(lambda: sum(len(d.rcpt_tos) for d in sink.delivered) == 250)
        wait_until(lambda: outbox(url)[0]["state"] == "sent")
        [state] = outbox(url)
    got = [r for d in sink.delivered for r in d.rcpt_tos]
    assert sorted(got) == sorted(recipients)  # every one, once
    assert [len(d.rcpt_tos) for d in sink.delivered] == [100, 100, 50]
    assert len({str(d.message["Message-ID"]) for d in sink.delivered}) == 1  # one message, sent in parts
    assert state["attempts"] == 3
    assert sorted(state["deliveredTo"]) == sorted(recipients)


def test_a_recipient_refused_for_good_is_recorded_and_the_others_delivered(
    tmp_path: Path, sink: SmtpSink
) -> None:
    sink.refuse.add("nobody@example.org")
    with running(settings_in(tmp_path, smtp=sink.address)) as url:
        body = {
            "from": "sandbox@example.test",
            "to": ["a@example.org", "nobody@example.org", "b@example.org"],
        }
        assert send(url, body).status_code == 200
        wait_until(lambda: outbox(url)[0]["state"] == "sent")
        [state] = outbox(url)
    [delivered] = sink.delivered
    assert delivered.rcpt_tos == ["a@example.org", "b@example.org"]
    assert list(state["refused"]) == ["nobody@example.org"]
    assert "550" in state["refused"]["nobody@example.org"]
    assert state["attempts"] == 1  # not retried


# -- the outbox: delivery's reads never hold the write lock ------------------------------------------


def test_delivery_reads_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    """Hardening finding 7: the delivery process loaded due messages, attachments and all, inside a
    write transaction, so the server's commits waited out SQLite's busy timeout and answered 500.
    Its reads now run on a snapshot of their own: they complete while a writer holds the lock."""
    box = Outbox(tmp_path / "outbox.sqlite3")
    try:
        box.call(
            outbox_ops.seed(
                [{"id": 7, "folder": "drafts", "from": "a@example.test", "to": ["b@example.org"]}]
            )
        )
        holder = sqlite3.connect(tmp_path / "outbox.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process, in the middle of a write
        try:
            assert box.read(outbox_ops.due(time.time(), 50)) == []
            assert box.read(outbox_ops.load(7)) is None  # a draft is not queued
            assert [m["id"] for m in box.read(outbox_ops.listing())] == [7]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    finally:
        box.close()


def test_a_send_waits_for_a_long_write_of_the_other_process_instead_of_failing(
    tmp_path: Path, sink: SmtpSink
) -> None:
    """The other half of finding 7: a write lock held longer than SQLite's default busy timeout (5 s)
    made the server answer 500. It now waits (up to a minute) and answers 200."""
    settings = settings_in(tmp_path, smtp=sink.address)
    with running(settings) as url:
        holder = sqlite3.connect(settings.db, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(6.0, lambda: holder.execute("ROLLBACK"))
        release.start()
        try:
            response = send(url, payload(0))
        finally:
            release.join()
            holder.close()
        assert response.status_code == 200, response.text
        wait_until(lambda: len(sink.delivered) == 1)


def test_a_file_named_many_times_is_stored_once_and_dropped_once_sent(tmp_path: Path, sink: SmtpSink) -> None:
    """Hardening finding 6: a 2.7 KB request naming one 1 MiB file 100 times stored 268 MB, and the
    outbox kept attachment bytes for ever. Each content is stored once; once sent, none is kept.
    (50 copies of 256 KiB here: the whole mail must stay under the sink's 32 MiB.)"""
    settings = settings_in(tmp_path, smtp=sink.address)
    settings.files_dir.mkdir(parents=True)
    content = os.urandom(256 * 1024)
    (settings.files_dir / "big.bin").write_bytes(content)
    parts = [{"storedName": "big.bin", "fileName": f"copy{n}.bin"} for n in range(50)]

    def stored_bytes() -> int:
        with sqlite3.connect(settings.db) as db:
            return int(db.execute("SELECT length(attachments) FROM messages").fetchone()[0])

    sink.down()
    with running(settings) as url:
        assert send(url, {**payload(0), "attachments": parts}).status_code == 200
        assert stored_bytes() < 512 * 1024  # one base64 copy (341 KiB), not fifty (17 MiB)
        sink.up()
        wait_until(lambda: len(sink.delivered) == 1, 60)
        wait_until(lambda: outbox(url)[0]["state"] == "sent")
    assert stored_bytes() < 64 * 1024  # the names and sizes of the parts, no content
    attached = list(sink.delivered[0].message.iter_attachments())
    assert [a.get_filename() for a in attached] == [f"copy{n}.bin" for n in range(50)]
    assert all(a.get_content() == content for a in attached)


def test_a_link_out_of_the_files_folder_is_not_followed(tmp_path: Path, sink: SmtpSink) -> None:
    """The rest of finding 6: a symlink inside the files folder was followed out of it."""
    settings = settings_in(tmp_path, smtp=sink.address)
    settings.files_dir.mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("outside the files folder")
    (settings.files_dir / "inside.txt").write_text("inside")
    (settings.files_dir / "escape").symlink_to(tmp_path / "secret.txt")
    (settings.files_dir / "alias").symlink_to(settings.files_dir / "inside.txt")
    with running(settings) as url:
        refused = send(url, {**payload(0), "attachments": [{"storedName": "escape"}]})
        assert refused.status_code in {200, 400}
        assert send(url, {**payload(1), "attachments": [{"storedName": "alias"}]}).status_code == 200
        wait_until(lambda: len(sink.delivered) == (2 if refused.status_code == 200 else 1))
    contents = [p.get_content() for d in sink.delivered for p in d.message.iter_attachments()]
    assert contents == [b"inside"]  # a link inside the folder is fine; nothing from outside was sent


def test_a_huge_header_is_sent_and_does_not_hold_up_the_mail_after_it(tmp_path: Path, sink: SmtpSink) -> None:
    """Hardening finding 4: a mimeReplyToId of "a " * 1,000,000 took `email` about 6 minutes to fold
    (quadratic), the SMTP connection opened before composing timed out, and the message was requeued
    for ever, holding up all other mail. Headers are now folded in linear time, and a slow compose
    checks the connection before it sends. Strict: the onlyoffice mode, as the real server, accepts
    this reply id (no mailbox MimeKit reads) and sends nothing, so nothing would be composed."""
    with running(settings_in(tmp_path, smtp=sink.address, binder="strict")) as url:
        assert send(url, {**payload(0), "mimeReplyToId": "a " * 1_000_000}).status_code == 200
        accept(url, range(1, 3))
        wait_until(lambda: len(sink.delivered) == 3, 120)  # a bound against hanging, not a speed claim
        states = outbox(url)
    assert {m["state"] for m in states} == {"sent"}
    assert_exactly_once(sink, [m["messageId"] for m in states])
    [big] = [d for d in sink.delivered if d.message["Subject"] == "message 0"]
    # Read raw: `email`'s own header parser takes minutes over a value this long (the receiving side).
    raw = message_from_bytes(big.content, policy=compat32)["In-Reply-To"]
    assert raw.split() == ["<a", *["a"] * 999_998, "a>"]


def test_an_operation_that_fails_in_a_batch_leaves_the_others_written_and_writes_nothing_itself(
    tmp_path: Path,
) -> None:
    """Operations handed over in one turn of the loop commit in one transaction (group commit);
    one that raises after writing must take back only its own write, and the batch still answers
    each in order, with its outcome."""
    box = Outbox(tmp_path / "outbox.sqlite3")

    def insert(row: int, then_fail: bool = False) -> Callable[[sqlite3.Connection], int]:
        def op(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO messages (id, folder, fields, updated) VALUES (?, 'drafts', '{}', 0)", (row,)
            )
            if then_fail:
                raise RuntimeError(f"operation {row} failed after its write")
            return row

        return op

    async def all_at_once() -> list[object]:
        calls = [box.acall(insert(1)), box.acall(insert(2, then_fail=True)), box.acall(insert(3))]
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        first, failed, third = asyncio.run(all_at_once())
        assert (first, third) == (1, 3)
        assert isinstance(failed, RuntimeError)
        assert "operation 2" in str(failed)
        ids = box.read(lambda conn: [r[0] for r in conn.execute("SELECT id FROM messages ORDER BY id")])
        assert ids == [1, 3]
    finally:
        box.close()


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (
            smtplib.SMTPDataError(550, b"5.7.1 Spam refused"),
            "the SMTP relay answered DATA: 550 5.7.1 Spam refused",
        ),
        (  # smtplib joins a multi-line reply's lines with a line break: one line here
            smtplib.SMTPSenderRefused(553, b"5.1.8 Sender refused\n5.1.8 See our policy", "a@x.org"),
            "the SMTP relay answered MAIL FROM: 553 5.1.8 Sender refused / 5.1.8 See our policy",
        ),
        (
            smtplib.SMTPRecipientsRefused({"b@x.org": (550, b"5.1.1 No such user")}),
            "the SMTP relay answered RCPT TO: b@x.org: 550 5.1.1 No such user",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "no answer from the SMTP relay: Connection refused",
        ),
        (TimeoutError("timed out"), "no answer from the SMTP relay: timed out"),
    ],
)
def test_a_delivery_error_reads_as_smtp_says_it(raised: BaseException, said: str) -> None:
    """Code, enhanced status code and text, never Python's (`SMTPDataError: (550, b'5.7.1 ...')`)."""
    assert describe(raised) == said
