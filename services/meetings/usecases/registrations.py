"""Registration: a seat if one is free for the person's group, else the waitlist;
cancelling passes the seat to the first fitting person waiting.

Registration is decided while the meeting's row is locked (``SELECT … FOR
UPDATE``), so concurrent registrations for the last seats queue up on the row
and each sees the counts the previous one left."""
import uuid

from samskab.contracts import meetings as contract
from samskab.errors import Conflict, NotFound
from samskab.values import iso, now as _now

from .. import domain, events, registration, views
from ..registration import CANCELLED, CONFIRMED, WAITLISTED, Seats
from ..storage import Meetings, Registrations
from .common import meeting_or_404, require_actor, require_staff


def live_registrations(uow, meeting, participant_ids):
    """The live registrations of these people for the meeting, each with its waitlist position."""
    repo = Registrations(uow)
    return {reg.participant_id: views.registration(reg, meeting.id, repo.waitlist_position(reg))
            for reg in repo.live(meeting.id, participant_ids)}


def register_batch(uow, key, batch):
    """Decide a batch of registrations for one meeting in one transaction, in arrival order.

    ``batch`` is ``[(participant_id, group)]``.  The meeting's row lock serialises
    this against other instances; within the batch each registration sees the
    counts the one before it left.  Someone already registered (before or earlier
    in this batch) gets their registration back, even once the registration
    window has closed.  Returns one result or exception per registration.
    """
    municipality, meeting_id = key
    now = _now()
    results = [None] * len(batch)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        refusal = None
        try:
            domain.check_can_register(meeting._mapping, now)
        except Conflict as exc:
            if meeting.status != "scheduled":
                raise  # a cancelled or concluded meeting: nobody's answer is a seat
            refusal = exc  # outside the registration window: newcomers only
        seats = Seats(meeting.capacity, dict(meeting.reserved or {}))
        # Without reserved seats only the total matters, and the meeting row has it.
        by_group = (Registrations(uow).confirmed_by_group(meeting.id) if seats.reserved
                    else {"*": meeting.confirmed_count})
        key_of = (lambda g: g) if seats.reserved else (lambda g: "*")
        held = live_registrations(uow, meeting, {pid for pid, _ in batch})
        confirmed, waiting, seq = meeting.confirmed_count, meeting.waitlist_count, meeting.next_seq
        place = events.place_of(uow, meeting)
        rows, outgoing = [], []
        for i, (participant_id, group) in enumerate(batch):
            if participant_id in held:
                results[i] = {**held[participant_id], "replayed": True}
                continue
            if refusal is not None:
                results[i] = refusal
                continue
            status = registration.decide(key_of(group), seats, by_group)
            seq += 1
            if status == CONFIRMED:
                confirmed += 1
                by_group[key_of(group)] = by_group.get(key_of(group), 0) + 1
            else:
                waiting += 1
            reg = {"id": uuid.uuid4(), "meeting_id": meeting.id, "municipality": municipality,
                   "participant_id": participant_id, "group": group, "status": status, "seq": seq,
                   "created_at": now, "confirmed_at": now if status == CONFIRMED else None}
            rows.append(reg)
            position = waiting if status == WAITLISTED else None
            event_cls = contract.RegistrationConfirmed if status == CONFIRMED else contract.RegistrationWaitlisted
            outgoing.append(events.registration_event(event_cls, meeting, reg, confirmed=confirmed,
                                                      waiting=waiting, position=position, place=place))
            results[i] = {"id": str(reg["id"]), "meeting_id": str(meeting.id), "group": group, "status": status,
                          "waitlist_position": position, "created_at": iso(now), "replayed": False}
            held[participant_id] = {k: v for k, v in results[i].items() if k != "replayed"}
        if rows:
            Registrations(uow).add_many(rows)
            Meetings(uow).change(meeting.id, next_seq=seq, confirmed_count=confirmed, waitlist_count=waiting)
            uow.emit_many(municipality, outgoing)
    return results


def promote(uow, meeting):
    """Move the first fitting people on the waitlist up (the caller holds the meeting's lock);
    the meeting as it is afterwards."""
    repo = Registrations(uow)
    waiting = repo.waiting(meeting.id)
    if not waiting:
        return meeting
    seats = Seats(meeting.capacity, dict(meeting.reserved or {}))
    chosen = registration.promotions(seats, repo.confirmed_by_group(meeting.id), [(r.id, r.group) for r in waiting])
    if not chosen:
        return meeting
    repo.confirm(chosen, _now())
    meeting = Meetings(uow).count(meeting.id, confirmed=len(chosen), waiting=-len(chosen))
    by_id = {r.id: r for r in waiting}
    for reg_id in chosen:
        r = by_id[reg_id]
        events.emit_registration(uow, contract.RegistrationPromoted, {
            "id": r.id, "participant_id": r.participant_id, "group": r.group, "status": CONFIRMED}, meeting)
    return meeting


def leave(uow, meeting, reg, now):
    """Cancel a live registration (the caller holds the meeting's lock): the counters
    follow and a freed seat passes to the waitlist; the meeting afterwards."""
    Registrations(uow).cancel(reg.id, now)
    meeting = Meetings(uow).count(meeting.id, confirmed=-1 if reg.status == CONFIRMED else 0,
                                  waiting=-1 if reg.status == WAITLISTED else 0)
    events.emit_registration(uow, contract.RegistrationCancelled, {
        "id": reg.id, "participant_id": reg.participant_id, "group": reg.group, "status": CANCELLED}, meeting)
    if reg.status == CONFIRMED:
        promote(uow, meeting)
    return meeting


def cancel_registration(uow, municipality, actor, meeting_id):
    participant_id = require_actor(actor)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        if meeting.status != "scheduled":
            raise Conflict(f"the meeting is {meeting.status}")
        reg = Registrations(uow).live_one(meeting.id, participant_id)
        if reg is None:
            raise NotFound("you are not registered for this meeting")
        meeting = leave(uow, meeting, reg, _now())
    return {"id": str(reg.id), "meeting_id": str(meeting.id), "status": CANCELLED}


def registrations(uow, municipality, actor, meeting_id):
    """Staff only: who holds a seat and who waits, in order (ids, never names)."""
    require_staff(actor, municipality)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        rows = Registrations(uow).in_order(meeting.id)
    return views.seat_list(rows)
