"""The meetings service's tables (the migration 0001 creates the same)."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

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
         postgresql_where=sa.and_(registrations.c.status == "confirmed", registrations.c.reminded_at.is_(None)))

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
