"""Places, formats, and a meeting's life: schedule, read, change, cancel, conclude,
its agenda, minutes and outcomes."""
import uuid

from samskab.contracts import meetings as contract
from samskab.errors import Conflict, Invalid
from samskab.values import now as _now, parse, parse_id

from .. import calendar, domain, formats as catalogue_of_formats, events, views
from ..storage import Meetings, People, Places, Registrations
from .common import meeting_or_404, require_staff, zone
from .people import invite
from .registrations import live_registrations, promote

# What every meeting has: a change may set them, never clear them (null).
REQUIRED_ON_A_MEETING = ("title", "purpose", "promise", "starts_at", "ends_at", "capacity")
LOCAL_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def _no_such_place():
    return Invalid("no such meeting place", [{"field": "place_id", "message": "no such meeting place here"}])


# -- places and formats ------------------------------------------------------------------

def create_place(uow, catalogue, municipality, actor, payload):
    require_staff(actor, municipality)
    zone(catalogue, municipality)
    new = parse(contract.NewPlace, payload)
    record = {"id": uuid.uuid4(), "municipality": municipality, **new.model_dump(), "created_at": _now()}
    with uow:
        Places(uow).add(record)
        row = Places(uow).get(municipality, record["id"])
    return views.place(row)


def list_places(uow, municipality):
    with uow:
        rows = Places(uow).of_municipality(municipality)
    return [views.place(r) for r in rows]


def formats():
    return [f.as_dict() for f in catalogue_of_formats.CATALOGUE]


def suggest_formats(level=None, expected=None, kind=None, limit=None):
    try:
        return catalogue_of_formats.suggest(level, expected, kind, limit)
    except catalogue_of_formats.UnknownCriterion as exc:
        raise Invalid(str(exc), [{"field": exc.field, "message": str(exc)}])


# -- a meeting ---------------------------------------------------------------------------

def refresh_vevent(uow, meeting_id, catalogue=None):
    """Store the meeting's VEVENT as it is now (feeds only concatenate them), in the
    municipality's language; the row."""
    repo = Meetings(uow)
    row = repo.by_id(meeting_id)
    place = Places(uow).get(row.municipality, row.place_id)
    repo.change(meeting_id, vevent=calendar.vevent_text(views.calendar_fields(row), views.place(place),
                                                        calendar.language_of(row.municipality, catalogue)))
    return repo.by_id(meeting_id)


def schedule(uow, catalogue, municipality, actor, payload):
    require_staff(actor, municipality)
    time_zone = zone(catalogue, municipality)
    new = parse(contract.NewMeeting, payload)
    now = _now()
    record = new.model_dump(mode="python")
    record["online_url"] = str(new.online_url) if new.online_url else None
    for key in LOCAL_TIMES:
        record[key] = domain.localize(record[key], time_zone, key)
    meeting_id = uuid.uuid4()
    with uow:
        place = Places(uow).get(municipality, new.place_id)
        if new.place_id is not None and place is None:
            raise _no_such_place()
        if new.series_id is not None and not Meetings(uow).series_exists(municipality, new.series_id):
            raise Invalid("no such series", [{"field": "series_id", "message": "no such series of meetings"}])
        domain.check_meeting(record, now=now, place=views.place(place))
        record.update({
            "id": meeting_id, "municipality": municipality, "series_id": new.series_id or meeting_id,
            "time_zone": time_zone, "status": "scheduled", "sequence": 0,
            "organiser_id": uuid.UUID(actor["id"]) if actor.get("id") else None,
            "created_at": now, "updated_at": now,
        })
        Meetings(uow).add(record)
        row = refresh_vevent(uow, meeting_id, catalogue)
        events.emit_meeting(uow, contract.MeetingScheduled, row)
        if row.proposal_id is not None:
            invite(uow, row, People(uow).matched_with(row.proposal_id))
    return get(uow, municipality, actor, str(meeting_id))


def get(uow, municipality, actor, meeting_id):
    """``MeetingDetailOut``; ``my_registration`` is the caller's own, if any."""
    with uow:
        row = meeting_or_404(uow, municipality, meeting_id)
        repo = Meetings(uow)
        mine = None
        if actor and actor.get("id"):
            pid = uuid.UUID(actor["id"])
            mine = live_registrations(uow, row, {pid}).get(pid)
        return views.meeting_detail(row, Places(uow).get(municipality, row.place_id), repo.agenda(row.id),
                                    repo.outcomes(row.id), repo.sessions(row.series_id), mine)


def listing(uow, municipality, actor=None, proposal_id=None, upcoming=True, limit=50, starts_from=None,
            starts_before=None):
    """Meetings in order of their start, at most ``limit`` (1–500).

    ``upcoming`` leaves out those that have ended; ``starts_from`` and
    ``starts_before`` (ISO 8601 with an offset) keep those that start in
    ``[starts_from, starts_before)``: a month of the calendar."""
    limit = max(1, min(int(limit or 50), 500))
    since = domain.parse_instant(starts_from, "starts_from")
    until = domain.parse_instant(starts_before, "starts_before")
    if since is not None and until is not None and until <= since:
        raise Invalid("the range is empty", [{"field": "starts_before", "message": "must come after starts_from"}])
    with uow:
        rows = Meetings(uow).listing(
            municipality, proposal_id=parse_id(proposal_id, "proposal") if proposal_id else None,
            ended_after=_now() if upcoming else None, since=since, until=until, limit=limit)
        by_id = Places(uow).by_id({r.place_id for r in rows if r.place_id})
    return [views.meeting(r, by_id.get(r.place_id)) for r in rows]


