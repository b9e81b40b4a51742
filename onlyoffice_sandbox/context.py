"""What a running sandbox holds: its settings, its accounts, its outbox and a way to wake delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from onlyoffice_sandbox.accounts import Accounts
from onlyoffice_sandbox.outbox import Outbox
from onlyoffice_sandbox.settings import Settings


@dataclass
class Context:
    settings: Settings
    outbox: Outbox
    wake_delivery: Callable[[], None] = field(default=lambda: None)
    accounts: Accounts = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.settings.mailboxes, self.settings.disabled_mailboxes)
