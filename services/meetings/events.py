"""The events the use cases emit, each built as its contract model
(``samskab.contracts.meetings``) from the rows it is about."""
from samskab.contracts import meetings as contract

from .storage import Places


def subject(meeting_id):
    return f"meetings/{meeting_id}"


def place_of(uow, meeting):
    """The meeting's place as a notice names it: "name, address" (None when it has none)."""
    place = Places(uow).get(meeting.municipality, meeting.place_id)
    if place is None:
        return None
    return ", ".join(part for part in (place.name, place.address) if part)


def where_and_when(meeting, place):
    """What a registration event says of its meeting, so the person's notice can name it."""
    return {"title": meeting.title, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
            "time_zone": meeting.time_zone, "place": place, "online": bool(meeting.online_url),
            "proposal_id": meeting.proposal_id}


def emit_meeting(uow, event_cls, row, **extra):
    """A meeting event (``MeetingSnapshot``): the meeting as it is now, plus ``extra``
    (what changed, the reason, who holds a seat)."""
    data = {k: getattr(row, k) for k in contract.MeetingSnapshot.model_fields if hasattr(row, k)}
    data["online"] = bool(row.online_url)
    data["place"] = place_of(uow, row)
    data["seats_left"] = max(0, row.capacity - row.confirmed_count)
    data.update(extra)
    uow.emit(event_cls.event_type, municipality=row.municipality, subject=subject(row.id), data=event_cls(**data))


def registration_event(event_cls, meeting, reg, *, confirmed, waiting, position=None, place=None):
    """``(type, subject, data)`` of a registration change, with the meeting's counts after it
    and its title, time and ``place`` (from ``place_of``)."""
    return (event_cls.event_type, subject(meeting.id), event_cls(
        registration_id=reg["id"], meeting_id=meeting.id, municipality=meeting.municipality,
        participant_id=reg["participant_id"], group=reg["group"], status=reg["status"],
        waitlist_position=position, confirmed_count=confirmed, waitlist_count=waiting,
        seats_left=max(0, meeting.capacity - confirmed), **where_and_when(meeting, place)))


def emit_registration(uow, event_cls, reg, meeting):
    """One registration change, with the counts of ``meeting`` (the row after the change)."""
    type_name, subj, data = registration_event(event_cls, meeting, reg, confirmed=meeting.confirmed_count,
                                               waiting=meeting.waitlist_count, place=place_of(uow, meeting))
    uow.emit(type_name, municipality=meeting.municipality, subject=subj, data=data)


def emit_invitation(uow, meeting, participant_id):
    uow.emit(contract.InvitationSent.event_type, municipality=meeting.municipality, subject=subject(meeting.id),
             data=contract.InvitationSent(meeting_id=meeting.id, municipality=meeting.municipality,
                                          proposal_id=meeting.proposal_id, participant_id=participant_id,
                                          starts_at=meeting.starts_at, title=meeting.title))


def emit_minutes(uow, meeting, author_id):
    uow.emit(contract.MinutesRecorded.event_type, municipality=meeting.municipality, subject=subject(meeting.id),
             data=contract.MinutesRecorded(
                 meeting_id=meeting.id, municipality=meeting.municipality, proposal_id=meeting.proposal_id,
                 title=meeting.title, starts_at=meeting.starts_at, time_zone=meeting.time_zone,
                 place=place_of(uow, meeting), author_id=author_id))


def emit_outcome(uow, meeting, record):
    """An outcome is the proposal's history when the meeting has one."""
    uow.emit(contract.OutcomeRecorded.event_type, municipality=meeting.municipality,
             subject=f"proposals/{meeting.proposal_id}" if meeting.proposal_id else subject(meeting.id),
             data=contract.OutcomeRecorded(proposal_id=meeting.proposal_id,
                                           **{k: v for k, v in record.items() if k != "created_at"}))


def emit_reminder(uow, meeting, claimed):
    uow.emit(contract.ReminderDue.event_type, municipality=meeting.municipality, subject=subject(meeting.id),
             data=contract.ReminderDue(
                 registration_id=claimed.id, meeting_id=meeting.id, municipality=meeting.municipality,
                 participant_id=claimed.participant_id, starts_at=meeting.starts_at, time_zone=meeting.time_zone,
                 title=meeting.title, online_url=meeting.online_url, place_id=meeting.place_id))
