"""the co-creation life cycle: history, supports, follows, questions, answers,
agreements, experiments, updates, reports; listing indexes and text search

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)
PUBLIC = "status <> 'draft' AND hidden_at IS NULL"
SEARCH = (
    "to_tsvector(CASE language WHEN 'da' THEN 'danish'::regconfig WHEN 'nb' THEN 'norwegian'::regconfig "
    "WHEN 'nn' THEN 'norwegian'::regconfig WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, "
    "title || ' ' || problem || ' ' || goal || ' ' || description || ' ' || coalesce(area, ''))"
)


def _content(*columns):
    return (*columns, sa.Column("created_at", TZ, nullable=False), sa.Column("hidden_at", TZ),
            sa.Column("hidden_reason", sa.Text))


def upgrade():
    op.add_column("proposals", sa.Column("support_count", sa.Integer, nullable=False, server_default="0"))
    op.add_column("proposals", sa.Column("last_activity_at", TZ, nullable=False, server_default=sa.func.now()))
    op.execute("UPDATE proposals SET last_activity_at = updated_at")
    for name in ("threshold_reached_at", "hidden_at"):
        op.add_column("proposals", sa.Column(name, TZ))
    for name in ("outcome", "outcome_reason", "hidden_reason"):
        op.add_column("proposals", sa.Column(name, sa.Text))
    op.execute(f"ALTER TABLE proposals ADD COLUMN search tsvector GENERATED ALWAYS AS ({SEARCH}) STORED")

    # Keyset pagination: one partial index per public sort, and per common filter.
    op.drop_index("proposals_municipality_created", table_name="proposals")
    for name, columns in (
        ("proposals_public_newest", "municipality, created_at DESC, id DESC"),
        ("proposals_public_supported", "municipality, support_count DESC, id DESC"),
        ("proposals_public_active", "municipality, last_activity_at DESC, id DESC"),
        ("proposals_public_status_newest", "municipality, status, created_at DESC, id DESC"),
        ("proposals_public_kind_newest", "municipality, kind, created_at DESC, id DESC"),
    ):
        op.execute(f"CREATE INDEX {name} ON proposals ({columns}) WHERE {PUBLIC}")
    op.execute("CREATE INDEX proposals_initiator ON proposals (initiator_id, created_at DESC, id DESC)")
    op.execute("CREATE INDEX proposals_search ON proposals USING gin (search)")
    op.execute("CREATE INDEX proposals_topics ON proposals USING gin (topics)")

    op.create_table(
        "status_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
        sa.Column("from_status", sa.Text, nullable=False),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("actor_id", UUID, nullable=False),
        sa.Column("capacity", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("at", TZ, nullable=False),
    )
    for table in ("supports", "follows"):
        op.create_table(
            table,
            sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
            sa.Column("participant_id", UUID, primary_key=True),
            sa.Column("at", TZ, nullable=False, server_default=sa.func.now()),
        )
        op.create_index(f"{table}_participant", table, ["participant_id"])
    op.create_table(
        "questions",
        *_content(
            sa.Column("id", UUID, primary_key=True),
            sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
            sa.Column("author_id", UUID, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
        ),
    )
    op.create_table(
        "answers",
        *_content(
            sa.Column("id", UUID, primary_key=True),
            sa.Column("question_id", UUID, sa.ForeignKey("questions.id"), nullable=False, index=True),
            sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
            sa.Column("author_id", UUID, nullable=False),
            sa.Column("capacity", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
        ),
    )
    op.create_table(
        "updates",
        *_content(
            sa.Column("id", UUID, primary_key=True),
            sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
            sa.Column("author_id", UUID, nullable=False),
            sa.Column("capacity", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
        ),
    )
    op.create_table(
        "agreement_versions",
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("content", pg.JSONB, nullable=False),
        sa.Column("drafted_by", UUID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "agreement_acceptances",
        sa.Column("proposal_id", UUID, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("party", sa.Text, primary_key=True),
        sa.Column("accepted_by", UUID, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["proposal_id", "version"], ["agreement_versions.proposal_id", "agreement_versions.version"]),
    )
    op.create_table(
        "experiments",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
        sa.Column("hypothesis", sa.Text, nullable=False),
        sa.Column("intervention", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("outcome", sa.Text),
        sa.Column("learnings", sa.Text),
        sa.Column("recorded_by", UUID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("target_type", sa.Text, nullable=False),
        sa.Column("target_id", UUID, nullable=False),
        sa.Column("reporter_id", UUID, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decision", sa.Text),
        sa.Column("decision_reason", sa.Text),
        sa.Column("decided_by", UUID),
        sa.Column("decided_at", TZ),
    )
    op.execute("CREATE INDEX reports_open ON reports (municipality, created_at) WHERE decision IS NULL")


def downgrade():
    for table in ("reports", "experiments", "agreement_acceptances", "agreement_versions", "updates", "answers",
                  "questions", "follows", "supports", "status_history"):
        op.drop_table(table)
    for name in ("proposals_public_newest", "proposals_public_supported", "proposals_public_active",
                 "proposals_public_status_newest", "proposals_public_kind_newest", "proposals_initiator",
                 "proposals_search", "proposals_topics"):
        op.drop_index(name, table_name="proposals")
    for name in ("search", "support_count", "last_activity_at", "threshold_reached_at", "hidden_at", "outcome",
                 "outcome_reason", "hidden_reason"):
        op.drop_column("proposals", name)
    op.create_index("proposals_municipality_created", "proposals",
                    ["municipality", sa.text("created_at DESC"), sa.text("id DESC")])
