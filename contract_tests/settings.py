"""The suite's settings: each a field of `SuiteSettings`, read once from its environment variable.

The command line (`onlyoffice-contract --help`) and the Makefile take the same
names; `VARIABLES` lists them, read from the fields.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import types
import typing
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests import tiers
from onlyoffice_contract import hosts

PROFILES = ("strict", "onlyoffice")
# What a run of each tier does by default (a setting given wins): `tiers.py`.
TIERS = ("smoke", "standard", "deep")
# RATE_LIMIT when unset, against a BASE_URL off this machine: polite to a live portal, about 100 s for
# a standard run. Loopback and the embedded sandbox are a developer's own: no limit.
LIVE_RATE_LIMIT = 5.0
# A key requests sends as it is: visible ASCII, single spaces inside ("Basic ..."), none at either end.
# Anything else fails inside requests or http.client with an error that quotes the whole header.
_SENDABLE_KEY = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# The mailbox the embedded sandbox is given to send from, when FROM is not set.
EMBEDDED_FROM = "Contract Suite <suite@example.test>"


class UsageError(Exception):
    """The settings are wrong: nothing was tested."""


def setting(variable: str, default: Any, help: str, minimum: int | None = None, secret: bool = False) -> Any:
    """A field of SuiteSettings: its environment variable, its default and what it means."""
    return field(
        default=default,
        metadata={"variable": variable, "help": help, "minimum": minimum, "secret": secret},
    )


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None = setting(
        "BASE_URL", None, "the server root; the call is BASE_URL/api/2.0/mail/messages/send. Unset: the"
        " embedded sandbox, started and stopped for the run"
    )  # fmt: skip
    api_key: str = setting(
        "API_KEY", "", "the token, sent bare in Authorization; never printed (required with BASE_URL;"
        " environment only, never on a command line)", secret=True
    )  # fmt: skip
    from_: str = setting("FROM", "", "a mailbox that key may send from (required with BASE_URL)")
    recipient_domain: str = setting(
        "RECIPIENT_DOMAIN", "example.invalid", "every generated recipient goes to this domain"
    )
    max_examples: int = setting(
        "MAX_EXAMPLES", 150, "fuzzing cases per mode (positive, negative); coverage adds about 190", minimum=1
    )
    seed: int | None = setting("SEED", None, "the same seed gives the same cases; unset: random, printed", 0)
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
        " checks are not run"
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
        " whether the coverage phase runs"
    )  # fmt: skip
    rate_limit: float | None = setting(
        "RATE_LIMIT", None, "requests to the call per second, at most; 0: no limit; unset: 5 against a"
        " BASE_URL off this machine, no limit against loopback or the embedded sandbox"
    )  # fmt: skip
    throttle_budget: int = setting(
        "THROTTLE_BUDGET", 300, "seconds the run may wait in all on answers 429 (or 503 with"
        " Retry-After) before it stops with no verdict; each such request is sent again after"
        " Retry-After, or a back-off, up to 5 times", minimum=0
    )  # fmt: skip

    def __repr__(self) -> str:  # the key never shows
        shown = ", ".join(
            f"{f.name}={'[Filtered]' if f.metadata['secret'] else repr(_shown(getattr(self, f.name)))}"
            for f in dataclasses.fields(self)
        )
        return f"SuiteSettings({shown})"

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


def _shown(value: Any) -> Any:
    return masked_url(value) if isinstance(value, str) and "@" in value else value


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


FIELDS = {f.metadata["variable"]: f for f in dataclasses.fields(SuiteSettings)}
VARIABLES = tuple(FIELDS)
_HINTS = typing.get_type_hints(SuiteSettings)


def _convert(f: dataclasses.Field[Any], raw: str) -> Any:
    """Environment text as the field's type; empty text is the default."""
    if raw == "":
        return f.default
    kind = _HINTS[f.name]
    if isinstance(kind, types.UnionType):  # X | None
        [kind] = [k for k in typing.get_args(kind) if k is not type(None)]
    if kind in (int, float):
        try:
            value = kind(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise UsageError(f"{f.metadata['variable']} must be {what}, not {raw!r}") from None
        if kind is float and not (value >= 0 and value != float("inf")):  # nan is not >= 0
            raise UsageError(f"{f.metadata['variable']} must be a number of at least 0, not {raw!r}")
        if f.metadata["minimum"] is not None and value < f.metadata["minimum"]:
            raise UsageError(f"{f.metadata['variable']} must be at least {f.metadata['minimum']}")
        return value
    return kind(raw)


def load(environ: dict[str, str] | None = None) -> SuiteSettings:
    """The settings from `environ` (the process environment by default); raises UsageError."""
    env = dict(os.environ if environ is None else environ)
    tier = env.get("TIER", "") or FIELDS["TIER"].default
    if tier not in TIERS:
        raise UsageError(f"TIER must be one of {', '.join(TIERS)}, not {tier!r}")
    # The tier's defaults, where the setting is not given.
    env.update({name: value for name, value in tiers.DEFAULTS[tier].items() if not env.get(name)})
    values = {f.name: _convert(f, env.get(variable, "")) for variable, f in FIELDS.items()}
    if values["api_key"] and not _SENDABLE_KEY.fullmatch(values["api_key"]):
        raise UsageError(
            "API_KEY holds a line break, a control character, a character outside ASCII, or a space at"
            " either end (a newline from a file or a secret store?); it is not shown here"
        )
    base_url = values["base_url"]
    if base_url is not None:
        values["base_url"] = base_url = base_url.rstrip("/")
        missing = [v for v, name in (("API_KEY", "api_key"), ("FROM", "from_")) if not values[name]]
        if missing:
            raise UsageError(f"BASE_URL is set, so {' and '.join(missing)} must be set too")
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"BASE_URL must start with http:// or https://, not {base_url!r}")
    else:
        # The embedded sandbox is configured with whatever key and mailbox the run uses.
        values["api_key"] = values["api_key"] or secrets.token_urlsafe(16)
        values["from_"] = values["from_"] or EMBEDDED_FROM
    domain = values["recipient_domain"]
    if "@" in domain or "." not in domain.strip(".") or any(c.isspace() or c in "<>,;" for c in domain):
        raise UsageError(f"RECIPIENT_DOMAIN must be a domain name such as example.invalid, not {domain!r}")
    values["recipient_domain"] = domain.lower()
    if values["profile"] not in PROFILES:
        raise UsageError(f"PROFILE must be one of {', '.join(PROFILES)}, not {values['profile']!r}")
    sample = values["delivery_sample"].strip().lower()
    if sample != "all" and not (sample.isdigit() and sample.isascii()):
        raise UsageError(f"DELIVERY_SAMPLE must be a whole number or all, not {values['delivery_sample']!r}")
    values["delivery_sample"] = sample
    if values["seed"] is None:
        values["seed"] = secrets.randbelow(2**31)  # chosen once; the run prints it
    return SuiteSettings(**values)
