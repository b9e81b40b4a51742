"""Tenants: who a token is, and what that token's sends and reads are scoped to.

The default tenant (id '') is the sandbox's one user of its settings: SANDBOX_TOKENS, the Basic
login, SANDBOX_MAILBOXES, the seeded drafts. A tenant made through the sandbox's API
(`POST /sandbox/api/tenants`) gets a token of its own, its own accounts (the mailboxes it asks
for, else the settings'), its own armed send faults, and sees only its own outbox rows, drafts
and captured mail (the mail through the outbox: the delivery links each send to the capture key
of what it delivered, so the mail itself stays what production sends). Tenants live as long as
the sandbox process: their rows stay in the outbox, their tokens do not.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field

from onlyoffice_sandbox.accounts import Accounts
from onlyoffice_sandbox.auth import Credentials, authorized, is_token
from onlyoffice_sandbox.faults_on_demand import SendFaults

DEFAULT = ""
MOST = 10_000  # tenants one sandbox holds: a runaway loop of creations is refused, not kept


@dataclass
class Tenant:
    id: str
    credentials: Credentials = field(repr=False)
    mailboxes: tuple[str, ...]
    accounts: Accounts = field(repr=False)
    faults: SendFaults = field(default_factory=SendFaults, repr=False)


class TooMany(Exception):
    pass


class Tenants:
    """The default tenant and those made since the start; safe across threads."""

    def __init__(self, default: Tenant) -> None:
        self.default = default
        self._made: dict[str, Tenant] = {}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def make(self, mailboxes: tuple[str, ...]) -> tuple[Tenant, str]:
        """A new tenant with these accounts (ValueError: one is not a mailbox), and its token."""
        accounts = Accounts(mailboxes, ())
        token = secrets.token_urlsafe(24)
        # No Basic login: its password is a secret nobody is told.
        credentials = Credentials((token,), login="", password=secrets.token_urlsafe(24))
        with self._lock:
            if len(self._made) >= MOST:
                raise TooMany(f"this sandbox holds {MOST} tenants already")
            tenant = Tenant(f"t{next(self._numbers)}", credentials, mailboxes, accounts)
            self._made[tenant.id] = tenant
        return tenant, token

    def all(self) -> list[Tenant]:
        with self._lock:
            return [self.default, *self._made.values()]

    def by_token(self, given: str | None) -> Tenant | None:
        """The tenant whose token `given` is (the pages' and the sandbox API's rule)."""
        if not given:
            return None
        found = None
        for tenant in self.all():  # every one compared, in constant time each
            if is_token(given, tenant.credentials.tokens) and found is None:
                found = tenant
        return found

    def by_credentials(self, header: str | None, cookie: str | None) -> Tenant | None:
        """The tenant the send call's credentials authenticate (`auth.authorized`); None: nobody."""
        for tenant in self.all():
            if authorized(header, cookie, tenant.credentials):
                return tenant
        return None
