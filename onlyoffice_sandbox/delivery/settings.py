"""What the delivery process needs of the sandbox's settings, and nothing else (never a token)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from onlyoffice_sandbox.settings import Settings

# The environment variable that carries them to the child: not its command line, which
# every user of the machine can read.
ENVIRONMENT_VARIABLE = "SANDBOX_DELIVERY"


@dataclass(frozen=True)
class DeliverySettings:
    db: Path
    mail_dir: Path
    smtp_address: tuple[str, int] | None
    retry_max_seconds: float
    smtp_step_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> DeliverySettings:
        return cls(
            settings.db,
            settings.mail_dir,
            settings.smtp_address,
            settings.retry_max_seconds,
            settings.smtp_step_seconds,
        )

    def dumps(self) -> str:
        return json.dumps({**asdict(self), "db": str(self.db), "mail_dir": str(self.mail_dir)})

    @classmethod
    def loads(cls, text: str) -> DeliverySettings:
        raw = json.loads(text)
        smtp = raw["smtp_address"]
        return cls(
            Path(raw["db"]),
            Path(raw["mail_dir"]),
            smtp and (smtp[0], int(smtp[1])),
            raw["retry_max_seconds"],
            raw["smtp_step_seconds"],
        )
