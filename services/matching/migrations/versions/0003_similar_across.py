"""similar proposals across municipalities: outcome, hidden and public-only copies, symmetric pairs, duplicates

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
    op.add_column("proposals", sa.Column("outcome", sa.Text))
    op.add_column("proposals", sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("proposals", sa.Column("public_only", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("similar_proposals_similar", "similar_proposals", ["similar_id"])
    op.create_table(
        "duplicates",
        sa.Column("proposal_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("duplicate_of", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("marked_by", pg.UUID(as_uuid=True)),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("duplicates_of", "duplicates", ["duplicate_of"])
    # The whole deployment's document frequencies, from the copies already held.
    op.execute("""
        INSERT INTO term_frequencies (municipality, term, df)
        SELECT '*', term, count(*) FROM proposals, unnest(sim_terms) AS term GROUP BY term
        ON CONFLICT (municipality, term) DO UPDATE SET df = EXCLUDED.df
    """)
    # Lists stored one way so far become symmetric.
    op.execute("""
        INSERT INTO similar_proposals (proposal_id, similar_id, score)
        SELECT similar_id, proposal_id, score FROM similar_proposals ON CONFLICT DO NOTHING
    """)


def downgrade():
    op.execute("DELETE FROM term_frequencies WHERE municipality = '*'")
    op.drop_index("duplicates_of", "duplicates")
    op.drop_table("duplicates")
    op.drop_index("similar_proposals_similar", "similar_proposals")
    for column in ("public_only", "hidden", "outcome"):
        op.drop_column("proposals", column)
