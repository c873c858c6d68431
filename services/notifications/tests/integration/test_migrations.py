"""The migrations build exactly the tables storage/tables.py declares, and go down cleanly."""
import pytest
import sqlalchemy as sa

from samskab import migrate
from samskab.db import driver_url
from samskab.testing import assert_migrations_match

from notifications.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_schema_is_what_storage_declares(make_database):
    # Alembic's compare_metadata, types and server defaults included: no difference at all.
    assert_migrations_match("notifications", metadata, make_database("notifications"))


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


def test_indexes_and_constraints_are_those_of_the_models_predicates_included(make_database):
    """Alembic does not compare a partial index's WHERE: build the models in a schema of
    their own beside the migrated one and compare PostgreSQL's own definitions."""
    url = make_database("notifications")
    engine = sa.create_engine(driver_url(url))
    tables = [t.name for t in metadata.sorted_tables]

    def definitions(conn, schema):
        indexes = conn.execute(sa.text(
            "SELECT indexname, replace(indexdef, :schema || '.', '') FROM pg_indexes "
            "WHERE schemaname = :schema AND tablename = ANY(:tables)"), {"schema": schema, "tables": tables}).all()
        constraints = conn.execute(sa.text(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
            "WHERE n.nspname = :schema AND r.relname = ANY(:tables)"), {"schema": schema, "tables": tables}).all()
        return dict(indexes), dict(constraints)

    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA models"))
            metadata.create_all(conn.execution_options(schema_translate_map={None: "models"}))
            migrated = definitions(conn, "public")
            modelled = definitions(conn, "models")
        assert migrated[0] and migrated == modelled
    finally:
        engine.dispose()
