"""Fixtures for the deployment tests: throw-away databases on the machine's PostgreSQL."""
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from samskab.db import driver_url, dispose_engines


def with_database(server_url, name):
    """The URL of database ``name`` on the server of ``server_url`` (query parameters kept)."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def fresh_database(postgres_url):
    """``fresh_database("proposals")`` → the URL of a database that does not exist yet
    (the service creates and migrates it at start-up); dropped afterwards."""
    names = []

    def make(service):
        name = f"samskab_deploy_{service}_{uuid.uuid4().hex[:10]}"
        names.append(name)
        return with_database(postgres_url, name)

    yield make
    dispose_engines()
    admin = sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
