"""politicians answer as themselves; missions and committees edited and closed (issue 22)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("answers", sa.Column("office", pg.JSONB))
    op.add_column("missions", sa.Column("updated_at", sa.DateTime(timezone=True)))
    op.add_column("missions", sa.Column("closed_as", sa.Text))
    op.add_column("missions", sa.Column("closing_note", sa.Text))
    op.add_column("missions", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("committees", sa.Column("updated_at", sa.DateTime(timezone=True)))
    op.add_column("committees", sa.Column("closing_note", sa.Text))
    op.add_column("committees", sa.Column("closed_at", sa.DateTime(timezone=True)))


def downgrade():
    for table, column in (("committees", "closed_at"), ("committees", "closing_note"), ("committees", "updated_at"),
                          ("missions", "closed_at"), ("missions", "closing_note"), ("missions", "closed_as"),
                          ("missions", "updated_at"), ("answers", "office")):
        op.drop_column(table, column)
