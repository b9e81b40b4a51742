"""The spec-change gate (`onlyoffice-contract spec-diff`), on a temporary repository whose commits each
make one change to openapi.yaml: its verdict and the bump it asks for, for each.

The repository is a copy of this one's tracked files (the spec, the generated client, the sandbox),
built once for the module; each case's commit changes the spec from the first commit. The static
reading runs for every case; the runtime matrix (two sandboxes, two clients, some seconds) only for
three: a vendor limit the static reading cannot see, a narrowed field and the envelope's type. One
case regenerates its client, for the API diff.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.spec_gate import cli, report

pytestmark = pytest.mark.subprocess  # git, interpreters and sandboxes in processes of their own

ROOT = Path(__file__).resolve().parents[1]
Spec = dict[str, Any]


def _schemas(doc: Spec) -> Spec:
    found: Spec = doc["components"]["schemas"]
    return found


def _op(doc: Spec) -> Spec:
    found: Spec = doc["paths"]["/api/2.0/mail/messages/send"]["put"]
    return found


def field_removed(doc: Spec) -> None:
    del _schemas(doc)["SendMessageRequest"]["properties"]["importance"]


def optional_field_added(doc: Spec) -> None:
    _schemas(doc)["SendMessageRequest"]["properties"]["priority"] = {"type": "integer", "format": "int32"}


def enum_value_removed(doc: Spec) -> None:
    share = _schemas(doc)["FileShare"]
    share["enum"], share["x-enum-varnames"] = share["enum"][:-1], share["x-enum-varnames"][:-1]


def enum_value_added(doc: Spec) -> None:
    share = _schemas(doc)["FileShare"]
    share["enum"], share["x-enum-varnames"] = [*share["enum"], 9], [*share["x-enum-varnames"], "Extra"]


def status_removed(doc: Spec) -> None:
    del _op(doc)["responses"]["404"]


def description_changed(doc: Spec) -> None:
    _op(doc)["description"] += "\nOne more sentence.\n"
    _schemas(doc)["SendMessageRequest"]["properties"]["subject"]["description"] = "The subject line."


def type_widened(doc: Spec) -> None:
    _schemas(doc)["MailAttachment"]["properties"]["fileNumber"] = {
        "type": "integer",
        "format": "int64",
        "minimum": -9223372036854775808,
        "maximum": 9223372036854775807,
    }


def type_narrowed(doc: Spec) -> None:
    _schemas(doc)["SendMessageRequest"]["properties"]["subject"]["maxLength"] = 5


def field_made_required(doc: Spec) -> None:
    _schemas(doc)["SendMessageRequest"]["required"].append("subject")


def envelope_response_type_changed(doc: Spec) -> None:
    _schemas(doc)["SuccessEnvelope"]["properties"]["response"] = {"type": "string"}


def header_dropped(doc: Spec) -> None:
    del doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"]


def field_renamed(doc: Spec) -> None:
    properties = _schemas(doc)["SendMessageRequest"]["properties"]
    properties["isImportant"] = properties.pop("importance")


def limit_lowered(doc: Spec) -> None:
    """A vendor extension the sandbox enforces: the static reading sees only an extension changed."""
    _schemas(doc)["SendMessageRequest"]["properties"]["attachments"]["x-total-size-limit"] = 1000


def _media_type_removed(doc: Spec) -> None:
    del doc["components"]["responses"]["Unauthorized"]["content"]["text/plain"]


# name: (change, verdict line word, bump needed, the runtime matrix too)
CASES: dict[str, tuple[Callable[[Spec], None], str, str, bool]] = {
    "field removed": (field_removed, "breaking", "major", False),
    "optional field added": (optional_field_added, "compatible", "minor", False),
    "enum value removed": (enum_value_removed, "breaking", "major", False),
    "enum value added": (enum_value_added, "breaking", "major", False),
    "status removed": (status_removed, "breaking", "major", False),
    "description changed": (description_changed, "compatible", "patch", False),
    "type widened": (type_widened, "breaking", "major", False),
    "type narrowed": (type_narrowed, "breaking", "major", False),
    "field made required": (field_made_required, "breaking", "major", False),
    "envelope response type changed": (envelope_response_type_changed, "breaking", "major", False),
    "media type removed": (_media_type_removed, "breaking", "major", False),
    "header dropped": (header_dropped, "breaking", "major", False),
    "limit lowered": (limit_lowered, "breaking", "major", True),
    "field renamed": (field_renamed, "breaking", "major", False),
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding this one's tracked files as its first commit, and a branch per case."""
    where = tmp_path_factory.mktemp("gate") / "repo"
    where.mkdir()
    tracked = _git(ROOT, "ls-files", "-z").split("\0")
    for name in filter(None, tracked):
        source = ROOT / name
        target = where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copy2(source, target)
    # This branch's own working changes count as tracked content of the copy.
    _git(where, "init", "--quiet", "-b", "main")
    _git(where, "-c", "user.name=t", "-c", "user.email=t@example.test", "add", "-A")
    _git(where, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "--quiet", "-m", "base")
    text = (where / "openapi.yaml").read_text()
    original = yaml.safe_load(text)
    for name, (change, *_rest) in CASES.items():
        doc = copy.deepcopy(original)
        change(doc)
        (where / "openapi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        _git(where, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-am", name)
        _git(where, "tag", _tag(name))
    # Back to the first commit's spec, so that HEAD's openapi.yaml is the base again.
    (where / "openapi.yaml").write_text(text)
    _git(where, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-am", "back")
    assert len(_git(where, "rev-list", "HEAD").split()) >= 12
    return where


def _tag(name: str) -> str:
    return name.replace(" ", "-")


def _at(repo: Path, name: str) -> None:
    """The working tree's openapi.yaml as the case's commit left it (compared with the first commit)."""
    _git(repo, "checkout", "--quiet", _tag(name), "--", "openapi.yaml")


def _first(repo: Path) -> str:
    return _git(repo, "rev-list", "--max-parents=0", "HEAD").strip()


_REPORTS: dict[tuple[str, bool], dict[str, Any]] = {}


def _report(repo: Path, name: str, with_runtime: bool | None = None) -> dict[str, Any]:
    """The gate's report of the case's change (once per module and process: the matrix costs seconds);
    with the runtime matrix where the case says so, or where asked."""
    key = (name, CASES[name][3] if with_runtime is None else with_runtime)
    if key not in _REPORTS:
        _at(repo, name)
        try:
            _REPORTS[key] = cli.gate(repo, _first(repo), with_runtime=key[1])
        finally:
            _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml")
    return _REPORTS[key]


@pytest.mark.parametrize("name", list(CASES))
def test_each_change_gets_its_verdict_and_bump(repo: Path, name: str) -> None:
    _change, kind, bump, _with_runtime = CASES[name]
    found = _report(repo, name)
    verdict = found["verdict"]
    assert verdict["needed_bump"] == bump, (
        name,
        found["changes"],
        found["runtime"] and found["runtime"]["findings"],
    )
    assert verdict["line"].startswith(f"spec-diff: {kind} "), verdict["line"]
    # No case bumps info.version, and each needs a bump: none passes.
    assert verdict["given_bump"] == "none"
    assert verdict["passes"] is False
    assert found["changes"], "each case changes the spec"


def test_a_rename_is_read_as_one(repo: Path) -> None:
    [change] = _report(repo, "field renamed")["changes"]
    assert change["where"].endswith(".importance")
    assert change["what"].startswith("renamed to isImportant")
    assert change["breaks_clients"]


def test_static_compatible_runtime_breaking_is_reported_as_such(repo: Path) -> None:
    """A lowered vendor limit: the static reading sees only an extension (info); the new sandbox refuses
    what old clients send."""
    found = _report(repo, "limit lowered")
    assert [c["verdict"] for c in found["changes"]] == ["info"]
    assert found["verdict"]["static"] == "compatible"
    assert found["verdict"]["runtime"] == "breaking"
    assert "static reading calls it compatible" in found["verdict"]["disagreement"]
    assert any(f["who"] == "clients" for f in found["runtime"]["findings"])
    assert "static reading calls it compatible" in report.changelog(found)


def test_runtime_findings_of_the_changes_the_matrix_sees(repo: Path) -> None:
    """A narrowed field refuses first-party bodies in the new sandbox; the envelope's `response` as a
    string makes every real answer invalid against the new spec: both show in the matrix."""
    narrowed = _report(repo, "type narrowed", with_runtime=True)["runtime"]["findings"]
    refused = "the base client works against its own sandbox but not against the head sandbox: answered 400"
    assert any(f["who"] == "clients" and f["what"].startswith(refused) for f in narrowed), narrowed
    # The drafts of the first-party traffic have longer subjects: the new sandbox does not load them.
    assert any(f["case"] == "the first-party drafts" and "too long" in f["what"] for f in narrowed), narrowed
    envelope = _report(repo, "envelope response type changed", with_runtime=True)["runtime"]["findings"]
    assert any(
        "200 answer is valid against the base spec, not the working tree spec" in f["what"] for f in envelope
    )


def test_a_change_with_its_bump_passes(repo: Path) -> None:
    _at(repo, "optional field added")
    doc = yaml.safe_load((repo / "openapi.yaml").read_text())
    major, minor, _patch = (int(p) for p in doc["info"]["version"].split("."))
    doc["info"]["version"] = f"{major}.{minor + 1}.0"
    (repo / "openapi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        found = cli.gate(repo, _first(repo), with_runtime=False)
    finally:
        _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml")
    assert found["verdict"]["given_bump"] == "minor"
    assert found["verdict"]["passes"] is True


def test_the_client_api_diff_names_the_removed_attribute(repo: Path) -> None:
    """The working tree's client regenerated without `importance`: griffe's reading names it."""
    _at(repo, "field removed")
    generated = repo / "generated" / "onlyoffice_send_client" / "models" / "send_message_request.py"
    text = generated.read_text()
    generated.write_text(text.replace("    importance: bool | Unset = UNSET\n", ""))
    try:
        found = cli.gate(repo, _first(repo), with_runtime=False)
    finally:
        _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml", "generated")
    assert any(a["where"].endswith("SendMessageRequest.importance") for a in found["client_api"]), found[
        "client_api"
    ]


def test_a_regenerated_client_whose_answer_type_changed(repo: Path) -> None:
    """The envelope's `response` as a string, and the client regenerated from it: griffe's reading and
    the annotations name the attribute whose type changed, beside the static reading."""
    _at(repo, "envelope response type changed")
    try:
        subprocess.run(
            [sys.executable, "-m", "codegen", "generate"], cwd=repo, check=True, capture_output=True
        )
        found = cli.gate(repo, _first(repo), with_runtime=False)
    finally:
        _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml", "generated")
        _git(repo, "clean", "-fdq", "generated")
    changed = {a["where"]: a["what"] for a in found["client_api"]}
    where = "onlyoffice_send_client.models.success_envelope.SuccessEnvelope.response"
    assert changed.get(where) == "type changed: int -> str", changed


@pytest.mark.parametrize(
    ("args", "status"),
    [(["no-such-revision"], 4), (["HEAD", "--static-only"], 0)],
)
def test_exit_status(repo: Path, args: list[str], status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*args, "--repo", str(repo)]) == status
    if status == 4:
        assert "usage: BASE 'no-such-revision' is not a revision" in capsys.readouterr().err


def test_a_spec_that_does_not_load_is_a_usage_error(repo: Path) -> None:
    (repo / "openapi.yaml").write_text("openapi: [unclosed\n")
    try:
        assert cli.main(["HEAD", "--repo", str(repo), "--static-only"]) == 4
    finally:
        _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml")


def test_a_breaking_change_without_its_bump_exits_1(repo: Path, tmp_path: Path) -> None:
    _at(repo, "field removed")
    try:
        status = cli.main(
            [
                _first(repo),
                "--repo",
                str(repo),
                "--static-only",
                "--changelog",
                str(tmp_path / "new" / "entry.md"),
            ]
        )
    finally:
        _git(repo, "checkout", "--quiet", "HEAD", "--", "openapi.yaml")
    assert status == 1
    entry = (tmp_path / "new" / "entry.md").read_text()  # its folder made, as reports/ in a fresh clone
    assert "### Breaking for clients" in entry
    assert "importance" in entry
