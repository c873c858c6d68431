"""The gateway's tables as ``accounts.storage`` declares them are the tables its
migrations make (accounts, throttling, idempotency keys): one schema, checked so the
two cannot drift."""
import pytest

from samskab.testing import assert_migrations_match

from gateway.accounts.storage import metadata

pytestmark = pytest.mark.integration


def test_the_migrated_database_is_what_the_gateway_declares(make_database):
    assert_migrations_match("gateway", metadata, make_database("gateway"))
