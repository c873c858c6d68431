"""proposals, outbox and processed events

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


def upgrade():
    create_backbone_tables(op.get_bind())
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
        sa.Column("topics", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("needs", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("iap2_level", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("initiator_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("initiator_role", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "proposals_municipality_created", "proposals",
        ["municipality", sa.text("created_at DESC"), sa.text("id DESC")],
    )


def downgrade():
    op.drop_table("proposals")
    drop_backbone_tables(op.get_bind())
