"""What the delivery process needs of the sandbox's settings, and nothing else (never a token).

The fields are the sandbox's own (the same defaults, bounds and variables), carried to the
child as their SANDBOX_* texts and read back there by the same reader (`environment.read`).
"""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from onlyoffice_contract import environment
from onlyoffice_sandbox.settings import PREFIX, Settings, relay_address

# The environment variable that carries them to the child: not its command line, which
# every user of the machine can read.
ENVIRONMENT_VARIABLE = "SANDBOX_DELIVERY"


def carried(name: str) -> Any:
    """The sandbox's field `name`, declared again with the same default, help and bounds."""
    [f] = [f for f in fields(Settings) if f.name == name]
    if f.default_factory is not MISSING:  # a fact of the call, read when needed
        return field(default_factory=f.default_factory, metadata=f.metadata)
    return field(default=f.default, metadata=f.metadata)


@dataclass(frozen=True)
class DeliverySettings:
    db: Path = carried("db")
    mail_dir: Path = carried("mail_dir")
    smtp: str | None = carried("smtp")
    retry_max_seconds: float = carried("retry_max_seconds")
    smtp_step_seconds: float = carried("smtp_step_seconds")

    def __post_init__(self) -> None:
        environment.check(self, PREFIX)

    @property
    def smtp_address(self) -> tuple[str, int] | None:
        return relay_address(self.smtp)

    @classmethod
    def of(cls, settings: Settings) -> DeliverySettings:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

    def dumps(self) -> str:
        return json.dumps(environment.as_environment(self, PREFIX))

    @classmethod
    def loads(cls, text: str) -> DeliverySettings:
        """The settings `dumps()` wrote; raises SettingError for a value the sandbox would refuse."""
        settings: DeliverySettings = environment.read(cls, json.loads(text), PREFIX)
        return settings
