"""`pip install '.[suite]'` gives a platform team the suite and the sandbox, with their commands, and
nothing else; `pip install '.[sandbox]'` gives an app's tests the typed fixture without the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"


# What the build must not see (or would write into the source tree): a copy is built instead.
NOT_SOURCE = (
    ".git",
    ".venv",
    ".tools",
    "reports",
    "sandbox-data",
    "build",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy of the source tree in a temporary folder."""
    source = tmp_path_factory.mktemp("source") / "tree"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    out = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps"]
    subprocess.run([*build, "--no-build-isolation", "-w", str(out), str(source)], check=True, timeout=300)
    [built] = out.glob("onlyoffice_send_contract-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel with the suite and its dependencies (at the versions of
    requirements/lock.txt)."""
    return _venv(tmp_path_factory.mktemp("venv"), f"{wheel}[suite]")


def _venv(env: Path, *packages: str) -> Path:
    """A fresh venv of its own (not --system-site-packages: what it holds is only what was asked)."""
    venv.EnvBuilder(with_pip=True).create(env)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(LOCK), *packages], check=True, timeout=900)
    return env / "bin"


def test_the_wheel_holds_the_three_packages_and_the_spec_but_no_test_support(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"onlyoffice_contract", "contract_tests", "onlyoffice_sandbox"}
    # Every subpackage too (pyproject names each one): a subpackage left out is missing only when installed.
    packages = [path.relative_to(ROOT) for top in tops for path in (ROOT / top).rglob("__init__.py")]
    assert len(packages) >= 5
    assert [str(package) for package in packages if str(package) not in names] == []
    spec = zipfile.ZipFile(wheel).read("onlyoffice_contract/openapi.yaml")
    assert spec == (ROOT / "openapi.yaml").read_bytes()  # the file itself, not a link
    own_spec = zipfile.ZipFile(wheel).read("onlyoffice_sandbox/sandbox-api.yaml")
    assert own_spec == (ROOT / "sandbox-api.yaml").read_bytes()


def test_the_wheel_holds_the_pages_and_the_pytest_plugin(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    web = ROOT / "onlyoffice_sandbox" / "web"
    data = [
        *web.glob("templates/*.html"),
        *web.glob("static/*.css"),
        *web.glob("static/*.js"),
        *web.glob("static/docs/*.html"),
    ]
    assert len(data) >= 8
    for path in data:
        assert str(path.relative_to(ROOT)) in names, path
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert (
        "[pytest11]\nonlyoffice_sandbox = onlyoffice_sandbox.pytest_plugin"
        in archive.read(entry_points).decode()
    )


@pytest.mark.parametrize("command", ["onlyoffice-contract", "onlyoffice-sandbox"])
def test_each_command_prints_its_help(installed: Path, command: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [str(installed / command), "--help"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert f"usage: {command}" in run.stdout
    assert "BASE_URL" in run.stdout if command == "onlyoffice-contract" else "SANDBOX_SMTP" in run.stdout


def test_the_suite_with_no_target_runs_the_embedded_sandbox_and_passes(
    installed: Path, tmp_path: Path
) -> None:
    """Outside the source tree, with only the installed packages: the spec comes from the wheel."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "BASE_URL", "API_KEY", "FROM"}}
    env.update({"SEED": "3", "MAX_EXAMPLES": "20", "REPORT_DIR": str(tmp_path / "reports")})
    run = subprocess.run(
        [str(installed / "onlyoffice-contract")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "target the embedded sandbox" in run.stdout
    assert str(installed.parent) in run.stdout  # it ran the installed copy (rootdir), not this tree
    assert "configfile: pytest.ini" in run.stdout  # the suite's own, from the wheel (not ../../dev/null)
    assert (tmp_path / "reports" / "verdict.json").is_file()
    assert (tmp_path / "reports" / "contract-junit.xml").is_file()


def test_a_usage_error_is_exit_status_4(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BASE_URL": "http://127.0.0.1:9", "API_KEY": "", "FROM": ""}
    run = subprocess.run(
        [str(installed / "onlyoffice-contract")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 4
    assert "usage: BASE_URL is set, so API_KEY and FROM must be set too" in run.stderr


# A scratch app, as a team would write one: its code calls the send API with httpx, its test uses the
# fixture, annotated with the exported `Sandbox`.
APP = {
    "mailer.py": """
import httpx


def send_welcome(portal: str, token: str, sender: str, to: str) -> int:
    answer = httpx.put(
        f"{portal}/api/2.0/mail/messages/send",
        headers={"Authorization": token},
        json={"from": sender, "to": [to], "subject": "Welcome", "body": "<p>Hello Bob</p>"},
    )
    answer.raise_for_status()
    sent: int = answer.json()["response"]
    return sent
""",
    "test_mailer.py": """
import sys

from mailer import send_welcome
from onlyoffice_sandbox import Sandbox


def test_the_welcome_goes_out(sandbox: Sandbox) -> None:
    sent = send_welcome(sandbox.url, sandbox.token, sandbox.address, "bob@example.org")
    [mail] = sandbox.wait_for_mail(to="example.org", subject="Welcome")
    assert mail["sendId"] == sent
    assert "Hello Bob" in sandbox.message(mail["key"])["html"]


def test_the_suite_is_not_loaded() -> None:
    assert not {"schemathesis", "hypothesis", "contract_tests"} & set(sys.modules)
""",
}


def test_an_app_with_only_the_sandbox_extra_runs_the_fixture_and_passes_mypy_strict(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The extra alone: no schemathesis or hypothesis installed, no plugin of theirs in pytest,
    and mypy --strict reads the fixture's types (py.typed, `Sandbox` exported). One venv for all."""
    bin_dir = _venv(tmp_path_factory.mktemp("app-venv"), f"{wheel}[sandbox]", "pytest", "mypy")
    app = tmp_path_factory.mktemp("app")
    for name, text in APP.items():
        (app / name).write_text(text.lstrip())
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH"}}
    python = str(bin_dir / "python")
    absent = subprocess.run(
        [
            python,
            "-c",
            "import importlib.util as u; print([n for n in ('schemathesis', 'hypothesis')"
            " if u.find_spec(n)])",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=app,
        env=env,
        check=True,
    )
    assert absent.stdout.strip() == "[]"
    tests = subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-v", "test_mailer.py"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=app,
        env=env,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert "2 passed" in tests.stdout
    [plugins] = [line for line in tests.stdout.splitlines() if line.startswith("plugins:")]
    assert "onlyoffice-send-contract" in plugins
    assert "hypothesis" not in plugins
    assert "schemathesis" not in plugins
    typed = subprocess.run(
        [python, "-m", "mypy", "--strict", "--no-incremental", "mailer.py", "test_mailer.py"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=app,
        env=env,
    )
    assert typed.returncode == 0, typed.stdout[-3000:]
    assert "Success: no issues found in 2 source files" in typed.stdout
    # The suite's command comes with the base install; without its extra it says which to install.
    command = subprocess.run(
        [str(bin_dir / "onlyoffice-contract")], capture_output=True, text=True, timeout=60, cwd=app, env=env
    )
    assert command.returncode == 4, command.stderr[-3000:]
    assert "pip install 'onlyoffice-send-contract[suite]'" in command.stderr
    assert "Traceback" not in command.stderr
