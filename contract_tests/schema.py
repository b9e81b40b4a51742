"""The schemathesis schema of openapi.yaml, configured from the run's settings."""

from __future__ import annotations

import copy
from typing import Any

import schemathesis
from schemathesis import Config

from contract_tests.settings import SuiteSettings
from contract_tests.tiers import COVERAGE_PHASE
from onlyoffice_contract import spec

# No mailbox has fewer characters than `a@b` (the address parser also wants a dot: `a@b.c`).
SHORTEST_MAILBOX = 3


def as_generated_from(document: dict[str, Any]) -> dict[str, Any]:
    """`document` as schemathesis is given it: without a `minLength` beside the format `mailbox`.

    No mailbox is that short, so the bound rules out nothing the format does not, and no verdict
    changes (the suite judges requests by openapi.yaml itself, `profiles.py`). Given it, schemathesis'
    coverage phase asks for a mailbox of exactly that length and of one more, which none is, and
    spends its whole search proving so: 1.3 of the 4.7 s a run against the sandbox took (measured,
    bench/NOTES.md). The empty address it would have sent as that bound's negative is a probe of its
    own (`rules.py`: an empty from, an empty address in to, cc and bcc)."""
    document = copy.deepcopy(document)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            bound = node.get("minLength")
            if node.get("format") == "mailbox" and isinstance(bound, int) and bound <= SHORTEST_MAILBOX:
                del node["minLength"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return document


def load(settings: SuiteSettings) -> Any:
    config = Config.from_dict(
        {
            "seed": settings.seed,
            # No shrinking: against a live server it would spend sends to make a report shorter.
            "generation": {
                "max-examples": settings.max_examples,
                "database": "none",
                "mode": "all",
                "no-shrink": True,
            },
            "phases": {
                "stateful": {"enabled": False},
                "coverage": {"enabled": COVERAGE_PHASE[settings.tier]},
            },
        }
    )
    loaded = schemathesis.openapi.from_dict(as_generated_from(spec.load()), config=config)
    loaded.location = spec.SPEC_PATH.absolute().as_uri()  # as from_path names it, for the reports
    return loaded
