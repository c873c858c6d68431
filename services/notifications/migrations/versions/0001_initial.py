"""notifications: contacts, preferences, inbox, e-mail and digest delivery,
public log, API keys, webhooks; outbox and processed events

Revision ID: 0001
Revises:
"""
from alembic import op

from samskab.migrate import create_backbone_tables, drop_backbone_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # The first revision creates the tables as storage.py declares them today;
    # every later change is a revision of its own with explicit op.* calls.
    from notifications.storage import metadata

    create_backbone_tables(op.get_bind())
    metadata.create_all(op.get_bind())


def downgrade():
    from notifications.storage import metadata

    metadata.drop_all(op.get_bind())
    drop_backbone_tables(op.get_bind())
