"""The meetings service's nameko entrypoints: translate RPC and events to the domain and back.

Registration is decided while the meeting's row is locked (``SELECT … FOR
UPDATE``), so concurrent registrations for the last seats queue up on the row
and each sees the counts the previous one left.  Every change and the events
it causes commit in one transaction (``with self.db``).
"""
import datetime as dt
import hashlib
import logging
import os
import secrets
import uuid
from zoneinfo import ZoneInfo

import eventlet.event
import sqlalchemy as sa
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert as pg_insert

from samskab import municipalities
from samskab.consumer import consume
from samskab.contracts import meetings as contract
from samskab.db import Database, outbox
from samskab.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from samskab.health import Health
from samskab.service import ServiceBase, rpc

from . import calendar, domain, formats, registration
from .registration import CANCELLED, CONFIRMED, WAITLISTED, Seats
from .storage import (
    agenda_questions, calendar_tokens, invitations, meetings, outcomes, places, proposal_matches, registrations,
)

log = logging.getLogger("meetings")

# nameko fixes a timer's interval when the class is defined.
REMINDER_POLL_SECONDS = float(os.environ.get("MEETINGS_REMINDER_POLL_SECONDS", "60"))
GROUPS = ("resident", "business", "association", "politician", "employee")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _parse(model, payload):
    try:
        return model.model_validate(payload or {})
    except ValidationError as exc:
        raise Invalid("the request is not valid", [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()
        ])


def _uuid(value, what):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"no such {what}")


def _iso(value):
    return value.isoformat() if value is not None else None


def _require_staff(actor, municipality):
    if not actor:
        raise Unauthorized("sign in first")
    if not actor.get("staff") or actor.get("municipality") != municipality:
        raise Forbidden("only the municipality's staff may do this")


def _require_actor(actor):
    if not actor or not actor.get("id"):
        raise Unauthorized("sign in first")
    return uuid.UUID(actor["id"])


def _token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# What every meeting has: a change may set them, never clear them (null).
REQUIRED_ON_A_MEETING = ("title", "purpose", "promise", "starts_at", "ends_at", "capacity")


def _waitlist_position(uow, reg):
    """Where a registration stands on its meeting's waitlist (1 = next), or None if it is not waiting."""
    if reg.status != WAITLISTED:
        return None
    return uow.execute(sa.select(sa.func.count()).select_from(registrations).where(
        registrations.c.meeting_id == reg.meeting_id, registrations.c.status == WAITLISTED,
        registrations.c.seq <= reg.seq)).scalar()


def place_out(row):
    if row is None:
        return None
    d = dict(row._mapping)
    d["id"] = str(d["id"])
    d["created_at"] = _iso(d["created_at"])
    return d


def meeting_out(row, place=None):
    """The public view of a meeting: content and counts, never who registered."""
    d = dict(row._mapping)
    d.pop("vevent", None)
    d.pop("next_seq", None)
    d.pop("organiser_id", None)
    for key in ("id", "proposal_id", "series_id", "place_id"):
        d[key] = str(d[key]) if d[key] is not None else None
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "created_at", "updated_at"):
        d[key] = _iso(d[key])
    zone = ZoneInfo(row.time_zone)
    d["local_starts_at"] = row.starts_at.astimezone(zone).isoformat()
    d["local_ends_at"] = row.ends_at.astimezone(zone).isoformat()
    d["seats_left"] = max(0, row.capacity - row.confirmed_count)
    d["place"] = place_out(place)
    return d


def _calendar_fields(row):
    return {k: getattr(row, k) for k in (
        "id", "time_zone", "created_at", "updated_at", "sequence", "starts_at", "ends_at", "title", "purpose",
        "promise", "online_url", "format", "status", "place_id")}


class RegistrationDesk(DependencyProvider):
    """Group commit for registrations, one queue per meeting and process.

    When many people register for one meeting at once, the first worker to
    arrive becomes the meeting's leader: it takes everything queued so far and
    decides it in one transaction under the meeting's row lock, then the next
    batch, until the queue is empty.  The others wait for their own result.
    One transaction per batch instead of per person is what keeps a popular
    meeting from queueing every worker on its row lock.  eventlet switches
    only on I/O, so the queue needs no lock of its own.
    """

    def setup(self):
        self.queues = {}
        self.leading = set()
        self.max_batch = 500

    def get_dependency(self, worker_ctx):
        return self

    def submit(self, key, item, decide_batch):
        done = eventlet.event.Event()
        self.queues.setdefault(key, []).append((item, done))
        if key not in self.leading:
            self.leading.add(key)
            try:
                while self.queues.get(key):
                    queue = self.queues[key]
                    batch, self.queues[key] = queue[:self.max_batch], queue[self.max_batch:]
                    try:
                        results = decide_batch(key, [i for i, _ in batch])
                    except Exception as exc:  # the whole batch failed (closed, not found …)
                        results = [exc] * len(batch)
                    for (_, event), result in zip(batch, results):
                        event.send(result)
                self.queues.pop(key, None)
            finally:
                self.leading.discard(key)
                # If the leader itself fails, nobody queued behind it waits forever.
                for _, event in self.queues.pop(key, []):
                    if not event.ready():
                        event.send(Conflict("registration was interrupted; try again"))
        result = done.wait()
        if isinstance(result, Exception):
            raise result
        return result


