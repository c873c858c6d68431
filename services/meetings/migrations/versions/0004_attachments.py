"""pictures and files on meetings, with reports (issue 21)

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
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("original_key", sa.Text, nullable=False),
        sa.Column("page_key", sa.Text),
        sa.Column("thumbnail_key", sa.Text),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("alt", sa.Text, nullable=False, server_default=""),
        sa.Column("caption", sa.Text, nullable=False, server_default=""),
        sa.Column("uploader_id", UUID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hidden_reason", sa.Text),
        sa.Column("hidden_by", UUID),
        sa.Column("hidden_at", TS),
        sa.CheckConstraint("kind IN ('image', 'document')", name="attachments_kind"),
        sa.CheckConstraint("kind <> 'image' OR alt <> ''", name="attachments_image_alt"),
    )
    op.create_index("attachments_meeting", "attachments", ["meeting_id", "created_at"])
    op.create_index("attachments_uploader", "attachments", ["uploader_id"])
    op.create_table(
        "attachment_reports",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("attachment_id", UUID, sa.ForeignKey("attachments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reporter_id", UUID),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", TS, nullable=False),
    )
    op.create_index("attachment_reports_attachment", "attachment_reports", ["attachment_id"])


def downgrade():
    op.drop_table("attachment_reports")
    op.drop_table("attachments")
