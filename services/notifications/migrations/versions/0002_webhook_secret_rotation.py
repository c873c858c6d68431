"""webhook subscriptions: the previous secret and the end of its overlap (rotation)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("webhook_subscriptions", sa.Column("previous_secret", sa.Text(), nullable=True))
    op.add_column("webhook_subscriptions", sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("webhook_subscriptions", "previous_secret_until")
    op.drop_column("webhook_subscriptions", "previous_secret")
