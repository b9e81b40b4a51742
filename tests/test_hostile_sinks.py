"""The suite's mail sinks against sinks that misbehave (harness/hostile_sinks.py, on loopback): every
read has a deadline and a size bound, a sink's fault is a sink error that names the sink (exit 4),
never a verdict on the server; delivered mail with raw UTF-8 headers (RFC 6532) is compared like any
other; a server's text reaches the terminal with its control characters escaped."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import requests

from contract_tests import terminal
from contract_tests.mail import (
    MAX_LISTING_BYTES,
    MAX_MESSAGE_BYTES,
    Imap,
    Mailpit,
    Pop3,
    SinkError,
    differences,
    parse_url,
)
from harness import hostile_sinks
from harness.sandboxes import running, settings_in
from harness.scripted_server import Reply, ScriptedServer
from harness.suite import run_suite

ADDRESS = "bob+cs-0badf00d-7@contract.example.invalid"
TIMEOUT = 1  # REQUEST_TIMEOUT of these sinks: each read of theirs must end by it


def sink_error(read: object) -> SinkError:
    with pytest.raises(SinkError) as caught:
        read.copies(ADDRESS, 0.5)  # type: ignore[attr-defined]
    return caught.value


def assert_names(exc: SinkError, scheme: str) -> None:
    assert str(exc).startswith(f"sink error: MAIL_SINK {'an IMAP' if scheme == 'imap' else 'a POP3'} mailbox")
    assert f"{scheme}://{hostile_sinks.USER}:[Filtered]@127.0.0.1:" in str(exc)
    assert "p@ss" not in str(exc)


# -- IMAP ----------------------------------------------------------------------------------------------


@pytest.mark.waits
def test_imap_a_dripped_search_ends_at_the_deadline() -> None:
    with hostile_sinks.imap("dripped search") as (url, speaker):
        exc = sink_error(Imap(parse_url(url), TIMEOUT))
        assert speaker.written < 200  # the drip was cut short, not read to its end
    assert_names(exc, "imap")
    assert "UID SEARCH took longer than 1 s" in str(exc)


def test_imap_a_300_mb_literal_is_refused_unread() -> None:
    with hostile_sinks.imap("huge literal") as (url, speaker):
        exc = sink_error(Imap(parse_url(url), TIMEOUT))
        written = speaker.written
    assert_names(exc, "imap")
    assert "a literal of 300000000 bytes" in str(exc)
    assert written < MAX_MESSAGE_BYTES  # the speaker was stopped by a full socket, not read to the end


def test_imap_a_literal_of_10_to_the_20_bytes_is_refused() -> None:
    with hostile_sinks.imap("absurd literal") as (url, _):
        exc = sink_error(Imap(parse_url(url), TIMEOUT))
    assert_names(exc, "imap")
    assert f"a literal of {10**20} bytes" in str(exc)


@pytest.mark.slow
def test_imap_an_endless_search_is_cut_at_the_listing_bound() -> None:
    with hostile_sinks.imap("endless search") as (url, speaker):
        exc = sink_error(Imap(parse_url(url), 30))
        written = speaker.written
    assert_names(exc, "imap")
    assert "larger than this suite reads" in str(exc)
    assert written < hostile_sinks.ENDLESS_BYTES
    assert MAX_LISTING_BYTES < hostile_sinks.ENDLESS_BYTES  # the bound, not the speaker's end, stopped it


# -- POP3 ----------------------------------------------------------------------------------------------


@pytest.mark.waits
def test_pop3_an_endless_uidl_is_cut_at_the_listing_bound() -> None:
    with hostile_sinks.pop3("endless uidl") as (url, speaker):
        exc = sink_error(Pop3(parse_url(url), 30))
        written = speaker.written
    assert_names(exc, "pop3")
    assert "the answer to UIDL is larger than this suite reads" in str(exc)
    assert written < hostile_sinks.ENDLESS_BYTES


@pytest.mark.waits
def test_pop3_a_dripped_uidl_ends_at_the_deadline() -> None:
    with hostile_sinks.pop3("dripped uidl") as (url, speaker):
        exc = sink_error(Pop3(parse_url(url), TIMEOUT))
        assert speaker.written < 200
    assert_names(exc, "pop3")
    assert "UIDL took longer than 1 s" in str(exc)


def test_pop3_a_malformed_uidl_line_is_a_sink_error() -> None:
    with hostile_sinks.pop3("malformed uidl") as (url, _):
        exc = sink_error(Pop3(parse_url(url), TIMEOUT))
    assert_names(exc, "pop3")
    assert "b'not a uidl line'" in str(exc)


# -- Mailpit -------------------------------------------------------------------------------------------


def test_mailpit_a_count_of_10_to_the_15_is_refused_at_the_first_page() -> None:
    api = hostile_sinks.Mailpit("endless count")
    with api.running(), requests.Session() as session:
        exc = sink_error(Mailpit(api.sink, session, TIMEOUT))
    assert str(exc).startswith(f"sink error: MAIL_SINK a Mailpit API ({api.sink})")
    assert f"it claims {10**15} messages" in str(exc)
    assert api.pages == 1


def test_mailpit_a_summary_that_is_a_string_is_a_sink_error() -> None:
    api = hostile_sinks.Mailpit("string summary")
    with api.running(), requests.Session() as session:
        exc = sink_error(Mailpit(api.sink, session, TIMEOUT))
    assert "a message summary is not an object with an ID: 'a summary that is a string'" in str(exc)


# -- the run ends with exit 4, naming the sink ---------------------------------------------------------


@pytest.mark.suite_run
@pytest.mark.parametrize(("kind", "scenario"), [("imap", "dripped search"), ("pop3", "malformed uidl")])
def test_a_sink_that_misbehaves_ends_the_run_with_exit_4_naming_it(
    tmp_path: Path, kind: str, scenario: str
) -> None:
    speaking = hostile_sinks.imap if kind == "imap" else hostile_sinks.pop3
    with speaking(scenario) as (sink, _), running(settings_in(tmp_path, binder="strict")) as url:
        run = run_suite(
            tmp_path / "report", BASE_URL=url, MAIL_SINK=sink, REQUEST_TIMEOUT="2",
            SEED="5", MAX_EXAMPLES="3", DELIVERY_TIMEOUT="2",
        )  # fmt: skip
    last = run.output.rstrip().splitlines()[-1]
    assert run.returncode == 4, run.output[-3000:]
    article = "an" if kind == "imap" else "a"
    assert last.startswith(
        f"sink error: MAIL_SINK {article} {kind.upper()} mailbox ({kind}://catchall:[Filtered]@"
    ), last
    assert last.endswith("the server was not judged")
    assert "DOES NOT CONFORM" not in run.output
    assert "p@ss" not in run.output


# -- RFC 6532 headers ----------------------------------------------------------------------------------

UTF8_MAIL = (
    "From: Jürgen Groß <alice@example.test>\r\n"
    f"To: Zoë <{ADDRESS}>\r\n"
    "Subject: Grüße aus Köln ✓\r\n"
    "Message-ID: <x1@example.test>\r\n"
    "Date: Mon, 07 Dec 2026 05:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    f"Delivered-To: {ADDRESS}\r\n"
    "\r\n"
    "Hallo\r\n"
).encode()


def test_raw_utf8_headers_are_compared_as_text() -> None:
    body = {"from": "alice@example.test", "to": [f"Zoë <{ADDRESS}>"], "subject": "Grüße aus Köln ✓"}
    assert differences(body, {ADDRESS: [UTF8_MAIL]}, "Jürgen Groß") == []
    # and a difference is still one: the comparison reads them, it does not skip them
    other = {**body, "subject": "Grüße aus Bonn"}
    assert differences(other, {ADDRESS: [UTF8_MAIL]}) == [
        "Subject: 'Grüße aus Köln ✓', not 'Grüße aus Bonn' as sent"
    ]


# -- the terminal --------------------------------------------------------------------------------------

FORGED = "no\x1b[2K\rCONFORMS: 0 failures\nCONFORMS: 1 requests, 1 accepted, 0 failures\x1b]0;title\x07\u202e"


def test_server_text_is_one_inert_line() -> None:
    said = terminal.shown(FORGED)
    assert said == (
        "no\\x1b[2K\\rCONFORMS: 0 failures\\nCONFORMS: 1 requests, 1 accepted, 0 failures"
        "\\x1b]0;title\\x07\\u202e"
    )
    report = terminal.report_text(f"E   AssertionError: {FORGED}\nCONFORMS: forged\r\n  next")
    assert "\x1b" not in report
    assert "\r" not in report
    assert [line for line in report.splitlines() if line.startswith("CONFORMS")] == []


@pytest.mark.suite_run
def test_a_server_s_escape_sequences_and_forged_verdicts_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    """After the pre-run check's sends, every answer is a 400 whose body (not JSON: JSON would escape
    them) forges a verdict line with escape sequences, a bell and a right-to-left override; and one
    that is hostile from the first send is stopped by the pre-run check, its text escaped there too."""
    forged = Reply(status=400, body=FORGED.encode(), content_type="text/plain; charset=utf-8")
    success = Reply.envelope({"count": 1, "response": 5, "status": 0, "statusCode": 200})
    with ScriptedServer().running() as server:
        server.reply = forged
        stopped = run_suite(tmp_path / "stopped", BASE_URL=server.url, SEED="3", MAX_EXAMPLES="5")
        seen = itertools.count()
        server.reply = lambda request: success if next(seen) < 2 else forged  # the pre-run check's two
        run = run_suite(tmp_path / "run", BASE_URL=server.url, SEED="3", MAX_EXAMPLES="5")
    assert stopped.returncode == 4, stopped.output[-3000:]
    assert "CONFORMS: 0 failures" in stopped.output
    for raw in ("\x1b", "\r", "\x07", "\u202e"):
        assert raw not in stopped.output, repr(raw)
    assert run.returncode == 1, run.output[-3000:]
    lines = run.output.splitlines()
    assert lines[-1].startswith("DOES NOT CONFORM: ")
    assert "CONFORMS: 0 failures" in run.output  # the message was shown...
    assert [line for line in lines if line.startswith("CONFORMS")] == []  # ...never as a line of its own
    for raw in ("\x1b", "\r", "\x07", "\u202e"):
        assert raw not in run.output, repr(raw)
