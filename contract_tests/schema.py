"""The schemathesis schema of openapi.yaml, configured from the run's settings."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Config

from contract_tests.settings import SuiteSettings
from contract_tests.tiers import COVERAGE_PHASE
from onlyoffice_contract import spec


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
    return schemathesis.openapi.from_path(spec.SPEC_PATH, config=config)
