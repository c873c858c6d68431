"""The migrations and storage.py describe the same tables: a database migrated to head
has exactly the tables, columns, types, defaults, indexes and keys storage.py declares."""
import pytest

from samskab.testing import assert_migrations_match

from meetings.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_database_equals_the_models(make_database):
    assert_migrations_match("meetings", metadata, make_database("meetings"))
