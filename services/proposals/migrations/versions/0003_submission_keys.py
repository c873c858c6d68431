"""submission keys: an Idempotency-Key on POST …/proposals makes a retried submission return the first one

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_keys",
        sa.Column("initiator_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("proposal_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("submission_keys_created", "submission_keys", ["created_at"])


def downgrade():
    op.drop_table("submission_keys")
