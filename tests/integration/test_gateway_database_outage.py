"""The gateway's own database restarts or refuses connections: callers get a 503
with Retry-After (not a 500), and the gateway recovers by itself once it is back."""
import pytest
import requests
import sqlalchemy as sa

from samskab.config import with_database
from samskab.db import driver_url
from samskab.testing import http_port

from gateway.service import Service as Gateway

pytestmark = pytest.mark.integration


def admin(postgres_url, *statements):
    engine = sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for sql in statements:
                conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def test_a_database_restart_costs_no_request_and_an_outage_is_a_503(runner_factory, make_config, postgres_url):
    config = make_config("gateway")
    runner = runner_factory(config, Gateway)
    runner.start()
    base = f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}/api/v1"
    database = config["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
    kick = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"

    r = requests.post(f"{base}/auth/register", json={"email": "outage@example.org", "password": "correct horse battery",
                                                     "display_name": "Outage", "municipality": "aalborg"})
    assert r.status_code == 201, r.text
    token = requests.post(f"{base}/auth/token", json={"email": "outage@example.org",
                                                      "password": "correct horse battery"}).json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    for _ in range(5):  # several pooled connections
        assert requests.get(f"{base}/me", headers=me).status_code == 200

    # a restart: every pooled connection is now dead, yet no request fails
    admin(postgres_url, kick)
    assert [requests.get(f"{base}/me", headers=me).status_code for _ in range(5)] == [200] * 5

    # an outage: the caller is told to come back, not that something broke
    admin(postgres_url, f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false', kick)
    try:
        down = requests.get(f"{base}/me", headers=me)
        assert down.status_code == 503, down.text
        assert down.headers["Content-Type"] == "application/problem+json"
        assert down.headers["Retry-After"] == "5"
    finally:
        admin(postgres_url, f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert requests.get(f"{base}/me", headers=me).status_code == 200
