"""The idempotent, tenant-aware event consumer entrypoint.

    class MatchingService:
        name = "matching"
        db = Database()

        @consume("samskab.proposal.published")
        def on_published(self, event):
            ...  # runs inside one transaction; self.db.session is it

* **Tenant routing**: the queue is bound to ``samskab.events`` with one
  routing key per municipality the instance serves (``aalborg.proposal.published``)
  or ``*.proposal.published`` for ``MUNICIPALITIES=*``.  The queue name carries
  the list, so instance groups for different lists never share a queue, while
  instances of one group share theirs and split the work.
* **Idempotency**: the event id is claimed in the handler's own transaction
  (sent with its COMMIT, see :class:`samskab.db.UnitOfWork`); a redelivered
  event runs into the claim, its transaction is rolled back and it has no
  second effect.  Handlers therefore keep their effects in the database
  (an e-mail or webhook is a row that a timer sends), never outside it.
* **Batches**: events that arrive together are handled together, up to
  ``EVENT_BATCH`` (or the decorator's ``batch=``) in one worker and one
  transaction, one after another in the order they came; their claims go with
  the one COMMIT.  If any of them fails or was handled before, the whole
  batch is rolled back and each event is handled again on its own, so one bad
  event costs the others nothing but a second try.  A lone event is handled
  on its own straight away: batching never waits for company.  A batch waits
  at most ``BATCH_LOCK_TIMEOUT_MS`` for a lock, so in a deadlock with a
  request it is the batch that gives way, never the request.
* **Trust**: before any handler runs, a message must come from the broker
  user of the service that owns its type (``user_id``, which RabbitMQ checks
  against the connection; see :class:`Publishers`), its routing key, envelope
  and data must name the same municipality, one of the catalogue's and, unless
  ``every_municipality``, one this instance group serves.  Anything else is a
  dead letter with the reason: nothing is stored, sent or relayed.
* **Failures**: a failed attempt goes to ``<queue>.retry.<n>``, a queue whose
  message TTL dead-letters it back to the work queue after the n-th delay
  (``RETRY_DELAYS_MS``); after the last, to ``<queue>.dlq`` with the reason.
  A message that is not a valid event goes to the dead-letter queue at once.
"""
import functools
import json
import logging
import re
import time
from functools import partial

import kombu.serialization
from kombu import Connection, Exchange, Queue, binding
from kombu import Consumer as KombuConsumer
from nameko.extensions import register_entrypoint
from nameko.messaging import Consumer, QueueConsumer

from . import config as configuration, events, logs, metrics, municipalities
from .amqp_publish import connection_params
from .db import Database, DuplicateEvent
from .settle import settle

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-samskab-attempt"
REASON_HEADER = "x-samskab-reason"
QUEUE_HEADER = "x-samskab-queue"
# Who first published a message that a consumer parked for a retry or a dead letter
# (the copy's user_id is then the consumer's own); trusted only on copies from our own user.
PUBLISHER_HEADER = "x-samskab-publisher"


class Publishers:
    """Which broker users may publish an event type, seen from one consumer.

    With per-service users (the consumer's own user is ``<prefix><service>`` or
    ``<prefix><service>.<group>``, e.g. ``samskab-notifications.north``) an
    event type is accepted only from its owner's users: ``<prefix><owner>`` and
    ``<prefix><owner>.<group>``.  A deployment whose services share one user
    (the tests' per-test vhosts, as guest) cannot tell services apart, so there
    every event must come from that same user and from no one else."""

    def __init__(self, own_user, service, prefix="samskab-"):
        self.own_user = own_user
        self.prefix = prefix
        self.per_service = self._group_re(service).match(own_user) is not None

    def _group_re(self, service):
        return re.compile(rf"^{re.escape(self.prefix)}{re.escape(service)}(\.[a-z0-9-]+)?$")

    def may_publish(self, user, owner):
        if not self.per_service:
            return user == self.own_user
        if owner is None:  # a type registered outside the contracts: any service of ours
            return re.match(rf"^{re.escape(self.prefix)}[a-z]+(\.[a-z0-9-]+)?$", user) is not None
        return self._group_re(owner).match(user) is not None


