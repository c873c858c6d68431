"""Telling people about an event: an inbox entry, an e-mail now or a place in a
digest, each by the person's own preferences, in their language; and the account
e-mails (confirmation, password reset) that go out whatever the preferences."""
import logging
import uuid

from samskab.contracts.notifications import NoticeHandedOver
from samskab.values import now

from .. import digests, messages, preferences, rules
from ..counters import NOTIFICATIONS_CREATED
from ..storage import digests as held_items, inbox, mail, people, public_log
from .access import STAFF_ROLES

log = logging.getLogger("notifications")


def unsubscribe_url(settings, participant_id, kind):
    token = messages.unsubscribe_token(settings.NOTIFICATIONS_SECRET, participant_id, kind)
    return f"{settings.PUBLIC_URL}/api/v1/unsubscribe?token={token}"


def recipients_of(uow, event, rule):
    """Who is told (participant ids as strings), erased people left out."""
    data = event["data"]
    members = {subject: people.members_of(uow, subject) for subject, _ in rule.audiences(data)}
    staff = people.staff_of(uow, event["municipality"], STAFF_ROLES) if rule.staff else []
    recipients = rules.resolve_recipients(rule, data, members, staff)
    gone = people.erased(uow, recipients)
    return [p for p in recipients if p not in gone]


def tell(uow, settings, event, rule):
    """Notify everyone ``rule`` names about ``event``; how many notifications were made."""
    recipients = recipients_of(uow, event, rule)
    if not recipients:
        return 0
    data, municipality = event["data"], event["municipality"]
    subject = rule.subject_of(data)
    ids = [uuid.UUID(p) for p in recipients]
    contacts = {str(k): v for k, v in people.contacts(uow, ids).items()}
    chosen = people.chosen_for_kind(uow, ids, rule.kind)
    place = settings.catalogue.get(municipality)
    time_zone = place.time_zone if place else "UTC"
    default_language = place.language if place else "en"
    # the page of the rule's subject, else of the event's (a meeting of a proposal: the meeting)
    link_subject = subject or event.get("subject") or ""
    link = (f"{settings.PUBLIC_URL}/municipalities/{municipality}/{link_subject}{rule.anchor}"
            if link_subject else None)
    params = messages.params_from_event(event, time_zone)
    if not params["title"] and subject:
        # Events about supports, questions or matches carry no title: the public log has it.
        params["title"] = public_log.latest_title(uow, subject)
    rendered = {}
    moment = now()
    rows, plans, elsewhere = [], {}, []
    for pid in recipients:
        contact = contacts.get(pid)
        want = preferences.effective(chosen.get(pid))[rule.kind]
        if contact is None and want["email"] != "off":
            elsewhere.append(pid)  # their account lives in another instance group: it sends the e-mail
        email = want["email"] if contact is not None else "off"
        if want["inbox"] == "off" and email == "off":
            continue
        language = messages.language_of(contact.language if contact is not None else default_language)
        if language not in rendered:
            rendered[language] = messages.render(rule.template, language, params)
        title, lines = rendered[language]
        rows.append({
            "id": uuid.uuid4(), "participant_id": uuid.UUID(pid), "municipality": municipality,
            "event_id": uuid.UUID(event["id"]), "event_type": event["type"], "kind": rule.kind,
            "subject": link_subject, "title": title, "body": "\n".join(lines), "link": link,
            "in_inbox": want["inbox"] == "immediate", "created_at": moment,
        })
        plans[pid] = (email, contact, language)
    if elsewhere:
        uow.emit(NoticeHandedOver.event_type, municipality=municipality, subject=event.get("subject") or "",
                 data={"event_id": event["id"], "event_type": event["type"], "municipality": municipality,
                       "kind": rule.kind, "template": rule.template, "params": params, "subject": link_subject,
                       "link": link, "time_zone": time_zone, "participant_ids": elsewhere})
    if not rows:
        return 0
    return _deliver(uow, settings, event, rule.kind, rows, plans, rendered, link, time_zone, moment)


