"""The migrations and storage.py describe the same tables: a database migrated to head
has exactly the tables, columns, indexes and keys storage.py declares."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from samskab import db

from meetings.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_database_equals_the_models(make_database):
    engine = sa.create_engine(db.driver_url(make_database("meetings")), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            # The outbox and processed-event tables are the backbone's, declared in samskab.db.
            ours = [t for t in db.backbone_metadata.sorted_tables]
            target = sa.MetaData()
            for table in list(metadata.sorted_tables) + ours:
                table.to_metadata(target)
            differences = compare_metadata(context, target)
    finally:
        engine.dispose()
    assert differences == []
