"""Magic recipients: addresses at `sandbox.test` whose local part chooses what the embedded capture's
SMTP does with that recipient, deterministically, so that a test can ask for an outcome per message.

`NAME[-N][+TAG]@sandbox.test` (any case): N is the kind's number, TAG anything, which makes an address
of its own (the counts below are kept per sender and address). The table (`KINDS`) is the one list:
docs/sandbox.md's table is written from it (`make docs-tables`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOMAIN = "sandbox.test"


@dataclass(frozen=True)
class Kind:
    reply: str  # the SMTP reply it gets, where it gets one
    default: float | None  # N when the address gives none; None: it takes no N
    about: str  # what it does, for the docs


_SAID = " (a sandbox magic recipient)"
KINDS = {
    "reject": Kind(
        "550 5.1.1 Recipient address rejected: no such user" + _SAID,
        None,
        "refused for good at RCPT: recorded in `refused`, never retried, not captured for it",
    ),
    "defer": Kind(
        "451 4.3.0 Recipient deferred, try again later" + _SAID,
        1,
        "deferred at RCPT N times (0: every time), then accepted: the message is retried for it alone",
    ),
    "over-limit": Kind(
        "452 4.5.3 Too many recipients" + _SAID,
        None,
        "deferred at RCPT when a recipient was accepted before it in the same transaction (a limit"
        " of one); alone, on the retry, it is accepted",
    ),
    "slow": Kind(
        "250 OK",
        1,
        "accepted at RCPT after N seconds: a sender less patient than that (`SANDBOX_SMTP_STEP_SECONDS`)"
        " gives up, and retries",
    ),
    "drop": Kind(
        "",
        0,
        "the connection is closed after DATA, with no answer, N times (0: every time): nothing is"
        " captured, the sender retries",
    ),
}
_NAMES = "|".join(re.escape(name) for name in KINDS)
_ADDRESS = re.compile(
    rf"^(?P<name>{_NAMES})(?:-(?P<n>\d{{1,4}}))?(?:\+[^@]*)?@{re.escape(DOMAIN)}$", re.IGNORECASE
)


@dataclass(frozen=True)
class Magic:
    name: str
    n: float


def of(address: str) -> Magic | None:
    """What `address` (as in RCPT TO) asks for; None: an ordinary recipient."""
    found = _ADDRESS.match(address.strip().strip("<>"))
    if found is None:
        return None
    name = found["name"].lower()
    default = KINDS[name].default
    if default is None:
        return None if found["n"] else Magic(name, 0)  # `reject-2@` is no magic address
    return Magic(name, float(found["n"]) if found["n"] else default)


class Counts:
    """How many times each (sender, magic address) has met its outcome: `defer-2` defers twice, then
    accepts and starts again. Kept in the capture's process, for as long as it runs."""

    def __init__(self) -> None:
        self._met: dict[tuple[str, str], int] = {}

    def again(self, mail_from: str, address: str, times: float) -> bool:
        """Whether this delivery meets the outcome once more (`times` 0: always); counted."""
        key = (mail_from.lower(), address.lower())
        met = self._met.get(key, 0)
        if times and met >= times:
            self._met.pop(key, None)  # done with: the next message to it starts again
            return False
        self._met[key] = met + 1
        return True
