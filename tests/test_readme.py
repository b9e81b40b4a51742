"""The README: its send example works exactly as written, against the sandbox `make serve` runs; its
quickstarts name what is there; and it stays short."""

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


# The tables of faulty variants and settings moved to docs/: tests/test_docs_tables.py checks them.


def test_the_readme_is_read_in_five_minutes() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


def test_every_make_command_in_the_readme_is_a_target() -> None:
    """A quickstart followed to the letter: each `make X` it shows is a target of the Makefile, and
    `make test` is the test command (CI's .ci/run calls it)."""
    readme = (ROOT / "README.md").read_text()
    blocks = "\n".join(re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M))
    shown = set(re.findall(r"^make ([a-z-]+)", blocks, re.M))
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))
    assert {"contract", "serve", "generate", "docs", "test"} <= shown
    assert shown <= targets, shown - targets
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_vendoring_step_names_the_package_that_is_there() -> None:
    readme = (ROOT / "README.md").read_text()
    [package] = re.findall(r"cp -r /path/to/this/repo/(\S+) your_app/", readme)
    assert (ROOT / package / "__init__.py").is_file()
    assert (ROOT / package / "py.typed").is_file()
