"""The migrations build exactly the tables storage.py declares, and go down cleanly."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from samskab import migrate
from samskab.db import backbone_metadata, driver_url

from notifications.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_schema_is_what_storage_declares(make_database):
    url = make_database("notifications")
    engine = sa.create_engine(driver_url(url))
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), [metadata, backbone_metadata])
        assert diffs == []
    finally:
        engine.dispose()


def test_downgrade_removes_every_table(make_database):
    url = make_database("notifications")
    migrate.upgrade("notifications", url, "head")
    from alembic import command

    command.downgrade(migrate.alembic_config("notifications", url), "base")
    engine = sa.create_engine(driver_url(url))
    try:
        with engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
    finally:
        engine.dispose()
