"""pictures and files on proposals, updates and experiments, with reports (issue 21)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UUID = pg.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("attached_to", sa.Text, nullable=False),
        sa.Column("target_id", UUID),
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
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hidden_reason", sa.Text),
        sa.Column("hidden_by", UUID),
        sa.Column("hidden_at", TZ),
        sa.CheckConstraint("attached_to IN ('proposal', 'update', 'experiment')", name="attachments_attached_to"),
        sa.CheckConstraint("kind IN ('image', 'document')", name="attachments_kind"),
        sa.CheckConstraint("kind <> 'image' OR alt <> ''", name="attachments_image_alt"),
    )
    op.create_index("attachments_proposal", "attachments", ["proposal_id", "created_at"])
    op.create_index("attachments_uploader", "attachments", ["uploader_id"])
    op.create_table(
        "attachment_reports",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("attachment_id", UUID, sa.ForeignKey("attachments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reporter_id", UUID),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", TZ, nullable=False),
    )
    op.create_index("attachment_reports_attachment", "attachment_reports", ["attachment_id"])


def downgrade():
    op.drop_table("attachment_reports")
    op.drop_table("attachments")