def update(uow, municipality, actor, meeting_id, payload):
    require_staff(actor, municipality)
    changes = parse(contract.MeetingChanges, payload).model_dump(mode="python", exclude_unset=True)
    cleared = [k for k in REQUIRED_ON_A_MEETING if k in changes and changes[k] is None]
    if cleared:
        raise Invalid("a meeting cannot be without these", [
            {"field": k, "message": "may be changed but not removed"} for k in cleared])
    if "online_url" in changes and changes["online_url"] is not None:
        changes["online_url"] = str(changes["online_url"])
    now = _now()
    with uow:
        row = meeting_or_404(uow, municipality, meeting_id, lock=True)
        domain.check_can_change(row._mapping)
        for key in LOCAL_TIMES:
            if key in changes:
                changes[key] = domain.localize(changes[key], row.time_zone, key)
        changed = sorted(k for k, v in changes.items() if getattr(row, k) != v)
        if not changed:
            return get(uow, municipality, actor, str(row.id))
        merged = {**dict(row._mapping), **changes}
        place = Places(uow).get(municipality, merged["place_id"])
        if merged["place_id"] is not None and place is None:
            raise _no_such_place()
        errors = domain.meeting_errors(merged, now=now, place=views.place(place), new="starts_at" in changes)
        if merged["capacity"] < row.confirmed_count:
            errors.append({"field": "capacity", "message": f"{row.confirmed_count} people already have a seat; "
                                                           "the capacity cannot go below that"})
        if errors:
            raise Invalid("the meeting is not valid", errors)
        Meetings(uow).change(row.id, **changes, sequence=row.sequence + 1, updated_at=now)
        row = promote(uow, refresh_vevent(uow, row.id))
        events.emit_meeting(uow, contract.MeetingUpdated, row, changed=changed,
                            participant_ids=Registrations(uow).participants(row.id))
    return get(uow, municipality, actor, str(row.id))


def cancel(uow, municipality, actor, meeting_id, payload=None):
    require_staff(actor, municipality)
    body = parse(contract.Cancellation, payload)
    with uow:
        row = meeting_or_404(uow, municipality, meeting_id, lock=True)
        domain.check_can_change(row._mapping)
        Meetings(uow).change(row.id, status="cancelled", cancel_reason=body.reason, sequence=row.sequence + 1,
                             updated_at=_now())
        row = refresh_vevent(uow, row.id)
        events.emit_meeting(uow, contract.MeetingCancelled, row, reason=body.reason, changed=["status"],
                            participant_ids=Registrations(uow).participants(row.id))
    return get(uow, municipality, actor, str(row.id))


def conclude(uow, municipality, actor, meeting_id):
    require_staff(actor, municipality)
    now = _now()
    with uow:
        row = meeting_or_404(uow, municipality, meeting_id, lock=True)
        domain.check_can_conclude(row._mapping, now)
        Meetings(uow).change(row.id, status="concluded", updated_at=now)
        row = refresh_vevent(uow, row.id)
        events.emit_meeting(uow, contract.MeetingConcluded, row, changed=["status"])
    return get(uow, municipality, actor, str(row.id))


# -- agenda, minutes, outcomes -------------------------------------------------------------

def _open_meeting(uow, municipality, meeting_id):
    meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
    if meeting.status == "cancelled":
        raise Conflict("the meeting is cancelled")
    return meeting


def add_agenda_question(uow, municipality, actor, meeting_id, payload):
    require_staff(actor, municipality)
    body = parse(contract.NewAgendaQuestion, payload)
    with uow:
        meeting = _open_meeting(uow, municipality, meeting_id)
        qid, position = Meetings(uow).add_agenda_question(meeting.id, body.question, body.minutes, _now())
    return views.agenda_question(qid, position, body.question, body.minutes)


def set_minutes(uow, municipality, actor, meeting_id, payload):
    require_staff(actor, municipality)
    body = parse(contract.Minutes, payload)
    with uow:
        meeting = _open_meeting(uow, municipality, meeting_id)
        if _now() < meeting.starts_at:
            raise Conflict("minutes are written once the meeting has started")
        Meetings(uow).change(meeting.id, minutes=body.text)
        events.emit_minutes(uow, meeting, actor.get("id"))
    return {"meeting_id": str(meeting.id), "minutes": body.text}


def record_outcome(uow, municipality, actor, meeting_id, payload):
    require_staff(actor, municipality)
    body = parse(contract.NewOutcome, payload)
    if body.kind == "action" and not body.owner:
        raise Invalid("an action item needs an owner", [{"field": "owner", "message": "who carries it?"}])
    now = _now()
    with uow:
        meeting = _open_meeting(uow, municipality, meeting_id)
        if now < meeting.starts_at:
            raise Conflict("outcomes are recorded once the meeting has started")
        record = {"id": uuid.uuid4(), "meeting_id": meeting.id, "municipality": municipality,
                  "kind": body.kind, "text": body.text, "owner": body.owner, "due": body.due, "created_at": now}
        Meetings(uow).add_outcome(record)
        events.emit_outcome(uow, meeting, record)
    return views.recorded_outcome(record)
