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
* **Failures**: a failed attempt goes to ``<queue>.retry.<n>``, a queue whose
  message TTL dead-letters it back to the work queue after the n-th delay
  (``RETRY_DELAYS_MS``); after the last, to ``<queue>.dlq`` with the reason.
  A message that is not a valid event goes to the dead-letter queue at once.
"""
import functools
import json
import logging
import time
from functools import partial

import kombu.serialization
from kombu import Connection, Exchange, Queue, binding
from nameko.extensions import register_entrypoint
from nameko.messaging import Consumer, QueueConsumer

from . import events, metrics
from .db import Database, DuplicateEvent

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-samskab-attempt"
REASON_HEADER = "x-samskab-reason"
QUEUE_HEADER = "x-samskab-queue"


def _raw(body):
    return body


# Bodies reach the entrypoint undecoded, so a malformed message becomes a dead
# letter with a reason instead of an exception inside kombu's consumer loop.
kombu.serialization.register(
    "cloudevents", encoder=json.dumps, decoder=_raw,
    content_type=events.CONTENT_TYPE, content_encoding="utf-8",
)
RAW_TYPES = ["cloudevents", "json", "application/data", "text/plain"]


def queue_name(service, method, municipalities):
    scope = "" if municipalities == "*" else "@" + "+".join(municipalities)
    return f"samskab.{service}.{method}{scope}"


def binding_keys(types, municipalities):
    scopes = ["*"] if municipalities == "*" else list(municipalities)
    return [events.routing_key(m, t) for m in scopes for t in types]


class RawQueueConsumer(QueueConsumer):
    """nameko's queue consumer, but handing over bodies as they came."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.accept = None  # any content type; the entrypoint validates
            consumer.on_decode_error = partial(self._decode_error, provider)
        return consumers

    def _decode_error(self, provider, message, exc):
        provider.dead_letter(message, f"undecodable {message.content_type} body: {exc}", None)


class EventConsumer(Consumer):
    queue_consumer = RawQueueConsumer()

    def __init__(self, types, every_municipality=False, **kwargs):
        for name in types:
            events.get_type(name)  # an unknown type is a programming error: fail at import
        self.types = tuple(types)
        # An instance group for some municipalities still hears these events from
        # all of them (a person erased in one may have acted in another).
        self.every_municipality = every_municipality
        super().__init__(queue=None, **kwargs)

    def setup(self):
        config = self.container.config
        self.service = config.get("SERVICE", self.container.service_name)
        self.municipalities = config.get("MUNICIPALITIES", "*")
        self.delays = list(config.get("RETRY_DELAYS_MS", [1000, 5000, 30000]))
        self.max_bytes = int(config.get("MAX_EVENT_BYTES", 262144))
        self.metrics = metrics.for_service(self.service)
        self.name = queue_name(self.service, self.method_name, self.municipalities)
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
        with Connection(self.amqp_uri) as conn:
            conn.ensure_connection(max_retries=5)
            channel = conn.channel()
            exchange.declare(channel=channel)
            for q in [self.queue] + self.side_queues:
                q.declare(channel=channel)
        super().setup()

    # -- receiving ---------------------------------------------------------

    def handle_message(self, body, message):
        raw = message.body
        try:
            if len(raw) > self.max_bytes:
                raise events.EventError(f"the event's size ({len(raw)} bytes) is over the limit of {self.max_bytes}")
            envelope = events.parse(raw)
            if (self.municipalities != "*" and not self.every_municipality
                    and envelope["municipality"] not in self.municipalities):
                raise events.EventError(f"municipality {envelope['municipality']} is not served here")
            if envelope["type"] not in self.types:
                raise events.EventError(f"type {envelope['type']} is not consumed here")
        except events.EventError as exc:
            self.dead_letter(message, str(exc), None)
            return
        context = {"traceparent": envelope.get("traceparent"), "event_id": envelope["id"]}
        started = time.perf_counter()
        handle_result = partial(self.handle_result, message, envelope, started)
        self.container.spawn_worker(self, (envelope,), {}, context_data=context, handle_result=handle_result)

    def handle_result(self, message, envelope, started, worker_ctx, result=None, exc_info=None):
        etype = envelope["type"]
        elapsed = time.perf_counter() - started
        self.metrics.handler_duration.labels(etype).observe(elapsed)
        if exc_info is None:
            if result is _DUPLICATE:
                self.metrics.events_duplicate.labels(etype).inc()
                outcome = "duplicate"
            else:
                self.metrics.events_handled.labels(etype).inc()
                outcome = "handled"
            self.queue_consumer.ack_message(message)
        else:
            self.metrics.events_failed.labels(etype).inc()
            outcome = self.retry_or_dead_letter(message, envelope, exc_info)
        log.info(
            "%s %s %s municipality=%s traceparent=%s %.1fms",
            self.name, outcome, envelope["id"], envelope["municipality"],
            envelope.get("traceparent"), elapsed * 1000,
        )
        return result, exc_info

    # -- failing -------------------------------------------------------------

    def _republish(self, message, routing_key, headers):
        props = message.properties
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            producer = conn.Producer()
            producer.publish(
                message.body,
                exchange="",
                routing_key=routing_key,
                content_type=props.get("content_type") or events.CONTENT_TYPE,
                content_encoding=props.get("content_encoding") or "utf-8",
                message_id=props.get("message_id"),
                type=props.get("type"),
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
                self.queue_consumer.requeue_message(message)
                return "requeued"
            self.metrics.events_retried.labels(envelope["type"]).inc()
            self.queue_consumer.ack_message(message)
            return f"retry {attempt}/{len(self.delays)} ({reason})"
        self.dead_letter(message, reason, envelope)
        return f"dead-lettered ({reason})"

    def dead_letter(self, message, reason, envelope):
        try:
            self._republish(message, f"{self.name}.dlq", {REASON_HEADER: reason[:500], QUEUE_HEADER: self.name})
        except Exception as exc:
            log.warning("%s: could not dead-letter (%s); requeueing", self.name, exc)
            self.queue_consumer.requeue_message(message)
            return
        etype = envelope["type"] if envelope else "invalid"
        self.metrics.events_dead_lettered.labels(etype).inc()
        self.queue_consumer.ack_message(message)
        log.warning("%s dead-lettered %s: %s", self.name, message.properties.get("message_id"), reason)


_DUPLICATE = object()


@functools.lru_cache(maxsize=None)
def _database_attr(service_cls):
    for name in dir(service_cls):
        if isinstance(getattr(service_cls, name, None), Database):
            return name
    raise TypeError(f"{service_cls.__name__} consumes events but has no Database dependency")


def consume(*types, every_municipality=False):
    """Entrypoint decorator: handle these event types exactly once.

    ``every_municipality=True`` receives them from every municipality whatever
    ``MUNICIPALITIES`` says (the queue is still the instance group's own)."""

    def decorator(fn):
        consumer_name = fn.__name__

        @functools.wraps(fn)
        def handler(self, event):
            uow = getattr(self, _database_attr(type(self)))
            try:
                with uow:
                    # The claim goes with the commit: a second delivery runs the
                    # handler again, fails at the claim and keeps nothing of it.
                    uow.claim_on_commit(f"{uow.service}.{consumer_name}", event["id"])
                    return fn(self, event)
            except DuplicateEvent:
                return _DUPLICATE

        register_entrypoint(handler, EventConsumer(types, every_municipality=every_municipality))
        return handler

    return decorator
