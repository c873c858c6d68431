"""A proposal's content as stored: the columns of the fields people write (kind,
title, problem, goal, description, area, topics, needs, language).

The proposals service keeps them in its ``proposals`` table; a service that keeps a
copy of proposals to work on their text (matching) keeps them in the same shape, so
the two copies cannot drift apart column by column.  Each call makes new columns:
SQLAlchemy ties a column to one table.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg


def content_columns():
    """The content's columns, in the order of the proposal's form."""
    return (
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("area", sa.Text),
        sa.Column("topics", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("needs", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("language", sa.Text, nullable=False),
    )
