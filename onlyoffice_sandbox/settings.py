"""Settings: environment variables, over an optional TOML file (SANDBOX_CONFIG).

Each setting is a field of `Settings`; its environment variable is
SANDBOX_<NAME> and its TOML key the lower-case name. How a value is read from
text follows the field's type; lists in the environment are comma-separated,
except SANDBOX_MAILBOXES, which is separated by ';' (a display name may hold a
comma). `Settings.to_env()` writes the same variables back, for a child process.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onlyoffice_contract.mailbox import parse_mailbox

DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the sandbox's documented default, printed at start
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - likewise, for HTTP Basic credentials
SECRETS = ("tokens", "password")  # shown as [Filtered], never as they are
DEFAULT_MAILBOX = "Sandbox User <sandbox@example.test>"
# How a request is read: as the real server binds it (leniency reported), or by the spec alone.
BINDERS = ("onlyoffice", "strict")
PREFIX = "SANDBOX_"
CONFIG_VARIABLE = "SANDBOX_CONFIG"
PAGES_AUTH = ("auto", "token")


def setting(default: Any, help: str, separator: str = ",") -> Any:
    """A field of Settings, with the text `--help` shows and, for a list, its separator in the environment."""
    return field(default=default, metadata={"help": help, "separator": separator})


@dataclass(frozen=True)
class Settings:
    host: str = setting("127.0.0.1", "where to listen")
    port: int = setting(8080, "the port to listen on (0: a free one)")
    tokens: tuple[str, ...] = setting((DEFAULT_TOKEN,), "accepted tokens, comma-separated")
    user: str | None = setting(
        None, "the login of HTTP Basic credentials, an email address (unset: the first mailbox's address)"
    )
    password: str = setting(DEFAULT_PASSWORD, "the password of HTTP Basic credentials (ASCII, no ':')")
    mailboxes: tuple[str, ...] = setting(
        (DEFAULT_MAILBOX,), "the mailboxes a token may send from, ';'-separated", separator=";"
    )
    disabled_mailboxes: tuple[str, ...] = setting(
        (), "disabled accounts and group addresses (403), comma-separated"
    )
    binder: str = setting(
        "onlyoffice",
        "onlyoffice: bind as the real server does and report each leniency; strict: the spec alone",
    )
    smtp: str | None = setting(None, "host:port of an SMTP relay; unset: the embedded capture")
    db: Path = setting(Path("sandbox-data/outbox.sqlite3"), "the SQLite outbox")
    mail_dir: Path = setting(Path("sandbox-data/mail"), "where the embedded capture files mail")
    files_dir: Path = setting(Path("sandbox-data/files"), "attachment contents")
    drafts: Path | None = setting(None, "a JSON file of drafts to seed at start")
    max_body: int = setting(4 * 1024 * 1024, "request body limit, bytes (413 past it)")
    max_head_bytes: int = setting(65536, "request line and headers limit, bytes (400 past it)")
    request_seconds: float = setting(30.0, "time a request may take to arrive whole (408 past it)")
    # mail.maximum-message-body-size of the real server, in characters
    max_draft_body: int = setting(
        524288, "a draft's body limit, characters (403 past it, as the real server)"
    )
    max_recipients: int = setting(1000, "recipients (to, cc and bcc) a message may have (400 past it)")
    max_attachments: int = setting(100, "attachments a message may have (400 past it)")
    max_attachment_bytes: int = setting(
        25 * 1024 * 1024, "bytes of all attachments of a message, as the real server's 25 MB (400 past it)"
    )
    retry_max_seconds: float = setting(30.0, "the longest wait between delivery attempts")
    smtp_step_seconds: float = setting(
        30.0, "the longest a relay may take over each reply (the greeting, EHLO, each command), seconds"
    )
    pages_auth: str = setting(
        "auto", "the pages and the sandbox's API: auto (a token unless the host is loopback) or token"
    )
    fault_sends: str | None = setting(None, "the first sends after start fail: KIND[:COUNT], e.g. unpaid:3")
    fault_late_seconds: float = setting(5.0, "how late the answer of a `late` send fault comes, seconds")
    fault_deliveries: str | None = setting(
        None, "the capture refuses the first deliveries: CODE[:COUNT], e.g. 451:2 (421, 451 or 550)"
    )

    def __post_init__(self) -> None:
        if not self.tokens or not all(self.tokens):
            raise ValueError("SANDBOX_TOKENS: at least one token, none empty")
        if not self.mailboxes:
            raise ValueError("SANDBOX_MAILBOXES: at least one mailbox")
        # The real server decodes Basic credentials as ASCII and splits them at every ':', so no
        # other login or password could ever match; the messages never show the value.
        for name, value in (("USER", self.user), ("PASSWORD", self.password)):
            if value is not None and not _basic_text(value):
                raise ValueError(f"SANDBOX_{name}: printable ASCII without ':', not empty")
        if self.binder not in BINDERS:
            raise ValueError(f"SANDBOX_BINDER: one of {', '.join(BINDERS)}, not {self.binder!r}")
        if self.pages_auth not in PAGES_AUTH:
            raise ValueError(f"SANDBOX_PAGES_AUTH: one of {', '.join(PAGES_AUTH)}, not {self.pages_auth!r}")
        if self.fault_sends or self.fault_deliveries:
            from onlyoffice_sandbox import (
                faults_on_demand,
            )  # reads sandbox-api.yaml: only when a fault is set

            if self.fault_sends:
                faults_on_demand.parse_setting(self.fault_sends, faults_on_demand.KINDS)
            if self.fault_deliveries:
                faults_on_demand.parse_setting(
                    self.fault_deliveries, [str(c) for c in faults_on_demand.DELIVERY_CODES]
                )
        if not 0 < self.smtp_step_seconds <= 3600:
            raise ValueError("SANDBOX_SMTP_STEP_SECONDS: more than 0, at most 3600")
        if not 0 <= self.fault_late_seconds <= 600:
            raise ValueError("SANDBOX_FAULT_LATE_SECONDS: from 0 to 600")

    def __repr__(self) -> str:  # the tokens and the password never show
        shown = ", ".join(
            f"{f.name}={'[Filtered]' if f.name in SECRETS else repr(getattr(self, f.name))}"
            for f in dataclasses.fields(self)
        )
        return f"Settings({shown})"

    @property
    def login(self) -> str:
        """The login of HTTP Basic credentials: SANDBOX_USER, else the first mailbox's address."""
        if self.user:
            return self.user
        address = parse_mailbox(self.mailboxes[0])
        return self.mailboxes[0] if address is None else address.addr_spec

    @property
    def smtp_address(self) -> tuple[str, int] | None:
        if not self.smtp:
            return None
        host, _, port = self.smtp.rpartition(":")
        return host or "127.0.0.1", int(port)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        config = environ.get(CONFIG_VARIABLE)
        if config:
            with open(config, "rb") as toml:
                values.update(tomllib.load(toml))
        for f in dataclasses.fields(cls):
            raw = environ.get(variable(f.name))
            if raw is not None:
                values[f.name] = raw
        values.update(overrides)
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown sandbox settings: {', '.join(sorted(unknown))}")
        return cls(**{name: _convert(known[name], value) for name, value in values.items()})

    def to_env(self) -> dict[str, str]:
        """Every setting as its SANDBOX_* variable, as from_env() reads it back."""
        env = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                text = f.metadata["separator"].join(value)
            else:
                text = "" if value is None else str(value)
            env[variable(f.name)] = text
        return env


def _basic_text(value: str) -> bool:
    return bool(value) and ":" not in value and value.isascii() and value.isprintable()


def variable(name: str) -> str:
    return PREFIX + name.upper()


def described() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) of each setting, for --help and the README."""
    defaults = Settings()
    rows = []
    for f, text in zip(dataclasses.fields(Settings), defaults.to_env().values(), strict=True):
        rows.append((variable(f.name), text or "(unset)", f.metadata["help"]))
    return rows


_HINTS = typing.get_type_hints(Settings)


def _convert(f: dataclasses.Field[Any], value: Any) -> Any:
    """`value` (text from the environment, or a TOML value) as the field's type."""
    kind = _HINTS[f.name]
    optional = isinstance(kind, types.UnionType) and type(None) in typing.get_args(kind)
    if optional:
        [kind] = [k for k in typing.get_args(kind) if k is not type(None)]
        if value in ("", None):
            return None
    if typing.get_origin(kind) is tuple:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(f.metadata["separator"]) if part.strip())
        return tuple(value)
    if kind in (int, float, Path):
        return kind(value)
    return value
