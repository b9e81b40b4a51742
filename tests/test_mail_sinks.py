"""The sinks that read a real mail store: IMAP and POP3 on a Dovecot of the test's own, and Mailpit's API
on a stand-in (harness/mailpit_standin.py: Mailpit cannot be installed here).

The path is the one a user has: sandbox -> SMTP -> a relay (harness/delivery_faults.py, `forwarding`)
-> Dovecot's LMTP, or Mailpit's SMTP -> the suite reads MAIL_SINK. Each sink must pass the sandbox,
and catch, by name, three delivery faults in one run (each kept to the mail of a probe or two, so
that a run takes one DELIVERY_TIMEOUT at most): the faults are proven one by one with a Maildir in
tests/test_contract_delivery.py; here, that each sink sees a lost copy, a second copy and a header.
Without Dovecot these fail, not skip: `make test` installs it (`make dovecot`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from contract_tests.mail import parse_url
from contract_tests.plugin import COVERAGE_FILE
from contract_tests.settings import load
from harness import dovecot, mailpit_standin
from harness.delivery_faults import DELIVERY_FAULTS, Change, as_is, combined, forwarding, only_where
from harness.sandboxes import running, settings_in
from harness.suite import run_suite

pytestmark = pytest.mark.dovecot

SETTINGS = {"SEED": "5", "MAX_EXAMPLES": "5", "DELIVERY_TIMEOUT": "10"}
_BY_NAME = {f.name: f for f in DELIVERY_FAULTS}
CAUGHT = [
    _BY_NAME[n] for n in ("a mail never delivered", "a duplicated delivery", "Bcc leaked into the headers")
]
never, twice, leaked = CAUGHT
# The receipt probe's mail is lost, the reply's comes twice, every Bcc recipient is named in a header.
FAULTY = combined(
    only_where("Return-Receipt-To", never.change), only_where("In-Reply-To", twice.change), leaked.change
)
SINKS = ["imap", "pop3", "mailpit"]


@pytest.fixture(scope="module")
def mail_server() -> Iterator[dovecot.Dovecot]:
    with dovecot.running() as server:
        yield server


def _seen_flags(server: dovecot.Dovecot) -> list[str]:
    """The Maildir's messages that Dovecot flags seen (`:2,S` in the file name)."""
    files = [p.name for sub in ("new", "cur") for p in (server.folder / "home" / "Maildir" / sub).iterdir()]
    assert files
    return [name for name in files if "S" in name.partition(":2,")[2]]


@contextmanager
def _sink(kind: str, server: dovecot.Dovecot | None, change: Change | None) -> Iterator[tuple[str, str]]:
    """(the relay the sandbox sends to, MAIL_SINK)."""
    change = change or as_is
    if kind == "mailpit":
        with mailpit_standin.running() as standin, forwarding(standin.smtp, change) as smtp:
            yield smtp, f"mailpit:{standin.url}"
        return
    assert server is not None
    with forwarding(server.lmtp, change, lmtp=True) as smtp:
        yield smtp, server.url(kind)


def _run(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest, change: Change | None
) -> tuple[int, str, str]:
    server = None if kind == "mailpit" else request.getfixturevalue("mail_server")
    with (
        _sink(kind, server, change) as (smtp, sink),
        running(settings_in(tmp_path, binder="strict", smtp=smtp)) as url,
    ):
        run = run_suite(tmp_path / "report", BASE_URL=url, MAIL_SINK=sink, **SETTINGS)
    return run.returncode, run.output, (tmp_path / "report" / COVERAGE_FILE).read_text()


@pytest.mark.parametrize("kind", SINKS)
def test_the_sandbox_passes_read_through_each_sink(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    returncode, output, coverage = _run(tmp_path, kind, request, None)
    assert returncode == 0, output[-3000:]
    passed = [
        r for r in coverage.splitlines() if r.startswith("| delivered mail |") and r.endswith("| passed |")
    ]
    assert len(passed) >= 14, coverage  # every accepted probe but the account's file, as with a Maildir
    assert dovecot.PASSWORD not in output
    assert quote(dovecot.PASSWORD, safe="") not in output
    if kind != "mailpit":  # read only: nothing flagged seen (EXAMINE, BODY.PEEK; POP3's TOP, not RETR)
        assert _seen_flags(request.getfixturevalue("mail_server")) == []


@pytest.mark.parametrize("kind", SINKS)
def test_each_sink_catches_a_lost_a_doubled_and_a_leaking_delivery(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    returncode, output, _ = _run(tmp_path, kind, request, FAULTY)
    assert returncode == 1, output[-3000:]
    for fault in CAUGHT:
        assert fault.caught_by in output, (fault.name, output[-3000:])


def test_a_wrong_password_is_a_usage_error_that_names_mail_sink_not_the_password(
    tmp_path: Path, mail_server: dovecot.Dovecot
) -> None:
    """IMAP only: POP3 opens the same way (`_Remote`), and its refusal takes Dovecot 8 s."""
    wrong = mail_server.url("imap").replace(quote(dovecot.PASSWORD, safe=""), quote("Wr0ng p@ss", safe=""))
    with running(settings_in(tmp_path, binder="strict")) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, MAIL_SINK=wrong, **SETTINGS)
    assert run.returncode == 4, run.output[-3000:]
    assert "usage: MAIL_SINK: cannot read" in run.output
    assert "catchall:[Filtered]@127.0.0.1" in run.output
    assert "Wr0ng" not in run.output
    assert "Authentication failed" in run.output or "AUTHENTICATIONFAILED" in run.output


def test_the_url_is_percent_decoded_and_its_password_never_shown() -> None:
    given = "imaps://me%40example.com:p%40ss%2Fw%20rd@mail.example.com/Archive%2F2024"
    url = parse_url(given)
    assert (url.user, url.password, url.mailbox, url.port, url.tls) == (
        "me@example.com",
        "p@ss/w rd",
        "Archive/2024",
        993,
        True,
    )
    settings = load({"MAIL_SINK": given})
    for shown in (repr(url), repr(settings), url.shown):
        assert "p@ss" not in shown, shown
        assert "p%40ss" not in shown, shown
    assert "p@ss/w rd" in settings.mail_sink_passwords
