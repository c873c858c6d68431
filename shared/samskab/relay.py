"""The outbox relay: publishes committed events, in order, with confirms.

One relay per service database publishes at a time (a PostgreSQL advisory
lock held on the relay's own connection), which keeps events in commit order
per aggregate even with several instances.  Rows are marked published only
after the broker confirmed them; if the broker or the database is away, the
relay waits and tries again, and nothing is lost.  A redelivery after a crash
between confirm and mark is possible: consumers are idempotent.
"""
import logging
import time
import zlib

import eventlet
import sqlalchemy as sa
from eventlet.event import Event
from nameko.extensions import SharedExtension

from . import events, metrics
from .amqp_publish import ConfirmingPublisher
from .db import engine_for, outbox

log = logging.getLogger(__name__)


class OutboxRelay(SharedExtension):
    def setup(self):
        config = self.container.config
        self.service = config.get("SERVICE", self.container.service_name)
        self.engine = engine_for(config["DATABASE_URL"])
        self.poll = float(config.get("OUTBOX_POLL_SECONDS", 0.5))
        self.batch = int(config.get("OUTBOX_BATCH", 500))
        # The service's own broker user (its user_id on every event), over TLS for amqps://, with heartbeats.
        self.publisher = ConfirmingPublisher(
            config["AMQP_URI"], ssl=config.get("AMQP_SSL"), heartbeat=int(config.get("HEARTBEAT", 60)))
        self.metrics = metrics.for_service(self.service)
        self.lock_key = zlib.crc32(f"samskab-outbox-{self.service}".encode())
        self.retention_hours = float(config.get("OUTBOX_RETENTION_HOURS", 168))
        self._last_prune = 0.0
        self._wakeup = Event()
        self._running = False
        self._conn = None
        self._gt = None
        self.alive = False

    def start(self):
        self._running = True
        self._gt = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self.wake()
        if self._gt is not None:
            self._gt.wait()
        self._release()
        self.publisher.close()

    def kill(self):
        self._running = False
        if self._gt is not None:
            self._gt.kill()
        self._release()
        self.publisher.close()

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _sleep(self, seconds):
        with eventlet.Timeout(seconds, False):
            self._wakeup.wait()
        self._wakeup = Event()

    def _release(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _lead(self):
        """Hold the advisory lock on our own connection, or report we cannot."""
        if self._conn is None:
            # Autocommit: each of the relay's statements is its own transaction, so
            # a round of SELECT and UPDATE costs two round trips, not six.
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(self.lock_key))).scalar()
            conn.commit()
            if not got:
                conn.close()
                return False
            self._conn = conn
        return True

    def _run(self):
        backoff = self.poll
        while self._running:
            try:
                if not self._lead():
                    self.alive = True
                    self._sleep(self.poll)
                    continue
                published = self.relay_once()
                self.publisher.keep_alive()
                self.prune()
                self.alive = True
                backoff = self.poll
                if published < self.batch:
                    self._sleep(self.poll)
            except Exception as exc:  # broker or database away: wait and retry
                self.alive = False
                self.metrics.relay_errors.inc()
                log.warning("outbox relay of %s: %s; retrying in %.1fs", self.service, exc, backoff)
                self._release()
                self.publisher.close()
                self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def prune(self, every_seconds=300):
        """Published events leave the outbox after ``OUTBOX_RETENTION_HOURS``
        (the public history lives in the notifications service's event log)."""
        if time.time() - self._last_prune < every_seconds:
            return
        self._last_prune = time.time()
        self._conn.execute(outbox.delete().where(
            outbox.c.published_at < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, self.retention_hours * 3600)))
        self._conn.commit()

    def relay_once(self):
        conn = self._conn
        rows = conn.execute(
            sa.select(outbox.c.id, outbox.c.envelope, outbox.c.created_at)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self.batch)
        ).all()
        conn.commit()
        if not rows:
            self.metrics.outbox_lag.set(0)
            self.metrics.outbox_pending.set(0)
            return 0
        self.metrics.outbox_lag.set(max(0.0, time.time() - rows[0].created_at.timestamp()))
        messages = []
        for row in rows:
            envelope = row.envelope
            key = events.routing_key(envelope["municipality"], envelope["type"])
            messages.append((events.EVENTS_EXCHANGE, key, envelope))
            public = events.public_envelope(envelope)
            if public is not None:
                messages.append((events.PUBLIC_EXCHANGE, key, public))
        self.publisher.publish_batch(messages)
        conn.execute(
            outbox.update().where(outbox.c.id.in_([r.id for r in rows])).values(published_at=sa.func.now())
        )
        conn.commit()
        for row in rows:
            self.metrics.events_published.labels(row.envelope["type"], row.envelope.get("municipality")).inc()
            log.info(
                "published %s %s municipality=%s traceparent=%s",
                row.envelope["type"], row.envelope["id"], row.envelope["municipality"],
                row.envelope.get("traceparent"),
            )
        # A short batch drained the outbox: no count query on every round then.
        if len(rows) < self.batch:
            pending = 0
        else:
            pending = conn.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            ).scalar()
            conn.commit()
        self.metrics.outbox_pending.set(pending)
        return len(rows)