def _deliver(uow, settings, event, kind, rows, plans, rendered, link, time_zone, moment):
    """Store the notifications; queue the e-mails wanted now, hold those for digests."""
    inserted = inbox.add(uow, rows)
    deliveries, held = [], []
    for nid, participant_id in inserted:
        pid = str(participant_id)
        email, contact, language = plans[pid]
        if email == "immediate":
            title, lines = rendered[language]
            deliveries.append({
                "participant_id": participant_id, "notification_id": nid, "purpose": "immediate",
                "to_address": contact.email,
                "message": messages.build_email(
                    sender=settings.NOTIFICATIONS_MAIL_FROM, to=contact.email, language=language,
                    name=contact.display_name, subject=title, lines=lines, link=link,
                    unsubscribe_url=unsubscribe_url(settings, pid, kind), now=moment),
            })
        elif email in digests.FREQUENCIES:
            start, end = digests.period_of(moment, email, time_zone)
            held.append({"participant_id": participant_id, "notification_id": nid, "frequency": email,
                         "period_start": start, "period_end": end})
    mail.queue(uow, deliveries)
    held_items.hold(uow, held)
    NOTIFICATIONS_CREATED.labels(kind).inc(len(inserted))
    log.info("%s %s → %d notifications, %d e-mails, %d held for digests",
             event["type"], event["id"], len(inserted), len(deliveries), len(held))
    return len(inserted)


def handed_over(uow, settings, event):
    """E-mail for the people of this instance group that another group notified: it keeps
    their inbox entry, this group holds their address and sends the e-mail (or holds it for
    their digest), by their own preferences, in their own language."""
    data = event["data"]
    ids = [uuid.UUID(str(p)) for p in data["participant_ids"]]
    contacts = {str(k): v for k, v in people.contacts(uow, ids).items()}
    gone = people.erased(uow, list(contacts))
    chosen = people.chosen_for_kind(uow, [uuid.UUID(p) for p in contacts], data["kind"])
    rendered, rows, plans = {}, [], {}
    moment = now()
    for pid, contact in contacts.items():
        email = preferences.effective(chosen.get(pid))[data["kind"]]["email"]
        if pid in gone or email == "off":
            continue
        language = messages.language_of(contact.language)
        if language not in rendered:
            rendered[language] = messages.render(data["template"], language, data["params"])
        title, lines = rendered[language]
        rows.append({
            "id": uuid.uuid4(), "participant_id": uuid.UUID(pid), "municipality": data["municipality"],
            "event_id": uuid.UUID(str(data["event_id"])), "event_type": data["event_type"], "kind": data["kind"],
            "subject": data["subject"], "title": title, "body": "\n".join(lines), "link": data["link"],
            "in_inbox": False, "created_at": moment,  # the inbox entry is the notifying group's
        })
        plans[pid] = (email, contact, language)
    if not rows:
        return 0
    return _deliver(uow, settings, {"type": data["event_type"], "id": str(data["event_id"])}, data["kind"], rows,
                    plans, rendered, data["link"], data.get("time_zone") or "UTC", moment)


def account_mail(uow, settings, event, rule):
    """An account e-mail (confirm the address, reset the password): sent whatever the
    preferences, without an unsubscribe link."""
    data = event["data"]
    pid = uuid.UUID(str(data["id"]))
    if people.erased(uow, [pid]):
        log.info("%s %s: the participant was erased; nothing sent", event["type"], event["id"])
        return
    contact = people.contact(uow, pid)
    address = data.get(rule.email_field) if rule.email_field else None
    language = data.get(rule.language_field) if rule.language_field else None
    if address is None and contact is not None:
        address = contact.email
    if language is None and contact is not None:
        language = contact.language
    if address is None:
        # The contact details come with participant.registered; retry until they are here.
        raise LookupError(f"no contact details for participant {pid} yet")
    language = messages.language_of(language)
    subject, lines = messages.render(rule.template, language, {})
    mail.queue_one(uow, participant_id=pid, purpose=rule.template, to_address=address, message=messages.build_email(
        sender=settings.NOTIFICATIONS_MAIL_FROM, to=address, language=language,
        name=contact.display_name if contact else "", subject=subject, lines=lines, link=data[rule.link_field]))
    # the link is a secret: it is in the e-mail, never in the log
    log.info("%s %s → one %s e-mail", event["type"], event["id"], rule.template)
