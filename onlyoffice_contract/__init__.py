"""The contract core: openapi.yaml and the rules of the send call that the suite and the sandbox share.

- `spec`: openapi.yaml, its operation, schemas and validators;
- `mailbox`: which addresses parse as one mailbox;
- `binder` (over `wire` and `dotnet`): what the real server binds from a raw request, and
  the leniency it uses, the one definition of it (import it as `onlyoffice_contract.binder`);
- `leniency`: each kind of leniency the binder records (`LeniencyKind`), and the record;
- `send_task`: which accepted sends the real server's send task cannot build (`mimeReplyToId`
  through MimeKit 2.15, `calendarIcs` through Ical.Net 4.2.0), so no mail goes out.

It imports neither the suite (`contract_tests`) nor the sandbox (`onlyoffice_sandbox`):
both stand on it.
"""

from onlyoffice_contract import spec
from onlyoffice_contract.mailbox import CONTROL, is_mailbox, parse_mailbox

__all__ = ["CONTROL", "is_mailbox", "parse_mailbox", "spec"]
