"""What a running sandbox holds: its settings, its outbox and its delivery worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address

from onlyoffice_sandbox.addresses import parse_mailbox
from onlyoffice_sandbox.outbox import Outbox
from onlyoffice_sandbox.settings import Settings


def _accounts(entries: tuple[str, ...]) -> dict[str, Address]:
    accounts = {}
    for entry in entries:
        address = parse_mailbox(entry)
        if address is None:
            raise ValueError(f"not a mailbox: {entry!r}")
        accounts[address.addr_spec.lower()] = address
    return accounts


@dataclass
class Context:
    settings: Settings
    outbox: Outbox
    wake_delivery: Callable[[], None] = field(default=lambda: None)
    mailboxes: dict[str, Address] = field(init=False)
    disabled: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.mailboxes = _accounts(self.settings.mailboxes)
        self.disabled = set(_accounts(self.settings.disabled_mailboxes))
