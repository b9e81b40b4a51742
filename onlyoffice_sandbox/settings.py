"""Settings: environment variables, over an optional TOML file (SANDBOX_CONFIG).

Each setting has one environment variable, SANDBOX_<NAME>; the TOML file uses
the lower-case name as its key. Lists in the environment are comma-separated,
except SANDBOX_MAILBOXES, which is separated by ';' (a display name may hold a comma).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the sandbox's documented default, printed at start
DEFAULT_MAILBOX = "Sandbox User <sandbox@example.test>"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    mailboxes: tuple[str, ...] = (DEFAULT_MAILBOX,)
    # Addresses of disabled accounts and group addresses: sending from them is 403.
    disabled_mailboxes: tuple[str, ...] = ()
    smtp: str | None = None  # host:port of a relay; None means the embedded capture
    db: Path = Path("sandbox-data/outbox.sqlite3")
    mail_dir: Path = Path("sandbox-data/mail")
    files_dir: Path = Path("sandbox-data/files")
    drafts: Path | None = None  # a JSON file of drafts to seed at start
    max_body: int = 4 * 1024 * 1024  # request body limit in bytes
    max_draft_body: int = 524288  # mail.maximum-message-body-size of the real server, in characters
    retry_max_seconds: float = 30.0  # the longest wait between two delivery attempts

    def __post_init__(self) -> None:
        if not self.tokens or not all(self.tokens):
            raise ValueError("SANDBOX_TOKENS: at least one token, none empty")
        if not self.mailboxes:
            raise ValueError("SANDBOX_MAILBOXES: at least one mailbox")

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
        config = environ.get("SANDBOX_CONFIG")
        if config:
            with open(config, "rb") as toml:
                values.update(tomllib.load(toml))
        for f in fields(cls):
            raw = environ.get(f"SANDBOX_{f.name.upper()}")
            if raw is not None:
                values[f.name] = raw
        values.update(overrides)
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown sandbox settings: {', '.join(sorted(unknown))}")
        return cls(**{name: _convert(name, value) for name, value in values.items()})


def _convert(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if isinstance(value, str):
        if "tuple" in str(kind):
            sep = ";" if name == "mailboxes" else ","
            return tuple(part.strip() for part in value.split(sep) if part.strip())
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if "Path" in str(kind):
            return Path(value) if value else None
        return value or None if "None" in str(kind) else value
    if isinstance(value, list):
        return tuple(value)
    if "Path" in str(kind) and value is not None:
        return Path(value)
    return value
