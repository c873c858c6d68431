"""pytest fixtures for Samskab: real PostgreSQL and RabbitMQ, isolated per test.

* broker: nameko's ``rabbit_config`` gives each test its own vhost;
* databases: each service's schema is migrated once per run into a template
  database, and each test gets a fresh copy (``CREATE DATABASE … TEMPLATE``);
* ``make_config(service, **overrides)`` builds the config dict a service
  container would get from the environment, pointing at both.
"""
import time
import uuid

import pytest
import sqlalchemy as sa

from . import devservices, migrate
from .config import with_database
from .db import driver_url, units_engine

RUN_ID = uuid.uuid4().hex[:8]


def pytest_configure(config):
    try:
        devservices.rabbitmq(config.getoption("AMQP_URI", None) or None)
        devservices.rabbitmq_management()
    except devservices.Unavailable as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture(scope="session")
def postgres_url():
    url, handle = devservices.postgres()
    yield url
    # an embedded server stops with the process


def _admin(postgres_url):
    return sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_templates(postgres_url):
    """Migrated template databases, one per service, made on first use."""
    made = {}
    admin = _admin(postgres_url)

    def template(service):
        if service not in made:
            name = f"samskab_tmpl_{service}_{RUN_ID}"
            url = with_database(postgres_url, name)
            migrate.upgrade(service, url)
            made[service] = name
        return made[service]

    yield template
    with admin.connect() as conn:
        for name in made.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_database(postgres_url, database_templates):
    """``make_database("proposals")`` → the URL of a fresh, migrated database."""
    created = []
    admin = _admin(postgres_url)

    def make(service):
        template = database_templates(service)
        name = f"samskab_t_{service}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        created.append(name)
        return with_database(postgres_url, name)

    yield make
    from . import db

    for name in created:
        url = with_database(postgres_url, name)
        db.dispose_engines(url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def amqp_uri_of(rabbit_config):
    """nameko's test vhost URI in the ``amqp://`` form every client here takes."""
    return rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://", 1)


@pytest.fixture
def broker_uri(rabbit_config):
    return amqp_uri_of(rabbit_config)


@pytest.fixture
def make_config(rabbit_config, make_database):
    """The config of one service instance; each service gets its own database
    per test, shared by every instance of it made in the same test."""
    databases = {}

    def make(service, **overrides):
        if "DATABASE_URL" not in overrides and service not in databases:
            databases[service] = make_database(service)
        config = {
            "SERVICE": service,
            "AMQP_URI": amqp_uri_of(rabbit_config),
            "MUNICIPALITIES": "*",
            "DATABASE_URL": databases.get(service),
            "METRICS_PORT": 0,
            "RETRY_DELAYS_MS": [50, 100, 200],
            "OUTBOX_POLL_SECONDS": 0.05,
            "OUTBOX_BATCH": 500,
            "max_workers": 10,
            "LOG_LEVEL": "INFO",
            "MUNICIPALITY_CATALOG": "",
        }
        if service == "gateway":
            config.update({
                "SECRET_KEY": "test-secret", "TOKEN_TTL_SECONDS": "3600", "MAX_BODY_BYTES": "65536",
                "RPC_TIMEOUT_SECONDS": "10", "PUBLIC_URL": "http://localhost", "WEB_SERVER_ADDRESS": "127.0.0.1:0",
                # Most tests act right after registering; tests of the confirmation turn it on.
                "REQUIRE_CONFIRMED_EMAIL": "0",
            })
        if service == "notifications":
            config["NOTIFICATIONS_SECRET"] = "test-notifications-secret"  # samskab.secrets: none built in
        config.update(overrides)
        return config

    return make


def unit_of_work(url, service="test"):
    """A UnitOfWork outside nameko, for arranging and checking data in tests."""
    from .db import UnitOfWork

    return UnitOfWork(units_engine(url), service)




def http_port(container):
    """The port a container's nameko web server listens on (bound to port 0 in tests)."""
    from nameko.web.server import WebServer

    for ext in container.extensions:
        if isinstance(ext, WebServer):
            return ext._sock.getsockname()[1]
    raise LookupError("no web server in this container")


class Subscriber:
    """A plain third-party subscriber: pika, its own queue on ``samskab.public``."""

    def __init__(self, amqp_uri, pattern, exchange="samskab.public", durable_name=None):
        """``durable_name`` gives a durable queue that outlives a broker restart."""
        self.amqp_uri, self.pattern, self.exchange, self.durable_name = amqp_uri, pattern, exchange, durable_name
        self.connect()

    def connect(self):
        import pika

        self.connection = pika.BlockingConnection(pika.URLParameters(self.amqp_uri))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(self.exchange, "topic", durable=True)
        if self.durable_name:
            self.queue = self.channel.queue_declare(self.durable_name, durable=True).method.queue
        else:
            self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, self.exchange, routing_key=self.pattern)

    def drain(self, expect=None, timeout=10.0):
        """Messages received within ``timeout`` (sooner once ``expect`` arrived)."""
        import time

        received = []
        deadline = time.time() + timeout
        while time.time() < deadline and (expect is None or len(received) < expect):
            method, props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.sleep(0.05)
                continue
            received.append((method, props, body))
        return received

    def close(self):
        try:
            self.connection.close()
        except Exception:
            pass


def wait_for(check, timeout=15.0, interval=0.05, what="condition"):
    """Poll ``check`` until it returns something true, and return that; fail the
    test with ``what`` when ``timeout`` seconds pass first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what} not met within {timeout}s")


def mentions(url, value):
    """Where a service's database still names ``value`` (a person's id): rows with
    it in a UUID column, and rows whose text (every column, JSON included) contains
    it, as ``{"table.column" or "table (text)": count}``.  Erasure tests want ``{}``."""
    found = {}
    with unit_of_work(url) as uow:
        uuid_columns = uow.execute(sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = 'uuid'")).all()
        tables = uow.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        for table, column in uuid_columns:
            n = uow.execute(sa.text(f'SELECT count(*) FROM "{table}" WHERE "{column}" = :p'), {"p": value}).scalar()
            if n:
                found[f"{table}.{column}"] = n
        for table in tables:
            n = uow.execute(sa.text(f'SELECT count(*) FROM "{table}" AS r WHERE r::text LIKE :p'),
                            {"p": f"%{value}%"}).scalar()
            if n:
                found[f"{table} (text)"] = n
    return found


def assert_migrations_match(service, metadata, url):
    """Fail unless ``service``'s migrations, run on the database at ``url``, make
    exactly the tables ``metadata`` declares (with the backbone's outbox and
    processed-event tables): Alembic's autogenerate comparison finds no column,
    type, nullability, server default, index, unique or foreign key difference,
    and no generated column whose expression differs (Alembic only warns there)."""
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from .db import backbone_metadata

    migrate.upgrade(service, url)
    engine = sa.create_engine(driver_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            diff = compare_metadata(context, [backbone_metadata, metadata])
    finally:
        engine.dispose()
    unchecked = [str(w.message) for w in caught if "alembic" in w.filename or "sqlalchemy" in w.filename]
    assert not diff and not unchecked, f"{service}: migrations and models differ: {diff} {unchecked}"
