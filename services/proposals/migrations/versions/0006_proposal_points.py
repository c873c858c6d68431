"""proposals get a point on the map (issue 21)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("proposals", sa.Column("latitude", sa.Float(precision=53)))
    op.add_column("proposals", sa.Column("longitude", sa.Float(precision=53)))
    op.create_check_constraint("proposals_point_whole", "proposals", "(latitude IS NULL) = (longitude IS NULL)")


def downgrade():
    op.drop_constraint("proposals_point_whole", "proposals", type_="check")
    op.drop_column("proposals", "longitude")
    op.drop_column("proposals", "latitude")
