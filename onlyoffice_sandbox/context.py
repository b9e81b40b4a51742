"""What a running sandbox holds: settings, accounts, outbox, captured mail, faults, a wake for delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from onlyoffice_sandbox.accounts import Accounts
from onlyoffice_sandbox.auth import Credentials
from onlyoffice_sandbox.faults_on_demand import SendFaults
from onlyoffice_sandbox.mailstore import MailStore
from onlyoffice_sandbox.outbox import Outbox
from onlyoffice_sandbox.settings import Settings
from onlyoffice_sandbox.tenants import DEFAULT, Tenant, Tenants


@dataclass
class Context:
    settings: Settings
    outbox: Outbox
    wake_delivery: Callable[[], None] = field(default=lambda: None)
    mail: MailStore | None = None  # the embedded capture's mail; None when a relay is set
    faults: SendFaults = field(default_factory=SendFaults)
    # Bodies too large to bind on the event loop are bound one at a time: six 2.9 MB forms of
    # 360,000 keys bound at once cost 1.2 GB; in turn, the cost of one.
    large_binds: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1), repr=False)
    accounts: Accounts = field(init=False)  # the default tenant's, as are `faults` and `credentials`
    credentials: Credentials = field(init=False, repr=False)
    tenants: Tenants = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.settings.mailboxes, self.settings.disabled_mailboxes)
        settings = self.settings
        self.credentials = Credentials(settings.revealed_tokens, settings.login, settings.password.reveal())
        default = Tenant(DEFAULT, self.credentials, settings.mailboxes, self.accounts, self.faults)
        self.tenants = Tenants(default)
