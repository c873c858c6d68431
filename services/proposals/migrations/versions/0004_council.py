"""political leadership (issue 22): missions, task committees (applications, members,
meetings, documents), the council's cases and their event log, politicians' public offices

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "missions",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("challenge", sa.Text, nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        sa.Column("owner_committee", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("office", pg.JSONB, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("missions_municipality", "missions", ["municipality", "created_at"])
    op.create_table(
        "mission_proposals",
        sa.Column("mission_id", UUID, sa.ForeignKey("missions.id"), primary_key=True),
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("attached_by", sa.Text, nullable=False),
        sa.Column("actor_id", UUID, nullable=False),
        sa.Column("attached_at", TZ, nullable=False),
    )
    op.create_index("mission_proposals_proposal", "mission_proposals", ["proposal_id"])
    op.create_table(
        "mission_follows",
        sa.Column("mission_id", UUID, sa.ForeignKey("missions.id"), primary_key=True),
        sa.Column("participant_id", UUID, primary_key=True),
    )
    op.create_index("mission_follows_participant", "mission_follows", ["participant_id"])
    op.create_table(
        "committees",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("mission_id", UUID, sa.ForeignKey("missions.id")),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("questions", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("frame", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("seats", pg.JSONB, nullable=False),
        sa.Column("recruitment", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("created_by", UUID, nullable=False),
        sa.Column("office", pg.JSONB, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("panel_id", sa.Text),
        sa.Column("seed", sa.BigInteger),
        sa.Column("recommendation", sa.Text),
        sa.Column("delivered_at", TZ),
    )
    op.create_index("committees_municipality", "committees", ["municipality", "created_at"])
    op.create_index("committees_mission", "committees", ["mission_id"])
    op.create_table(
        "committee_applications",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("participant_id", UUID, nullable=False),
        sa.Column("seat_group", sa.Text, nullable=False),
        sa.Column("features", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("motivation", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("applied_at", TZ, nullable=False),
        sa.UniqueConstraint("committee_id", "participant_id", name="committee_applications_once"),
    )
    op.create_index("committee_applications_participant", "committee_applications", ["participant_id"])
    op.create_table(
        "committee_members",
        sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), primary_key=True),
        sa.Column("participant_id", UUID, primary_key=True),
        sa.Column("seat_group", sa.Text, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
        sa.Column("seated_at", TZ, nullable=False),
    )
    op.create_index("committee_members_participant", "committee_members", ["participant_id"])
    op.create_table(
        "committee_meetings",
        sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), primary_key=True),
        sa.Column("meeting_id", UUID, primary_key=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
    )
    op.create_table(
        "committee_documents",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("committee_id", UUID, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("meeting_id", UUID),
        sa.Column("author_id", UUID, nullable=False),
        sa.Column("added_at", TZ, nullable=False),
    )
    op.create_index("ix_committee_documents_committee_id", "committee_documents", ["committee_id"])
    op.create_table(
        "council_cases",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("proposal_id", UUID, unique=True),
        sa.Column("committee_id", UUID, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("body", sa.Text),
        sa.Column("meeting_date", sa.Date),
        sa.Column("meeting_id", UUID),
        sa.Column("decision", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("sent_to", sa.Text),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", UUID),
        sa.Column("office", pg.JSONB),
    )
    op.create_index("council_cases_municipality", "council_cases", ["municipality", "status", "opened_at"])
    op.create_table(
        "council_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("data", pg.JSONB, nullable=False),
    )
    op.create_index("council_events_municipality", "council_events", ["municipality", "id"])
    op.create_table(
        "public_offices",
        sa.Column("municipality", sa.Text, primary_key=True),
        sa.Column("participant_id", UUID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("party", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade():
    for table in ("public_offices", "council_events", "council_cases", "committee_documents", "committee_meetings",
                  "committee_members", "committee_applications", "committees", "mission_follows",
                  "mission_proposals", "missions"):
        op.drop_table(table)