def _raw(body):
    return body


# Bodies reach the entrypoint undecoded, so a malformed message becomes a dead
# letter with a reason instead of an exception inside kombu's consumer loop.
kombu.serialization.register(
    "cloudevents", encoder=json.dumps, decoder=_raw,
    content_type=events.CONTENT_TYPE, content_encoding="utf-8",
)
RAW_TYPES = ["cloudevents", "json", "application/data", "text/plain"]


def queue_name(service, method, municipalities, group=None):
    """The work queue of one handler in one instance group.  A named group
    (``INSTANCE_GROUP``) keeps its queue whatever it serves: a municipality added
    to it only adds bindings to that queue (no new name, nothing to drain); an
    unnamed one is named after its list, as before."""
    if group:
        return f"samskab.{service}.{method}@{group}"
    scope = "" if municipalities == "*" else "@" + "+".join(municipalities)
    return f"samskab.{service}.{method}{scope}"


def binding_keys(types, municipalities):
    scopes = ["*"] if municipalities == "*" else list(municipalities)
    return [events.routing_key(m, t) for m in scopes for t in types]


class _OwnPrefetchConsumer(KombuConsumer):
    """A kombu consumer that sets its own prefetch just before it starts consuming.

    All of a service's consumers share one channel, and a ``basic.qos`` (not
    global) applies to the consumers started after it: setting each one's
    right before its ``basic.consume`` gives each queue its own limit."""

    own_prefetch = None

    def consume(self, no_ack=None):
        if self.own_prefetch is not None:
            self.qos(prefetch_count=self.own_prefetch)
        return super().consume(no_ack)


class RawQueueConsumer(QueueConsumer):
    """nameko's queue consumer, but handing over bodies as they came, and with
    a prefetch per queue: every worker may hold a whole batch."""

    def handle_message(self, provider, body, message):
        # The entrypoint only checks and queues the message: no thread per message.
        provider.handle_message(body, message)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(partial(_OwnPrefetchConsumer, channel), channel)
        for provider, consumer in self._consumers.items():
            consumer.accept = None  # any content type; the entrypoint validates
            consumer.on_decode_error = partial(self._decode_error, provider)
            consumer.own_prefetch = self.container.max_workers * provider.batch_size
        return consumers

    def _decode_error(self, provider, message, exc):
        provider.dead_letter(message, f"undecodable {message.content_type} body: {exc}", None)


