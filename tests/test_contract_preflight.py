"""The pre-run check (issue 24): every wrong target stops the run at once, with one line, exit 4, after at
most 3 requests, and a failed JUnit `preflight` case, so that CI shows red (never 0 tests, green).

One test per kind of wrong target, each against a real server on loopback (or a port where none
listens): only the DNS failure is made by a resolver that knows no `.invalid` name
(`harness.unresolvable_suite`), since the tests may ask no DNS server.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests import preflight
from harness.asgi import Seen, recording
from harness.faulty_sandboxes import strict_settings
from harness.ports import refusing, unanswered
from harness.sandboxes import TOKEN, running, settings_in
from harness.scripted_server import Reply, ScriptedServer
from harness.suite import SuiteRun, run_suite
from onlyoffice_contract import spec

pytestmark = pytest.mark.suite_run

QUICK = {"SEED": "3", "MAX_EXAMPLES": "10"}
MOST_LINES = 20
MOST_REQUESTS = 3


def assert_stopped(run: SuiteRun, *said: str, status: int = 4) -> str:
    """Stopped before any fuzzing: `said` in the one line that is the last, nowhere else; a short
    output; one failed `preflight` case in JUnit holding that line; verdict.json saying so."""
    lines = run.output.splitlines()
    assert run.returncode == status, run.output[-3000:]
    last = lines[-1]
    for text in said:
        assert text in last, last
    assert run.output.count(last) == 1, run.output  # printed once, not twice
    assert len(lines) < MOST_LINES, run.output
    assert TOKEN not in run.output
    suite = ET.fromstring(run.junit).find("testsuite")  # noqa: S314 (the report the run just wrote)
    assert suite is not None
    assert (suite.attrib["tests"], suite.attrib["failures"]) == ("1", "1"), run.junit
    [case] = list(suite.iter("testcase"))
    assert case.attrib["name"] == preflight.PREFLIGHT
    failure = case.find("failure")
    assert failure is not None
    assert last.startswith(failure.attrib["message"])  # a no verdict line adds the counts
    assert TOKEN not in run.junit
    return last


def verdict_of(report_dir: Path) -> dict[str, object]:
    content: dict[str, object] = json.loads((report_dir / "verdict.json").read_text())
    return content


def sends(server: ScriptedServer) -> int:
    return len([r for r in server.received if spec.OPERATION_PATH in r.path])


def test_connection_refused(tmp_path: Path) -> None:
    with refusing() as url:
        run = run_suite(tmp_path, BASE_URL=url, **QUICK)
    assert_stopped(run, f"BASE_URL={url}: connection refused: nothing listens at 127.0.0.1:")
    assert verdict_of(tmp_path)["verdict"] == "usage error"


def test_a_name_that_does_not_resolve(tmp_path: Path) -> None:
    run = run_suite(
        tmp_path, module="harness.unresolvable_suite", BASE_URL="https://portal.example.invalid", **QUICK
    )
    assert_stopped(run, "BASE_URL=https://portal.example.invalid: the host name", "does not resolve (DNS)")


def test_tls_to_a_server_that_speaks_plain_http(tmp_path: Path) -> None:
    with ScriptedServer().running() as server:
        url = server.url.replace("http://", "https://")
        run = run_suite(tmp_path, BASE_URL=url, **QUICK)
    assert_stopped(run, f"BASE_URL={url}: TLS failed:")


@pytest.mark.parametrize("where", ["silent server", "connect never completed"])
def test_no_answer_in_time(tmp_path: Path, where: str) -> None:
    if where == "silent server":
        with ScriptedServer().running() as server:
            server.reply = Reply(hang=True)
            run = run_suite(tmp_path, BASE_URL=server.url, REQUEST_TIMEOUT="1", **QUICK)
        assert sends(server) <= MOST_REQUESTS
    else:
        with unanswered() as url:
            run = run_suite(tmp_path, BASE_URL=url, REQUEST_TIMEOUT="1", **QUICK)
    assert_stopped(run, "no answer within REQUEST_TIMEOUT=1 s")


def test_a_redirect(tmp_path: Path) -> None:
    with ScriptedServer().running() as server:
        server.reply = Reply(status=302, headers={"Location": "https://sso.example.test/login"})
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert sends(server) <= MOST_REQUESTS
    assert_stopped(run, "was answered 302, redirecting to https://sso.example.test/login", "set BASE_URL")


def test_a_wrong_path_404_says_which_base_url_to_try(tmp_path: Path) -> None:
    """BASE_URL=https://host/api/2.0: the call lands on /api/2.0/api/2.0/..., which the sandbox answers 404"""
    seen: list[Seen] = []
    with running(strict_settings(tmp_path), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url + "/api/2.0", **QUICK)
    assert len(seen) <= MOST_REQUESTS
    assert_stopped(run, "was answered 404: there is no send call at that path", f"(try BASE_URL={url})")


