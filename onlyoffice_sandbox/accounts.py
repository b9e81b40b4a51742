"""Who may send from which mailbox: the accounts of the sandbox's one user (the `from` rule)."""

from __future__ import annotations

import logging
from email.headerregistry import Address

from onlyoffice_contract.facts import RefusalId
from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox.problems import refuse


def _by_address(entries: tuple[str, ...]) -> dict[str, Address]:
    accounts = {}
    for entry in entries:
        address = parse_mailbox(entry)
        if address is None:
            raise ValueError(f"not a mailbox: {entry!r}")
        accounts[address.addr_spec.lower()] = address
    return accounts


log = logging.getLogger("onlyoffice_sandbox.accounts")
REMEMBERED = 1024


class Accounts:
    def __init__(self, mailboxes: tuple[str, ...], disabled: tuple[str, ...]) -> None:
        self._mailboxes = _by_address(mailboxes)
        self._disabled = set(_by_address(disabled))
        self._senders: dict[str, Address] = {}  # each `from` text that named an account: every send has one

    def sender(self, from_: str) -> Address:
        """The account `from_` names, with its display name; else the real server's refusal."""
        known = self._senders.get(from_)
        if known is not None:
            return known
        address = parse_mailbox(from_)
        if address is None:
            raise refuse(RefusalId.ADDRESS_UNPARSABLE, field="From")
        # DraftEngine.Send compares each account's lower-cased address with the address as given,
        # so `Sandbox@example.test` is no account of `sandbox@example.test`: "Mailbox not found".
        wanted = address.addr_spec
        if wanted in self._disabled:
            raise refuse(RefusalId.MAILBOX_NOT_PERMITTED)
        account = self._mailboxes.get(wanted)
        if account is None:
            if wanted.lower() in self._mailboxes or wanted.lower() in self._disabled:
                log.warning("from %r: as on the real server, an account is matched in lower case only", from_)
            raise refuse(RefusalId.MAILBOX_NOT_FOUND)
        if len(self._senders) >= REMEMBERED:  # many spellings of a few accounts: start again
            self._senders.clear()
        self._senders[from_] = account
        return account
