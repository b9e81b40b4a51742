"""The run's tiers (TIER): what each does by default; a setting given explicitly wins.

- smoke: for every deploy. Every probe runs, and a few dozen generated cases; no coverage phase
  (its ~190 cases are fixed): under 100 requests to the call against the embedded sandbox.
- standard: the defaults of the settings themselves.
- deep: nightly. Many more cases, and the mail of many more of them read.
"""

from __future__ import annotations

DEFAULTS: dict[str, dict[str, str]] = {
    "smoke": {"MAX_EXAMPLES": "30", "MAX_SENDS": "150", "DELIVERY_SAMPLE": "5"},
    "standard": {},
    "deep": {"MAX_EXAMPLES": "1000", "MAX_SENDS": "6000", "DELIVERY_SAMPLE": "100"},
}
# Whether schemathesis' coverage phase runs (not a setting of its own: the tier is the choice).
COVERAGE_PHASE = {"smoke": False, "standard": True, "deep": True}
