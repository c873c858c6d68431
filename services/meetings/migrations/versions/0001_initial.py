"""meeting places, meetings, registrations, agendas, outcomes, invitations, calendar tokens; outbox

Revision ID: 0001
Revises:

The DDL is written out (not taken from storage.py) so this revision stays what it was
when later revisions change the tables.
"""
from alembic import op

from samskab.migrate import create_backbone_tables, drop_backbone_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_backbone_tables(op.get_bind())
    op.execute("""
        CREATE TABLE calendar_tokens (
        	participant_id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	token_hash TEXT NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (participant_id),
        	UNIQUE (token_hash)
        )
    """)
    op.execute("""
        CREATE TABLE places (
        	id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	name TEXT NOT NULL,
        	kind TEXT NOT NULL,
        	address TEXT NOT NULL,
        	capacity INTEGER NOT NULL,
        	step_free BOOLEAN NOT NULL,
        	hearing_loop BOOLEAN NOT NULL,
        	accessibility_notes TEXT DEFAULT '' NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (id)
        )
    """)
    op.execute("""
        CREATE TABLE proposal_matches (
        	proposal_id UUID NOT NULL,
        	participant_id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (proposal_id, participant_id)
        )
    """)
    op.execute("""
        CREATE TABLE meetings (
        	id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	proposal_id UUID,
        	series_id UUID NOT NULL,
        	format TEXT NOT NULL,
        	title TEXT NOT NULL,
        	purpose TEXT NOT NULL,
        	promise TEXT NOT NULL,
        	iap2_level TEXT,
        	language TEXT,
        	starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	time_zone TEXT NOT NULL,
        	place_id UUID,
        	online_url TEXT,
        	capacity INTEGER NOT NULL,
        	reserved JSONB DEFAULT '{}' NOT NULL,
        	registration_opens_at TIMESTAMP WITH TIME ZONE,
        	registration_closes_at TIMESTAMP WITH TIME ZONE,
        	status TEXT NOT NULL,
        	sequence INTEGER DEFAULT '0' NOT NULL,
        	organiser_id UUID,
        	minutes TEXT,
        	cancel_reason TEXT DEFAULT '' NOT NULL,
        	confirmed_count INTEGER DEFAULT '0' NOT NULL,
        	waitlist_count INTEGER DEFAULT '0' NOT NULL,
        	next_seq BIGINT DEFAULT '0' NOT NULL,
        	vevent TEXT DEFAULT '' NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (id),
        	FOREIGN KEY(place_id) REFERENCES places (id)
        )
    """)
    op.execute("""
        CREATE INDEX meetings_proposal ON meetings (proposal_id)
    """)
    op.execute("""
        CREATE INDEX meetings_municipality_starts ON meetings (municipality, starts_at)
    """)
    op.execute("""
        CREATE INDEX meetings_series ON meetings (series_id)
    """)
    op.execute("""
        CREATE TABLE agenda_questions (
        	id UUID NOT NULL,
        	meeting_id UUID NOT NULL,
        	position INTEGER NOT NULL,
        	question TEXT NOT NULL,
        	minutes INTEGER,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (id),
        	FOREIGN KEY(meeting_id) REFERENCES meetings (id)
        )
    """)
    op.execute("""
        CREATE TABLE invitations (
        	meeting_id UUID NOT NULL,
        	participant_id UUID NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (meeting_id, participant_id),
        	FOREIGN KEY(meeting_id) REFERENCES meetings (id)
        )
    """)
    op.execute("""
        CREATE TABLE outcomes (
        	id UUID NOT NULL,
        	meeting_id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	kind TEXT NOT NULL,
        	text TEXT NOT NULL,
        	owner TEXT,
        	due DATE,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	PRIMARY KEY (id),
        	FOREIGN KEY(meeting_id) REFERENCES meetings (id)
        )
    """)
    op.execute("""
        CREATE TABLE registrations (
        	id UUID NOT NULL,
        	meeting_id UUID NOT NULL,
        	municipality TEXT NOT NULL,
        	participant_id UUID NOT NULL,
        	"group" TEXT NOT NULL,
        	status TEXT NOT NULL,
        	seq BIGINT NOT NULL,
        	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        	confirmed_at TIMESTAMP WITH TIME ZONE,
        	cancelled_at TIMESTAMP WITH TIME ZONE,
        	reminded_at TIMESTAMP WITH TIME ZONE,
        	PRIMARY KEY (id),
        	FOREIGN KEY(meeting_id) REFERENCES meetings (id)
        )
    """)
    op.execute("""
        CREATE UNIQUE INDEX registrations_one_live ON registrations (meeting_id, participant_id) WHERE status != 'cancelled'
    """)
    op.execute("""
        CREATE INDEX registrations_unreminded ON registrations (meeting_id) WHERE status = 'confirmed' AND reminded_at IS NULL
    """)
    op.execute("""
        CREATE INDEX registrations_meeting_seq ON registrations (meeting_id, status, seq)
    """)
    op.execute("""
        CREATE INDEX registrations_participant ON registrations (participant_id)
    """)


def downgrade():
    for table in ("calendar_tokens", "invitations", "proposal_matches", "outcomes", "agenda_questions",
                  "registrations", "meetings", "places"):
        op.drop_table(table)
    drop_backbone_tables(op.get_bind())
