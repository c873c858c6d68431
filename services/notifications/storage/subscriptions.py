"""Third parties: API keys, their webhook subscriptions, and each delivery."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import api_keys, webhook_deliveries, webhook_subscriptions

# -- API keys --------------------------------------------------------------------------------


def add_key(uow, **row):
    uow.execute(api_keys.insert().values(**row))


def keys_of(uow, municipality):
    return uow.execute(sa.select(api_keys).where(api_keys.c.municipality == municipality)
                       .order_by(api_keys.c.created_at)).all()


def live_key(uow, key_hash):
    """The unrevoked API key with this hash, or ``None``."""
    return uow.execute(sa.select(api_keys).where(
        api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))).first()


def key(uow, key_id):
    return uow.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()


def revoke_key(uow, municipality, key_id):
    """Revoke a key and disable its webhooks; its id, or ``None`` if there is no such key."""
    found = uow.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.municipality == municipality)
                        .values(revoked_at=sa.func.now()).returning(api_keys.c.id)).first()
    if found is None:
        return None
    uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.api_key_id == found.id)
                .values(status="disabled", disabled_at=sa.func.now(), disabled_reason="API key revoked"))
    return found.id


# -- subscriptions ----------------------------------------------------------------------------

def add_subscription(uow, **row):
    return uow.execute(webhook_subscriptions.insert().values(**row).returning(*webhook_subscriptions.c)).first()


def subscriptions_of(uow, municipality, api_key_id=None):
    query = sa.select(webhook_subscriptions).where(webhook_subscriptions.c.municipality == municipality)
    if api_key_id is not None:
        query = query.where(webhook_subscriptions.c.api_key_id == api_key_id)
    return uow.execute(query.order_by(webhook_subscriptions.c.created_at)).all()


def subscription(uow, municipality, subscription_id):
    return uow.execute(sa.select(webhook_subscriptions).where(
        webhook_subscriptions.c.id == subscription_id, webhook_subscriptions.c.municipality == municipality)).first()


def subscriptions_by_id(uow, ids):
    return {r.id: r for r in uow.execute(sa.select(webhook_subscriptions).where(
        webhook_subscriptions.c.id.in_(set(ids))))}


def active_patterns(uow, municipality):
    """``[(id, patterns)]`` of a municipality's subscriptions that take events: the active
    ones, and the disabled ones of a live API key (their deliveries are held, to be
    resent if the subscription is enabled again within the hold time)."""
    live = sa.select(api_keys.c.id).where(api_keys.c.revoked_at.is_(None))
    return uow.execute(sa.select(webhook_subscriptions.c.id, webhook_subscriptions.c.patterns).where(
        webhook_subscriptions.c.municipality == municipality,
        sa.or_(webhook_subscriptions.c.status == "active", webhook_subscriptions.c.api_key_id.in_(live)))).all()


def succeeded_for(uow, subscription_id):
    uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.id == subscription_id)
                .values(failures_in_a_row=0))


def failed_for(uow, subscription_id):
    """Count one more failure in a row; the new count and the subscription's status."""
    return uow.execute(
        webhook_subscriptions.update().where(webhook_subscriptions.c.id == subscription_id)
        .values(failures_in_a_row=webhook_subscriptions.c.failures_in_a_row + 1)
        .returning(webhook_subscriptions.c.failures_in_a_row, webhook_subscriptions.c.status)).first()


def disable(uow, subscription_id, reason):
    uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.id == subscription_id).values(
        status="disabled", disabled_at=sa.func.now(), disabled_reason=reason))


def delete_subscription(uow, subscription_id):
    """The subscription and its deliveries (pending ones are never sent)."""
    uow.execute(webhook_deliveries.delete().where(webhook_deliveries.c.subscription_id == subscription_id))
    uow.execute(webhook_subscriptions.delete().where(webhook_subscriptions.c.id == subscription_id))


def enable(uow, subscription_id):
    """Active again; its held deliveries are due now.  The updated row."""
    row = uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.id == subscription_id).values(
        status="active", failures_in_a_row=0, disabled_at=None, disabled_reason=None)
        .returning(*webhook_subscriptions.c)).first()
    uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.subscription_id == subscription_id,
                                                  webhook_deliveries.c.status == "pending")
                .values(next_attempt_at=sa.func.now()))
    return row


def rotate_secret(uow, subscription_id, secret, overlap):
    """A new secret; the current one keeps signing for ``overlap`` (a timedelta).  The updated row."""
    return uow.execute(webhook_subscriptions.update().where(webhook_subscriptions.c.id == subscription_id).values(
        previous_secret=webhook_subscriptions.c.secret, previous_secret_until=sa.func.now() + overlap, secret=secret)
        .returning(*webhook_subscriptions.c)).first()


def hold(uow, delivery_id, hold_for):
    """Keep a delivery of a disabled subscription pending until its hold time runs out
    (then it is looked at once more, and given up if still disabled)."""
    update_delivery(uow, delivery_id, next_attempt_at=webhook_deliveries.c.created_at + hold_for,
                    last_error="held: the subscription is disabled")


# -- deliveries ------------------------------------------------------------------------------

def queue_deliveries(uow, rows):
    """One delivery per (subscription, event), however often the event arrives."""
    if rows:
        uow.execute(pg.insert(webhook_deliveries).values(rows).on_conflict_do_nothing())


def update_delivery(uow, delivery_id, **values):
    uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == delivery_id).values(**values))


def delivered(uow, delivery_id, attempts, status):
    update_delivery(uow, delivery_id, status="succeeded", attempts=attempts, last_status=status, last_error=None,
                    delivered_at=sa.func.now())


def deliveries_of(uow, subscription_id, limit):
    return uow.execute(sa.select(webhook_deliveries).where(webhook_deliveries.c.subscription_id == subscription_id)
                       .order_by(webhook_deliveries.c.id.desc()).limit(limit)).all()


def redact_payloads(uow, event_id, envelope):
    """Moderation: deliveries of an event carry its blanked envelope from now on (those
    still pending go out without the hidden content; the delivery log keeps no copy)."""
    uow.execute(webhook_deliveries.update().where(webhook_deliveries.c.event_id == event_id)
                .values(payload=envelope))
