"""Database sessions, the outbox and processed-event tables, and the unit of work.

Each service owns one PostgreSQL database.  A nameko worker gets a
:class:`UnitOfWork` and uses it as a context manager (``with self.db:``): the
block is one transaction, committed when it ends and rolled back when it
raises.  The commit happens inside the worker's method on purpose: nameko
sends an RPC reply and acks a message *before* dependencies see the result,
so committing later could ack a message whose effects were then lost.

Events a worker emits are rows in that same transaction (the outbox), and an
event a consumer handles is claimed in it too, so state, events out and events
in commit or vanish together.
"""
import logging
import threading
import uuid
import weakref

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from sqlalchemy.dialects import postgresql as pg

from . import events

log = logging.getLogger(__name__)

backbone_metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    backbone_metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("envelope", pg.JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("published_at", sa.DateTime(timezone=True)),
)
sa.Index("outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))

processed_events = sa.Table(
    "processed_events",
    backbone_metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

_engines = {}
_engines_lock = threading.Lock()


def driver_url(url):
    """Plain ``postgresql://`` URLs use psycopg2, which psycogreen makes cooperative."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def engine_for(url, **kwargs):
    """One pooled engine per URL and process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = sa.create_engine(
                driver_url(url),
                pool_size=int(kwargs.get("pool_size", 10)),
                max_overflow=int(kwargs.get("max_overflow", 20)),
                # No ping per checkout (a round trip per transaction): after a
                # database restart the first statement on a stale connection fails,
                # SQLAlchemy discards the whole pool, and the worker's retry succeeds.
                pool_pre_ping=False,
                future=True,
            )
            _engines[url] = engine
        return engine


def dispose_engines():
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


_INSERT_OUTBOX = outbox.insert()
_CLAIM = (
    pg.insert(processed_events)
    .values(consumer=sa.bindparam("consumer"), event_id=sa.bindparam("event_id"))
    .on_conflict_do_nothing()
    .returning(processed_events.c.event_id)
)


class UnitOfWork:
    """One transaction of one service, with its outbox.

    ``execute`` runs SQLAlchemy Core statements on the transaction's
    connection; ``emit`` queues an event in the same transaction; ``claim``
    records that a consumer handled an event and says whether it is the
    first time.  Statements are Core, not ORM: the hot paths (emit, claim)
    reuse compiled statements.
    """

    def __init__(self, engine, service, traceparent=None, on_commit=None):
        self.engine = engine
        self.service = service
        self.traceparent = traceparent
        self._conn = None
        self._tx = None
        self._on_commit = on_commit
        self._depth = 0
        self.emitted = []

    @property
    def connection(self) -> sa.Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
            self._tx = self._conn.begin()
        return self._conn

    # ``session`` reads well in handlers (``self.db.session.execute``): same connection.
    session = connection

    def execute(self, statement, params=None):
        return self.connection.execute(statement, params)

    def emit(self, type_name, *, municipality, subject, data):
        """Queue one event in this transaction; returns its envelope."""
        return self.emit_many(municipality, [(type_name, subject, data)])[0]

    def emit_many(self, municipality, outgoing):
        """Queue ``(type, subject, data)`` events in this transaction with one
        INSERT: a batch should not pay a round trip per event while it holds locks."""
        envelopes = [
            events.make(
                type_name,
                municipality=municipality,
                service=self.service,
                subject=subject,
                data=data,
                traceparent=events.new_traceparent(self.traceparent),
            )
            for type_name, subject, data in outgoing
        ]
        if envelopes:
            self.connection.execute(_INSERT_OUTBOX, [
                {"event_id": uuid.UUID(e["id"]), "type": e["type"], "municipality": municipality,
                 "subject": e["subject"], "envelope": e}
                for e in envelopes
            ])
            self.emitted.extend(envelopes)
        return envelopes

    def claim(self, consumer, event_id):
        """True the first time ``consumer`` sees ``event_id`` in a committed transaction."""
        row = self.connection.execute(_CLAIM, {"consumer": consumer, "event_id": uuid.UUID(str(event_id))}).first()
        return row is not None

    def commit(self):
        if self._tx is not None:
            self._tx.commit()
            self._tx = None
            if self.emitted and self._on_commit:
                self._on_commit()
            self.emitted = []

    def rollback(self):
        if self._tx is not None:
            self._tx.rollback()
            self._tx = None
        self.emitted = []

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._tx = None

    def __enter__(self):
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        # Only the outermost block commits: a consumer's wrapper and the
        # handler it calls share one transaction.
        self._depth -= 1
        if self._depth:
            return
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()


class Database(DependencyProvider):
    """The service's database as a nameko dependency: a UnitOfWork per worker.

    It also brings the outbox relay, so a service that can emit also publishes.
    """

    def __init__(self, relay=True):
        self.with_relay = relay
        if relay:
            from .relay import OutboxRelay

            self.relay = OutboxRelay()

    def setup(self):
        config = self.container.config
        self.engine = engine_for(config["DATABASE_URL"])
        self.service = config.get("SERVICE", self.container.service_name)
        self.units = weakref.WeakKeyDictionary()

    def _wake_relay(self):
        if self.with_relay:
            self.relay.wake()

    def get_dependency(self, worker_ctx):
        uow = UnitOfWork(
            self.engine,
            self.service,
            traceparent=worker_ctx.context_data.get("traceparent"),
            on_commit=self._wake_relay,
        )
        self.units[worker_ctx] = uow
        return uow

    def worker_teardown(self, worker_ctx):
        uow = self.units.pop(worker_ctx, None)
        if uow is not None:
            # Work done outside ``with self.db:`` is never committed.
            uow.rollback()
            uow.close()
