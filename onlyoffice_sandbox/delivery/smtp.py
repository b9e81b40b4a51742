"""One batch of messages over one SMTP connection (smtplib), and what each SMTP answer means.

Each message is composed here, from what the outbox stored at accept, as the real server builds its
MIME when it sends. Every outcome is recorded as it happens, per recipient:
- the relay accepted it for a recipient: that recipient is done, and never sent it again;
- a recipient refused for good (5xx): recorded, not retried;
- a recipient refused for now (4xx, such as 452 "too many recipients"): the message stays queued and
  the next attempt goes to the recipients still pending, with the same Message-ID;
- the relay unreachable, refusing the connection (a 421 greeting), too slow or too long in a reply
  (`bounded.py`), or the connection lost: the message waits for the next attempt, and its record
  says why in the relay's words (`421 4.3.2 ...`), never failed for good for it.
A message that cannot be composed or sent (what input validation exists to prevent) is recorded
`failed` with the reason, and the rest flow on. One case can deliver twice: the process dies after
the relay said 250 and before the outbox recorded it (or the relay stores the message and drops the
connection before its 250); the copy then has the same Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable

from onlyoffice_sandbox import mailstore, outbox
from onlyoffice_sandbox.delivery import headers
from onlyoffice_sandbox.delivery.bounded import BoundedSMTP
from onlyoffice_sandbox.delivery.compose import compose
from onlyoffice_sandbox.outbox import Due, Outbox, Queued

log = logging.getLogger("onlyoffice_sandbox.delivery")

SMTP_TIMEOUT = 30.0  # each step's deadline: the greeting, each reply, the writing of the data
# A compose that took longer than this may have outlived the relay's patience: check the connection.
SLOW_COMPOSE_SECONDS = 5.0


def _permanent(exc: smtplib.SMTPException) -> bool:
    """A refusal of this message for good: a 5xx to MAIL, RCPT or DATA. A 5xx to EHLO and HELO is
    about the connection, not the message: retried."""
    return (
        isinstance(exc, smtplib.SMTPResponseException)
        and not isinstance(exc, smtplib.SMTPHeloError)
        and exc.smtp_code >= 500
    )


_STEPS = {
    smtplib.SMTPHeloError: "EHLO/HELO",
    smtplib.SMTPSenderRefused: "MAIL FROM",
    smtplib.SMTPDataError: "DATA",
}


def describe(exc: BaseException) -> str:
    """What happened, as SMTP says it when the relay answered: the step, then its reply's code,
    enhanced status code and text (`the SMTP relay answered DATA: 550 5.7.1 Spam refused`), never
    Python's names for it (`SMTPDataError: (550, b'5.7.1 ...')`)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        step = _STEPS.get(type(exc), "a command")
        return f"the SMTP relay answered {step}: {reply(exc.smtp_code, exc.smtp_error)}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"the SMTP relay answered RCPT TO: {recipients_said(exc.recipients)}"[:500]
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the SMTP connection ended: {exc}"[:500]
    if isinstance(exc, OSError):  # no SMTP reply at all: the connection's own error, in its words
        return f"no answer from the SMTP relay: {exc.strerror or exc or type(exc).__name__}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as the relay wrote it: its code, then its text, which starts with the enhanced
    status code when the relay has one (RFC 3463: `550 5.1.1 No such user`). smtplib joins the lines
    of a multi-line reply with a line break: here they are joined with ` / `, on one line."""
    said = text.decode(errors="replace") if isinstance(text, bytes) else text
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    return f"{code} {' / '.join(lines)}".strip()[:300]


def recipients_said(refused: dict[str, tuple[int, bytes]] | dict[str, str]) -> str:
    """Each recipient and what the relay said of it: `bob@example.org: 550 5.1.1 No such user; ...`."""
    return "; ".join(
        f"{address}: {said if isinstance(said, str) else reply(*said)}" for address, said in refused.items()
    )


def envelope_address(address: str) -> str:
    """An address as the SMTP envelope carries it: the domain in IDNA (7-bit)."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{headers.ascii_domain(domain)}"


