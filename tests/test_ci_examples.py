"""The CI examples (examples/) are files a team copies as they are: they parse, every setting they give
the suite is one the suite has (read from its settings module), they install the suite pinned, run
on the default branch and nightly, one run at a time, the smoke tier after a deploy, and publish the
reports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from contract_tests.settings import TIERS, VARIABLES

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / "examples" / "github-actions" / "contract.yml"
GITLAB = ROOT / "examples" / "gitlab-ci" / ".gitlab-ci.yml"
# The command's options are the settings' names (cli.py): --base-url is BASE_URL.
OPTION = re.compile(r"--([a-z][a-z0-9-]+)")


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text())
    return loaded


def options_named(script: str) -> set[str]:
    return {m.upper().replace("-", "_") for m in OPTION.findall(script)}


def test_github_actions_example() -> None:
    workflow = load(GITHUB)
    triggers: dict[str, Any] = (
        workflow["on"] if "on" in workflow else workflow[True]
    )  # YAML 1.1: `on` is true
    assert triggers["push"]["branches"] == ["main"]  # the default branch, not every push of every branch
    assert triggers["schedule"][0]["cron"]
    assert "deployment_status" in triggers
    assert workflow["concurrency"]["group"]
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    assert not [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout")]  # not this repo
    install = next(s["run"] for s in steps if "pip install" in str(s.get("run", "")))
    assert "-c" in install
    assert "onlyoffice-send-contract[suite] @" in install  # the base alone has no suite (pyproject extras)
    assert re.search(r"@v\d+\.\d+\.\d+$", workflow["env"]["CONTRACT_SUITE"])  # pinned to a tag
    assert workflow["env"]["CONTRACT_LOCK"].endswith("/v0.1.0/requirements/lock.txt")
    [run] = [s for s in steps if "onlyoffice-contract" in str(s.get("run", ""))]
    given = set(run["env"])
    assert given <= set(VARIABLES), given - set(VARIABLES)
    assert options_named(run["run"]) <= set(VARIABLES)
    assert {"BASE_URL", "API_KEY", "FROM", "RECIPIENT_DOMAIN", "TIER", "MAIL_SINK"} <= given
    assert "secrets." in run["env"]["API_KEY"]
    tiers = set(re.findall(r"(?:&&|\|\|) '(\w+)'", run["env"]["TIER"]))  # the values it chooses from
    assert tiers == set(TIERS)
    published = [s for s in steps if "upload-artifact" in str(s.get("uses", ""))]
    assert published
    assert published[0]["if"] == "always()"
    assert published[0]["with"]["path"].strip() == "reports/"
    assert run["env"]["REPORT_DIR"] == "reports"


def test_gitlab_ci_example() -> None:
    pipeline = load(GITLAB)
    template = pipeline[".contract"]
    assert template["resource_group"]  # one run at a time against one portal
    assert template["artifacts"]["when"] == "always"
    assert template["artifacts"]["reports"]["junit"] == "reports/contract-junit.xml"
    assert template["variables"]["REPORT_DIR"] == "reports"
    install = " ".join(template["before_script"])
    assert "-c" in install
    assert "onlyoffice-send-contract[suite] @" in install
    assert re.search(r"@v\d+\.\d+\.\d+$", pipeline["variables"]["CONTRACT_SUITE"])
    jobs = {
        name: job
        for name, job in pipeline.items()
        if isinstance(job, dict) and job.get("extends") == ".contract"
    }
    assert {job["variables"]["TIER"] for job in jobs.values()} == set(TIERS)
    for job in [template, *jobs.values()]:
        assert set(job["variables"]) <= set(VARIABLES), set(job["variables"]) - set(VARIABLES)
        for line in job.get("script", []):
            assert options_named(line) <= set(VARIABLES)
    conditions = " ".join(rule["if"] for job in jobs.values() for rule in job["rules"])
    assert "$CI_DEFAULT_BRANCH" in conditions
    assert '"schedule"' in conditions
    smoke = next(job for job in jobs.values() if job["variables"]["TIER"] == "smoke")
    assert smoke["needs"]  # after the deploy
    assert template["allow_failure"]["exit_codes"] == [75]  # no verdict: a warning, never a red


def test_every_setting_an_example_names_in_a_comment_exists() -> None:
    """A comment that names a setting (a word in capitals the suite could read) names a real one."""
    known_ci = re.compile(r"^(CI_|GITHUB_|STAGING_|CONTRACT_|INBOX$|USER$|PASSWORD$|HOST$|PORT$|JUnit)")
    for path in (GITHUB, GITLAB):
        for line in path.read_text().splitlines():
            comment = line.partition("#")[2]
            for word in re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", comment):
                assert word in VARIABLES or known_ci.match(word), (path.name, word)


def test_spec_gate_example() -> None:
    """The gate's example runs on pull requests, against their base branch, with the history it needs,
    through the Makefile target whose exit status is the gate's."""
    workflow = load(ROOT / "examples" / "github-actions" / "spec-gate.yml")
    triggers: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]
    assert "openapi.yaml" in triggers["pull_request"]["paths"]
    steps = workflow["jobs"]["spec-diff"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = [step["run"] for step in steps if "run" in step]
    assert any(r.startswith("make spec-diff BASE=origin/${{ github.base_ref }}") for r in runs)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^spec-diff:", makefile, re.MULTILINE)
    assert "onlyoffice-contract spec-diff" in makefile
