"""Publishing CloudEvents with publisher confirms, a batch at a time.

py-amqp's own confirm mode waits for each message in turn; here a batch is
published and then the broker's acks are awaited together, which is what
makes the relay faster than publishing one confirmed message after another.
Nothing counts as published until the broker has acked it.
"""
import logging
from urllib.parse import unquote, urlparse

import amqp

from .events import CONTENT_TYPE, EVENTS_EXCHANGE, PUBLIC_EXCHANGE, dumps

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The broker refused (nack) or did not confirm a batch in time."""


def connection_params(uri):
    parsed = urlparse(uri)
    vhost = unquote(parsed.path[1:]) if parsed.path and parsed.path != "/" else "/"
    return {
        "host": f"{parsed.hostname or 'localhost'}:{parsed.port or 5672}",
        "userid": unquote(parsed.username or "guest"),
        "password": unquote(parsed.password or "guest"),
        "virtual_host": vhost,
    }


def declare_exchanges(channel):
    for name in (EVENTS_EXCHANGE, PUBLIC_EXCHANGE):
        channel.exchange_declare(name, "topic", durable=True, auto_delete=False)


class ConfirmingPublisher:
    def __init__(self, uri, confirm_timeout=10.0):
        self.uri = uri
        self.confirm_timeout = confirm_timeout
        self.conn = None
        self.channel = None

    def _connect(self):
        self.conn = amqp.Connection(connect_timeout=5, heartbeat=0, **connection_params(self.uri))
        self.conn.connect()
        self.channel = self.conn.channel()
        declare_exchanges(self.channel)
        self.channel.confirm_select()
        self._next_tag = 1
        self._unconfirmed = set()
        self._nacked = set()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)

    def _settle(self, tag, multiple, into=None):
        tags = [t for t in self._unconfirmed if t <= tag] if multiple else [tag]
        for t in tags:
            self._unconfirmed.discard(t)
            if into is not None:
                into.add(t)

    def _on_ack(self, delivery_tag, multiple):
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag, multiple):
        self._settle(delivery_tag, multiple, self._nacked)

    def close(self):
        conn, self.conn, self.channel = self.conn, None, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # the broker may already be gone
                pass

    def publish_batch(self, messages):
        """Publish ``(exchange, routing_key, envelope)`` triples; return once all are confirmed."""
        if self.conn is None:
            self._connect()
        try:
            for exchange, key, envelope in messages:
                msg = amqp.Message(
                    dumps(envelope),
                    content_type=CONTENT_TYPE,
                    content_encoding="utf-8",
                    message_id=envelope["id"],
                    type=envelope["type"],
                    delivery_mode=2,
                )
                self.channel.basic_publish(msg, exchange=exchange, routing_key=key)
                self._unconfirmed.add(self._next_tag)
                self._next_tag += 1
            while self._unconfirmed:
                self.conn.drain_events(timeout=self.confirm_timeout)
            if self._nacked:
                self._nacked.clear()
                raise PublishError("the broker refused part of the batch (nack)")
        except Exception:
            self.close()
            raise
