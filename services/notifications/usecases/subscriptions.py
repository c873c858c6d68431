"""Third parties and the staff who look after them: API keys (operators),
webhook subscriptions (an API key's), delivery logs, and undelivered e-mails."""
import datetime as dt
import uuid

from samskab.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from samskab.values import iso, now, parse_id

from .. import views, webhooks
from ..settings import flag
from ..storage import mail, subscriptions
from .access import is_staff_of, person, require_operator


def _limit(value):
    return max(1, min(int(value), 500))


def email_deliveries(uow, municipality, actor, status="failed", limit=100):
    """Staff see e-mails that could not be delivered (ids and errors, no addresses)."""
    if not is_staff_of(actor, municipality):
        raise Forbidden("only the municipality's staff may see deliveries")
    with uow:
        rows = mail.of_municipality(uow, municipality, status, _limit(limit))
    return [views.email_delivery(r) for r in rows]


def issue_api_key(uow, municipality, actor, payload):
    require_operator(actor, "issue API keys")
    name = (payload.get("name") or "").strip()
    contact = (payload.get("contact_email") or "").strip()
    errors = []
    if not name or len(name) > 100:
        errors.append({"field": "name", "message": "the third party's name, 1 to 100 characters"})
    if "@" not in contact or len(contact) > 320:
        errors.append({"field": "contact_email", "message": "an e-mail address to tell when a webhook fails"})
    if errors:
        raise Invalid("the API key request is not valid", errors)
    key = webhooks.new_api_key()
    row = {"id": uuid.uuid4(), "municipality": municipality, "name": name, "contact_email": contact,
           "key_hash": webhooks.hash_api_key(key), "key_prefix": key[:10], "created_by": person(actor)}
    with uow:
        subscriptions.add_key(uow, **row)
    return views.api_key_issued(row, key)


def list_api_keys(uow, municipality, actor):
    require_operator(actor, "list API keys")
    with uow:
        return [views.api_key(r) for r in subscriptions.keys_of(uow, municipality)]


def revoke_api_key(uow, municipality, actor, key_id):
    """Revoke a key; its webhooks are disabled with it."""
    require_operator(actor, "revoke API keys")
    with uow:
        revoked = subscriptions.revoke_key(uow, municipality, parse_id(key_id, "API key"))
    if revoked is None:
        raise NotFound("no such API key")
    return {"revoked": str(revoked)}


def _key(uow, municipality, api_key):
    """The live API key row the caller sent, for this municipality."""
    if not api_key:
        raise Unauthorized("send the API key in the X-Api-Key header")
    row = subscriptions.live_key(uow, webhooks.hash_api_key(api_key))
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    if row.municipality != municipality:
        raise Forbidden("this API key belongs to another municipality")
    return row


def subscribe_webhook(uow, settings, municipality, api_key, payload):
    """A new subscription of the API key's; the signing secret is shown this once."""
    patterns = webhooks.validate_patterns(payload.get("types"))
    url = webhooks.check_target(payload.get("url"), allow_private=flag(settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE),
                                allowed_networks=settings.NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS)
    with uow:
        key = _key(uow, municipality, api_key)
        row = subscriptions.add_subscription(uow, id=uuid.uuid4(), municipality=municipality, api_key_id=key.id,
                                             url=url, patterns=patterns, secret=webhooks.new_secret())
    return views.subscription(row, secret=True)


def list_webhooks(uow, municipality, actor, api_key=None):
    """An API key's own subscriptions, or (without a key) all of them for staff."""
    with uow:
        key_id = None
        if api_key:
            key_id = _key(uow, municipality, api_key).id
        elif not is_staff_of(actor, municipality):
            raise Unauthorized("send the API key in the X-Api-Key header")
        return [views.subscription(r) for r in subscriptions.subscriptions_of(uow, municipality, key_id)]


