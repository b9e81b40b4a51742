"""The README's send example works exactly as written, against the sandbox `make serve` runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.sandboxes import wait_until
from onlyoffice_sandbox import Subprocess
from onlyoffice_sandbox.settings import DEFAULT_MAILBOX, DEFAULT_PASSWORD, DEFAULT_TOKEN

ROOT = Path(__file__).resolve().parents[1]
SERVE_URL = "http://127.0.0.1:8080"


@pytest.mark.subprocess
def test_the_send_example_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    [example] = re.findall(r"\.venv/bin/python - <<'PY'\n(.*?)\nPY\n", readme, re.S)
    # The example names the defaults `make serve` prints; only the port differs here.
    assert example.count(SERVE_URL) == 1
    assert f'token="{DEFAULT_TOKEN}"' in example
    assert re.search(r"<(.*)>", DEFAULT_MAILBOX)[1] in example  # type: ignore[index]
    with Subprocess(cwd=tmp_path) as sandbox:  # every setting at its default
        # The banner names the defaults the README gives a newcomer, Basic credentials among them.
        login = re.search(r"<(.*)>", DEFAULT_MAILBOX)[1]  # type: ignore[index]
        banner = f"  basic:   {login} / {DEFAULT_PASSWORD}\n"
        wait_until(lambda: banner in sandbox.output)  # printed after the line Subprocess waits for
        assert f"`{login}`" in readme
        assert f"`{DEFAULT_PASSWORD}`" in readme
        script = example.replace(SERVE_URL, sandbox.url)
        run = subprocess.run(
            [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=60, cwd=ROOT
        )
        # Delivery is in the background: wait for it (the long poll) before the sandbox stops.
        waited = httpx.get(sandbox.url + "/sandbox/api/messages/wait", params={"timeout": 30}, timeout=60)
        assert waited.status_code == 200, waited.text
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"message id: [1-9][0-9]*\n", run.stdout)
    assert list((tmp_path / "sandbox-data" / "mail").glob("*.eml"))  # captured where the README says


def test_every_faulty_variant_is_listed_with_its_check() -> None:
    from harness.faulty_sandboxes import FAULTS

    readme = (ROOT / "README.md").read_text()
    for fault in FAULTS:
        assert f"| {fault.name} | {fault.caught_by} |" in readme, fault.name


def test_every_delivery_fault_is_listed_with_its_check() -> None:
    from harness.delivery_faults import DELIVERY_FAULTS

    readme = (ROOT / "README.md").read_text()
    for fault in DELIVERY_FAULTS:
        assert f"| {fault.name} | {fault.caught_by} |" in readme, fault.name


def table_variables(readme: str, first_row: str) -> list[str]:
    """The variables named in the first column of the README table that holds `first_row`."""
    table = readme[readme.index(first_row) :].split("\n\n", 1)[0]
    return [name for row in table.splitlines() for name in re.findall(r"`([A-Z_]+)`", row.split(" | ")[0])]


def test_the_settings_tables_name_every_setting_and_no_other() -> None:
    from contract_tests.settings import VARIABLES
    from onlyoffice_sandbox.settings import described

    readme = (ROOT / "README.md").read_text()
    assert table_variables(readme, "| `BASE_URL` |") == list(VARIABLES)
    assert table_variables(readme, "| `SANDBOX_HOST`, `SANDBOX_PORT` |") == [
        name for name, _, _ in described()
    ]
