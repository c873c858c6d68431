"""verified accounts: linked OpenID identities (issuer + salted subject hash), residence,
and the per-municipality rules that ask for a verified account

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


def upgrade():
    op.add_column("accounts", sa.Column("verified_at", sa.DateTime(timezone=True)))
    op.add_column("accounts", sa.Column("residence_municipality", sa.Text))
    op.create_table(
        "identities",
        sa.Column("issuer", sa.Text, primary_key=True),
        sa.Column("subject_hash", sa.Text, primary_key=True),
        sa.Column("account_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("identities_account_id", "identities", ["account_id"])
    op.create_table(
        "verification_rules",
        sa.Column("municipality", sa.Text, primary_key=True),
        sa.Column("supports", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("panels", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("verification_rules")
    op.drop_index("identities_account_id", "identities")
    op.drop_table("identities")
    op.drop_column("accounts", "residence_municipality")
    op.drop_column("accounts", "verified_at")
