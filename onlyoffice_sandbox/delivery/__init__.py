"""Delivery: the sandbox's second process, which composes each accepted message and sends it.

- `process.py`: the server's handle on that process (start, wake, stop, restart);
- `child.py`: the process itself (`python -m onlyoffice_sandbox.delivery`): the outbox lock,
  the wake pipe, the embedded capture, the worker;
- `worker.py`: takes due messages from the outbox and records each outcome;
- `smtp.py`: one batch over one SMTP connection, and what each SMTP answer means;
- `compose.py`: the MIME, as the real server's MimeKit code builds it;
- `capture.py`: the embedded SMTP server that files each message when no relay is set.

Nothing here imports a web framework: the process loads only what delivery needs.
"""

from onlyoffice_sandbox.delivery.process import DeliveryProcess
from onlyoffice_sandbox.delivery.settings import DeliverySettings

__all__ = ["DeliveryProcess", "DeliverySettings"]
