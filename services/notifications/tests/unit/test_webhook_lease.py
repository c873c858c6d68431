"""A webhook batch is leased for as long as it can take, not for the ten minutes of
e-mail: deliveries claimed by a sender that died are sent by another soon after."""
import datetime as dt

from notifications import settings
from notifications.usecases import webhooks


def test_the_default_lease_outlasts_a_batch_of_timeouts_and_ends_within_minutes():
    s = settings.load({})
    lease = webhooks.lease(s)
    rounds = webhooks.BATCH / int(s.NOTIFICATIONS_WEBHOOK_CONCURRENCY)
    worst = dt.timedelta(seconds=rounds * float(s.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS))
    assert worst < lease <= dt.timedelta(minutes=3)


def test_slower_receivers_get_a_longer_lease():
    fast = webhooks.lease(settings.load({"NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "5"}))
    slow = webhooks.lease(settings.load({"NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "30",
                                         "NOTIFICATIONS_WEBHOOK_CONCURRENCY": "5"}))
    assert slow > fast and slow > dt.timedelta(seconds=40 * 30)
