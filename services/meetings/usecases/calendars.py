"""Calendars (one meeting, the municipality's feed, a person's private feed) and the
reminders before a meeting."""
import datetime as dt
import logging
import secrets

from samskab.errors import NotFound
from samskab.values import now as _now

from .. import calendar, events
from ..storage import Meetings, People, Registrations
from .common import meeting_or_404, require_actor, token_hash, zone

log = logging.getLogger("meetings")


def meeting_ics(uow, municipality, meeting_id):
    with uow:
        row = meeting_or_404(uow, municipality, meeting_id)
    method = "CANCEL" if row.status == "cancelled" else "PUBLISH"
    return calendar.assemble([row.vevent], [row.time_zone], method=method).decode("utf-8")


def municipality_calendar(uow, catalogue, municipality, past_days=90):
    since = _now() - dt.timedelta(days=int(past_days))
    with uow:
        text, zones = Meetings(uow).calendar_feed(municipality, since)
    found = catalogue.get(municipality)
    return calendar.assemble([text or ""], zones or [zone(catalogue, municipality)],
                             name=found.name if found else municipality).decode("utf-8")


def new_calendar_token(uow, municipality, actor):
    """A new secret for the caller's private feed (the old one stops working)."""
    participant_id = require_actor(actor)
    token = secrets.token_urlsafe(32)
    with uow:
        People(uow).put_calendar_token(participant_id, municipality, token_hash(token), _now())
    return {"token": token}


def participant_calendar(uow, catalogue, token):
    """The meetings someone holds a seat at, found by the secret token of their feed."""
    with uow:
        owner = People(uow).calendar_token(token_hash(str(token)))
        if owner is None:
            raise NotFound("no such calendar")
        rows = Meetings(uow).seats_held_by(owner.participant_id)
    zones = [r.time_zone for r in rows] or [zone(catalogue, owner.municipality)]
    name = calendar.calendar_name(calendar.language_of(owner.municipality, catalogue))
    return calendar.assemble([r.vevent for r in rows], zones, name=name).decode("utf-8")


def send_due_reminders(uow, hours, now=None, batch=500):
    """Emit ``reminder_due`` once per confirmed registration of a meeting starting within ``hours``.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and marked in the same
    transaction as the outbox rows, so two instances never remind twice.
    """
    now = now or _now()
    with uow:
        claimed = Registrations(uow).claim_due_reminders(now, now + dt.timedelta(hours=hours), batch)
        if not claimed:
            return 0
        by_meeting = Meetings(uow).by_ids({c.meeting_id for c in claimed})
        for c in claimed:
            events.emit_reminder(uow, by_meeting[c.meeting_id], c)
    log.info("reminders sent=%d", len(claimed))
    return len(claimed)