class EventConsumer(Consumer):
    queue_consumer = RawQueueConsumer()

    def __init__(self, types, every_municipality=False, batch=None, **kwargs):
        for name in types:
            events.get_type(name)  # an unknown type is a programming error: fail at import
        if batch is not None and int(batch) < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        self.types = tuple(types)
        # An instance group for some municipalities still hears these events from
        # all of them (a person erased in one may have acted in another).
        self.every_municipality = every_municipality
        self.batch = batch
        self.batch_size = 1
        self._pending = []
        self._flush_scheduled = False
        super().__init__(queue=None, **kwargs)

    def setup(self):
        config = self.container.config
        self.service = config.get("SERVICE", self.container.service_name)
        self.municipalities = config.get("MUNICIPALITIES", "*")
        self.delays = list(config.get("RETRY_DELAYS_MS", [1000, 5000, 30000]))
        self.max_bytes = int(config.get("MAX_EVENT_BYTES", configuration.MAX_EVENT_BYTES))
        self.batch_size = int(self.batch or config.get("EVENT_BATCH", 10))  # samskab.config checked EVENT_BATCH
        self.metrics = metrics.for_service(self.service)
        self.name = queue_name(self.service, self.method_name, self.municipalities, config.get("INSTANCE_GROUP"))
        queue_args = {}
        if config.get("QUEUE_TYPE") == "quorum":
            queue_args["x-queue-type"] = "quorum"
        exchange = Exchange(events.EVENTS_EXCHANGE, "topic", durable=True)
        self.queue = Queue(
            self.name,
            bindings=[binding(exchange, routing_key=k) for k in binding_keys(
                self.types, "*" if self.every_municipality else self.municipalities)],
            durable=True,
            queue_arguments=queue_args or None,
        )
        self.side_queues = [
            Queue(
                f"{self.name}.retry.{n}", durable=True,
                queue_arguments={
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.name,
                    **queue_args,
                },
            )
            for n, delay in enumerate(self.delays, start=1)
        ] + [Queue(f"{self.name}.dlq", durable=True, queue_arguments=queue_args or None)]
        self.amqp_uri = config["AMQP_URI"]
        self.ssl = config.get("AMQP_SSL")
        self.publishers = Publishers(connection_params(self.amqp_uri, self.ssl)["userid"], self.service,
                                     config.get("BROKER_USER_PREFIX", "samskab-"))
        known = municipalities.catalogue(config.get("MUNICIPALITY_CATALOG", ""))
        self.known = frozenset(known)
        self.served = self.known if self.municipalities == "*" else frozenset(self.municipalities) & self.known
        with Connection(self.amqp_uri, ssl=self.ssl) as conn:
            conn.ensure_connection(max_retries=5)
            channel = conn.channel()
            exchange.declare(channel=channel)
            for q in [self.queue] + self.side_queues:
                q.declare(channel=channel)
        super().setup()

    # -- receiving ---------------------------------------------------------

    def handle_message(self, body, message):
        """Check one message and queue it for the next batch (runs in the
        queue consumer's loop: nothing here waits)."""
        raw = message.body
        try:
            if len(raw) > self.max_bytes:
                raise events.EventError(f"the event's size ({len(raw)} bytes) is over the limit of {self.max_bytes}")
            envelope = events.parse(raw)
            self.check(envelope, message)
        except events.EventError as exc:
            self.container.spawn_managed_thread(
                partial(self.dead_letter, message, str(exc), None), identifier=f"{self.name}.dead_letter")
            return
        self._pending.append((envelope, message))
        if not self._flush_scheduled:
            # Runs once the consumer loop has read what the broker already sent.
            self._flush_scheduled = True
            self.container.spawn_managed_thread(self._flush, identifier=f"{self.name}.flush")

    def publisher(self, message):
        """The broker user that first published ``message`` (``None`` if it says none)."""
        user = message.properties.get("user_id")
        if user is not None and user == self.publishers.own_user:
            return (message.headers or {}).get(PUBLISHER_HEADER) or user
        return user

    def check(self, envelope, message):
        """Refuse (``EventError``) what this group must not act on: runs before any handler."""
        etype, municipality = envelope["type"], envelope["municipality"]
        if etype not in self.types:
            raise events.EventError(f"type {etype} is not consumed here")
        user = message.properties.get("user_id")
        if not user:
            raise events.EventError("no user_id: the publisher is unknown")
        exchange = message.delivery_info.get("exchange")
        if exchange != events.EVENTS_EXCHANGE and user != self.publishers.own_user:
            # Only our own retries and replays come through the default exchange.
            raise events.EventError(f"{user} sent it straight to the queue, not through {events.EVENTS_EXCHANGE}")
        publisher, owner = self.publisher(message), events.get_type(etype).owner
        if not self.publishers.may_publish(publisher, owner):
            raise events.EventError(f"{etype} is published by {owner or 'the platform'} only, not by {publisher}")
        key = message.delivery_info.get("routing_key")
        if exchange == events.EVENTS_EXCHANGE and key != events.routing_key(municipality, etype):
            raise events.EventError(f"routing key {key} does not match the envelope ({municipality}, {etype})")
        data = envelope["data"]
        if isinstance(data, dict) and "municipality" in data and data["municipality"] != municipality:
            raise events.EventError(f"the data names municipality {data['municipality']}, the envelope {municipality}")
        if municipality not in self.known:
            raise events.EventError(f"municipality {municipality} is not in the catalogue")
        if not self.every_municipality and municipality not in self.served:
            raise events.EventError(f"municipality {municipality} is not served here")

    def _flush(self):
        self._flush_scheduled = False
        pending, self._pending = self._pending, []
        for i in range(0, len(pending), self.batch_size):
            self._spawn(pending[i:i + self.batch_size])

    def _spawn(self, chunk):
        """One worker for ``(envelope, message)`` pairs: the event itself if it is
        alone, else an :class:`EventBatch` of them."""
        (first, message), started = chunk[0], time.perf_counter()
        context = {"traceparent": first.get("traceparent"), "event_id": first["id"]}
        if len(chunk) == 1:
            args, handle_result = (first,), partial(self.handle_result, message, first, started)
        else:
            args = (EventBatch(envelope for envelope, _ in chunk),)
            handle_result = partial(self.handle_batch_result, chunk, started)
        self.container.spawn_worker(self, args, {}, context_data=context, handle_result=handle_result)

    def handle_batch_result(self, chunk, started, worker_ctx, result=None, exc_info=None):
        if exc_info is None and not isinstance(result, _Redo):
            elapsed = time.perf_counter() - started
            self.metrics.event_batch_size.observe(len(chunk))
            for envelope, message in chunk:
                self._handled(message, envelope, elapsed, "handled")
            return result, exc_info
        reason = result.reason if isinstance(result, _Redo) else f"{exc_info[0].__name__}: {exc_info[1]}"
        self.metrics.event_batches_redone.inc()
        log.info("%s: a batch of %d rolled back (%s); handling each on its own", self.name, len(chunk), reason)
        # Not from this worker: it holds a slot of the pool the singles need.
        self.container.spawn_managed_thread(
            partial(self._redo, chunk), identifier=f"{self.name}.redo")
        return None, None

    def _redo(self, chunk):
        for pair in chunk:
            self._spawn([pair])

    def handle_result(self, message, envelope, started, worker_ctx, result=None, exc_info=None):
        elapsed = time.perf_counter() - started
        if exc_info is None:
            self.metrics.event_batch_size.observe(1)
            self._handled(message, envelope, elapsed, "duplicate" if result is _DUPLICATE else "handled")
        else:
            self.metrics.handler_duration.labels(envelope["type"], envelope.get("municipality")).observe(elapsed)
            self.metrics.events_failed.labels(envelope["type"], envelope.get("municipality")).inc()
            outcome = self.retry_or_dead_letter(message, envelope, exc_info)
            self._log(outcome, envelope, elapsed)
        return result, exc_info

    def _handled(self, message, envelope, elapsed, outcome):
        etype = envelope["type"]
        self.metrics.handler_duration.labels(etype, envelope.get("municipality")).observe(elapsed)
        if outcome == "duplicate":
            self.metrics.events_duplicate.labels(etype, envelope.get("municipality")).inc()
        else:
            self.metrics.events_handled.labels(etype, envelope.get("municipality")).inc()
        settle(self.queue_consumer.ack_message, message)
        self._log(outcome, envelope, elapsed)

    def _log(self, outcome, envelope, elapsed):
        log.info(
            "%s %s %s municipality=%s traceparent=%s %.1fms",
            self.name, outcome, envelope["id"], envelope["municipality"],
            envelope.get("traceparent"), elapsed * 1000,
            extra=logs.fields(envelope["id"], envelope["municipality"], envelope.get("traceparent"),
                              queue=self.name, outcome=outcome, type=envelope["type"]),
        )

    # -- failing -------------------------------------------------------------

    def _republish(self, message, routing_key, headers):
        props = message.properties
        # The copy is ours (user_id is the connection's); who sent the original goes in a header.
        headers = {**headers, PUBLISHER_HEADER: self.publisher(message) or "unknown"}
        with Connection(self.amqp_uri, ssl=self.ssl, transport_options={"confirm_publish": True}) as conn:
            producer = conn.Producer()
            producer.publish(
                message.body,
                exchange="",
                routing_key=routing_key,
                content_type=props.get("content_type") or events.CONTENT_TYPE,
                content_encoding=props.get("content_encoding") or "utf-8",
                message_id=props.get("message_id"),
                type=props.get("type"),
                user_id=self.publishers.own_user,
                delivery_mode=2,
                headers={**(message.headers or {}), **headers},
                retry=True,
                retry_policy={"max_retries": 3},
            )

    def retry_or_dead_letter(self, message, envelope, exc_info):
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        reason = f"{exc_info[0].__name__}: {exc_info[1]}"[:500]
        if attempt <= len(self.delays):
            try:
                self._republish(message, f"{self.name}.retry.{attempt}", {ATTEMPT_HEADER: attempt, REASON_HEADER: reason})
            except Exception as exc:  # cannot park it: let the broker redeliver
                log.warning("%s: could not schedule retry (%s); requeueing", self.name, exc)
                settle(self.queue_consumer.requeue_message, message)
                return "requeued"
            self.metrics.events_retried.labels(envelope["type"], envelope.get("municipality")).inc()
            settle(self.queue_consumer.ack_message, message)
            return f"retry {attempt}/{len(self.delays)} ({reason})"
        self.dead_letter(message, reason, envelope)
        return f"dead-lettered ({reason})"

    def dead_letter(self, message, reason, envelope):
        try:
            self._republish(message, f"{self.name}.dlq", {REASON_HEADER: reason[:500], QUEUE_HEADER: self.name})
        except Exception as exc:
            log.warning("%s: could not dead-letter (%s); requeueing", self.name, exc)
            settle(self.queue_consumer.requeue_message, message)
            return
        etype = envelope["type"] if envelope else "invalid"
        self.metrics.events_dead_lettered.labels(etype, envelope.get("municipality") if envelope else "").inc()
        settle(self.queue_consumer.ack_message, message)
        log.warning("%s dead-lettered %s: %s", self.name, message.properties.get("message_id"), reason)


