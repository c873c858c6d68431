"""The tables ``storage`` declares are the tables the migrations make: one schema,
written twice, checked here so the two cannot drift (columns, types, defaults,
indexes, foreign keys and the generated search column's expression)."""
import pytest

from samskab.testing import assert_migrations_match

from proposals.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_database_is_what_storage_declares(make_database):
    assert_migrations_match("proposals", metadata, make_database("proposals"))
