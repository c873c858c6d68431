"""proposals may have an area on the map: a GeoJSON Polygon, always with a point (issue 21)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("proposals", sa.Column("boundary", pg.JSONB))
    op.create_check_constraint("proposals_area_has_point", "proposals", "boundary IS NULL OR latitude IS NOT NULL")


def downgrade():
    op.drop_constraint("proposals_area_has_point", "proposals", type_="check")
    op.drop_column("proposals", "boundary")
