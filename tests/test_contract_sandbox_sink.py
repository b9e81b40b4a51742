"""MAIL_SINK=sandbox:URL (issue 24): a sandbox you run yourself is read as the embedded run reads its own,
so that a run against it checks the delivered mail instead of reporting every row "not run"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from harness.faulty_sandboxes import strict_settings
from harness.sandboxes import MAILBOX, TOKEN, running
from harness.scripted_server import Reply, ScriptedServer
from harness.suite import coverage_rows, run_suite
from onlyoffice_contract.mailbox import parse_mailbox

pytestmark = pytest.mark.suite_run

SENDER = parse_mailbox(MAILBOX)
assert SENDER is not None
SETTINGS = {
    "SEED": "5",
    "MAX_EXAMPLES": "5",
    "DELIVERY_TIMEOUT": "5",
    "FROM_NAME": SENDER.display_name,
    "DELIVERY_SAMPLE": "3",
    "DELIVERY_SETTLE": "0",
}


def delivered_rows(report: Path) -> dict[str, str]:
    return {
        what: verdict
        for (kind, what), (_, verdict) in coverage_rows(report).items()
        if kind == "delivered mail"
    }


def test_a_sandbox_you_run_yourself_is_the_mail_sink(tmp_path: Path) -> None:
    with running(strict_settings(tmp_path)) as url:
        run = run_suite(tmp_path / "report", BASE_URL=url, MAIL_SINK=f"sandbox:{url}", **SETTINGS)
    assert run.returncode == 0, run.output[-3000:]
    rows = delivered_rows(tmp_path / "report")
    passed = [what for what, verdict in rows.items() if verdict == "passed"]
    assert len(passed) >= 14, rows  # every accepted probe's mail, read from that sandbox
    assert not [what for what, verdict in rows.items() if verdict.startswith("not run: no MAIL_SINK")]


def test_mail_the_sandbox_never_delivers_fails_the_run(tmp_path: Path) -> None:
    """Its capture refuses every delivery (550, the sandbox's own fault API): never delivered."""
    with running(strict_settings(tmp_path)) as url:
        armed = httpx.put(
            f"{url}/sandbox/api/faults/delivery",
            json={"code": 550, "count": 1_000_000},
            headers={"Authorization": TOKEN},
        )
        assert armed.status_code == 200, armed.text
        run = run_suite(tmp_path / "report", BASE_URL=url, MAIL_SINK=f"sandbox:{url}", **SETTINGS)
    assert run.returncode == 1, run.output[-3000:]
    assert "never delivered" in run.output
    assert "(read from the sandbox at " in run.output


def test_a_sandbox_sink_that_is_no_sandbox_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with ScriptedServer().running() as elsewhere, running(strict_settings(tmp_path)) as url:
        elsewhere.reply = Reply(status=404, body=b"Not Found", content_type="text/plain")
        run = run_suite(tmp_path / "report", BASE_URL=url, MAIL_SINK=f"sandbox:{elsewhere.url}", **SETTINGS)
    assert run.returncode == 4, run.output[-3000:]
    last = run.output.splitlines()[-1]
    assert last.startswith(f"usage: MAIL_SINK: the sandbox at {elsewhere.url} answered 404")
    assert run.output.count(last) == 1
