"""One batch of messages over one SMTP connection (smtplib), and what each SMTP answer means.

Each message is composed here, from what the outbox stored at accept, as the
real server builds its MIME when it sends. A message is marked sent only after
the SMTP server accepted it, so an outage or a restart only delays it. A
permanent refusal (5xx) is recorded and not retried; so is a message `email`
cannot write, which input validation is there to prevent. The one case that can
deliver twice: the process dies after the server said 250 and before the outbox
recorded it; the copy then has the same Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

from onlyoffice_sandbox import outbox
from onlyoffice_sandbox.delivery.compose import compose
from onlyoffice_sandbox.outbox import Outbox, Queued

log = logging.getLogger("onlyoffice_sandbox.delivery")

SMTP_TIMEOUT = 30.0


def _permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class Batch:
    """Sends messages over one connection and records each outcome in the outbox as it happens."""

    def __init__(
        self,
        box: Outbox,
        address: tuple[str, int],
        retry_at: Callable[[int], float],
        stopping: Callable[[], bool],
    ) -> None:
        self._box = box
        self._address = address
        self._retry_at = retry_at
        self._stopping = stopping

    def deliver(self, batch: list[Queued]) -> None:
        try:
            smtp = smtplib.SMTP(*self._address, timeout=SMTP_TIMEOUT)
        except OSError as exc:
            log.warning("SMTP server %s:%s unreachable, will retry: %s", *self._address, exc)
            for message in batch:
                self._requeue(message, exc)
            return
        try:
            for message in batch:
                if self._stopping() or not self._send(smtp, message):
                    break  # the connection is gone: the rest of the batch waits for the retry
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _requeue(self, message: Queued, exc: BaseException) -> None:
        self._box.call(outbox.mark(message.id, "queued", describe(exc), self._retry_at(message.attempts)))

    def _content(self, message: Queued) -> bytes | None:
        if message.mime is not None:
            return message.mime
        try:
            return compose(message.letter).as_bytes()
        except (ValueError, TypeError, LookupError) as exc:
            log.error("message %s cannot be composed, recorded as failed: %s", message.id, describe(exc))
            self._box.call(outbox.mark(message.id, "failed", f"cannot be composed: {describe(exc)}"))
            return None

    def _send(self, smtp: smtplib.SMTP, message: Queued) -> bool:
        """Send one message; False if the connection is gone."""
        content = self._content(message)
        if content is None:
            return True  # recorded; the connection is still good
        letter = message.letter
        try:
            smtp.ehlo_or_helo_if_needed()
            dsn = smtp.has_extn("dsn")
            refused = smtp.sendmail(
                letter.sender,
                letter.recipients,
                content,
                mail_options=["RET=HDRS"] if dsn else [],
                rcpt_options=["NOTIFY=FAILURE"] if dsn else [],
            )
        except smtplib.SMTPException as exc:
            if _permanent(exc):
                log.warning("message %s refused for good: %s", message.id, describe(exc))
                self._box.call(outbox.mark(message.id, "failed", describe(exc)))
            else:
                self._requeue(message, exc)
            connection_lost = isinstance(exc, smtplib.SMTPServerDisconnected)
            if not connection_lost:
                try:
                    smtp.rset()
                except (smtplib.SMTPException, OSError):
                    connection_lost = True
            return not connection_lost
        except OSError as exc:
            self._requeue(message, exc)
            return False
        # Accepted. Some recipients may have been refused: that is recorded, not retried,
        # since a retry would deliver twice to the ones that were accepted.
        self._box.call(outbox.mark(message.id, "sent", f"refused: {refused}"[:500] if refused else None))
        return True