def test_a_405_on_the_call(tmp_path: Path) -> None:
    with ScriptedServer().running() as server:
        server.reply = Reply(status=405, body=b"Method Not Allowed", content_type="text/plain")
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert sends(server) <= MOST_REQUESTS
    assert_stopped(run, "was answered 405: there is no send call at that path")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"<!doctype html><title>Portal</title>", content_type="text/html"),
        Reply(status=502, body=b"<html>Bad Gateway</html>", content_type="text/html"),
        Reply.envelope({"ok": True, "id": 5}),
        Reply(status=402, body=b"", content_type="text/plain"),
    ],
    ids=["a web page", "a proxy's error page", "another API's JSON", "an unpaid portal's empty answer"],
)
def test_an_answer_that_is_not_the_envelope(tmp_path: Path, reply: Reply) -> None:
    with ScriptedServer().running() as server:
        server.reply = reply
        run = run_suite(tmp_path, BASE_URL=server.url, **QUICK)
    assert sends(server) <= MOST_REQUESTS
    assert_stopped(run, f"the answer to a valid send ({reply.status}", "is not ONLYOFFICE's envelope")


def test_a_sandbox_in_the_real_servers_binder_under_strict_suggests_the_onlyoffice_profile(
    tmp_path: Path,
) -> None:
    """`make serve`'s sandbox binds as production does: a strict run would fail with 'Schema-violating
    request accepted' dozens of times, where the answers said which leniency each needed."""
    seen: list[Seen] = []
    with running(settings_in(tmp_path, binder="onlyoffice"), recording(seen)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, **QUICK)
    assert len(seen) <= MOST_REQUESTS
    assert_stopped(run, "PROFILE=strict", "X-Sandbox-Leniency", "try PROFILE=onlyoffice")


def test_the_same_sandbox_under_its_profile_is_not_stopped(tmp_path: Path) -> None:
    with running(settings_in(tmp_path, binder="onlyoffice")) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, PROFILE="onlyoffice", TIER="smoke", SEED="3")
    assert run.returncode == 0, run.output[-3000:]


def test_a_server_that_throttles_every_send_has_no_verdict(tmp_path: Path) -> None:
    """Throttled past THROTTLE_BUDGET from the first send: no verdict, its own status, never a red."""
    with ScriptedServer().running() as server:
        server.reply = Reply(status=429, headers={"Retry-After": "1"}, body=b"", content_type="text/plain")
        run = run_suite(tmp_path, BASE_URL=server.url, THROTTLE_BUDGET="2", **QUICK)
    last = assert_stopped(run, "NO VERDICT", "THROTTLE_BUDGET=2 s", status=75)
    assert sends(server) == 3  # the send, and twice again after Retry-After: 1 s each
    assert verdict_of(tmp_path)["verdict"] == "no verdict"
    assert "does not conform" not in last.lower()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PROFILE": "lax"}, "usage: PROFILE must be one of strict, onlyoffice"),
        ({"TIER": "quick"}, "usage: TIER must be one of smoke, standard, deep"),
        ({"RATE_LIMIT": "fast"}, "usage: RATE_LIMIT must be a number"),
    ],
)
def test_a_usage_error_writes_a_failed_junit_case_not_a_green_file(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    """Before: a usage error left no JUnit file, or an earlier run's green one, or one of 0 tests."""
    (tmp_path / "contract-junit.xml").write_text(
        '<testsuites><testsuite tests="9" failures="0"/></testsuites>'
    )
    run = run_suite(tmp_path, **variables)
    assert run.returncode == 4
    assert run.output.count(message) == 1, run.output
    suite = ET.fromstring(run.junit).find("testsuite")  # noqa: S314
    assert suite is not None
    assert (suite.attrib["tests"], suite.attrib["failures"]) == ("1", "1"), run.junit
    assert message in run.junit
    verdict = verdict_of(tmp_path)
    assert (verdict["verdict"], verdict["exit_status"]) == ("usage error", 4)
    assert str(verdict["line"]).startswith(message)


def test_a_bad_option_writes_a_failed_junit_case(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--no-such-option")
    assert run.returncode == 4
    assert run.output.count("usage: onlyoffice-contract") == 1  # argparse's usage, once
    assert 'failures="1"' in run.junit
