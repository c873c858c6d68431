"""pending uploads: an upload's bytes are announced before they are written, so that a
gateway that stops before the owning service records them leaves nothing unswept (issue 21)

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


def upgrade():
    op.create_table(
        "pending_uploads",
        sa.Column("attachment_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("owner_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("uploader_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("pending_uploads_created_at", "pending_uploads", ["created_at"])


def downgrade():
    op.drop_table("pending_uploads")
