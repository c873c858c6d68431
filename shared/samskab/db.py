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
import json
import logging
import threading
import uuid
import weakref

import psycopg2.extensions
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


def _engine(key, url, on_create=None, **options):
    """One pooled engine per key and process.  No ping per checkout (a round trip
    per transaction): after a database restart the first statement on a stale
    connection fails, SQLAlchemy discards the whole pool, and a retry succeeds."""
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = sa.create_engine(driver_url(url), pool_size=10, max_overflow=20, pool_pre_ping=False,
                                      future=True, **options)
            if on_create is not None:
                on_create(engine)
            _engines[key] = engine
        return engine


def engine_for(url):
    """The service's plain engine, for the relay, health checks and tests."""
    return _engine(url, url)


_UNITS_ENGINES = weakref.WeakSet()
# In a pooled connection's ``info``: absent (no unit), the statement that will open the
# unit's transaction (BEGIN, maybe with SET LOCAL) while it is pending, or _SENT.
_BEGIN = "samskab_begin"
_SENT = object()


def units_engine(url):
    """The engine :class:`UnitOfWork` needs: psycopg2 in autocommit mode, each
    unit's transaction opened with its first statement.

    psycopg2 outside autocommit sends ``BEGIN`` as a round trip of its own
    before the first statement of every transaction; here ``BEGIN;`` goes in
    front of a unit's first statement instead (one round trip less per
    transaction), and the unit ends it with ``COMMIT`` or ``ROLLBACK`` itself.
    """
    def explicit_begin(engine):
        sa.event.listen(engine, "before_cursor_execute", _begin_with_first_statement, retval=True)
        sa.event.listen(engine.pool, "checkin", _never_return_inside_a_transaction)
        _UNITS_ENGINES.add(engine)

    return _engine((url, "units"), url, on_create=explicit_begin, isolation_level="AUTOCOMMIT")


def dispose_engines(url=None):
    """Close the pools of every engine, or of ``url``'s two engines."""
    with _engines_lock:
        for key in [k for k in _engines if url is None or k in (url, (url, "units"))]:
            _engines.pop(key).dispose()


def _begin_with_first_statement(conn, cursor, statement, parameters, context, executemany):
    info = conn.connection.info
    begin = info.get(_BEGIN)
    if begin is not None and begin is not _SENT:
        info[_BEGIN] = _SENT
        named = getattr(cursor, "name", None)
        if executemany or named:
            # a statement psycopg2 repeats or wraps in DECLARE: BEGIN on its own
            with conn.connection.dbapi_connection.cursor() as plain:
                plain.execute(begin)
            if named:
                cursor.withhold = True  # a named cursor in autocommit mode must say so; it is inside BEGIN
        else:
            statement = begin + ";" + statement
    return statement, parameters


def _never_return_inside_a_transaction(dbapi_connection, record):
    """A unit that leaked its transaction (a bug elsewhere) must not hand it on."""
    if dbapi_connection is None:
        return
    record.info.pop(_BEGIN, None)
    try:
        if dbapi_connection.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    except Exception:  # a broken connection: the pool discards it on next use
        record.invalidate()


class DuplicateEvent(Exception):
    """The event a unit of work claimed was handled before: nothing of it was committed."""


_OUTBOX_COLUMNS = "INSERT INTO outbox (event_id, type, municipality, subject, envelope) VALUES "
_OUTBOX_ROW = "(%s, %s, %s, %s, %s::jsonb)"
_CLAIMS = "INSERT INTO processed_events (consumer, event_id) VALUES "
_CLAIM_ROW = "(%s, %s)"
_PROCESSED_KEY = "processed_events_pkey"


