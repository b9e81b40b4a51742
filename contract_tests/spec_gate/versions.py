"""The version rule (docs/spec.md, "Versions").

`info.version` is the contract's own semantic version, and the generated client's version is the same
(the generator takes it from `info.version`); the server version the contract describes is
`info.x-server-version`. A change that breaks clients or servers needs a major bump, any other change
of the call a minor one, documentation alone a patch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from contract_tests.spec_gate.changes import Change

BUMPS = ("none", "patch", "minor", "major")
START = "start"  # the base predates the rule: nothing to compare, any change passes once
SERVER_VERSION = "x-server-version"
_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def needed(changes: Sequence[Change]) -> str:
    if any(c.breaks_clients or c.breaks_servers for c in changes):
        return "major"
    if any(not c.info for c in changes):
        return "minor"
    return "patch" if changes else "none"


def parse(version: Any) -> tuple[int, int, int]:
    matched = _SEMVER.fullmatch(str(version))
    if matched is None:
        raise ValueError(f"info.version {version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in matched.groups())
    return major, minor, patch


def given(old_info: dict[str, Any], new_info: dict[str, Any]) -> tuple[str, str]:
    """The bump from one `info` to the other, and a note when the versions cannot be compared so."""
    if SERVER_VERSION not in old_info:
        # The base predates the rule: its info.version was the server's, not the contract's.
        return START, f"the base has no {SERVER_VERSION}: the contract's own versioning starts here"
    old, new = parse(old_info.get("version")), parse(new_info.get("version"))
    if new < old:
        return "none", f"info.version went down, from {old_info['version']} to {new_info['version']}"
    for bump, index in (("major", 0), ("minor", 1), ("patch", 2)):
        if new[index] != old[index]:
            return bump, ""
    return "none", ""


def enough(have: str, need: str) -> bool:
    return have == START or BUMPS.index(have) >= BUMPS.index(need)
