"""What the sinks that read a mail store share: which stored copy reached an address, and waiting for one.

A catch-all of RECIPIENT_DOMAIN holds every recipient's copy in one place. The envelope recipient is
known only from the header the delivery agent writes (`Delivered-To`, or Postfix's `X-Original-To`):
a Bcc recipient appears in no header of the message itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses

POLL_SECONDS = 0.2
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To")


def delivered_to(message: Message, address: str) -> bool:
    """`message` is the copy the delivery agent filed for `address` (lower case)."""
    # Delivered-To where the agent wrote one (Dovecot, Postfix), else X-Original-To (Postfix alone).
    for name in ENVELOPE_HEADERS:
        found = [a.lower() for _, a in getaddresses(message.get_all(name, []))]
        if found:
            return address in found
    return False


def until_found(
    find: Callable[[], list[bytes]], timeout: float, sleep: Callable[[float], None] = time.sleep
) -> list[bytes]:
    """`find()` every POLL_SECONDS until it finds something or `timeout` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = find()
        if found or time.monotonic() >= deadline:
            return found
        sleep(POLL_SECONDS)
