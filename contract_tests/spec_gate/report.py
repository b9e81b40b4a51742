"""The gate's report: JSON for CI, and a Markdown changelog entry a maintainer can paste."""

from __future__ import annotations

from typing import Any

from contract_tests.spec_gate import versions
from contract_tests.spec_gate.changes import Change


def build(
    base: str,
    commit: str,
    old: dict[str, Any],
    new: dict[str, Any],
    changes: list[Change],
    api: list[dict[str, str]],
    matrix: dict[str, Any] | None,
) -> dict[str, Any]:
    static_breaking = any(c.breaks_clients or c.breaks_servers for c in changes) or bool(api)
    runtime_breaking = bool(matrix and matrix["findings"])
    need = versions.needed(changes)
    if static_breaking or runtime_breaking:
        need = "major"
    old_info, new_info = old.get("info", {}), new.get("info", {})
    have, note = versions.given(old_info, new_info)
    passes = versions.enough(have, need)
    disagreement = ""
    if matrix is not None and static_breaking != runtime_breaking:
        disagreement = (
            "the static reading calls it compatible, the runtime matrix shows it breaking"
            if runtime_breaking
            else "the static reading calls it breaking, the runtime matrix saw nothing break"
        )
    kind = (
        "breaking"
        if static_breaking or runtime_breaking
        else ("compatible" if need != "none" else "unchanged")
    )
    line = (
        f"spec-diff: {kind} against {base}; needs a {need} bump,"
        f" has {'none to compare (the versioning starts here)' if have == versions.START else have}"
        f" ({old_info.get('version')} -> {new_info.get('version')}): {'PASS' if passes else 'FAIL'}"
        if need != "none"
        else f"spec-diff: no change of the call against {base}: PASS"
    )
    return {
        "base": {"ref": base, "commit": commit, "version": old_info.get("version")},
        "head": {"version": new_info.get("version"), "server_version": new_info.get(versions.SERVER_VERSION)},
        "changes": [c.as_json() for c in changes],
        "client_api": api,
        "runtime": matrix,
        "verdict": {
            "static": "breaking" if static_breaking else "compatible",
            "runtime": None if matrix is None else ("breaking" if runtime_breaking else "compatible"),
            "disagreement": disagreement,
            "needed_bump": need,
            "given_bump": have,
            "version_note": note,
            "passes": passes,
            "line": line,
        },
    }


def _needs(bump: str) -> str:
    return "needs no bump" if bump == "none" else f"needs a {bump} bump"


def changelog(found: dict[str, Any]) -> str:
    verdict = found["verdict"]
    lines = [f"## {found['head']['version']}"]
    if found["head"]["server_version"]:
        lines[0] += f" (ONLYOFFICE server {found['head']['server_version']})"
    lines += [
        "",
        f"Against {found['base']['ref']} ({found['base']['version']}): static reading {verdict['static']},"
        f" runtime matrix {verdict['runtime'] or 'not run'}; {_needs(verdict['needed_bump'])}.",
    ]
    if verdict["disagreement"]:
        lines.append(f"Note: {verdict['disagreement']}.")
    if verdict["version_note"]:
        lines.append(f"Note: {verdict['version_note']}.")
    sections = [
        ("Breaking for clients", [c for c in found["changes"] if c["breaks_clients"]]),
        (
            "Breaking for servers",
            [c for c in found["changes"] if c["breaks_servers"] and not c["breaks_clients"]],
        ),
        ("Compatible", [c for c in found["changes"] if c["verdict"] == "compatible"]),
        ("Documentation", [c for c in found["changes"] if c["info"]]),
    ]
    for title, items in sections:
        if items:
            lines += ["", f"### {title}", ""]
            lines += [f"- `{c['where']}`: {c['what']}" for c in items]
    if found["client_api"]:
        lines += ["", "### Client API (onlyoffice_send_client)", ""]
        lines += [f"- `{a['where']}`: {a['what']}" for a in found["client_api"]]
    if found["runtime"] and found["runtime"]["findings"]:
        lines += ["", "### Seen breaking at run time", ""]
        lines += [f"- {f['case']} (breaks {f['who']}): {f['what']}" for f in found["runtime"]["findings"]]
    return "\n".join(lines) + "\n"
