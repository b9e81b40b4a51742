"""The suite's settings: each a field of `SuiteSettings`, read once from its environment variable.

How a setting is read, converted, shown and redacted is `onlyoffice_contract.environment`'s
job; this module says which settings there are and what holds between them. The command line
(`onlyoffice-contract --help`) and the Makefile take the same names; `VARIABLES` lists them, and
`described()` gives each as a row (variable, default, help, secret?) for the help and the docs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests import tiers
from onlyoffice_contract import environment, hosts
from onlyoffice_contract.environment import Secret, SettingError

PROFILES = ("strict", "onlyoffice")
# What a run of each tier does by default (a setting given wins): `tiers.py`.
TIERS = tuple(tiers.DEFAULTS)
# RATE_LIMIT when unset, against a BASE_URL off this machine: polite to a live portal, about 100 s for
# a standard run. Loopback and the embedded sandbox are a developer's own: no limit.
LIVE_RATE_LIMIT = 5.0
# WORKERS when unset, against a BASE_URL: a request across a network waits 50-300 ms on the wire, which
# four in flight overlap (bench/NOTES.md). The embedded sandbox shares the suite's two cores: one.
REMOTE_WORKERS = 4
# A key requests sends as it is: visible ASCII, single spaces inside ("Basic ..."), none at either end.
# Anything else fails inside requests or http.client with an error that quotes the whole header.
_SENDABLE_KEY = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# The mailbox the embedded sandbox is given to send from, when FROM is not set.
EMBEDDED_FROM = "Contract Suite <suite@example.test>"

# The settings are wrong: nothing was tested. The one error of the settings mechanism, by the
# suite's name for it.
UsageError = SettingError


def setting(variable: str, default: Any, help: str, **checks: Any) -> Any:
    """A field of SuiteSettings: its environment variable, its default, what it means, its bounds."""
    return environment.setting(default, help, variable=variable, **checks)


def _url_password(url: str) -> str:
    try:
        return urllib.parse.urlsplit(url).password or ""
    except ValueError:
        return ""


def masked_url(url: str) -> str:
    """`url` with the password in it, if any, shown as [Filtered] (a `mailpit:` prefix kept)."""
    head = "mailpit:" if url.startswith("mailpit:") else ""
    if not _url_password(url.removeprefix(head)):
        return url
    parts = urllib.parse.urlsplit(url.removeprefix(head))
    host = parts.netloc.rpartition("@")[2]
    return head + urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:[Filtered]@{host}"))


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None = setting(
        "BASE_URL", None, "the server root; the call is BASE_URL/api/2.0/mail/messages/send. Unset: the"
        " embedded sandbox, started and stopped for the run", mask=masked_url
    )  # fmt: skip
    api_key: Secret = setting(
        "API_KEY", "", "the token, sent bare in Authorization; never printed (required with BASE_URL;"
        " environment only, never on a command line)"
    )  # fmt: skip
    from_: str = setting("FROM", "", "a mailbox that key may send from (required with BASE_URL)")
    recipient_domain: str = setting(
        "RECIPIENT_DOMAIN", "example.invalid", "every generated recipient goes to this domain"
    )
    max_examples: int = setting(
        "MAX_EXAMPLES", 150, "fuzzing cases per mode (positive, negative); coverage adds about 190", minimum=1
    )
    seed: int | None = setting(
        "SEED", None, "the same seed gives the same cases; unset: random, printed", minimum=0
    )
    max_sends: int = setting(
        "MAX_SENDS", 2000, "the most requests to the send call the run may make, probes included", minimum=1
    )
    request_timeout: int = setting(
        "REQUEST_TIMEOUT", 10, "seconds each request may take in all, its answer read to the end", minimum=1
    )
    report_dir: Path = setting(
        "REPORT_DIR", Path("reports"), "where contract-junit.xml and contract-coverage.md go"
    )
    profile: str = setting(
        "PROFILE",
        "strict",
        "strict, or onlyoffice: what the real server's binder takes is not held against it",
        choices=PROFILES,
    )
    attachment_file_id: int | None = setting(
        "ATTACHMENT_FILE_ID", None, "the id of a file of the account: one probe attaches it and expects"
        " 200; unset: that probe is not run (the embedded sandbox holds a file of its own)", minimum=1
    )  # fmt: skip
    mail_sink: str | None = setting(
        "MAIL_SINK", None, "where the mail the server sends can be read, to check it against the"
        " sends: maildir:/path (a Maildir written with Delivered-To), imap[s]://user:password@host[:port]"
        "[/mailbox] or pop3[s]://user:password@host[:port] (a catch-all mailbox), mailpit:http://host:8025"
        " (Mailpit's API), sandbox:http://host:8080 (a sandbox you run yourself: its capture, read with"
        " API_KEY); unset: the embedded sandbox's capture, and against BASE_URL the delivered-mail"
        " checks are not run", mask=masked_url
    )  # fmt: skip
    delivery_timeout: int = setting(
        "DELIVERY_TIMEOUT",
        120,
        "seconds to wait, from the first check, for the mail of every probe send that was accepted",
        minimum=1,
    )
    delivery_sample: str = setting(
        "DELIVERY_SAMPLE", "20", "how many accepted generated sends a run checks in the mail they caused,"
        " chosen by SEED (every optional field among them, where any accepted send set it); all: every"
        " one; 0: none (the probes' mail is checked all the same)"
    )  # fmt: skip
    from_name: str | None = setting(
        "FROM_NAME", None, "the display name of FROM's account, which the server writes in From; unset:"
        " the embedded sandbox's is FROM's own, and against BASE_URL the name is not checked"
    )  # fmt: skip
    relay_headers: str = setting(
        "RELAY_HEADERS", "", "header names your relays or delivery agents add to delivered mail, beside"
        " the known trace headers, comma-separated (X-Acme-* for a family); any other header the request"
        " did not cause fails the delivered-mail check"
    )  # fmt: skip
    delivery_settle: int = setting(
        "DELIVERY_SETTLE", 2, "seconds after the last delivered-mail check before every checked address"
        " is read once more, for a copy that came late", minimum=0
    )  # fmt: skip
    tier: str = setting(
        "TIER", "standard", "smoke (the probes and a few dozen cases, under 100 sends: every deploy),"
        " standard, or deep (nightly): the defaults of MAX_EXAMPLES, MAX_SENDS, DELIVERY_SAMPLE and"
        " whether the coverage phase runs", choices=TIERS
    )  # fmt: skip
    rate_limit: float | None = setting(
        "RATE_LIMIT", None, "requests to the call per second, at most; 0: no limit; unset: 5 against a"
        " BASE_URL off this machine, no limit against loopback or the embedded sandbox", minimum=0
    )  # fmt: skip
    workers: int | None = setting(
        "WORKERS", None, "generated cases in flight at once, each sent and checked by a thread of its"
        " own (the same seed gives the same cases and verdict; MAX_SENDS and RATE_LIMIT hold for all of"
        " them); unset: 4 against a BASE_URL, 1 against the embedded sandbox", minimum=1, maximum=32
    )  # fmt: skip
    throttle_budget: int = setting(
        "THROTTLE_BUDGET", 300, "seconds the run may wait in all on answers 429 (or 503 with"
        " Retry-After) before it stops with no verdict; each such request is sent again after"
        " Retry-After, or a back-off, up to 5 times", minimum=0
    )  # fmt: skip

    def __post_init__(self) -> None:
        environment.check(self)

    def __repr__(self) -> str:  # the key, and a password in a URL, never show
        return environment.shown(self)

    @property
    def sample_size(self) -> int | None:
        """DELIVERY_SAMPLE as a number of sends; None for all."""
        return None if self.delivery_sample == "all" else int(self.delivery_sample)

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def sends_per_second(self) -> float | None:
        """RATE_LIMIT as the run applies it; None: no limit."""
        if self.rate_limit is not None:
            return self.rate_limit or None
        return None if self.base_url is None or is_loopback(self.base_url) else LIVE_RATE_LIMIT

    @property
    def requests_in_flight(self) -> int:
        """WORKERS as the run applies it."""
        if self.workers is not None:
            return self.workers
        return 1 if self.base_url is None else REMOTE_WORKERS

    @property
    def base_url_password(self) -> str:
        return (urllib.parse.urlsplit(self.base_url).password or "") if self.base_url else ""

    @property
    def target(self) -> str:
        """The target as output names it: BASE_URL with any password in it masked, or the embedded sandbox."""
        return "the embedded sandbox" if self.base_url is None else masked_url(self.base_url)

    @property
    def mail_sink_passwords(self) -> tuple[str, str]:
        """The password in MAIL_SINK (imap://user:password@host...), as written and percent-decoded."""
        written = _url_password(self.mail_sink.removeprefix("mailpit:")) if self.mail_sink else ""
        return written, urllib.parse.unquote(written)


def is_loopback(url: str) -> bool:
    return hosts.is_loopback(urllib.parse.urlsplit(url).hostname or "")


FIELDS = environment.variables(SuiteSettings)
VARIABLES = tuple(FIELDS)


def described() -> list[environment.Row]:
    """Each setting as (variable, default as shown, help, secret?): `--help` and the docs' table."""
    return environment.described(SuiteSettings)


def load(environ: dict[str, str] | None = None) -> SuiteSettings:
    """The settings from `environ` (the process environment by default); raises UsageError."""
    env = dict(os.environ if environ is None else environ)
    tier = environment.convert(SuiteSettings, FIELDS["TIER"], env.get("TIER", ""))
    # The tier's defaults, where the setting is not given (an unknown tier is refused when the
    # settings are made, by TIER's choices).
    env.update({name: value for name, value in tiers.DEFAULTS.get(tier, {}).items() if not env.get(name)})
    settings: SuiteSettings = environment.read(SuiteSettings, {v: env[v] for v in VARIABLES if v in env})
    values: dict[str, Any] = {}
    key = settings.api_key.reveal()
    if key and not _SENDABLE_KEY.fullmatch(key):
        raise UsageError(
            "API_KEY holds a line break, a control character, a character outside ASCII, or a space at"
            " either end (a newline from a file or a secret store?); it is not shown here"
        )
    base_url = settings.base_url
    if base_url is not None:
        values["base_url"] = base_url = base_url.rstrip("/")
        missing = [v for v, given in (("API_KEY", settings.api_key), ("FROM", settings.from_)) if not given]
        if missing:
            raise UsageError(f"BASE_URL is set, so {' and '.join(missing)} must be set too")
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"BASE_URL must start with http:// or https://, not {masked_url(base_url)!r}")
    else:
        # The embedded sandbox is configured with whatever key and mailbox the run uses.
        values["api_key"] = settings.api_key or Secret(secrets.token_urlsafe(16))
        values["from_"] = settings.from_ or EMBEDDED_FROM
    domain = settings.recipient_domain
    if "@" in domain or "." not in domain.strip(".") or any(c.isspace() or c in "<>,;" for c in domain):
        raise UsageError(f"RECIPIENT_DOMAIN must be a domain name such as example.invalid, not {domain!r}")
    values["recipient_domain"] = domain.lower()
    sample = settings.delivery_sample.strip().lower()
    if sample != "all" and not (sample.isdigit() and sample.isascii()):
        raise UsageError(f"DELIVERY_SAMPLE must be a whole number or all, not {settings.delivery_sample!r}")
    values["delivery_sample"] = sample
    if settings.seed is None:
        values["seed"] = secrets.randbelow(2**31)  # chosen once; the run prints it
    return dataclasses.replace(settings, **values)
