"""Digests: once a period (a local day or week) has ended, one e-mail per person
with what was held for it; exactly once per person and period."""
import logging

from samskab.values import now

from .. import messages
from ..counters import DIGESTS
from ..digests import period_of
from ..storage import digests as held_items, mail, people
from .backlog import TICK_BUDGET_SECONDS, work_through
from .notify import unsubscribe_url

log = logging.getLogger("notifications")


def send_due_digests(uow, settings):
    """Make digests until none is due (within the tick's budget); how many groups were settled."""
    def step():
        made = make_digests(uow, settings)
        return made, made > 0

    return work_through(step, max(TICK_BUDGET_SECONDS, float(settings.NOTIFICATIONS_DIGEST_POLL_SECONDS) * 0.8))


def make_digests(uow, settings, batch=2000):
    """Create the e-mails of every digest whose period has ended; returns how many
    (participant, period) groups it settled.

    The unique (participant, frequency, period) row of ``digest_runs`` is inserted
    in the same transaction as the e-mail: a period's digest is made once,
    whichever instance or restart gets there first."""
    with uow:
        groups = held_items.ended_groups(uow, batch)
        if not groups:
            return 0
        pids = list({g.participant_id for g in groups})
        contacts = people.contacts(uow, pids)
        items = held_items.ended_items(uow, pids)
        fresh = held_items.add_runs(uow, [
            {"participant_id": g.participant_id, "frequency": g.frequency, "period_start": g.period_start,
             "period_end": g.period_end,
             "item_count": len(items.get((g.participant_id, g.frequency, g.period_start), []))}
            for g in groups])
        deliveries = []
        for group in groups:
            key = (group.participant_id, group.frequency, group.period_start)
            group_items = items.get(key, [])
            run_id = fresh.get(key)
            contact = contacts.get(group.participant_id)
            if run_id is None:
                # Its digest already went out; these came late, so they wait for the current period.
                _move_to_current_period(uow, settings, group_items, contact)
                continue
            if contact is None or not group_items:
                continue
            language = messages.language_of(contact.language)
            subject, lines = messages.render("digest", language, {"count": len(group_items)})
            deliveries.append({
                "participant_id": contact.id, "digest_run_id": run_id, "purpose": "digest",
                "to_address": contact.email,
                "message": messages.build_email(
                    sender=settings.NOTIFICATIONS_MAIL_FROM, to=contact.email, language=language,
                    name=contact.display_name, subject=subject, lines=lines,
                    items=[{"subject": i.title, "url": i.link} for i in group_items],
                    unsubscribe_url=unsubscribe_url(settings, str(contact.id), "all")),
            })
        if fresh:
            held_items.link_items(uow, fresh.values())
        mail.queue(uow, deliveries)
    DIGESTS.inc(len(deliveries))
    log.info("made %d digests", len(deliveries))
    return len(groups)


def _move_to_current_period(uow, settings, items, contact):
    place = settings.catalogue.get(contact.municipality) if contact is not None else None
    for item in items:
        start, end = period_of(now(), item.frequency, place.time_zone if place else "UTC")
        held_items.move_to_period(uow, item.id, start, end)
