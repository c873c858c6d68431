"""The relay's publisher writes the AMQP frames itself: what a consumer gets
back from the real broker must be exactly what was published."""
import json
import uuid

import amqp
import pytest

from samskab import amqp_publish, events
from samskab.amqp_publish import ConfirmingPublisher, connection_params

pytestmark = pytest.mark.integration


def envelope(size):
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "samskab.proposal.submitted",
            "municipality": "aalborg", "data": {"text": "æøå ✓ " * (size // 10)}}


@pytest.mark.parametrize("write_bytes", [amqp_publish.WRITE_BYTES, 1000], ids=["megabyte-writes", "small-writes"])
def test_published_messages_arrive_whole_with_their_properties_in_order(broker_uri, monkeypatch, write_bytes):
    monkeypatch.setattr(amqp_publish, "WRITE_BYTES", write_bytes)  # a batch goes out in one write or in many
    conn = amqp.Connection(**connection_params(broker_uri))
    conn.connect()
    channel = conn.channel()
    queue = f"test.publisher.{uuid.uuid4().hex[:8]}"
    channel.exchange_declare(events.EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
    channel.queue_declare(queue, durable=False, auto_delete=False)
    channel.queue_bind(queue, events.EVENTS_EXCHANGE, routing_key="aalborg.#")
    publisher = ConfirmingPublisher(broker_uri)
    try:
        # small ones, one of several frames (the broker's frame_max is 128 KiB) and one exactly a frame's room
        sent = [envelope(100) for _ in range(20)] + [envelope(400_000), envelope(100)]
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.proposal.submitted", e) for e in sent])
        assert len(events.dumps(sent[20])) > 2 * publisher.conn.frame_max
        room = publisher.conn.frame_max - 8
        exact = envelope(0)
        exact["data"]["text"] = "x" * (room - len(events.dumps(exact)))
        assert len(events.dumps(exact)) == room
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.proposal.submitted", exact)])
        sent.append(exact)
        received = []
        for _ in sent:
            message = channel.basic_get(queue, no_ack=True)
            assert message is not None, f"only {len(received)} of {len(sent)} messages arrived"
            received.append(message)
        assert channel.basic_get(queue, no_ack=True) is None
        assert [json.loads(m.body) for m in received] == sent
        first = received[0]
        assert first.properties["content_type"] == events.CONTENT_TYPE
        assert first.properties["content_encoding"] == "utf-8"
        assert first.properties["delivery_mode"] == 2
        assert [m.properties["message_id"] for m in received] == [e["id"] for e in sent]
        assert {m.properties["type"] for m in received} == {"samskab.proposal.submitted"}
        assert {m.delivery_info["routing_key"] for m in received} == {"aalborg.proposal.submitted"}
    finally:
        publisher.close()
        channel.queue_delete(queue)
        conn.close()


def test_a_routing_key_too_long_for_amqp_is_refused_before_anything_is_sent(broker_uri):
    conn = amqp.Connection(**connection_params(broker_uri))
    conn.connect()
    channel = conn.channel()
    queue = f"test.publisher.{uuid.uuid4().hex[:8]}"
    channel.exchange_declare(events.EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
    channel.queue_declare(queue, durable=False, auto_delete=False)
    channel.queue_bind(queue, events.EVENTS_EXCHANGE, routing_key="aalborg.#")
    publisher = ConfirmingPublisher(broker_uri)
    try:
        with pytest.raises(ValueError, match="short string"):
            publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.proposal.submitted", envelope(10)),
                                     (events.EVENTS_EXCHANGE, "a" * 256, envelope(10))])
        # the good message ahead of the bad one did not go out either
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.proposal.submitted", envelope(10))])
        assert channel.basic_get(queue, no_ack=True) is not None
        assert channel.basic_get(queue, no_ack=True) is None
    finally:
        publisher.close()
        channel.queue_delete(queue)
        conn.close()
