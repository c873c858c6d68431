"""profiles, proposal copies, matches, similar proposals, panels, outbox and processed events

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
    # The tables are declared once, in storage.py; this first revision creates them as declared.
    from matching.storage import metadata

    create_backbone_tables(op.get_bind())
    metadata.create_all(op.get_bind())


def downgrade():
    from matching.storage import metadata

    metadata.drop_all(op.get_bind())
    drop_backbone_tables(op.get_bind())
