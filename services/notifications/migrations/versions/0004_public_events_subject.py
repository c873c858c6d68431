"""public log: an index on (subject, seq), for the latest title of a subject

Revision ID: 0004
Revises: 0003

A notice about a proposal's supports or matches carries no title; the newest logged
event of the proposal that has one gives it.  Without this index that read walks the
log back from its end, further the older the proposal, once per such event.
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("public_events_subject", "public_events", ["subject", "seq"])


def downgrade():
    op.drop_index("public_events_subject", table_name="public_events")
