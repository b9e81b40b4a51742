"""Settings: environment variables, over an optional TOML file (SANDBOX_CONFIG).

Each setting is a field of `Settings`; its environment variable is SANDBOX_<NAME> and its
TOML key the lower-case name. How a value is read, converted, shown and redacted is
`onlyoffice_contract.environment`'s job: lists in the environment are comma-separated, except
SANDBOX_MAILBOXES, which is separated by ';' (a display name may hold a comma); the tokens
and the password are `Secret`s. `Settings.to_env()` writes the same variables back, for a
child process; `described()` lists them for `--help` and the docs.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onlyoffice_contract import environment, facts
from onlyoffice_contract.environment import Secret, SettingError, setting
from onlyoffice_contract.mailbox import parse_mailbox

DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the sandbox's documented default, printed at start
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - likewise, for HTTP Basic credentials
DEFAULT_MAILBOX = "Sandbox User <sandbox@example.test>"
# How a request is read: as the real server binds it (leniency reported), or by the spec alone.
BINDERS = ("onlyoffice", "strict")
PREFIX = "SANDBOX_"
CONFIG_VARIABLE = "SANDBOX_CONFIG"
PAGES_AUTH = ("auto", "token")


@dataclass(frozen=True)
class Settings:
    host: str = setting("127.0.0.1", "where to listen")
    port: int = setting(8080, "the port to listen on (0: a free one)")
    tokens: tuple[Secret, ...] = setting((Secret(DEFAULT_TOKEN),), "accepted tokens, comma-separated")
    user: str | None = setting(
        None, "the login of HTTP Basic credentials, an email address (unset: the first mailbox's address)"
    )
    password: Secret = setting(
        Secret(DEFAULT_PASSWORD), "the password of HTTP Basic credentials (ASCII, no ':')"
    )
    mailboxes: tuple[str, ...] = setting(
        (DEFAULT_MAILBOX,), "the mailboxes a token may send from, ';'-separated", separator=";"
    )
    disabled_mailboxes: tuple[str, ...] = setting(
        (), "disabled accounts and group addresses (403), comma-separated"
    )
    binder: str = setting(
        "onlyoffice",
        "onlyoffice: bind as the real server does and report each leniency; strict: the spec alone",
        choices=BINDERS,
    )
    smtp: str | None = setting(None, "host:port of an SMTP relay; unset: the embedded capture")
    db: Path = setting(Path("sandbox-data/outbox.sqlite3"), "the SQLite outbox")
    mail_dir: Path = setting(Path("sandbox-data/mail"), "where the embedded capture files mail")
    files_dir: Path = setting(Path("sandbox-data/files"), "attachment contents")
    drafts: Path | None = setting(None, "a JSON file of drafts to seed at start")
    max_body: int = setting(4 * 1024 * 1024, "request body limit, bytes (413 past it)")
    max_head_bytes: int = setting(65536, "request line and headers limit, bytes (400 past it)")
    request_seconds: float = setting(30.0, "time a request may take to arrive whole (408 past it)")
    max_draft_body: int = setting(
        facts.draft_body_limit, "a draft's body limit, characters (403 past it, as the real server)"
    )
    max_recipients: int = setting(1000, "recipients (to, cc and bcc) a message may have (400 past it)")
    max_attachments: int = setting(100, "attachments a message may have (400 past it)")
    max_attachment_bytes: int = setting(
        facts.attachments_total_limit,
        "bytes of all attachments of a message, as the real server's 25 MB (400 past it)",
    )
    retry_max_seconds: float = setting(30.0, "the longest wait between delivery attempts")
    smtp_step_seconds: float = setting(
        30.0,
        "the longest a relay may take over each reply (the greeting, EHLO, each command), seconds",
        maximum=3600,
    )
    pages_auth: str = setting(
        "auto",
        "the pages and the sandbox's API: auto (a token unless the host is loopback) or token",
        choices=PAGES_AUTH,
    )
    fault_sends: str | None = setting(None, "the first sends after start fail: KIND[:COUNT], e.g. unpaid:3")
    fault_late_seconds: float = setting(
        5.0, "how late the answer of a `late` send fault comes, seconds", minimum=0, maximum=600
    )
    fault_deliveries: str | None = setting(
        None, "the capture refuses the first deliveries: CODE[:COUNT], e.g. 451:2 (421, 451 or 550)"
    )

    def __post_init__(self) -> None:
        environment.check(self, PREFIX)  # the declared bounds and choices; secrets given as text wrapped
        if not self.tokens or not all(self.tokens):
            raise SettingError("SANDBOX_TOKENS must hold at least one token, none empty")
        if not self.mailboxes:
            raise SettingError("SANDBOX_MAILBOXES must hold at least one mailbox")
        # The real server decodes Basic credentials as ASCII and splits them at every ':', so no
        # other login or password could ever match; the messages never show the value.
        for name, value in (("USER", self.user), ("PASSWORD", self.password)):
            text = value.reveal() if isinstance(value, Secret) else value
            if text is not None and not _basic_text(text):
                raise SettingError(f"SANDBOX_{name} must be printable ASCII without ':', not empty")
        if self.fault_sends or self.fault_deliveries:
            # reads sandbox-api.yaml: only when a fault is set
            from onlyoffice_sandbox import faults_on_demand as faults

            for name, text, choices in (
                ("FAULT_SENDS", self.fault_sends, faults.KINDS),
                ("FAULT_DELIVERIES", self.fault_deliveries, [str(c) for c in faults.DELIVERY_CODES]),
            ):
                try:
                    if text:
                        faults.parse_setting(text, choices)
                except ValueError as exc:
                    raise SettingError(f"SANDBOX_{name} is not a fault: {exc}") from None
        try:
            relay_address(self.smtp)
        except ValueError:
            raise SettingError(f"SANDBOX_SMTP must be host:port, not {self.smtp!r}") from None
        if not self.smtp_step_seconds > 0:  # a bound `minimum` cannot say: 0 itself is refused
            raise SettingError(f"SANDBOX_SMTP_STEP_SECONDS must be more than 0, not {self.smtp_step_seconds}")

    def __repr__(self) -> str:  # the tokens and the password never show
        return environment.shown(self)

    @property
    def login(self) -> str:
        """The login of HTTP Basic credentials: SANDBOX_USER, else the first mailbox's address."""
        if self.user:
            return self.user
        address = parse_mailbox(self.mailboxes[0])
        return self.mailboxes[0] if address is None else address.addr_spec

    @property
    def smtp_address(self) -> tuple[str, int] | None:
        return relay_address(self.smtp)

    @property
    def revealed_tokens(self) -> tuple[str, ...]:
        """The tokens as a request carries them: for the check of a request, never for display."""
        return tuple(token.reveal() for token in self.tokens)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings from `environ` (the process environment by default) over the TOML file it
        names; `overrides` (field: value) win. Raises SettingError, or OSError for the file."""
        environ = dict(os.environ if environ is None else environ)
        given: dict[str, Any] = {}
        config = environ.get(CONFIG_VARIABLE)
        if config:
            with open(config, "rb") as toml:
                given.update({variable(key): value for key, value in tomllib.load(toml).items()})
        known = environment.variables(cls, PREFIX)
        names = {name.removeprefix(PREFIX).lower() for name in given} | set(overrides)
        unknown = sorted(names - {f.name for f in known.values()})
        if unknown:
            raise SettingError(f"unknown sandbox settings: {', '.join(unknown)}")
        given.update({name: environ[name] for name in known if name in environ})
        settings: Settings = environment.read(cls, given, PREFIX, **overrides)
        return settings

    def to_env(self) -> dict[str, str]:
        """Every setting as its SANDBOX_* variable, as from_env() reads it back (secrets revealed:
        for a child's environment only)."""
        return environment.as_environment(self, PREFIX)


def relay_address(smtp: str | None) -> tuple[str, int] | None:
    """SANDBOX_SMTP (host:port) as a socket address; None for the embedded capture."""
    if not smtp:
        return None
    host, _, port = smtp.rpartition(":")
    return host or "127.0.0.1", int(port)


def _basic_text(value: str) -> bool:
    return bool(value) and ":" not in value and value.isascii() and value.isprintable()


def variable(name: str) -> str:
    return PREFIX + name.upper()


def described() -> list[environment.Row]:
    """Each setting as (variable, default as shown, help, secret?): `--help`, the drill, the docs."""
    return environment.described(Settings, PREFIX)
