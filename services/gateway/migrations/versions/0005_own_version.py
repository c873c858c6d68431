"""accounts.own_version: raised by every write an account makes, so that each gateway
instance asks again what is the account's own on proposal pages (gateway/readmodel/own.py)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("own_version", sa.BigInteger, nullable=False, server_default="0"))


def downgrade():
    op.drop_column("accounts", "own_version")
