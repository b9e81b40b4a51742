"""A message as accepted: what the outbox keeps, and all that composing it needs."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid
from typing import Any

from onlyoffice_contract.mailbox import parse_mailbox
from onlyoffice_sandbox.attachments import Attachment


@dataclass(frozen=True)
class Letter:
    """The real server answers once the draft is saved and queued, and builds the MIME when it
    sends; so does the sandbox. Message-ID and Date are fixed at accept, the same on every attempt."""

    fields: dict[str, Any]
    message_id: str
    date: str
    author: str  # the From mailbox, with the account's display name
    recipients: list[str]  # To, Cc and Bcc
    attachments: list[Attachment]
    # What the app developer should know: each leniency the request needed, each attachment skipped.
    notes: tuple[str, ...] = ()

    @property
    def author_address(self) -> Address:
        address = parse_mailbox(self.author)
        if address is None:
            raise ValueError(f"the From mailbox does not parse: {self.author!r}")
        return address

    @property
    def sender(self) -> str:
        """The envelope sender (MAIL FROM): the From mailbox's address."""
        return self.author_address.addr_spec


def new_message_id(sender: Address) -> str:
    return make_msgid(domain=sender.domain)


def now() -> str:
    """The Date header for a message accepted now."""
    return _date(int(time.time()))


@functools.lru_cache(maxsize=1)
def _date(second: int) -> str:
    # Written to the second: every send within one second has the same text, made once.
    return format_datetime(datetime.fromtimestamp(second, UTC))
