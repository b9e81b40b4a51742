"""`pip install .` gives a platform team the suite and the sandbox, with their commands, and nothing else."""

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
    """A fresh venv holding the wheel and its dependencies (at the versions of requirements/lock.txt)."""
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(LOCK), str(wheel)], check=True, timeout=900)
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
    data = [*web.glob("templates/*.html"), *web.glob("static/*.css"), *web.glob("static/docs/*.html")]
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