class UnitOfWork:
    """One transaction of one service, with its outbox.

    ``engine`` is :func:`units_engine`'s.  ``execute`` runs SQLAlchemy Core
    statements on the transaction's connection; ``emit`` queues an event in
    the same transaction;
    ``claim_on_commit`` records that a consumer handled an event, so that a
    second delivery of it commits nothing.

    Round trips are what a transaction costs most on this stack (each one is
    a switch through the eventlet hub), so on the units-of-work engine
    (:func:`units_engine`) a unit sends ``BEGIN`` with its first statement,
    and its outbox rows and claims go with the ``COMMIT``: a handler that
    writes one row and emits one event is two round trips, not five.
    """

    def __init__(self, engine, service, traceparent=None, on_commit=None):
        self.engine = engine
        self.service = service
        self.traceparent = traceparent
        self._conn = None
        self._tx = None
        self._on_commit = on_commit
        self._depth = 0
        self._outbox_rows = []
        self._claims = []
        self._begin_sql = "BEGIN"
        self.emitted = []
        if engine not in _UNITS_ENGINES:
            raise TypeError("a UnitOfWork needs units_engine(url), not a plain engine")

    @property
    def connection(self) -> sa.Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
            self._tx = self._conn.begin()
            self._conn.connection.info[_BEGIN], self._begin_sql = self._begin_sql, "BEGIN"  # pending
        return self._conn

    def give_way_after(self, milliseconds):
        """Wait at most this long for a lock another transaction holds, then
        fail (PostgreSQL's ``lock_timeout``, for the unit's next transaction only).

        A unit that holds many locks for long (a consumer's batch) says so, so
        that in a deadlock with a request it is always the one that gives way:
        its wait ends before PostgreSQL's ``deadlock_timeout`` (1 s) would pick
        a victim.  Said before the unit's first statement; it goes with BEGIN."""
        if self._conn is not None:
            raise RuntimeError("give_way_after must come before the unit's first statement")
        self._begin_sql = f"BEGIN;SET LOCAL lock_timeout = {int(milliseconds)}"

    # ``session`` reads well in handlers (``self.db.session.execute``): same connection.
    session = connection

    def execute(self, statement, params=None):
        return self.connection.execute(statement, params)

    def emit(self, type_name, *, municipality, subject, data):
        """Queue one event in this transaction; returns its envelope."""
        return self.emit_many(municipality, [(type_name, subject, data)])[0]

    def emit_many(self, municipality, outgoing):
        """Queue ``(type, subject, data)`` events in this transaction.  Each is
        validated now (a bad event fails the caller at once); the outbox rows
        are written with the commit."""
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
        for e in envelopes:
            self._outbox_rows.append((e["id"], e["type"], municipality, e["subject"], json.dumps(e)))
        self.emitted.extend(envelopes)
        return envelopes

    def claim_on_commit(self, consumer, event_id):
        """Record with the commit that ``consumer`` handled ``event_id``; if it
        was handled before, the commit raises :class:`DuplicateEvent` and
        nothing of this unit is kept."""
        self._claims.append((consumer, str(uuid.UUID(str(event_id)))))

    def _flush_statement(self):
        parts, params = [], []
        if self._outbox_rows:
            parts.append(_OUTBOX_COLUMNS + ", ".join([_OUTBOX_ROW] * len(self._outbox_rows)))
            for row in self._outbox_rows:
                params.extend(row)
        if self._claims:
            parts.append(_CLAIMS + ", ".join([_CLAIM_ROW] * len(self._claims)))
            for claim in self._claims:
                params.extend(claim)
        return parts, tuple(params)

    def commit(self):
        parts, params = self._flush_statement()
        if parts:
            self.connection  # a unit that only emits or claims still needs its transaction
        if self._tx is None:
            return
        info = self._conn.connection.info
        try:
            if parts or info.get(_BEGIN) is _SENT:
                # BEGIN (if still pending), the rows and COMMIT: one round trip
                self._conn.exec_driver_sql("; ".join(parts + ["COMMIT"]), params)
        except sa.exc.IntegrityError as exc:
            self.rollback()
            if _PROCESSED_KEY in str(exc.orig):
                raise DuplicateEvent(self._claims[0][1] if self._claims else "") from None
            raise
        except BaseException:
            self.rollback()
            raise
        info.pop(_BEGIN, None)
        self._tx.commit()
        self._tx = None
        self._outbox_rows, self._claims = [], []
        if self.emitted and self._on_commit:
            self._on_commit()
        self.emitted = []

    def rollback(self):
        if self._tx is not None:
            try:
                if not self._conn.invalidated and self._conn.connection.info.pop(_BEGIN, None) is _SENT:
                    self._conn.exec_driver_sql("ROLLBACK")
            except sa.exc.DBAPIError as exc:  # the connection broke: it is discarded, and so is the transaction
                log.debug("rollback on a broken connection: %s", exc)
            finally:
                self._tx.rollback()
                self._tx = None
        self._outbox_rows, self._claims = [], []
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
        self.engine = units_engine(config["DATABASE_URL"])
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