class Service(ServiceBase):
    name = "meetings"
    environment = {"MEETINGS_REMINDER_HOURS": "24", "MEETINGS_REMINDER_POLL_SECONDS": "60"}

    db = Database()
    health = Health()
    config = Config()
    desk = RegistrationDesk()

    # -- helpers -----------------------------------------------------------------

    def _zone(self, municipality):
        known = municipalities.catalogue(self.config.get("MUNICIPALITY_CATALOG", ""))
        found = known.get(municipality)
        if found is None:
            raise NotFound(f"no municipality '{municipality}'")
        return found.time_zone

    def _place(self, uow, municipality, place_id):
        if place_id is None:
            return None
        return uow.execute(
            sa.select(places).where(places.c.id == place_id, places.c.municipality == municipality)
        ).first()

    def _meeting(self, uow, municipality, meeting_id, lock=False):
        mid = _uuid(meeting_id, "meeting")
        stmt = sa.select(meetings).where(meetings.c.id == mid, meetings.c.municipality == municipality)
        if lock:
            stmt = stmt.with_for_update()
        row = uow.execute(stmt).first()
        if row is None:
            raise NotFound("no such meeting")
        return row

    def _live_participants(self, uow, meeting_id):
        return [r.participant_id for r in uow.execute(
            sa.select(registrations.c.participant_id)
            .where(registrations.c.meeting_id == meeting_id, registrations.c.status != CANCELLED)
            .order_by(registrations.c.seq)
        )]

    def _emit_meeting(self, uow, event_cls, row, **extra):
        data = {k: getattr(row, k) for k in contract.MeetingSnapshot.model_fields if hasattr(row, k)}
        data["online"] = bool(row.online_url)
        data["seats_left"] = max(0, row.capacity - row.confirmed_count)
        data.update(extra)
        uow.emit(event_cls.event_type, municipality=row.municipality, subject=f"meetings/{row.id}",
                 data=event_cls(**data))

    def _refresh_vevent(self, uow, meeting_id):
        row = uow.execute(sa.select(meetings).where(meetings.c.id == meeting_id)).first()
        place = self._place(uow, row.municipality, row.place_id)
        text = calendar.vevent_text(_calendar_fields(row), place_out(place))
        uow.execute(meetings.update().where(meetings.c.id == meeting_id).values(vevent=text))
        return uow.execute(sa.select(meetings).where(meetings.c.id == meeting_id)).first()

    def _confirmed_by_group(self, uow, meeting_id):
        return {
            r.group: r.n for r in uow.execute(
                sa.select(registrations.c.group, sa.func.count().label("n"))
                .where(registrations.c.meeting_id == meeting_id, registrations.c.status == CONFIRMED)
                .group_by(registrations.c.group)
            )
        }

    def _emit_registration(self, uow, event_cls, reg, meeting, position=None):
        uow.emit(event_cls.event_type, municipality=meeting.municipality, subject=f"meetings/{meeting.id}",
                 data=event_cls(
                     registration_id=reg["id"], meeting_id=meeting.id, municipality=meeting.municipality,
                     participant_id=reg["participant_id"], group=reg["group"], status=reg["status"],
                     waitlist_position=position, confirmed_count=meeting.confirmed_count,
                     waitlist_count=meeting.waitlist_count,
                     seats_left=max(0, meeting.capacity - meeting.confirmed_count)))

    def _promote(self, uow, meeting):
        """Move the first fitting people on the waitlist up (caller holds the meeting lock)."""
        waiting = uow.execute(
            sa.select(registrations)
            .where(registrations.c.meeting_id == meeting.id, registrations.c.status == WAITLISTED)
            .order_by(registrations.c.seq)
        ).all()
        if not waiting:
            return meeting
        seats = Seats(meeting.capacity, dict(meeting.reserved or {}))
        chosen = registration.promotions(seats, self._confirmed_by_group(uow, meeting.id),
                                         [(r.id, r.group) for r in waiting])
        if not chosen:
            return meeting
        now = _now()
        uow.execute(registrations.update().where(registrations.c.id.in_(chosen))
                    .values(status=CONFIRMED, confirmed_at=now))
        meeting = uow.execute(
            meetings.update().where(meetings.c.id == meeting.id)
            .values(confirmed_count=meetings.c.confirmed_count + len(chosen),
                    waitlist_count=meetings.c.waitlist_count - len(chosen))
            .returning(*meetings.c)
        ).first()
        by_id = {r.id: r for r in waiting}
        for reg_id in chosen:
            r = by_id[reg_id]
            self._emit_registration(uow, contract.RegistrationPromoted, {
                "id": r.id, "participant_id": r.participant_id, "group": r.group, "status": CONFIRMED}, meeting)
        return meeting

    # -- places -------------------------------------------------------------------

    @rpc
    def create_place(self, municipality, actor, payload):
        _require_staff(actor, municipality)
        self._zone(municipality)
        new = _parse(contract.NewPlace, payload)
        record = {"id": uuid.uuid4(), "municipality": municipality, **new.model_dump(), "created_at": _now()}
        with self.db as uow:
            uow.execute(places.insert().values(**record))
            row = self._place(uow, municipality, record["id"])
        return place_out(row)

    @rpc
    def list_places(self, municipality):
        with self.db as uow:
            rows = uow.execute(
                sa.select(places).where(places.c.municipality == municipality).order_by(places.c.name)
            ).all()
        return [place_out(r) for r in rows]

    # -- formats ------------------------------------------------------------------

    @rpc
    def formats(self):
        return [f.as_dict() for f in formats.CATALOGUE]

    @rpc
    def suggest_formats(self, level=None, expected=None, kind=None, limit=None):
        try:
            return formats.suggest(level, expected, kind, limit)
        except formats.UnknownCriterion as exc:
            raise Invalid(str(exc), [{"field": exc.field, "message": str(exc)}])

    # -- meetings -----------------------------------------------------------------

    @rpc
    def schedule(self, municipality, actor, payload):
        _require_staff(actor, municipality)
        zone = self._zone(municipality)
        new = _parse(contract.NewMeeting, payload)
        now = _now()
        record = new.model_dump(mode="python")
        record["online_url"] = str(new.online_url) if new.online_url else None
        for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            record[key] = domain.localize(record[key], zone, key)
        meeting_id = uuid.uuid4()
        with self.db as uow:
            place = self._place(uow, municipality, new.place_id)
            if new.place_id is not None and place is None:
                raise Invalid("no such meeting place", [{"field": "place_id", "message": "no such meeting place here"}])
            if new.series_id is not None:
                exists = uow.execute(sa.select(meetings.c.id).where(
                    meetings.c.series_id == new.series_id, meetings.c.municipality == municipality).limit(1)).first()
                if exists is None:
                    raise Invalid("no such series", [{"field": "series_id", "message": "no such series of meetings"}])
            domain.check_meeting(record, now=now, place=place_out(place))
            record.update({
                "id": meeting_id, "municipality": municipality, "series_id": new.series_id or meeting_id,
                "time_zone": zone, "status": "scheduled", "sequence": 0,
                "organiser_id": uuid.UUID(actor["id"]) if actor.get("id") else None,
                "created_at": now, "updated_at": now,
            })
            uow.execute(meetings.insert().values(**record))
            row = self._refresh_vevent(uow, meeting_id)
            self._emit_meeting(uow, contract.MeetingScheduled, row)
            if row.proposal_id is not None:
                matched = [r.participant_id for r in uow.execute(
                    sa.select(proposal_matches.c.participant_id)
                    .where(proposal_matches.c.proposal_id == row.proposal_id))]
                self._invite(uow, row, matched)
        return self.get(municipality, str(meeting_id), actor)

    @rpc
    def get(self, municipality, meeting_id, actor=None):
        with self.db as uow:
            row = self._meeting(uow, municipality, meeting_id)
            out = meeting_out(row, self._place(uow, municipality, row.place_id))
            out["agenda"] = [
                {"id": str(q.id), "position": q.position, "question": q.question, "minutes": q.minutes}
                for q in uow.execute(sa.select(agenda_questions).where(agenda_questions.c.meeting_id == row.id)
                                     .order_by(agenda_questions.c.position))
            ]
            out["outcomes"] = [
                {"id": str(o.id), "kind": o.kind, "text": o.text, "due": _iso(o.due), "created_at": _iso(o.created_at)}
                for o in uow.execute(sa.select(outcomes).where(outcomes.c.meeting_id == row.id)
                                     .order_by(outcomes.c.created_at, outcomes.c.id))
            ]
            out["sessions"] = [
                {"id": str(s.id), "starts_at": _iso(s.starts_at), "status": s.status}
                for s in uow.execute(sa.select(meetings.c.id, meetings.c.starts_at, meetings.c.status)
                                     .where(meetings.c.series_id == row.series_id)
                                     .order_by(meetings.c.starts_at))
            ]
            out["my_registration"] = None
            if actor and actor.get("id"):
                pid = uuid.UUID(actor["id"])
                out["my_registration"] = self._live_registrations(uow, row, {pid}).get(pid)
        return out

    @rpc
    def list(self, municipality, actor=None, proposal_id=None, upcoming=True, limit=50, starts_from=None,
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
        with self.db as uow:
            stmt = sa.select(meetings).where(meetings.c.municipality == municipality)
            if proposal_id:
                stmt = stmt.where(meetings.c.proposal_id == _uuid(proposal_id, "proposal"))
            if upcoming:
                stmt = stmt.where(meetings.c.ends_at >= _now())
            if since is not None:
                stmt = stmt.where(meetings.c.starts_at >= since)
            if until is not None:
                stmt = stmt.where(meetings.c.starts_at < until)
            rows = uow.execute(stmt.order_by(meetings.c.starts_at, meetings.c.id).limit(limit)).all()
            place_ids = {r.place_id for r in rows if r.place_id}
            by_id = {p.id: p for p in uow.execute(sa.select(places).where(places.c.id.in_(place_ids)))} if place_ids else {}
        return [meeting_out(r, by_id.get(r.place_id)) for r in rows]

    @rpc
    def update(self, municipality, actor, meeting_id, payload):
        _require_staff(actor, municipality)
        changes = _parse(contract.MeetingChanges, payload).model_dump(mode="python", exclude_unset=True)
        cleared = [k for k in REQUIRED_ON_A_MEETING if k in changes and changes[k] is None]
        if cleared:
            raise Invalid("a meeting cannot be without these", [
                {"field": k, "message": "may be changed but not removed"} for k in cleared])
        if "online_url" in changes and changes["online_url"] is not None:
            changes["online_url"] = str(changes["online_url"])
        now = _now()
        with self.db as uow:
            row = self._meeting(uow, municipality, meeting_id, lock=True)
            domain.check_can_change(row._mapping)
            for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
                if key in changes:
                    changes[key] = domain.localize(changes[key], row.time_zone, key)
            changed = sorted(k for k, v in changes.items() if getattr(row, k) != v)
            if not changed:
                return self.get(municipality, str(row.id), actor)
            merged = {**dict(row._mapping), **changes}
            place = self._place(uow, municipality, merged["place_id"])
            if merged["place_id"] is not None and place is None:
                raise Invalid("no such meeting place", [{"field": "place_id", "message": "no such meeting place here"}])
            errors = domain.meeting_errors(merged, now=now, place=place_out(place), new="starts_at" in changes)
            if merged["capacity"] < row.confirmed_count:
                errors.append({"field": "capacity", "message": f"{row.confirmed_count} people already have a seat; "
                                                               "the capacity cannot go below that"})
            if errors:
                raise Invalid("the meeting is not valid", errors)
            uow.execute(meetings.update().where(meetings.c.id == row.id)
                        .values(**changes, sequence=meetings.c.sequence + 1, updated_at=now))
            row = self._refresh_vevent(uow, row.id)
            row = self._promote(uow, row)
            self._emit_meeting(uow, contract.MeetingUpdated, row, changed=changed,
                               participant_ids=self._live_participants(uow, row.id))
        return self.get(municipality, str(row.id), actor)

    @rpc
    def cancel(self, municipality, actor, meeting_id, payload=None):
        _require_staff(actor, municipality)
        body = _parse(contract.Cancellation, payload)
        now = _now()
        with self.db as uow:
            row = self._meeting(uow, municipality, meeting_id, lock=True)
            domain.check_can_change(row._mapping)
            uow.execute(meetings.update().where(meetings.c.id == row.id).values(
                status="cancelled", cancel_reason=body.reason, sequence=meetings.c.sequence + 1, updated_at=now))
            row = self._refresh_vevent(uow, row.id)
            self._emit_meeting(uow, contract.MeetingCancelled, row, reason=body.reason, changed=["status"],
                               participant_ids=self._live_participants(uow, row.id))
        return self.get(municipality, str(row.id), actor)

    @rpc
    def conclude(self, municipality, actor, meeting_id):
        _require_staff(actor, municipality)
        now = _now()
        with self.db as uow:
            row = self._meeting(uow, municipality, meeting_id, lock=True)
            domain.check_can_conclude(row._mapping, now)
            uow.execute(meetings.update().where(meetings.c.id == row.id).values(status="concluded", updated_at=now))
            row = self._refresh_vevent(uow, row.id)
            self._emit_meeting(uow, contract.MeetingConcluded, row, changed=["status"])
        return self.get(municipality, str(row.id), actor)

    # -- registration ---------------------------------------------------------------

    @rpc
    def register(self, municipality, actor, meeting_id):
        """Register the caller: a seat if one is free for their group, else the waitlist.

        Idempotent per person and meeting: someone who already holds a live
        registration (a retry after a timeout, a double click, two tabs) gets
        that registration back, with ``"replayed": true``, and nothing changes.
        After a cancellation a new registration is a new arrival (the back of
        the waitlist if the seats are gone)."""
        participant_id = _require_actor(actor)
        group = actor.get("role")
        if group not in GROUPS:
            raise Forbidden("an operator account cannot register for meetings")
        key = (municipality, _uuid(meeting_id, "meeting"))
        result = self.desk.submit(key, (participant_id, group), self._register_batch)
        log.info("registration %s meeting=%s status=%s replayed=%s", result["id"], result["meeting_id"],
                 result["status"], result["replayed"])
        return result

    def _live_registrations(self, uow, meeting, participant_ids):
        """The live registrations of these people for the meeting, each with its waitlist position."""
        held = uow.execute(sa.select(registrations).where(
            registrations.c.meeting_id == meeting.id, registrations.c.status != CANCELLED,
            registrations.c.participant_id.in_(participant_ids))).all()
        out = {}
        for reg in held:
            out[reg.participant_id] = {
                "id": str(reg.id), "meeting_id": str(meeting.id), "group": reg.group, "status": reg.status,
                "waitlist_position": _waitlist_position(uow, reg), "created_at": _iso(reg.created_at)}
        return out

    def _register_batch(self, key, batch):
        """Decide a batch of registrations for one meeting in one transaction, in arrival order.

        The meeting's row lock (``FOR UPDATE``) serialises this against other
        instances; within the batch each registration sees the counts the one
        before it left.  Someone already registered (before or earlier in this
        batch) gets their registration back, even once the registration window
        has closed.  Returns one result or exception per registration.
        """
        municipality, meeting_id = key
        now = _now()
        results = [None] * len(batch)
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id, lock=True)
            refusal = None
            try:
                domain.check_can_register(meeting._mapping, now)
            except Conflict as exc:
                if meeting.status != "scheduled":
                    raise  # a cancelled or concluded meeting: nobody's answer is a seat
                refusal = exc  # outside the registration window: newcomers only
            seats = Seats(meeting.capacity, dict(meeting.reserved or {}))
            # Without reserved seats only the total matters, and the meeting row has it.
            by_group = self._confirmed_by_group(uow, meeting.id) if seats.reserved else {"*": meeting.confirmed_count}
            key_of = (lambda g: g) if seats.reserved else (lambda g: "*")
            held = self._live_registrations(uow, meeting, {pid for pid, _ in batch})
            confirmed, waiting, seq = meeting.confirmed_count, meeting.waitlist_count, meeting.next_seq
            rows, emitted = [], []
            for i, (participant_id, group) in enumerate(batch):
                if participant_id in held:
                    results[i] = {**held[participant_id], "replayed": True}
                    continue
                if refusal is not None:
                    results[i] = refusal
                    continue
                status = registration.decide(group if seats.reserved else "*", seats, by_group)
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
                emitted.append((reg, confirmed, waiting, position))
                results[i] = {"id": str(reg["id"]), "meeting_id": str(meeting.id), "group": group, "status": status,
                              "waitlist_position": position, "created_at": _iso(now), "replayed": False}
                held[participant_id] = {k: v for k, v in results[i].items() if k != "replayed"}
            if rows:
                uow.execute(registrations.insert(), rows)
                uow.execute(meetings.update().where(meetings.c.id == meeting.id).values(
                    next_seq=seq, confirmed_count=confirmed, waitlist_count=waiting))
                outgoing = []
                for reg, n_confirmed, n_waiting, position in emitted:
                    event_cls = (contract.RegistrationConfirmed if reg["status"] == CONFIRMED
                                 else contract.RegistrationWaitlisted)
                    outgoing.append((event_cls.event_type, f"meetings/{meeting.id}", event_cls(
                        registration_id=reg["id"], meeting_id=meeting.id, municipality=municipality,
                        participant_id=reg["participant_id"], group=reg["group"], status=reg["status"],
                        waitlist_position=position, confirmed_count=n_confirmed, waitlist_count=n_waiting,
                        seats_left=max(0, meeting.capacity - n_confirmed))))
                uow.emit_many(municipality, outgoing)
        return results

    @rpc
    def cancel_registration(self, municipality, actor, meeting_id):
        participant_id = _require_actor(actor)
        now = _now()
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id, lock=True)
            if meeting.status != "scheduled":
                raise Conflict(f"the meeting is {meeting.status}")
            reg = uow.execute(sa.select(registrations).where(
                registrations.c.meeting_id == meeting.id, registrations.c.participant_id == participant_id,
                registrations.c.status != CANCELLED)).first()
            if reg is None:
                raise NotFound("you are not registered for this meeting")
            uow.execute(registrations.update().where(registrations.c.id == reg.id)
                        .values(status=CANCELLED, cancelled_at=now))
            meeting = uow.execute(
                meetings.update().where(meetings.c.id == meeting.id).values(
                    confirmed_count=meetings.c.confirmed_count - (1 if reg.status == CONFIRMED else 0),
                    waitlist_count=meetings.c.waitlist_count - (1 if reg.status == WAITLISTED else 0),
                ).returning(*meetings.c)
            ).first()
            self._emit_registration(uow, contract.RegistrationCancelled, {
                "id": reg.id, "participant_id": reg.participant_id, "group": reg.group, "status": CANCELLED}, meeting)
            if reg.status == CONFIRMED:
                self._promote(uow, meeting)
        return {"id": str(reg.id), "meeting_id": str(meeting.id), "status": CANCELLED}

    @rpc
    def registrations(self, municipality, actor, meeting_id):
        """Staff only: who holds a seat and who waits, in order (ids, never names)."""
        _require_staff(actor, municipality)
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id)
            rows = uow.execute(sa.select(registrations).where(
                registrations.c.meeting_id == meeting.id, registrations.c.status != CANCELLED)
                .order_by(registrations.c.seq)).all()
        out, position = [], 0
        for r in rows:
            if r.status == WAITLISTED:
                position += 1
            out.append({"id": str(r.id), "participant_id": str(r.participant_id), "group": r.group,
                        "status": r.status, "waitlist_position": position if r.status == WAITLISTED else None,
                        "created_at": _iso(r.created_at)})
        return out

    # -- invitations -------------------------------------------------------------------

    def _invite(self, uow, meeting, participant_ids):
        if meeting.status != "scheduled" or not participant_ids:
            return 0
        now = _now()
        fresh = uow.execute(
            pg_insert(invitations).values([
                {"meeting_id": meeting.id, "participant_id": pid, "created_at": now} for pid in participant_ids
            ]).on_conflict_do_nothing().returning(invitations.c.participant_id)
        ).all()
        for (pid,) in fresh:
            uow.emit(contract.InvitationSent.event_type, municipality=meeting.municipality,
                     subject=f"meetings/{meeting.id}", data=contract.InvitationSent(
                         meeting_id=meeting.id, municipality=meeting.municipality, proposal_id=meeting.proposal_id,
                         participant_id=pid, starts_at=meeting.starts_at, title=meeting.title))
        return len(fresh)

    @consume("samskab.proposal.matches_suggested")
    def on_matches_suggested(self, event):
        data = event["data"]
        proposal_id = uuid.UUID(str(data["proposal_id"]))
        people = [uuid.UUID(str(p["participant_id"])) for p in data.get("participants", [])]
        if not people:
            return
        now = _now()
        self.db.execute(pg_insert(proposal_matches).values([
            {"proposal_id": proposal_id, "participant_id": pid, "municipality": event["municipality"],
             "created_at": now} for pid in people
        ]).on_conflict_do_nothing())
        upcoming = self.db.execute(sa.select(meetings).where(
            meetings.c.proposal_id == proposal_id, meetings.c.status == "scheduled",
            meetings.c.starts_at > now)).all()
        for meeting in upcoming:
            self._invite(self.db, meeting, people)

    @consume("samskab.participant.erased", every_municipality=True)
    def on_participant_erased(self, event):
        """Forget a person: their registrations go (seats pass to the waitlist), tokens, invitations, matches."""
        pid = uuid.UUID(str(event["data"]["id"]))
        held = self.db.execute(sa.select(registrations.c.meeting_id).where(
            registrations.c.participant_id == pid)).all()
        for (meeting_id,) in held:
            meeting = self.db.execute(sa.select(meetings).where(meetings.c.id == meeting_id).with_for_update()).first()
            reg = self.db.execute(sa.select(registrations).where(
                registrations.c.meeting_id == meeting_id, registrations.c.participant_id == pid,
                registrations.c.status != CANCELLED)).first()
            if reg is not None:
                meeting = self.db.execute(meetings.update().where(meetings.c.id == meeting_id).values(
                    confirmed_count=meetings.c.confirmed_count - (1 if reg.status == CONFIRMED else 0),
                    waitlist_count=meetings.c.waitlist_count - (1 if reg.status == WAITLISTED else 0),
                ).returning(*meetings.c)).first()
            self.db.execute(registrations.delete().where(
                registrations.c.meeting_id == meeting_id, registrations.c.participant_id == pid))
            if reg is not None and reg.status == CONFIRMED and meeting.status == "scheduled":
                self._promote(self.db, meeting)
        for table in (invitations, proposal_matches, calendar_tokens):
            self.db.execute(table.delete().where(table.c.participant_id == pid))
        # A staff member's meetings stay, without who scheduled them.
        self.db.execute(meetings.update().where(meetings.c.organiser_id == pid).values(organiser_id=None))
        # Published events have done their work; those still waiting are left to the relay.
        self.db.execute(outbox.delete().where(outbox.c.published_at.is_not(None),
                                              sa.cast(outbox.c.envelope, sa.Text).like(f'%"{pid}"%')))

    @rpc
    def export_participant(self, participant_id):
        """Everything held here that is linked to the person (GDPR art. 15 and 20), as JSON.

        Registrations (with the meeting's title, time, status, the seat group and the
        place on the waitlist), invitations, the reminders sent, whether a private
        calendar feed exists (never its token), the meetings they scheduled as staff and
        the proposals they were matched with.  Agenda questions and outcomes are written
        by staff and name nobody by id (an outcome's owner is free text), so none is
        linked to a participant here."""
        pid = _uuid(participant_id, "participant")
        meeting_columns = (meetings.c.municipality, meetings.c.title, meetings.c.starts_at, meetings.c.ends_at,
                           meetings.c.time_zone, meetings.c.status.label("meeting_status"))
        with self.db as uow:
            regs = uow.execute(
                sa.select(registrations, *meeting_columns)
                .join(meetings, meetings.c.id == registrations.c.meeting_id)
                .where(registrations.c.participant_id == pid)
                .order_by(registrations.c.created_at, registrations.c.id)).all()
            out_regs = []
            for r in regs:
                out_regs.append({
                    "id": str(r.id), "meeting_id": str(r.meeting_id), "municipality": r.municipality,
                    "meeting_title": r.title, "meeting_starts_at": _iso(r.starts_at),
                    "meeting_ends_at": _iso(r.ends_at), "meeting_time_zone": r.time_zone,
                    "meeting_status": r.meeting_status, "group": r.group, "status": r.status,
                    "waitlist_position": _waitlist_position(uow, r), "created_at": _iso(r.created_at),
                    "confirmed_at": _iso(r.confirmed_at), "cancelled_at": _iso(r.cancelled_at),
                    "reminded_at": _iso(r.reminded_at)})
            invited = uow.execute(
                sa.select(invitations.c.meeting_id, invitations.c.created_at, *meeting_columns)
                .join(meetings, meetings.c.id == invitations.c.meeting_id)
                .where(invitations.c.participant_id == pid)
                .order_by(invitations.c.created_at, invitations.c.meeting_id)).all()
            matched = uow.execute(sa.select(proposal_matches).where(proposal_matches.c.participant_id == pid)
                                  .order_by(proposal_matches.c.created_at)).all()
            feed = uow.execute(sa.select(calendar_tokens.c.municipality, calendar_tokens.c.created_at)
                               .where(calendar_tokens.c.participant_id == pid)).first()
            organised = uow.execute(
                sa.select(meetings.c.id, *meeting_columns, meetings.c.created_at)
                .where(meetings.c.organiser_id == pid).order_by(meetings.c.created_at, meetings.c.id)).all()
        return {
            "participant_id": str(pid),
            "registrations": out_regs,
            "invitations": [{"meeting_id": str(i.meeting_id), "municipality": i.municipality,
                             "meeting_title": i.title, "meeting_starts_at": _iso(i.starts_at),
                             "meeting_status": i.meeting_status, "invited_at": _iso(i.created_at)} for i in invited],
            "reminders": [{"registration_id": r["id"], "meeting_id": r["meeting_id"],
                           "meeting_title": r["meeting_title"], "sent_at": r["reminded_at"]}
                          for r in out_regs if r["reminded_at"]],
            "calendar_feed": ({"exists": True, "municipality": feed.municipality, "created_at": _iso(feed.created_at)}
                              if feed is not None else {"exists": False}),
            "proposal_matches": [{"proposal_id": str(m.proposal_id), "municipality": m.municipality,
                                  "matched_at": _iso(m.created_at)} for m in matched],
            "meetings_organised": [{"meeting_id": str(m.id), "municipality": m.municipality, "title": m.title,
                                    "starts_at": _iso(m.starts_at), "status": m.meeting_status,
                                    "created_at": _iso(m.created_at)} for m in organised],
        }

    # -- agenda, minutes, outcomes ---------------------------------------------------------

    @rpc
    def add_agenda_question(self, municipality, actor, meeting_id, payload):
        _require_staff(actor, municipality)
        body = _parse(contract.NewAgendaQuestion, payload)
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id, lock=True)
            if meeting.status == "cancelled":
                raise Conflict("the meeting is cancelled")
            position = (uow.execute(sa.select(sa.func.max(agenda_questions.c.position))
                                    .where(agenda_questions.c.meeting_id == meeting.id)).scalar() or 0) + 1
            qid = uuid.uuid4()
            uow.execute(agenda_questions.insert().values(
                id=qid, meeting_id=meeting.id, position=position, question=body.question, minutes=body.minutes,
                created_at=_now()))
        return {"id": str(qid), "position": position, "question": body.question, "minutes": body.minutes}

    @rpc
    def set_minutes(self, municipality, actor, meeting_id, payload):
        _require_staff(actor, municipality)
        body = _parse(contract.Minutes, payload)
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id, lock=True)
            if meeting.status == "cancelled":
                raise Conflict("the meeting is cancelled")
            if _now() < meeting.starts_at:
                raise Conflict("minutes are written once the meeting has started")
            uow.execute(meetings.update().where(meetings.c.id == meeting.id).values(minutes=body.text))
        return {"meeting_id": str(meeting.id), "minutes": body.text}

    @rpc
    def record_outcome(self, municipality, actor, meeting_id, payload):
        _require_staff(actor, municipality)
        body = _parse(contract.NewOutcome, payload)
        if body.kind == "action" and not body.owner:
            raise Invalid("an action item needs an owner", [{"field": "owner", "message": "who carries it?"}])
        now = _now()
        with self.db as uow:
            meeting = self._meeting(uow, municipality, meeting_id, lock=True)
            if meeting.status == "cancelled":
                raise Conflict("the meeting is cancelled")
            if now < meeting.starts_at:
                raise Conflict("outcomes are recorded once the meeting has started")
            record = {"id": uuid.uuid4(), "meeting_id": meeting.id, "municipality": municipality,
                      "kind": body.kind, "text": body.text, "owner": body.owner, "due": body.due, "created_at": now}
            uow.execute(outcomes.insert().values(**record))
            uow.emit(contract.OutcomeRecorded.event_type, municipality=municipality,
                     subject=f"proposals/{meeting.proposal_id}" if meeting.proposal_id else f"meetings/{meeting.id}",
                     data=contract.OutcomeRecorded(proposal_id=meeting.proposal_id,
                                                   **{k: v for k, v in record.items() if k != "created_at"}))
        return {"id": str(record["id"]), "kind": body.kind, "text": body.text, "owner": body.owner,
                "due": _iso(body.due), "created_at": _iso(now)}

    # -- calendars --------------------------------------------------------------------------

    @rpc
    def meeting_ics(self, municipality, meeting_id):
        with self.db as uow:
            row = self._meeting(uow, municipality, meeting_id)
        method = "CANCEL" if row.status == "cancelled" else "PUBLISH"
        return calendar.assemble([row.vevent], [row.time_zone], method=method).decode("utf-8")

    @rpc
    def municipality_calendar(self, municipality, past_days=90):
        since = _now() - dt.timedelta(days=int(past_days))
        with self.db as uow:
            # One string from the database rather than ten thousand rows through Python.
            row = uow.execute(
                sa.select(
                    sa.func.string_agg(meetings.c.vevent,
                                       aggregate_order_by(sa.literal(""), meetings.c.starts_at, meetings.c.id)),
                    sa.func.array_agg(sa.distinct(meetings.c.time_zone)),
                ).where(meetings.c.municipality == municipality, meetings.c.ends_at >= since)
            ).first()
        name = municipalities.catalogue(self.config.get("MUNICIPALITY_CATALOG", "")).get(municipality)
        return calendar.assemble([row[0] or ""], row[1] or [self._zone(municipality)],
                                 name=name.name if name else municipality).decode("utf-8")

    @rpc
    def new_calendar_token(self, municipality, actor):
        """A new secret for the caller's private feed (the old one stops working)."""
        participant_id = _require_actor(actor)
        token = secrets.token_urlsafe(32)
        with self.db as uow:
            stmt = pg_insert(calendar_tokens).values(participant_id=participant_id, municipality=municipality,
                                                  token_hash=_token_hash(token), created_at=_now())
            uow.execute(stmt.on_conflict_do_update(
                index_elements=["participant_id"],
                set_={"token_hash": stmt.excluded.token_hash, "created_at": stmt.excluded.created_at,
                      "municipality": stmt.excluded.municipality}))
        return {"token": token}

    @rpc
    def participant_calendar(self, token):
        """The meetings someone holds a seat at, found by the secret token of their feed."""
        with self.db as uow:
            owner = uow.execute(sa.select(calendar_tokens).where(
                calendar_tokens.c.token_hash == _token_hash(str(token)))).first()
            if owner is None:
                raise NotFound("no such calendar")
            rows = uow.execute(
                sa.select(meetings.c.vevent, meetings.c.time_zone)
                .join(registrations, registrations.c.meeting_id == meetings.c.id)
                .where(registrations.c.participant_id == owner.participant_id,
                       registrations.c.status == CONFIRMED)
                .order_by(meetings.c.starts_at)
            ).all()
        zones = [r.time_zone for r in rows] or [self._zone(owner.municipality)]
        return calendar.assemble([r.vevent for r in rows], zones, name="Samskab").decode("utf-8")

    # -- reminders ----------------------------------------------------------------------------

    @timer(interval=REMINDER_POLL_SECONDS)
    def remind(self):
        self.send_due_reminders()

    def send_due_reminders(self, now=None, batch=500):
        """Emit ``reminder_due`` once per confirmed registration of a meeting starting soon.

        Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and marked in the same
        transaction as the outbox rows, so two instances never remind twice.
        """
        hours = float(self.config.get("MEETINGS_REMINDER_HOURS", 24))
        now = now or _now()
        horizon = now + dt.timedelta(hours=hours)
        with self.db as uow:
            due = (
                sa.select(registrations.c.id)
                .join(meetings, meetings.c.id == registrations.c.meeting_id)
                .where(registrations.c.status == CONFIRMED, registrations.c.reminded_at.is_(None),
                       meetings.c.status == "scheduled", meetings.c.starts_at > now, meetings.c.starts_at <= horizon)
                .order_by(meetings.c.starts_at)
                .limit(batch)
                .with_for_update(of=registrations, skip_locked=True)
                .cte("due")
            )
            claimed = uow.execute(
                registrations.update()
                .where(registrations.c.id == due.c.id, registrations.c.reminded_at.is_(None))
                .values(reminded_at=now)
                .returning(registrations.c.id, registrations.c.meeting_id, registrations.c.participant_id)
            ).all()
            if not claimed:
                return 0
            by_meeting = {m.id: m for m in uow.execute(
                sa.select(meetings).where(meetings.c.id.in_({c.meeting_id for c in claimed})))}
            for c in claimed:
                m = by_meeting[c.meeting_id]
                uow.emit(contract.ReminderDue.event_type, municipality=m.municipality, subject=f"meetings/{m.id}",
                         data=contract.ReminderDue(
                             registration_id=c.id, meeting_id=m.id, municipality=m.municipality,
                             participant_id=c.participant_id, starts_at=m.starts_at, time_zone=m.time_zone,
                             title=m.title, online_url=m.online_url, place_id=m.place_id))
        log.info("reminders sent=%d", len(claimed))
        return len(claimed)
