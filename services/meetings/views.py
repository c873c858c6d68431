"""Presenters: rows as the JSON the service answers with.  Each answer has the shape of
its output model in ``samskab.contracts.meetings`` (``MeetingOut``, ``RegistrationOut`` …);
the tests hold the answers to those models.  Built as plain dictionaries because a popular
meeting's registrations and a month of the calendar go through here by the hundred."""
from zoneinfo import ZoneInfo

from samskab.values import iso

from .registration import WAITLISTED

_HIDDEN = ("vevent", "next_seq", "organiser_id")
_IDS = ("id", "proposal_id", "series_id", "place_id")
_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "created_at", "updated_at")
CALENDAR_FIELDS = ("id", "time_zone", "created_at", "updated_at", "sequence", "starts_at", "ends_at", "title",
                   "purpose", "promise", "online_url", "format", "status", "place_id")


def place(row):
    if row is None:
        return None
    d = dict(row._mapping)
    d["id"] = str(d["id"])
    d["created_at"] = iso(d["created_at"])
    return d


def meeting(row, place_row=None):
    """The public view of a meeting: content and counts, never who registered (``MeetingOut``)."""
    d = dict(row._mapping)
    for key in _HIDDEN:
        d.pop(key, None)
    for key in _IDS:
        d[key] = str(d[key]) if d[key] is not None else None
    for key in _TIMES:
        d[key] = iso(d[key])
    zone = ZoneInfo(row.time_zone)
    d["local_starts_at"] = row.starts_at.astimezone(zone).isoformat()
    d["local_ends_at"] = row.ends_at.astimezone(zone).isoformat()
    d["seats_left"] = max(0, row.capacity - row.confirmed_count)
    d["place"] = place(place_row)
    return d


def meeting_detail(row, place_row, agenda, outcomes, sessions, my_registration):
    """``MeetingDetailOut``: the meeting with its agenda, outcomes, the sessions of its series
    and the caller's own registration."""
    d = meeting(row, place_row)
    d["agenda"] = [agenda_question(q.id, q.position, q.question, q.minutes) for q in agenda]
    d["outcomes"] = [{"id": str(o.id), "kind": o.kind, "text": o.text, "due": iso(o.due),
                      "created_at": iso(o.created_at)} for o in outcomes]
    d["sessions"] = [{"id": str(s.id), "starts_at": iso(s.starts_at), "status": s.status} for s in sessions]
    d["my_registration"] = my_registration
    return d


def calendar_fields(row):
    """What calendar.vevent needs of a meeting."""
    return {k: getattr(row, k) for k in CALENDAR_FIELDS}


def registration(reg, meeting_id, position, replayed=None):
    """``RegistrationOut`` (with ``replayed`` when it answers a registration)."""
    d = {"id": str(reg.id), "meeting_id": str(meeting_id), "group": reg.group, "status": reg.status,
         "waitlist_position": position, "created_at": iso(reg.created_at)}
    if replayed is not None:
        d["replayed"] = replayed
    return d


def seat_list(rows):
    """``[StaffRegistrationOut]``: seats and waitlist in arrival order, ids only."""
    out, position = [], 0
    for r in rows:
        if r.status == WAITLISTED:
            position += 1
        out.append({"id": str(r.id), "participant_id": str(r.participant_id), "group": r.group,
                    "status": r.status, "waitlist_position": position if r.status == WAITLISTED else None,
                    "created_at": iso(r.created_at)})
    return out


def agenda_question(qid, position, question, minutes):
    return {"id": str(qid), "position": position, "question": question, "minutes": minutes}


def recorded_outcome(record):
    """``RecordedOutcomeOut``: the outcome as staff wrote it, its owner included."""
    return {"id": str(record["id"]), "kind": record["kind"], "text": record["text"], "owner": record["owner"],
            "due": iso(record["due"]), "created_at": iso(record["created_at"])}


def export(participant_id, registrations, invited, matched, feed, organised):
    """Everything held about a person, as ``export_participant`` answers it."""
    regs = [{
        "id": str(r.id), "meeting_id": str(r.meeting_id), "municipality": r.municipality,
        "meeting_title": r.title, "meeting_starts_at": iso(r.starts_at),
        "meeting_ends_at": iso(r.ends_at), "meeting_time_zone": r.time_zone,
        "meeting_status": r.meeting_status, "group": r.group, "status": r.status,
        "waitlist_position": position, "created_at": iso(r.created_at),
        "confirmed_at": iso(r.confirmed_at), "cancelled_at": iso(r.cancelled_at),
        "reminded_at": iso(r.reminded_at)} for r, position in registrations]
    return {
        "participant_id": str(participant_id),
        "registrations": regs,
        "invitations": [{"meeting_id": str(i.meeting_id), "municipality": i.municipality,
                         "meeting_title": i.title, "meeting_starts_at": iso(i.starts_at),
                         "meeting_status": i.meeting_status, "invited_at": iso(i.created_at)} for i in invited],
        "reminders": [{"registration_id": r["id"], "meeting_id": r["meeting_id"],
                       "meeting_title": r["meeting_title"], "sent_at": r["reminded_at"]}
                      for r in regs if r["reminded_at"]],
        "calendar_feed": ({"exists": True, "municipality": feed.municipality, "created_at": iso(feed.created_at)}
                          if feed is not None else {"exists": False}),
        "proposal_matches": [{"proposal_id": str(m.proposal_id), "municipality": m.municipality,
                              "matched_at": iso(m.created_at)} for m in matched],
        "meetings_organised": [{"meeting_id": str(m.id), "municipality": m.municipality, "title": m.title,
                                "starts_at": iso(m.starts_at), "status": m.meeting_status,
                                "created_at": iso(m.created_at)} for m in organised],
    }
