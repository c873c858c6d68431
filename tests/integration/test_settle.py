"""A delivery whose connection was reset before the ack: settling it must not
raise (it would kill the service's container on every broker restart), and the
broker must give the message out again."""
import time
import uuid

import amqp
import pytest

from samskab.amqp_publish import connection_params
from samskab.settle import settle

pytestmark = pytest.mark.integration


def test_an_ack_on_a_reset_connection_is_logged_and_the_message_comes_back(broker_uri, caplog):
    queue = f"test.settle.{uuid.uuid4().hex[:8]}"
    setup = amqp.Connection(**connection_params(broker_uri))
    setup.connect()
    ch = setup.channel()
    ch.queue_declare(queue, durable=False, auto_delete=False)
    try:
        ch.basic_publish(amqp.Message(b"hello"), exchange="", routing_key=queue)

        worker = amqp.Connection(**connection_params(broker_uri))
        worker.connect()
        taken = None
        for _ in range(50):
            taken = worker.channel().basic_get(queue, no_ack=False)
            if taken is not None:
                break
            time.sleep(0.05)
        assert taken is not None and taken.body == b"hello"
        worker.sock.close()  # what a broker restart leaves: the objects live on, the socket is gone

        assert settle(lambda m: m.channel.basic_ack(m.delivery_tag), taken) is False
        assert "delivered again" in caplog.text

        again = None
        for _ in range(50):
            again = ch.basic_get(queue, no_ack=False)
            if again is not None:
                break
            time.sleep(0.05)
        assert again is not None and again.body == b"hello" and again.delivery_info["redelivered"]
        ch.basic_ack(again.delivery_tag)
    finally:
        ch.queue_delete(queue)
        setup.close()
