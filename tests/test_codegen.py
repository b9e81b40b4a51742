"""The generator's configuration, and the package it produces."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from openapi_python_client.config import ConfigFile

from codegen import LITTER, differences, generate
from codegen.generate import GENERATED

ROOT = Path(__file__).resolve().parents[1]


def test_every_config_key_is_one_the_generator_reads() -> None:
    # openapi-python-client ignores unknown keys without a word: a typo would change nothing.
    config = yaml.safe_load((ROOT / "codegen" / "config.yaml").read_text())
    assert set(config) <= set(ConfigFile.model_fields)


def test_every_template_overrides_a_builtin_one() -> None:
    # A misnamed template would be ignored just as silently.
    import openapi_python_client

    builtin = Path(openapi_python_client.__file__).parent / "templates"
    ours = [
        p.relative_to(ROOT / "codegen" / "templates")
        for p in (ROOT / "codegen" / "templates").rglob("*.jinja")
    ]
    assert ours
    for template in ours:
        assert (builtin / template).is_file(), template


@pytest.mark.subprocess
def test_the_package_installs_into_a_fresh_venv_and_is_typed(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, str(ROOT / "generated")], check=True, timeout=300)
    probe = (
        "import importlib.resources, onlyoffice_send_client as c;"
        "from onlyoffice_send_client.api.messages import send_message;"
        "print(importlib.resources.files(c).joinpath('py.typed').is_file(), c.__file__)"
    )
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True, timeout=60)
    typed, where = out.stdout.split()
    assert typed == "True"
    assert where.startswith(str(env))  # the installed copy, not the source tree
    # mypy in that venv sees the package as typed: no "missing library stubs" error.
    sample = tmp_path / "use.py"
    sample.write_text(
        "from onlyoffice_send_client import AuthenticatedClient\nreveal_type(AuthenticatedClient)\n"
    )
    check = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python), str(sample)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert "onlyoffice_send_client.client.AuthenticatedClient" in check.stdout, check.stdout
    assert "import-untyped" not in check.stdout
    assert "import-not-found" not in check.stdout


def test_generated_matches_what_the_spec_generates(tmp_path: Path) -> None:
    """The golden record, as openapi-python-client's own end-to-end tests keep it: regenerate, compare."""
    fresh = tmp_path / "out"
    generate(fresh)
    assert differences(GENERATED, fresh) == []


def test_a_hand_edit_of_generated_code_is_found(tmp_path: Path) -> None:
    """The comparison above can fail: an edited copy of generated/ differs from it, file named."""
    copy = tmp_path / "copy"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns(*LITTER))
    assert differences(GENERATED, copy) == []
    edited = copy / "onlyoffice_send_client" / "errors.py"
    edited.write_text(edited.read_text() + "\n# edited by hand\n")
    (copy / "onlyoffice_send_client" / "stray.py").write_text("")
    assert differences(GENERATED, copy) == [
        "onlyoffice_send_client/errors.py",
        "onlyoffice_send_client/stray.py",
    ]
