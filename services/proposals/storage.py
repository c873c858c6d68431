"""The proposals service's tables."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

metadata = sa.MetaData()

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("goal", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("area", sa.Text),
    sa.Column("topics", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("needs", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("iap2_level", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("initiator_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("initiator_role", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("proposals_municipality_created", proposals.c.municipality, proposals.c.created_at.desc(), proposals.c.id.desc())
