"""The run's result for CI: `verdict.json` beside the JUnit file, and under GitHub Actions a step summary
and one `::error` annotation per failure.

Everything written here passes through the run's redactor: the key, and a password in BASE_URL or
MAIL_SINK, are never written. `verdict.json`:

    {"verdict": "conforms" | "does not conform" | "no verdict" | "usage error", "exit_status": 0,
     "line": the last line the run printed, "target", "profile", "tier", "seed",
     "counts": {"requests", "accepted", "failures", "known_deviations", "throttled"},
     "deviations": [{"rule", "expected", "seen"}],
     "failures": [{"check", "id", "rule", "count", "request", "reproduce", "replay"}],
     "reports": {"junit", "coverage", "coverage_json"}}
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract_tests import pacing, preflight
from onlyoffice_contract.facts import RuleId

if TYPE_CHECKING:
    from contract_tests.plugin import ContractRun

FILE = "verdict.json"
JUNIT = "contract-junit.xml"
WORDS = {
    0: "conforms",
    1: "does not conform",
    preflight.USAGE: "usage error",
    pacing.NO_VERDICT: "no verdict",
}


def word(status: int) -> str:
    return WORDS.get(status, "no verdict")


def _write(report_dir: Path, content: dict[str, Any]) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / FILE).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8")


def publish(run: ContractRun, status: int, replays: dict[str, str]) -> list[str]:
    """Write verdict.json and, under GitHub Actions, the step summary; gives the annotation lines to print."""
    s, redact = run.settings, run.redactor.text
    failures = [
        {
            "check": f.check,
            "id": None if f.fact is None else f.fact.value,  # the registry's (onlyoffice_contract.facts)
            "rule": f.fact.sentence if isinstance(f.fact, RuleId) else None,
            "count": f.count,
            "request": f.request,
            "reproduce": f.reproduce,
            "replay": replays.get(f.check),
        }
        for f in run.coverage.failures
    ]
    content = {
        "verdict": word(status),
        "exit_status": status,
        "line": run.verdict(status),
        "target": s.target,
        "profile": s.profile,
        "tier": s.tier,
        "seed": s.seed,
        "counts": {
            "requests": run.sends.sends,
            "accepted": run.accepted,
            "failures": len(run.coverage.failures),
            "known_deviations": len(run.deviations),
            "throttled": run.pacer.throttled,
        },
        "deviations": [
            {"id": d.id.value, "name": d.name, "expected": d.expected, "seen": d.seen, "requests": count}
            for d, count in run.coverage.defects.items()
        ],
        "failures": failures,
        "reports": {
            "junit": str(s.report_dir / JUNIT),
            "coverage": str(s.report_dir / "contract-coverage.md"),
            "coverage_json": str(s.report_dir / "contract-coverage.json"),
        },
    }
    content = json.loads(redact(json.dumps(content)))  # the key masked in every string, once
    _write(s.report_dir, content)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        _summary(Path(os.environ["GITHUB_STEP_SUMMARY"]), content)
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return []
    lines = [
        _annotation(f"contract: {f['check']}", f"{f['request']}; reproduce: {f['reproduce']}")
        for f in failures
    ]
    if not failures and status != 0:  # a usage error is red; no verdict is neither red nor green
        level = "warning" if status == pacing.NO_VERDICT else "error"
        lines.append(_annotation(f"contract: {content['verdict']}", content["line"], level))
    return lines


def _escape(text: str, properties: bool = False) -> str:
    """A workflow command's data (or property) escaped as the runner reads it."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text


def _annotation(title: str, message: str, level: str = "error") -> str:
    return f"::{level} title={_escape(title[:200], True)}::{_escape(message)}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _summary(path: Path, content: dict[str, Any]) -> None:
    counts = content["counts"]
    lines = [
        f"## ONLYOFFICE send contract: {content['verdict'].upper()}",
        "",
        f"`{content['line']}`",
        "",
        f"Target {content['target']}; profile {content['profile']}; tier {content['tier']};"
        f" SEED={content['seed']} (the same seed sends the same cases). {counts['requests']} requests,"
        f" {counts['accepted']} accepted, {counts['throttled']} throttled answers waited on.",
    ]
    if content["failures"]:
        lines += ["", "| check | times | request | replay |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {_cell(f['check'])} | {f['count']} | `{_cell(f['request'])}` | {_cell(f['replay'] or '')} |"
            for f in content["failures"]
        ]
    if content["deviations"]:
        lines += ["", "Known deviations of the real server:", ""]
        lines += [
            f"- {d['rule']}: {d['seen']}, where the contract says {d['expected']}"
            for d in content["deviations"]
        ]
    lines += [
        "",
        f"Reports: `{content['reports']['junit']}`, `{content['reports']['coverage']}`, `{FILE}`.",
        "",
    ]
    with path.open("a", encoding="utf-8") as summary:
        summary.write("\n".join(lines))


def stopped_before_pytest(report_dir: Path, line: str) -> None:
    """A usage error found before the run started: verdict.json and a JUnit file with one failed
    `preflight` case (never a file of 0 tests, which CI shows green, nor an earlier run's file)."""
    suite = ET.Element("testsuite", name="contract", tests="1", failures="1", errors="0", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="contract", name=preflight.PREFLIGHT)
    ET.SubElement(case, "failure", message=line).text = line
    root = ET.Element("testsuites")
    root.append(suite)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(report_dir / JUNIT, encoding="utf-8", xml_declaration=True)
        _write(report_dir, {"verdict": word(preflight.USAGE), "exit_status": preflight.USAGE, "line": line})
    except OSError:
        pass  # REPORT_DIR itself may be what is wrong: the message says so
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(_annotation("contract: usage error", line))