def webhook_deliveries(uow, municipality, actor, webhook_id, api_key=None, limit=100):
    """A subscription's delivery log, newest first (for its API key, or staff)."""
    with uow:
        sub = subscriptions.subscription(uow, municipality, parse_id(webhook_id, "webhook"))
        if sub is None:
            raise NotFound("no such webhook")
        if api_key:
            if _key(uow, municipality, api_key).id != sub.api_key_id:
                raise NotFound("no such webhook")
        elif not is_staff_of(actor, municipality):
            raise Unauthorized("send the API key in the X-Api-Key header")
        rows = subscriptions.deliveries_of(uow, sub.id, _limit(limit))
    return {"webhook": views.subscription(sub), "deliveries": [views.webhook_delivery(r) for r in rows]}


# -- managing a subscription (its API key, or staff) ------------------------------------------

MAX_OVERLAP_SECONDS = 7 * 24 * 3600


def _owned(uow, municipality, actor, webhook_id, api_key):
    """The subscription, if the caller's API key owns it or the caller is staff."""
    sub = subscriptions.subscription(uow, municipality, parse_id(webhook_id, "webhook"))
    if sub is None:
        raise NotFound("no such webhook")
    if api_key:
        if _key(uow, municipality, api_key).id != sub.api_key_id:
            raise NotFound("no such webhook")
    elif not is_staff_of(actor, municipality):
        raise Unauthorized("send the API key in the X-Api-Key header")
    return sub


def delete_webhook(uow, municipality, actor, webhook_id, api_key=None):
    """Gone, with its deliveries: nothing more is sent to it."""
    with uow:
        sub = _owned(uow, municipality, actor, webhook_id, api_key)
        subscriptions.delete_subscription(uow, sub.id)
    return {"deleted": str(sub.id)}


def enable_webhook(uow, municipality, actor, webhook_id, api_key=None):
    """Enable a disabled subscription again; what was held for it is sent now."""
    with uow:
        sub = _owned(uow, municipality, actor, webhook_id, api_key)
        key = subscriptions.key(uow, sub.api_key_id)
        if key is None or key.revoked_at is not None:
            raise Conflict("the webhook's API key is revoked; subscribe again with a live key")
        row = subscriptions.enable(uow, sub.id)
    return views.subscription(row)


def rotate_webhook_secret(uow, municipality, actor, webhook_id, payload, api_key=None):
    """A new signing secret, shown this once; the old one signs alongside it for the
    overlap (``overlap_seconds``, default a day) so the receiver can switch in its own time."""
    overlap = (payload or {}).get("overlap_seconds", 86400)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap <= MAX_OVERLAP_SECONDS:
        raise Invalid("the overlap is not valid",
                      [{"field": "overlap_seconds", "message": f"whole seconds from 0 to {MAX_OVERLAP_SECONDS}"}])
    with uow:
        sub = _owned(uow, municipality, actor, webhook_id, api_key)
        row = subscriptions.rotate_secret(uow, sub.id, webhooks.new_secret(), dt.timedelta(seconds=overlap))
    return views.subscription(row, secret=True)


def ping_webhook(uow, municipality, actor, webhook_id, api_key=None):
    """Queue a signed ``samskab.webhook.ping`` to the subscription (sent like any event,
    shown in its delivery log)."""
    with uow:
        sub = _owned(uow, municipality, actor, webhook_id, api_key)
        if sub.status != "active":
            raise Conflict("the webhook is disabled; enable it first")
        event_id = uuid.uuid4()
        payload = {"specversion": "1.0", "id": str(event_id), "type": PING, "source": f"/municipalities/{municipality}",
                   "time": iso(now()), "municipality": municipality, "subject": f"webhooks/{sub.id}",
                   "datacontenttype": "application/json", "data": {"subscription_id": str(sub.id)}}
        subscriptions.queue_deliveries(uow, [{"subscription_id": sub.id, "event_id": event_id, "event_type": PING,
                                              "payload": payload}])
    return {"event_id": str(event_id)}


PING = "samskab.webhook.ping"
