"""The mail a run checks: read from where the server delivered it (MAIL_SINK), and compared with the send.

The rest of the suite imports the names below from `contract_tests.mail`, never a module of it.

- `sinks.py`: MAIL_SINK chooses the sink (`sink_for`); the embedded sandbox's capture and a Maildir;
- `imap_pop3.py`: an IMAP or POP3 catch-all mailbox, read with the standard library;
- `mailpit.py`: Mailpit's HTTP API;
- `sandbox.py`: the capture of a sandbox you run yourself (MAIL_SINK=sandbox:URL);
- `catch_all.py`: what the sinks that read a mail store share: which copy reached an address, waiting;
- `bounds.py`: a sink that misbehaves (`SinkError`), and the time and size every read of a sink is held to;
- `compare.py`: the mail that went out, compared with the send that asked for it; recipients marked;
- `allowed_headers.py`: which headers delivered mail may carry;
- `generated_sends.py`: the generated sends whose mail is checked (marked, kept, sampled by SEED).
"""

from contract_tests.mail.bounds import MAX_LISTING_BYTES, MAX_MESSAGE_BYTES, SinkError
from contract_tests.mail.compare import MARKER, NAME_DIFFERS, differences, marked, recipients
from contract_tests.mail.generated_sends import GeneratedSends, Sent
from contract_tests.mail.imap_pop3 import Imap, Pop3, parse_url
from contract_tests.mail.mailpit import Mailpit
from contract_tests.mail.sinks import Embedded, Sink, sink_for

__all__ = [
    "MARKER",
    "MAX_LISTING_BYTES",
    "MAX_MESSAGE_BYTES",
    "NAME_DIFFERS",
    "Embedded",
    "GeneratedSends",
    "Imap",
    "Mailpit",
    "Pop3",
    "Sent",
    "Sink",
    "SinkError",
    "differences",
    "marked",
    "parse_url",
    "recipients",
    "sink_for",
]
