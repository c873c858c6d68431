"""Sending the e-mails that are due, over a few SMTP connections at once, with
exponential backoff; a 5xx refusal or too many attempts gives up for good."""
import logging
import smtplib
from email.utils import parseaddr

import eventlet

from .. import smtp, webhooks
from ..counters import EMAILS, EMAILS_FAILED
from ..storage import due, mail
from ..storage.tables import email_deliveries
from .backlog import work_through

log = logging.getLogger("notifications")


def send_due_emails(uow, settings):
    """Send due e-mails until none is due (or a pass stops making progress); how many were sent."""
    def step():
        sent, claimed = send_batch(uow, settings)
        return sent, claimed > 0 and sent > 0

    return work_through(step)


def send_batch(uow, settings):
    """One batch: claim, send, record; ``(sent, claimed)``."""
    with uow:
        rows = due.claim(uow, email_deliveries, int(settings.NOTIFICATIONS_MAIL_BATCH))
    if not rows:
        return 0, 0
    results = {}
    # A few connections in parallel hide the round trips of each SMTP dialogue.
    lanes = max(1, min(int(settings.NOTIFICATIONS_SMTP_CONNECTIONS), len(rows)))
    pool = eventlet.GreenPool(lanes)
    for lane in range(lanes):
        pool.spawn_n(_send_over_one_connection, settings, rows[lane::lanes], results)
    pool.waitall()
    for row in rows:
        results.setdefault(row.id, ("retry", "not attempted: the connection broke"))
    record(uow, settings, rows, results)
    for outcome, _ in results.values():
        EMAILS.labels(outcome).inc()
    return sum(1 for outcome, _ in results.values() if outcome == "sent"), len(rows)


def _send_over_one_connection(settings, rows, results):
    sender = parseaddr(settings.NOTIFICATIONS_MAIL_FROM)[1]
    try:
        connection = smtp.connect(settings)
    except smtplib.SMTPAuthenticationError as exc:
        # Not the message's fault: kept for another try (the password may be fixed), never the password itself.
        for row in rows:
            results[row.id] = ("retry", f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}")
        return
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            results[row.id] = ("retry", f"SMTP server unavailable: {exc}")
        return
    try:
        for row in rows:
            try:
                connection.sendmail(sender, [row.to_address], row.message)
                results[row.id] = ("sent", None)
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                results[row.id] = ("failed" if code >= 500 else "retry", f"{code} {reason!r}")
            except smtplib.SMTPResponseException as exc:
                results[row.id] = ("failed" if exc.smtp_code >= 500 else "retry", f"{exc.smtp_code} {exc.smtp_error!r}")
            except (OSError, smtplib.SMTPException) as exc:
                results[row.id] = ("retry", f"{type(exc).__name__}: {exc}")
                break  # the connection is gone: the rest waits for the next pass
    finally:
        try:
            connection.quit()
        except Exception:
            pass


def record(uow, settings, rows, results):
    """Sent, to be tried again after a backoff, or failed for good."""
    max_attempts = int(settings.NOTIFICATIONS_MAIL_MAX_ATTEMPTS)
    base = float(settings.NOTIFICATIONS_MAIL_BACKOFF_SECONDS)
    sent_ids = [rid for rid, (outcome, _) in results.items() if outcome == "sent"]
    with uow:
        if sent_ids:
            mail.mark_sent(uow, sent_ids)
        for row in rows:
            outcome, error = results[row.id]
            if outcome == "sent":
                continue
            # Servers often quote the address in their refusal: keep it out of logs and the staff view.
            error = (error or "").replace(row.to_address, "<recipient>")
            attempts = row.attempts + 1
            if outcome == "failed" or attempts >= max_attempts:
                mail.update(uow, row.id, status="failed", attempts=attempts, last_error=error)
                EMAILS_FAILED.inc()
                log.warning("e-mail delivery %s failed for good after %d attempts: %s", row.id, attempts, error)
            else:
                mail.update(uow, row.id, attempts=attempts, last_error=error,
                            next_attempt_at=due.retry_in(webhooks.backoff_seconds(attempts, base)))
    if sent_ids:
        log.info("sent %d e-mails", len(sent_ids))
