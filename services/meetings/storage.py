"""The meetings service's tables (the migrations create the same; a test compares them)
and its repositories: all the SQL the use cases run."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert as pg_insert

from samskab.db import outbox

from .registration import CANCELLED, CONFIRMED, WAITLISTED

metadata = sa.MetaData()

UUID = pg.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)

places = sa.Table(
    "places", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("step_free", sa.Boolean, nullable=False),
    sa.Column("hearing_loop", sa.Boolean, nullable=False),
    sa.Column("accessibility_notes", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", TS, nullable=False),
    # 0002: a point on the map
    sa.Column("latitude", sa.Float(precision=53)),
    sa.Column("longitude", sa.Float(precision=53)),
    sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="places_point_whole"),
)

meetings = sa.Table(
    "meetings", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID),
    sa.Column("series_id", UUID, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("promise", sa.Text, nullable=False),
    sa.Column("iap2_level", sa.Text),
    sa.Column("language", sa.Text),
    sa.Column("starts_at", TS, nullable=False),
    sa.Column("ends_at", TS, nullable=False),
    sa.Column("time_zone", sa.Text, nullable=False),
    sa.Column("place_id", UUID, sa.ForeignKey("places.id")),
    sa.Column("online_url", sa.Text),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("reserved", pg.JSONB, nullable=False, server_default="{}"),
    sa.Column("registration_opens_at", TS),
    sa.Column("registration_closes_at", TS),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("organiser_id", UUID),
    sa.Column("minutes", sa.Text),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    # Registration counters and arrival counter, only changed under the row lock.
    sa.Column("confirmed_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("waitlist_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("vevent", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)
sa.Index("meetings_municipality_starts", meetings.c.municipality, meetings.c.starts_at)
sa.Index("meetings_proposal", meetings.c.proposal_id)
sa.Index("meetings_series", meetings.c.series_id)

registrations = sa.Table(
    "registrations", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("participant_id", UUID, nullable=False),
    sa.Column("group", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),  # arrival order within the meeting
    sa.Column("created_at", TS, nullable=False),
    sa.Column("confirmed_at", TS),
    sa.Column("cancelled_at", TS),
    sa.Column("reminded_at", TS),
)
# One live registration per person and meeting; a cancelled one may be followed by a new one.
sa.Index("registrations_one_live", registrations.c.meeting_id, registrations.c.participant_id, unique=True,
         postgresql_where=registrations.c.status != "cancelled")
sa.Index("registrations_meeting_seq", registrations.c.meeting_id, registrations.c.status, registrations.c.seq)
sa.Index("registrations_participant", registrations.c.participant_id)
sa.Index("registrations_unreminded", registrations.c.meeting_id,
         postgresql_where=sa.and_(registrations.c.status == CONFIRMED, registrations.c.reminded_at.is_(None)))

agenda_questions = sa.Table(
    "agenda_questions", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("minutes", sa.Integer),
    sa.Column("created_at", TS, nullable=False),
)

outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("owner", sa.Text),
    sa.Column("due", sa.Date),
    sa.Column("created_at", TS, nullable=False),
)

# Matched people per proposal (from samskab.proposal.matches_suggested), kept so a
# meeting scheduled later for the proposal can still invite them.
proposal_matches = sa.Table(
    "proposal_matches", metadata,
    sa.Column("proposal_id", UUID, primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
)

invitations = sa.Table(
    "invitations", metadata,
    sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), primary_key=True),
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("created_at", TS, nullable=False),
)

# The private calendar feed: only a hash of the secret token is kept.
calendar_tokens = sa.Table(
    "calendar_tokens", metadata,
    sa.Column("participant_id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", TS, nullable=False),
)


# -- repositories: every statement the use cases run, one class per aggregate ----------------
# Each takes the unit of work (``samskab.db.UnitOfWork``) and returns rows; the rules
# that decide what to write live in domain.py, registration.py and the use cases.

class Places:
    def __init__(self, uow):
        self.uow = uow

    def add(self, record):
        self.uow.execute(places.insert().values(**record))

    def get(self, municipality, place_id):
        if place_id is None:
            return None
        return self.uow.execute(
            sa.select(places).where(places.c.id == place_id, places.c.municipality == municipality)).first()

    def of_municipality(self, municipality):
        return self.uow.execute(
            sa.select(places).where(places.c.municipality == municipality).order_by(places.c.name)).all()

    def by_id(self, place_ids):
        if not place_ids:
            return {}
        return {p.id: p for p in self.uow.execute(sa.select(places).where(places.c.id.in_(place_ids)))}


class Meetings:
    """Meetings with their agenda, outcomes, counters and stored VEVENT."""

    def __init__(self, uow):
        self.uow = uow

    def get(self, municipality, meeting_id, lock=False):
        stmt = sa.select(meetings).where(meetings.c.id == meeting_id, meetings.c.municipality == municipality)
        return self.uow.execute(stmt.with_for_update() if lock else stmt).first()

    def by_id(self, meeting_id, lock=False):
        stmt = sa.select(meetings).where(meetings.c.id == meeting_id)
        return self.uow.execute(stmt.with_for_update() if lock else stmt).first()

    def by_ids(self, meeting_ids):
        return {m.id: m for m in self.uow.execute(sa.select(meetings).where(meetings.c.id.in_(meeting_ids)))}

    def series_exists(self, municipality, series_id):
        return self.uow.execute(sa.select(meetings.c.id).where(
            meetings.c.series_id == series_id, meetings.c.municipality == municipality).limit(1)).first() is not None

    def add(self, record):
        self.uow.execute(meetings.insert().values(**record))

    def change(self, meeting_id, **values):
        """Set ``values`` (raising SEQUENCE if asked with ``sequence=meetings.c.sequence + 1``)."""
        self.uow.execute(meetings.update().where(meetings.c.id == meeting_id).values(**values))

    def change_returning(self, meeting_id, **values):
        return self.uow.execute(
            meetings.update().where(meetings.c.id == meeting_id).values(**values).returning(*meetings.c)).first()

    def count(self, meeting_id, confirmed=0, waiting=0):
        """Move the registration counters by these amounts; the changed meeting."""
        return self.change_returning(meeting_id, confirmed_count=meetings.c.confirmed_count + confirmed,
                                     waitlist_count=meetings.c.waitlist_count + waiting)

    def listing(self, municipality, *, proposal_id=None, ended_after=None, since=None, until=None, limit=50):
        stmt = sa.select(meetings).where(meetings.c.municipality == municipality)
        if proposal_id is not None:
            stmt = stmt.where(meetings.c.proposal_id == proposal_id)
        if ended_after is not None:
            stmt = stmt.where(meetings.c.ends_at >= ended_after)
        if since is not None:
            stmt = stmt.where(meetings.c.starts_at >= since)
        if until is not None:
            stmt = stmt.where(meetings.c.starts_at < until)
        return self.uow.execute(stmt.order_by(meetings.c.starts_at, meetings.c.id).limit(limit)).all()

    def sessions(self, series_id):
        return self.uow.execute(sa.select(meetings.c.id, meetings.c.starts_at, meetings.c.status)
                                .where(meetings.c.series_id == series_id).order_by(meetings.c.starts_at)).all()

    def upcoming_of_proposal(self, proposal_id, now):
        return self.uow.execute(sa.select(meetings).where(
            meetings.c.proposal_id == proposal_id, meetings.c.status == "scheduled",
            meetings.c.starts_at > now)).all()

    def organised_by(self, participant_id, *columns):
        return self.uow.execute(sa.select(meetings.c.id, *columns, meetings.c.created_at)
                                .where(meetings.c.organiser_id == participant_id)
                                .order_by(meetings.c.created_at, meetings.c.id)).all()

    def forget_organiser(self, participant_id):
        self.uow.execute(meetings.update().where(meetings.c.organiser_id == participant_id).values(organiser_id=None))

    # -- agenda and outcomes belong to their meeting --

    def agenda(self, meeting_id):
        return self.uow.execute(sa.select(agenda_questions).where(agenda_questions.c.meeting_id == meeting_id)
                                .order_by(agenda_questions.c.position)).all()

    def add_agenda_question(self, meeting_id, question, minutes, now):
        """Append a question (the caller holds the meeting's lock); its id and position."""
        position = (self.uow.execute(sa.select(sa.func.max(agenda_questions.c.position))
                                     .where(agenda_questions.c.meeting_id == meeting_id)).scalar() or 0) + 1
        qid = uuid.uuid4()
        self.uow.execute(agenda_questions.insert().values(
            id=qid, meeting_id=meeting_id, position=position, question=question, minutes=minutes, created_at=now))
        return qid, position

    def outcomes(self, meeting_id):
        return self.uow.execute(sa.select(outcomes).where(outcomes.c.meeting_id == meeting_id)
                                .order_by(outcomes.c.created_at, outcomes.c.id)).all()

    def add_outcome(self, record):
        self.uow.execute(outcomes.insert().values(**record))

    # -- calendars --

    def calendar_feed(self, municipality, ended_after):
        """All stored VEVENTs of the municipality as one string and their zones.

        One string from the database rather than ten thousand rows through Python."""
        return self.uow.execute(
            sa.select(
                sa.func.string_agg(meetings.c.vevent,
                                   aggregate_order_by(sa.literal(""), meetings.c.starts_at, meetings.c.id)),
                sa.func.array_agg(sa.distinct(meetings.c.time_zone)),
            ).where(meetings.c.municipality == municipality, meetings.c.ends_at >= ended_after)
        ).first()

    def seats_held_by(self, participant_id):
        """VEVENTs and zones of the meetings someone holds a seat at."""
        return self.uow.execute(
            sa.select(meetings.c.vevent, meetings.c.time_zone)
            .join(registrations, registrations.c.meeting_id == meetings.c.id)
            .where(registrations.c.participant_id == participant_id, registrations.c.status == CONFIRMED)
            .order_by(meetings.c.starts_at)).all()


class Registrations:
    """Seats and waitlist places; every write happens under the meeting's row lock."""

    def __init__(self, uow):
        self.uow = uow

    def live(self, meeting_id, participant_ids):
        return self.uow.execute(sa.select(registrations).where(
            registrations.c.meeting_id == meeting_id, registrations.c.status != CANCELLED,
            registrations.c.participant_id.in_(participant_ids))).all()

    def live_one(self, meeting_id, participant_id):
        return self.uow.execute(sa.select(registrations).where(
            registrations.c.meeting_id == meeting_id, registrations.c.participant_id == participant_id,
            registrations.c.status != CANCELLED)).first()

    def in_order(self, meeting_id):
        """The live registrations of a meeting in arrival order."""
        return self.uow.execute(sa.select(registrations).where(
            registrations.c.meeting_id == meeting_id, registrations.c.status != CANCELLED)
            .order_by(registrations.c.seq)).all()

    def participants(self, meeting_id):
        return [r.participant_id for r in self.uow.execute(
            sa.select(registrations.c.participant_id)
            .where(registrations.c.meeting_id == meeting_id, registrations.c.status != CANCELLED)
            .order_by(registrations.c.seq))]

    def waiting(self, meeting_id):
        return self.uow.execute(
            sa.select(registrations)
            .where(registrations.c.meeting_id == meeting_id, registrations.c.status == WAITLISTED)
            .order_by(registrations.c.seq)).all()

    def waitlist_position(self, reg):
        """Where a registration stands on its meeting's waitlist (1 = next), or None if it is not waiting."""
        if reg.status != WAITLISTED:
            return None
        return self.uow.execute(sa.select(sa.func.count()).select_from(registrations).where(
            registrations.c.meeting_id == reg.meeting_id, registrations.c.status == WAITLISTED,
            registrations.c.seq <= reg.seq)).scalar()

    def confirmed_by_group(self, meeting_id):
        return {r.group: r.n for r in self.uow.execute(
            sa.select(registrations.c.group, sa.func.count().label("n"))
            .where(registrations.c.meeting_id == meeting_id, registrations.c.status == CONFIRMED)
            .group_by(registrations.c.group))}

    def add_many(self, rows):
        self.uow.execute(registrations.insert(), rows)

    def confirm(self, ids, now):
        self.uow.execute(registrations.update().where(registrations.c.id.in_(ids))
                         .values(status=CONFIRMED, confirmed_at=now))

    def cancel(self, reg_id, now):
        self.uow.execute(registrations.update().where(registrations.c.id == reg_id)
                         .values(status=CANCELLED, cancelled_at=now))

    def meetings_of(self, participant_id):
        return [m for (m,) in self.uow.execute(sa.select(registrations.c.meeting_id).where(
            registrations.c.participant_id == participant_id)).all()]

    def delete(self, meeting_id, participant_id):
        self.uow.execute(registrations.delete().where(
            registrations.c.meeting_id == meeting_id, registrations.c.participant_id == participant_id))

    def of_participant(self, participant_id, *meeting_columns):
        return self.uow.execute(
            sa.select(registrations, *meeting_columns)
            .join(meetings, meetings.c.id == registrations.c.meeting_id)
            .where(registrations.c.participant_id == participant_id)
            .order_by(registrations.c.created_at, registrations.c.id)).all()

    def claim_due_reminders(self, now, horizon, batch):
        """Mark up to ``batch`` confirmed, unreminded registrations of meetings starting
        before ``horizon`` as reminded, skipping rows another instance holds."""
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
        return self.uow.execute(
            registrations.update()
            .where(registrations.c.id == due.c.id, registrations.c.reminded_at.is_(None))
            .values(reminded_at=now)
            .returning(registrations.c.id, registrations.c.meeting_id, registrations.c.participant_id)).all()


class People:
    """What is held about a participant apart from registrations: matches, invitations,
    the private calendar feed's token."""

    def __init__(self, uow):
        self.uow = uow

    def add_matches(self, proposal_id, municipality, participant_ids, now):
        self.uow.execute(pg_insert(proposal_matches).values([
            {"proposal_id": proposal_id, "participant_id": pid, "municipality": municipality, "created_at": now}
            for pid in participant_ids]).on_conflict_do_nothing())

    def matched_with(self, proposal_id):
        return [r.participant_id for r in self.uow.execute(
            sa.select(proposal_matches.c.participant_id).where(proposal_matches.c.proposal_id == proposal_id))]

    def matches_of(self, participant_id):
        return self.uow.execute(sa.select(proposal_matches).where(proposal_matches.c.participant_id == participant_id)
                                .order_by(proposal_matches.c.created_at)).all()

    def invite(self, meeting_id, participant_ids, now):
        """Invitations not sent before; the participant ids newly invited."""
        return [pid for (pid,) in self.uow.execute(
            pg_insert(invitations).values([
                {"meeting_id": meeting_id, "participant_id": pid, "created_at": now} for pid in participant_ids
            ]).on_conflict_do_nothing().returning(invitations.c.participant_id)).all()]

    def invitations_of(self, participant_id, *meeting_columns):
        return self.uow.execute(
            sa.select(invitations.c.meeting_id, invitations.c.created_at, *meeting_columns)
            .join(meetings, meetings.c.id == invitations.c.meeting_id)
            .where(invitations.c.participant_id == participant_id)
            .order_by(invitations.c.created_at, invitations.c.meeting_id)).all()

    def put_calendar_token(self, participant_id, municipality, token_hash, now):
        stmt = pg_insert(calendar_tokens).values(participant_id=participant_id, municipality=municipality,
                                                 token_hash=token_hash, created_at=now)
        self.uow.execute(stmt.on_conflict_do_update(
            index_elements=["participant_id"],
            set_={"token_hash": stmt.excluded.token_hash, "created_at": stmt.excluded.created_at,
                  "municipality": stmt.excluded.municipality}))

    def calendar_token(self, token_hash):
        return self.uow.execute(sa.select(calendar_tokens).where(calendar_tokens.c.token_hash == token_hash)).first()

    def calendar_token_of(self, participant_id):
        return self.uow.execute(sa.select(calendar_tokens.c.municipality, calendar_tokens.c.created_at)
                                .where(calendar_tokens.c.participant_id == participant_id)).first()

    def forget(self, participant_id):
        """Invitations, matches and the feed's token go; published events naming the person go
        (those still waiting are left to the relay)."""
        for table in (invitations, proposal_matches, calendar_tokens):
            self.uow.execute(table.delete().where(table.c.participant_id == participant_id))
        self.uow.execute(outbox.delete().where(outbox.c.published_at.is_not(None),
                                               sa.cast(outbox.c.envelope, sa.Text).like(f'%"{participant_id}"%')))


# issue 21: the tables of comment threads are in comment_storage.py, on this metadata.
from . import comment_storage  # noqa: E402,F401
# issue 21: the tables of pictures and files are in attachment_storage.py, on this metadata.
from . import attachment_storage  # noqa: E402,F401
