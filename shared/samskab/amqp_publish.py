"""Publishing CloudEvents with publisher confirms, a batch at a time.

py-amqp's own confirm mode waits for each message in turn; here a batch is
published and then the broker's acks are awaited together, which is what
makes the relay faster than publishing one confirmed message after another.
Nothing counts as published until the broker has acked it.

The batch's frames (``basic.publish``, content header, body) are encoded here
and written to the socket at once: every message of the relay has the same
five properties, and py-amqp's general encoder and one write per frame cost
more CPU than the rest of publishing together.

Every message carries ``user_id``, the connection's own user: RabbitMQ
refuses a message whose ``user_id`` names anyone else, so a consumer knows
which service (and instance group) published it.  ``amqps://`` URIs go over
TLS with the server's certificate verified (``samskab.config.amqp_ssl``);
py-amqp's TLS transport takes the encoded frames like the plain one.
"""
import logging
import socket
import struct
from urllib.parse import unquote, urlparse

import amqp

from .config import amqp_ssl
from .events import CONTENT_TYPE, EVENTS_EXCHANGE, PUBLIC_EXCHANGE, dumps

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The broker refused (nack) or did not confirm a batch in time."""


def connection_params(uri, ssl=None):
    """py-amqp's connection arguments for an ``amqp://`` or ``amqps://`` URI
    (TLS options from ``ssl``, else from the environment's ``AMQP_CA_FILE``…)."""
    parsed = urlparse(uri)
    vhost = unquote(parsed.path[1:]) if parsed.path and parsed.path != "/" else "/"
    tls = parsed.scheme == "amqps"
    params = {
        "host": f"{parsed.hostname or 'localhost'}:{parsed.port or (5671 if tls else 5672)}",
        "userid": unquote(parsed.username or "guest"),
        "password": unquote(parsed.password or "guest"),
        "virtual_host": vhost,
    }
    if tls:
        params["ssl"] = ssl or amqp_ssl(uri)
    return params


def declare_exchanges(channel):
    for name in (EVENTS_EXCHANGE, PUBLIC_EXCHANGE):
        channel.exchange_declare(name, "topic", durable=True, auto_delete=False)


_FRAME_METHOD, _FRAME_HEADER, _FRAME_BODY, _FRAME_END = 1, 2, 3, b"\xce"
_BASIC, _PUBLISH = 60, 40
# content-type, content-encoding, delivery-mode, message-id, type, user-id (AMQP 0-9-1, 4.2.6.1)
_PROPERTY_FLAGS = 0x8000 | 0x4000 | 0x1000 | 0x0080 | 0x0020 | 0x0010
_PERSISTENT = 2
WRITE_BYTES = 1 << 20


def _shortstr(value):
    raw = value.encode("utf-8")
    if len(raw) > 255:
        raise ValueError(f"{value[:40]!r}… is longer than an AMQP short string (255 bytes)")
    return bytes((len(raw),)) + raw


# content-type, content-encoding and delivery-mode: the same for every message
_SAME_PROPERTIES = _shortstr(CONTENT_TYPE) + _shortstr("utf-8") + bytes((_PERSISTENT,))


def _frame(kind, channel, payload):
    return struct.pack(">BHI", kind, channel, len(payload)) + payload + _FRAME_END


def publish_frames(channel, frame_max, exchange, routing_key, body, message_id, type_name, user_id):
    """The frames of one persistent ``basic.publish`` of a CloudEvent (AMQP 0-9-1, 2.3.5 and 4.2.6);
    ``user_id`` is already a short string (the same for every message of a connection)."""
    method = struct.pack(">HHH", _BASIC, _PUBLISH, 0) + _shortstr(exchange) + _shortstr(routing_key) + b"\x00"
    properties = _SAME_PROPERTIES + _shortstr(message_id) + _shortstr(type_name) + user_id
    header = struct.pack(">HHQH", _BASIC, 0, len(body), _PROPERTY_FLAGS) + properties
    frames = [_frame(_FRAME_METHOD, channel, method), _frame(_FRAME_HEADER, channel, header)]
    room = frame_max - 8  # a frame's type, channel, size and end octet
    for start in range(0, len(body), room):
        frames.append(_frame(_FRAME_BODY, channel, body[start:start + room]))
    return b"".join(frames)


class ConfirmingPublisher:
    def __init__(self, uri, confirm_timeout=10.0, ssl=None, heartbeat=60):
        self.uri = uri
        self.confirm_timeout = confirm_timeout
        self.params = connection_params(uri, ssl)
        self.heartbeat = heartbeat
        self._user_id = _shortstr(self.params["userid"])
        self.conn = None
        self.channel = None

    def _connect(self):
        self.conn = amqp.Connection(connect_timeout=5, heartbeat=self.heartbeat, **self.params)
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

    def keep_alive(self):
        """Read what the broker sent (its heartbeats) and send ours when due;
        the relay calls this between rounds, so an idle connection stays up and
        a dead one is noticed (``ConnectionForced``) within two heartbeats."""
        if self.conn is None or not self.heartbeat:
            return
        try:
            self.conn.drain_events(timeout=0.001)
        except socket.timeout:
            pass
        self.conn.heartbeat_tick()

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
            channel, frame_max = self.channel.channel_id, self.conn.frame_max
            # Every message encoded (and so checked) before the first byte goes out.
            encoded = [
                publish_frames(channel, frame_max, exchange, key, dumps(envelope), envelope["id"], envelope["type"],
                               self._user_id)
                for exchange, key, envelope in messages
            ]
            first = self._next_tag
            self._next_tag += len(messages)
            self._unconfirmed.update(range(first, self._next_tag))
            chunk, size = [], 0
            for frames in encoded:  # written about a megabyte at a time
                chunk.append(frames)
                size += len(frames)
                if size >= WRITE_BYTES:
                    self.conn.transport.write(b"".join(chunk))
                    chunk, size = [], 0
            if chunk:
                self.conn.transport.write(b"".join(chunk))
            while self._unconfirmed:
                self.conn.drain_events(timeout=self.confirm_timeout)
            if self._nacked:
                self._nacked.clear()
                raise PublishError("the broker refused part of the batch (nack)")
        except Exception:
            self.close()
            raise
