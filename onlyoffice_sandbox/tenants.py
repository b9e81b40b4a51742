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

import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field

from onlyoffice_sandbox.accounts import Accounts
from onlyoffice_sandbox.auth import Credentials, authorized, bearer_token, is_token
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
        # Made tenants by the sha256 of their token: a send finds its tenant in one look-up, not by
        # trying each (a suite of thousands of tests makes thousands), and the look-up's timing
        # tells nothing of a token.
        self._by_digest: dict[bytes, Tenant] = {}
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
            self._by_digest[_digest(token)] = tenant
        return tenant, token

    def _made_by(self, token: str) -> Tenant | None:
        with self._lock:
            return self._by_digest.get(_digest(token))

    def by_token(self, given: str | None) -> Tenant | None:
        """The tenant whose token `given` is (the pages' and the sandbox API's rule)."""
        if not given:
            return None
        if is_token(given, self.default.credentials.tokens):
            return self.default
        found = self._made_by(given)
        return found if found is not None and is_token(given, found.credentials.tokens) else None

    def by_credentials(self, header: str | None, cookie: str | None) -> Tenant | None:
        """The tenant the send call's credentials authenticate (`auth.authorized`); None: nobody.
        A made tenant has a token alone (no Basic login): each place `authorized` reads a token
        from is looked up, and the tenant found is then asked as the default one is."""
        if authorized(header, cookie, self.default.credentials):
            return self.default
        text = (header or "").strip()
        for candidate in {header or "", text, text[7:], bearer_token(header or "") or "", cookie or ""}:
            found = self._made_by(candidate) if candidate else None
            if found is not None and authorized(header, cookie, found.credentials):
                return found
        return None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
