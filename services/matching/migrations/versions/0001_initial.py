"""profiles, proposal copies, term frequencies, matches, similar proposals, panels, outbox and processed events

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from samskab.migrate import create_backbone_tables, drop_backbone_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tags(name):
    return sa.Column(name, pg.ARRAY(sa.Text), nullable=False, server_default="{}")


def upgrade():
    create_backbone_tables(op.get_bind())
    op.create_table(
        "profiles",
        sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("kind", sa.Text),
        _tags("skills"), _tags("interests"), _tags("areas"), _tags("resources"), _tags("availability"),
        _tags("languages"),
        sa.Column("suggest_me", sa.Boolean, nullable=False, server_default=sa.false()),
        _tags("neighbour_municipalities"),
        _tags("scoped_terms"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("profiles_scoped_terms", "profiles", ["scoped_terms"], postgresql_using="gin")
    op.create_index("profiles_municipality_kind", "profiles", ["municipality", "kind"])
    op.create_table(
        "proposals",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("area", sa.Text),
        _tags("topics"), _tags("needs"),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("initiator_id", pg.UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("features", pg.JSONB, nullable=False),
        _tags("sim_terms"),
        _tags("match_terms"),
    )
    op.create_index("proposals_sim_terms", "proposals", ["sim_terms"], postgresql_using="gin")
    op.create_index("proposals_match_terms", "proposals", ["match_terms"], postgresql_using="gin")
    op.create_index("proposals_municipality", "proposals", ["municipality"])
    op.create_table(
        "term_frequencies",
        sa.Column("municipality", sa.Text, primary_key=True),
        sa.Column("term", sa.Text, primary_key=True),
        sa.Column("df", sa.Integer, nullable=False),
    )
    op.create_table(
        "matches",
        sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("participant_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("participant_municipality", sa.Text, nullable=False),
        sa.Column("reasons", pg.JSONB, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("matches_participant", "matches", ["participant_id"])
    op.create_table(
        "similar_proposals",
        sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("similar_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "panels",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("proposal_id", pg.UUID(as_uuid=True)),
        sa.Column("created_by", pg.UUID(as_uuid=True)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("request", pg.JSONB, nullable=False),
        sa.Column("result", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("panels_municipality", "panels", ["municipality", "created_at"])


def downgrade():
    for table in ("panels", "similar_proposals", "matches", "term_frequencies", "proposals", "profiles"):
        op.drop_table(table)
    drop_backbone_tables(op.get_bind())
