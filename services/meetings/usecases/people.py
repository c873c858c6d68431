"""People matched with a proposal are invited to its meetings; a person's data is
exported (GDPR art. 15 and 20) and erased here."""
from samskab.values import now as _now, parse_id

from .. import events, views
from ..registration import CONFIRMED, WAITLISTED
from ..storage import Meetings, People, Registrations, meetings as meetings_table
from .attachments import exported as exported_attachments
from .comments import exported as exported_comments
from .registrations import promote


def invite(uow, meeting, participant_ids):
    """Invite people to a scheduled meeting, each once; how many were new."""
    if meeting.status != "scheduled" or not participant_ids:
        return 0
    fresh = People(uow).invite(meeting.id, participant_ids, _now())
    for pid in fresh:
        events.emit_invitation(uow, meeting, pid)
    return len(fresh)


def matches_suggested(uow, municipality, proposal_id, participant_ids):
    """Keep who was matched with a proposal (a meeting scheduled later invites them too)
    and invite them to its upcoming meetings."""
    if not participant_ids:
        return
    now = _now()
    with uow:
        People(uow).add_matches(proposal_id, municipality, participant_ids, now)
        for meeting in Meetings(uow).upcoming_of_proposal(proposal_id, now):
            invite(uow, meeting, participant_ids)


def erase(uow, participant_id):
    """Forget a person: their registrations go (seats pass to the waitlist), tokens, invitations, matches.
    A staff member's meetings stay, without who scheduled them.  No registration event is
    emitted for the person: after the erasure nothing new names them."""
    repo = Registrations(uow)
    with uow:
        for meeting_id in repo.meetings_of(participant_id):
            meeting = Meetings(uow).by_id(meeting_id, lock=True)
            reg = repo.live_one(meeting_id, participant_id)
            if reg is not None:
                meeting = Meetings(uow).count(meeting_id, confirmed=-1 if reg.status == CONFIRMED else 0,
                                              waiting=-1 if reg.status == WAITLISTED else 0)
            repo.delete(meeting_id, participant_id)
            if reg is not None and reg.status == CONFIRMED and meeting.status == "scheduled":
                promote(uow, meeting)
        People(uow).forget(participant_id)
        Meetings(uow).forget_organiser(participant_id)


def export(uow, participant_id):
    """Everything held here that is linked to the person (GDPR art. 15 and 20), as JSON.

    Registrations (with the meeting's title, time, status, the seat group and the
    place on the waitlist), invitations, the reminders sent, whether a private
    calendar feed exists (never its token), the meetings they scheduled as staff,
    the proposals they were matched with and their comments under meetings.  Agenda
    questions and outcomes are written by staff and name nobody by id (an outcome's
    owner is free text), so none is linked to a participant here."""
    pid = parse_id(participant_id, "participant")
    m = meetings_table.c
    meeting_columns = (m.municipality, m.title, m.starts_at, m.ends_at, m.time_zone, m.status.label("meeting_status"))
    with uow:
        repo, people = Registrations(uow), People(uow)
        regs = [(r, repo.waitlist_position(r)) for r in repo.of_participant(pid, *meeting_columns)]
        found = views.export(pid, regs, people.invitations_of(pid, *meeting_columns), people.matches_of(pid),
                             people.calendar_token_of(pid), Meetings(uow).organised_by(pid, *meeting_columns))
        found["comments"] = exported_comments(uow, pid)  # issue 21: what they wrote under meetings
        found["attachments"] = exported_attachments(uow, pid)  # issue 21: the pictures and files they attached
        return found