_DUPLICATE = object()
BATCH_LOCK_TIMEOUT_MS = 200  # well below PostgreSQL's deadlock_timeout (1 s by default)


class EventBatch(tuple):
    """Events one worker handles in one transaction (see ``consume``)."""


class _Redo:
    """A batch's result: rolled back, handle each event on its own."""

    def __init__(self, reason):
        self.reason = reason


@functools.lru_cache(maxsize=None)
def _database_attr(service_cls):
    for name in dir(service_cls):
        if isinstance(getattr(service_cls, name, None), Database):
            return name
    raise TypeError(f"{service_cls.__name__} consumes events but has no Database dependency")


def consume(*types, every_municipality=False, batch=None):
    """Entrypoint decorator: handle these event types exactly once.

    ``every_municipality=True`` receives them from every municipality whatever
    ``MUNICIPALITIES`` says (the queue is still the instance group's own).
    ``batch`` caps how many events that arrived together share one transaction
    (default ``EVENT_BATCH``); ``batch=1`` for a handler that takes long.
    The handler always gets one event."""

    def decorator(fn):
        consumer_name = fn.__name__

        @functools.wraps(fn)
        def handler(self, event):
            uow = getattr(self, _database_attr(type(self)))
            claimant = f"{uow.service}.{consumer_name}"
            if isinstance(event, EventBatch):
                try:
                    with uow:
                        # A batch holds its locks longer than one event would: in a
                        # deadlock with a request it gives way (and is redone event by event).
                        uow.give_way_after(BATCH_LOCK_TIMEOUT_MS)
                        for one in event:
                            uow.traceparent = one.get("traceparent")  # events it emits follow its trace
                            uow.claim_on_commit(claimant, one["id"])
                            fn(self, one)
                except DuplicateEvent:
                    return _Redo("one of them was handled before")
                except Exception as exc:  # each is tried again on its own, and fails there if it must
                    return _Redo(f"{type(exc).__name__}: {exc}"[:300])
                return None
            try:
                with uow:
                    # The claim goes with the commit: a second delivery runs the
                    # handler again, fails at the claim and keeps nothing of it.
                    uow.claim_on_commit(claimant, event["id"])
                    return fn(self, event)
            except DuplicateEvent:
                return _DUPLICATE

        register_entrypoint(handler, EventConsumer(types, every_municipality=every_municipality, batch=batch))
        return handler

    return decorator
