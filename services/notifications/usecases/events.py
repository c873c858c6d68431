"""What an incoming event changes here.  The consumer runs these inside its own
transaction (one per event); their effects are rows only: e-mails and webhook
deliveries are sent later by the timers."""
import uuid

from samskab import events
from samskab.values import now

from .. import redaction, rules
from ..storage import open_data, people, public_log, subscriptions
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
    for rule in rules.rules_for(type_name, event["data"]):
        notify.tell(uow, settings, event, rule)
    if type_name in rules.TRANSACTIONAL:
        notify.account_mail(uow, settings, event, rules.TRANSACTIONAL[type_name])
    public = events.public_envelope(event)
    if public is not None and type_name in redaction.HIDDEN:
        # moderation reaches the public copies kept here (catch-up log, Atom, open data)
        redact(uow, public)
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
    if m.op == "replace":
        keep = [uuid.UUID(p) for p in m.participant_ids]
        gone = people.erased(uow, keep)
        people.replace_members(uow, municipality, m.subject, m.relation,
                               [p for p in keep if str(p) not in gone])
        return
    pid = uuid.UUID(m.participant_id)
    if m.op == "add" and not people.erased(uow, [pid]):
        people.add_membership(uow, municipality, m.subject, pid, m.relation)
    elif m.op == "remove":
        people.remove_membership(uow, m.subject, pid, m.relation)


def log_public(uow, public):
    """Into the public log and open data's datasets, and a delivery for each subscription
    that wants it.

    Only the log's own row waits for the log's lock (held from taking the sequence number
    to the commit, so that commit order is log order): the datasets and the deliveries are
    written first, so events of one municipality are logged one after another without
    each waiting for the others' reads and writes.  Two events about one dataset row still
    reach it in log order: the first holds the row until its commit, after its log row."""
    event_id = uuid.UUID(public["id"])
    if public_log.logged(uow, event_id):
        return  # a second copy adds nothing to the log, the datasets or the deliveries
    open_data.project(uow, public)
    subscriptions.queue_deliveries(uow, [
        {"subscription_id": sub.id, "event_id": event_id, "event_type": public["type"], "payload": public}
        for sub in subscriptions.active_patterns(uow, public["municipality"])
        if webhooks.matches(sub.patterns, public["type"])])
    if public_log.append(uow, public) is None:
        # A copy being handled at the same time was logged first: this one rolls back and is
        # tried again, when the check above finds it logged.
        raise AlreadyLogged(f"public event {event_id} was logged by another transaction meanwhile")


class AlreadyLogged(RuntimeError):
    """Another transaction logged the same public event while this one projected it."""


def redact(uow, hidden):
    """Blank the hidden content in the public log's earlier events (the hidden event
    itself, logged next, tells the public copies elsewhere to do the same)."""
    target = redaction.target_of(hidden["data"])
    if target is None:
        return
    for seq, envelope in public_log.about(uow, hidden["municipality"], hidden["data"].get("proposal_id"), target):
        blanked = redaction.redact(envelope, target, hidden["id"])
        public_log.replace(uow, seq, blanked)
        subscriptions.redact_payloads(uow, uuid.UUID(envelope["id"]), blanked)