class Batch:
    """Sends due messages over one connection and records each outcome in the outbox as it happens."""

    def __init__(
        self,
        box: Outbox,
        address: tuple[str, int],
        retry_at: Callable[[int], float],
        stopping: Callable[[], bool],
        step_seconds: float = SMTP_TIMEOUT,
    ) -> None:
        self._box = box
        self._address = address
        self._retry_at = retry_at
        self._stopping = stopping
        self._step_seconds = step_seconds
        self._refusal = ""  # why the last connection was not made, in the relay's words if it spoke

    def deliver(self, batch: list[Due]) -> None:
        smtp = self._connect()
        if smtp is None:  # nothing was loaded or composed: an outage costs no work
            for due in batch:
                self._requeue(due.id, due.attempts, self._refusal)
            return
        try:
            for index, due in enumerate(batch):
                if self._stopping():
                    break
                message = self._box.read(outbox.load(due.id))
                if message is None:
                    continue  # recorded meanwhile (by a process before this one)
                started = time.monotonic()
                content = self._content(message)
                if content is None:
                    continue  # recorded as failed; the connection is still good
                if time.monotonic() - started > SLOW_COMPOSE_SECONDS:
                    smtp = self._still_connected(smtp)
                if smtp is None or not self._send(smtp, message, content):
                    for rest in batch[index + (smtp is not None) :]:
                        self._requeue(rest.id, rest.attempts, "the SMTP connection was lost")
                    break
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()

    def _connect(self) -> smtplib.SMTP | None:
        try:
            return BoundedSMTP(*self._address, step_seconds=self._step_seconds)
        except smtplib.SMTPResponseException as exc:  # it answered, with a code other than 220 (421...)
            self._refusal = f"the SMTP relay refused the connection: {reply(exc.smtp_code, exc.smtp_error)}"
        except smtplib.SMTPException as exc:  # it spoke, too slowly or too much (bounded.py), or hung up
            self._refusal = f"the SMTP relay did not greet: {exc}"
        except OSError as exc:
            self._refusal = f"the SMTP relay is unreachable: {exc}"
        log.warning("SMTP server %s:%s: %s; will retry", *self._address, self._refusal)
        return None

    def _still_connected(self, smtp: smtplib.SMTP) -> smtplib.SMTP | None:
        try:
            if smtp.noop()[0] == 250:
                return smtp
        except (smtplib.SMTPException, OSError):
            pass
        smtp.close()
        return self._connect()

    def _requeue(
        self,
        message: int,
        attempts: int,
        why: str,
        delivered: list[str] | None = None,
        refused: dict[str, str] | None = None,
        captured: str | None = None,
    ) -> None:
        retry_at = self._retry_at(attempts)
        self._box.call(outbox.mark(message, "queued", why[:500], retry_at, delivered, refused, captured))

    def _content(self, message: Queued) -> bytes | None:
        try:
            return compose(message.letter).as_bytes()
        except Exception as exc:  # whatever `email` raises: this message is recorded, the rest flow on
            log.error("message %s cannot be composed, recorded as failed: %s", message.id, describe(exc))
            self._box.call(outbox.mark(message.id, "failed", f"cannot be composed: {describe(exc)}"))
            return None

    def _send(self, smtp: smtplib.SMTP, message: Queued, content: bytes) -> bool:
        """Send one message to its pending recipients and record the outcome; False if the
        connection is gone."""
        pending = {envelope_address(r): r for r in message.pending}
        try:
            smtp.ehlo_or_helo_if_needed()
            dsn = smtp.has_extn("dsn")
            refused = smtp.sendmail(
                envelope_address(message.letter.sender),
                list(pending),
                content,
                mail_options=["RET=HDRS"] if dsn else [],
                rcpt_options=["NOTIFY=FAILURE"] if dsn else [],
            )
        except smtplib.SMTPRecipientsRefused as exc:  # every pending recipient refused
            refused = exc.recipients
        except smtplib.SMTPException as exc:
            if _permanent(exc):
                log.warning("message %s refused for good: %s", message.id, describe(exc))
                self._box.call(outbox.mark(message.id, "failed", describe(exc)))
            else:
                self._requeue(message.id, message.attempts, describe(exc))
            return self._reset(smtp, exc)
        except OSError as exc:
            self._requeue(message.id, message.attempts, describe(exc))
            return False
        except Exception as exc:  # smtplib cannot write it (an address it cannot encode...): for good
            log.error("message %s cannot be sent, recorded as failed: %s", message.id, describe(exc))
            self._box.call(outbox.mark(message.id, "failed", f"cannot be sent: {describe(exc)}"))
            return False
        self._record(message, pending, refused, content)
        return True

    def _record(
        self, message: Queued, pending: dict[str, str], refused: dict[str, tuple[int, bytes]], content: bytes
    ) -> None:
        permanent = {pending[a]: reply(*answer) for a, answer in refused.items() if answer[0] >= 500}
        later = {pending[a]: reply(*answer) for a, answer in refused.items() if answer[0] < 500}
        delivered = [r for a, r in pending.items() if a not in refused]
        # The key the embedded capture files this delivery under: the same envelope and content.
        captured = (
            mailstore.key_of(content, envelope_address(message.letter.sender), accepted)
            if (accepted := [a for a in pending if a not in refused])
            else None
        )
        if later:
            why = f"deferred for {len(later)} recipient(s), retried for those only: {recipients_said(later)}"
            self._requeue(message.id, message.attempts, why, delivered, permanent, captured)
            return
        summary = f"refused: {recipients_said(permanent)}"[:500] if permanent else None
        anyone = delivered or message.delivered_to
        state = "sent" if anyone else "failed"
        self._box.call(outbox.mark(message.id, state, summary, None, delivered, permanent, captured))

    @staticmethod
    def _reset(smtp: smtplib.SMTP, exc: smtplib.SMTPException) -> bool:
        """After a refusal, make the connection ready for the next message; False if it is gone."""
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return False
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            return False
        return True
