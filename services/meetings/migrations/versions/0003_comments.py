"""comment threads under meetings (issue 21)

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

UUID = pg.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "comments",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("parent_id", UUID, sa.ForeignKey("comments.id")),
        sa.Column("author_id", UUID, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("alignment", sa.Text),
        sa.Column("posted_at", TS, nullable=False),
        sa.Column("edited_at", TS),
        sa.Column("hidden_at", TS),
        sa.Column("hidden_reason", sa.Text),
        sa.Column("hidden_by", UUID),
    )
    op.create_index("comments_meeting", "comments", ["meeting_id", "posted_at"])
    op.create_index("comments_author", "comments", ["author_id"])
    op.create_table(
        "comment_reports",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("comment_id", UUID, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("reporter_id", UUID),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", TS, nullable=False),
    )
    op.create_index("comment_reports_comment", "comment_reports", ["comment_id"])


def downgrade():
    op.drop_table("comment_reports")
    op.drop_table("comments")
