"""Alembic migrations, one history per service.

Each service keeps ``<service>/migrations/`` (``env.py`` calls :func:`run_env`,
``versions/`` holds its revisions).  :func:`upgrade` creates the database if
it does not exist and brings it to head; the runner calls it at start-up
(``MIGRATE_ON_START``), ``make migrate`` and the tests call it directly.
"""
import importlib
import logging
import os

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.engine import make_url

from .db import backbone_metadata, driver_url

log = logging.getLogger(__name__)


def create_database_if_missing(url):
    target = make_url(driver_url(url))
    admin = target.set(database="postgres")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
                log.info("created database %s", target.database)
    finally:
        engine.dispose()


def alembic_config(service, url):
    package = importlib.import_module(service)
    location = os.path.join(os.path.dirname(package.__file__), "migrations")
    cfg = Config()
    cfg.set_main_option("script_location", location)
    cfg.set_main_option("sqlalchemy.url", driver_url(url).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service, url, revision="head"):
    """Create the database if needed and migrate it; instances starting together
    take turns (an advisory lock), so only the first one migrates."""
    try:
        create_database_if_missing(url)
    except (sa.exc.ProgrammingError, sa.exc.IntegrityError):
        pass  # another instance created it a moment ago
    engine = sa.create_engine(driver_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(hashtext('samskab-migrate'))"))
            try:
                cfg = alembic_config(service, url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext('samskab-migrate'))"))
                conn.commit()
    finally:
        engine.dispose()


def run_env(target_metadata=None):
    """Body of every service's ``migrations/env.py`` (online mode only).

    Uses the connection :func:`upgrade` holds (with its lock) when there is one."""
    cfg = context.config
    connection = cfg.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(cfg.get_main_option("sqlalchemy.url"), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_backbone_tables(bind):
    """The outbox and processed-event tables, for a service's first revision."""
    backbone_metadata.create_all(bind)


def drop_backbone_tables(bind):
    backbone_metadata.drop_all(bind)


def main(argv=None):
    """``python -m samskab.migrate [service ...]``: bring each database to head."""
    import sys

    from .config import SERVICES, database_url

    services = (argv if argv is not None else sys.argv[1:]) or list(SERVICES)
    for service in services:
        url = database_url(service)
        upgrade(service, url)
        print(f"{service}: migrated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
