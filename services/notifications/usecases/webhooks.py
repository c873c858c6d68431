"""Sending due webhook deliveries: signed POSTs, exponential backoff, and a
subscription that keeps failing disabled (its owner is told by e-mail and the
``samskab.webhook.disabled`` event)."""
import datetime as dt
import logging
import time

import eventlet
import requests

from samskab import events
from samskab.contracts.notifications import WebhookDisabled
from samskab.errors import Invalid

from .. import messages, webhooks
from ..counters import WEBHOOK_ATTEMPTS, WEBHOOKS_DISABLED, WEBHOOKS_FAILED
from ..settings import flag
from ..storage import due, mail, subscriptions
from ..storage.tables import webhook_deliveries
from .backlog import work_through

log = logging.getLogger("notifications")


def send_due_webhooks(uow, settings):
    """Send due deliveries until none is due (within the tick's budget); how many were tried."""
    def step():
        claimed = send_batch(uow, settings)
        return claimed, claimed > 0

    return work_through(step)


BATCH = 200


def lease(settings):
    """How long a batch is ours: twice the longest it can take (every POST of it timing out,
    so many at a time), and half a minute for the rest. A sender that dies mid-batch (killed,
    out of memory) delays its deliveries by this much, not by the ten minutes of e-mail."""
    rounds = -(-BATCH // max(1, int(settings.NOTIFICATIONS_WEBHOOK_CONCURRENCY)))
    return dt.timedelta(seconds=2 * rounds * float(settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS) + 30)


def send_batch(uow, settings):
    with uow:
        rows = due.claim(uow, webhook_deliveries, BATCH, lease(settings))
    if not rows:
        return 0
    with uow:
        subs = subscriptions.subscriptions_by_id(uow, {r.subscription_id for r in rows})
    pool = eventlet.GreenPool(int(settings.NOTIFICATIONS_WEBHOOK_CONCURRENCY))
    results = {}
    for row in rows:
        pool.spawn_n(_post, settings, row, subs.get(row.subscription_id), results)
    pool.waitall()
    record(uow, settings, rows, subs, results)
    for outcome, _, _ in results.values():
        WEBHOOK_ATTEMPTS.labels(outcome).inc()
    return len(rows)


def _post(settings, row, sub, results):
    if sub is None:
        results[row.id] = ("gone", None, "the subscription was deleted")
        return
    if sub.status != "active":
        results[row.id] = ("parked", None, "the subscription is disabled")
        return
    previous = sub.previous_secret
    if previous and (sub.previous_secret_until is None or sub.previous_secret_until.timestamp() <= time.time()):
        previous = None  # the overlap is over: only the new secret signs
    body = events.dumps(row.payload)
    try:
        # Checked again at each delivery: a host name may resolve elsewhere since it was subscribed.
        webhooks.check_target(sub.url, allow_private=flag(settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE),
                              allowed_networks=settings.NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS)
        response = requests.post(
            sub.url, data=body, headers=webhooks.headers(sub.secret, row.event_id, time.time(), body, previous),
            timeout=float(settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS), allow_redirects=False)
        ok = 200 <= response.status_code < 300
        results[row.id] = ("ok" if ok else "error", response.status_code, None if ok else f"HTTP {response.status_code}")
    except Invalid as exc:
        results[row.id] = ("error", None, f"address refused: {exc.errors[0]['message'] if exc.errors else exc}")
    except requests.RequestException as exc:
        results[row.id] = ("error", None, f"{type(exc).__name__}")


def record(uow, settings, rows, subs, results):
    max_attempts = int(settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS)
    disable_after = int(settings.NOTIFICATIONS_WEBHOOK_DISABLE_AFTER)
    base = float(settings.NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS)
    hold_for = dt.timedelta(seconds=float(settings.NOTIFICATIONS_WEBHOOK_HOLD_SECONDS))
    with uow:
        for row in sorted(rows, key=lambda r: r.id):
            outcome, status, error = results[row.id]
            if outcome == "gone":
                subscriptions.update_delivery(uow, row.id, status="failed", last_error=error)
                continue
            if outcome == "parked":
                # held while the subscription is disabled (not an attempt), given up after the hold time
                if row.created_at + hold_for <= dt.datetime.now(dt.timezone.utc):
                    subscriptions.update_delivery(uow, row.id, status="failed", last_error="held too long: the subscription stayed disabled")
                else:
                    subscriptions.hold(uow, row.id, hold_for)
                continue
            attempts = row.attempts + 1
            if outcome == "ok":
                subscriptions.delivered(uow, row.id, attempts, status)
                subscriptions.succeeded_for(uow, row.subscription_id)
                continue
            values = {"attempts": attempts, "last_status": status, "last_error": error}
            if attempts >= max_attempts:
                values["status"] = "failed"
                WEBHOOKS_FAILED.inc()
            else:
                values["next_attempt_at"] = due.retry_in(webhooks.backoff_seconds(attempts, base))
            subscriptions.update_delivery(uow, row.id, **values)
            failures = subscriptions.failed_for(uow, row.subscription_id)
            if failures and failures.status == "active" and failures.failures_in_a_row >= disable_after:
                disable(uow, settings, subs[row.subscription_id], failures.failures_in_a_row, status, error)


def disable(uow, settings, sub, failures, status, error):
    """Disable a subscription that keeps failing; tell its owner by e-mail and event."""
    subscriptions.disable(uow, sub.id, f"{failures} failed attempts in a row; last: {error}")
    uow.emit(WebhookDisabled.event_type, municipality=sub.municipality, subject=f"webhooks/{sub.id}",
             data={"subscription_id": sub.id, "municipality": sub.municipality, "api_key_id": sub.api_key_id,
                   "failures_in_a_row": failures, "last_status": status, "last_error": error})
    key = subscriptions.key(uow, sub.api_key_id)
    if key is not None:
        place = settings.catalogue.get(sub.municipality)
        language = place.language if place else "en"
        subject, lines = messages.render("webhook_disabled", language, {"url": sub.url, "failures": failures})
        mail.queue_one(uow, purpose="webhook_disabled", to_address=key.contact_email, message=messages.build_email(
            sender=settings.NOTIFICATIONS_MAIL_FROM, to=key.contact_email, language=language, name=key.name,
            subject=subject, lines=lines, link=None,
            unsubscribe_url=f"{settings.PUBLIC_URL}/api/v1/municipalities/{sub.municipality}/webhooks"))
    WEBHOOKS_DISABLED.inc()
    log.warning("webhook subscription %s disabled after %d failures", sub.id, failures)
