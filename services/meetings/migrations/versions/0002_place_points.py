"""meeting places get a point on the map (issue 21)

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
    op.add_column("places", sa.Column("latitude", sa.Float(precision=53)))
    op.add_column("places", sa.Column("longitude", sa.Float(precision=53)))
    op.create_check_constraint("places_point_whole", "places", "(latitude IS NULL) = (longitude IS NULL)")


def downgrade():
    op.drop_constraint("places_point_whole", "places", type_="check")
    op.drop_column("places", "longitude")
    op.drop_column("places", "latitude")
