"""The durable outbox: drafts and queued mail in SQLite, in three rooms.

- `engine.py`: the `Outbox`, its writer thread (group commit: a send is answered once its message
  is on disk, many sends sharing an fsync) and its reader thread;
- `operations.py`: what the send call and delivery do to it (seed, find a draft, queue, keep a
  refused one, find what is due, load it, mark an attempt);
- `records.py`: the delivery records the JSON API and the pages show;
with `columns.py`, the one column list all three read.
"""

from onlyoffice_sandbox.outbox.columns import LISTED
from onlyoffice_sandbox.outbox.engine import BUSY_TIMEOUT_SECONDS, Operation, Outbox
from onlyoffice_sandbox.outbox.operations import (
    SENDABLE,
    Draft,
    Due,
    Queued,
    due,
    find_draft,
    keep_refused,
    load,
    mark,
    next_due,
    queue_failed,
    queue_message,
    seed,
)
from onlyoffice_sandbox.outbox.records import (
    captures_of,
    ids_after,
    linked_keys,
    listing,
    record_of,
    records,
    send_ids,
    tenant_keys,
    tenant_of,
)

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "LISTED",
    "SENDABLE",
    "Draft",
    "Due",
    "Operation",
    "Outbox",
    "Queued",
    "captures_of",
    "due",
    "find_draft",
    "ids_after",
    "keep_refused",
    "linked_keys",
    "listing",
    "load",
    "mark",
    "next_due",
    "queue_failed",
    "queue_message",
    "record_of",
    "records",
    "seed",
    "send_ids",
    "tenant_keys",
    "tenant_of",
]
