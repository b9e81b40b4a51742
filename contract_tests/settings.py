"""The suite's settings, from environment variables (make passes its variables through)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from onlyoffice_sandbox.settings import DEFAULT_MAILBOX

PROFILES = ("strict", "onlyoffice")
# Every variable the suite reads (the Makefile exports the same names).
VARIABLES = (
    "BASE_URL",
    "API_KEY",
    "FROM",
    "RECIPIENT_DOMAIN",
    "MAX_EXAMPLES",
    "SEED",
    "MAX_SENDS",
    "REPORT_DIR",
    "PROFILE",
)


class UsageError(Exception):
    """The settings are wrong: nothing was tested."""


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None  # None: start the embedded sandbox
    api_key: str
    from_: str
    recipient_domain: str
    max_examples: int
    seed: int
    max_sends: int
    report_dir: Path
    profile: str

    def __repr__(self) -> str:  # the key never shows
        return f"SuiteSettings(base_url={self.base_url!r}, from_={self.from_!r}, seed={self.seed}, ...)"


def _int(environ: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise UsageError(f"{name} must be at least {minimum}")
    return value


def load(environ: dict[str, str] | None = None) -> SuiteSettings:
    env = dict(os.environ if environ is None else environ)
    base_url = env.get("BASE_URL", "").rstrip("/") or None
    api_key = env.get("API_KEY", "")
    from_ = env.get("FROM", "")
    if base_url is not None:
        missing = [name for name, value in (("API_KEY", api_key), ("FROM", from_)) if not value]
        if missing:
            raise UsageError(f"BASE_URL is set, so {' and '.join(missing)} must be set too")
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"BASE_URL must start with http:// or https://, not {base_url!r}")
    else:
        # The embedded sandbox is configured with whatever key and mailbox the run uses.
        api_key = api_key or secrets.token_urlsafe(16)
        from_ = from_ or DEFAULT_MAILBOX
    domain = env.get("RECIPIENT_DOMAIN", "") or "example.invalid"
    if "@" in domain or "." not in domain.strip(".") or any(c.isspace() or c in "<>,;" for c in domain):
        raise UsageError(f"RECIPIENT_DOMAIN must be a domain name such as example.invalid, not {domain!r}")
    profile = env.get("PROFILE", "") or "strict"
    if profile not in PROFILES:
        raise UsageError(f"PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    return SuiteSettings(
        base_url=base_url,
        api_key=api_key,
        from_=from_,
        recipient_domain=domain.lower(),
        max_examples=_int(env, "MAX_EXAMPLES", 150, 1),
        seed=_int(env, "SEED", secrets.randbelow(2**31), 0),
        max_sends=_int(env, "MAX_SENDS", 2000, 1),
        report_dir=Path(env.get("REPORT_DIR", "") or "reports"),
        profile=profile,
    )
