"""What an incoming event changes here.  The consumer runs these inside its own
transaction (one per event); their effects are rows only: e-mails and webhook
deliveries are sent later by the timers."""
import uuid

from samskab import events
from samskab.values import now

from .. import rules
from ..storage import people, public_log, subscriptions
from .. import webhooks
from . import data_rights, notify


def handle(uow, settings, event):
    """Everything one event means for notifications, in one transaction."""
    type_name = event["type"]
    if type_name in rules.CONTACT:
        contact_changed(uow, event)
    if type_name in rules.AUDIENCE:
        for membership in rules.AUDIENCE[type_name].memberships(event["data"]):
            membership_changed(uow, event["municipality"], membership)
    if type_name in rules.NOTIFY:
        notify.tell(uow, settings, event, rules.NOTIFY[type_name])
    if type_name in rules.TRANSACTIONAL:
        notify.account_mail(uow, settings, event, rules.TRANSACTIONAL[type_name])
    public = events.public_envelope(event)
    if public is not None:
        # The public log's lock is taken last, so it is held only until the commit.
        log_public(uow, public)


def contact_changed(uow, event):
    data = event["data"]
    pid = uuid.UUID(str(data["id"]))
    if event["type"].endswith(".erased"):
        data_rights.erase(uow, pid)
        return
    if people.erased(uow, [pid]):
        return  # an update that arrives after the erasure brings nothing back
    people.save_contact(uow, pid, {
        "municipality": data["municipality"], "email": data["email"], "language": data["language"],
        "role": data["role"], "display_name": data.get("display_name") or "",
        "email_confirmed": bool(data.get("email_confirmed", False)), "updated_at": now(),
    })


def membership_changed(uow, municipality, m):
    pid = uuid.UUID(m.participant_id)
    if m.op == "add" and not people.erased(uow, [pid]):
        people.add_membership(uow, municipality, m.subject, pid, m.relation)
    elif m.op == "remove":
        people.remove_membership(uow, m.subject, pid, m.relation)


def log_public(uow, public):
    """Into the public log, and a delivery for each subscription that wants it."""
    if public_log.append(uow, public) is None:
        return
    event_id = uuid.UUID(public["id"])
    subscriptions.queue_deliveries(uow, [
        {"subscription_id": sub.id, "event_id": event_id, "event_type": public["type"], "payload": public}
        for sub in subscriptions.active_patterns(uow, public["municipality"])
        if webhooks.matches(sub.patterns, public["type"])])
