"""The migrated schema is the one storage.py declares (no drift between them)."""
import pytest
import sqlalchemy as sa

from samskab.db import driver_url

from matching.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migration_creates_the_tables_and_indexes_storage_declares(make_database):
    engine = sa.create_engine(driver_url(make_database("matching")))
    try:
        inspector = sa.inspect(engine)
        for table in metadata.tables.values():
            columns = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert set(columns) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name
    finally:
        engine.dispose()


def test_alembic_finds_no_difference_between_the_migrations_and_storage(make_database):
    # Alembic's compare_metadata, types and server defaults included: no difference at all.
    from samskab.testing import assert_migrations_match

    assert_migrations_match("matching", metadata, make_database("matching"))
