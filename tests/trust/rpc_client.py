"""A bare RPC caller for the trust tests: publishes one request on a service's
``samskab.rpc.<service>`` exchange with the routing key given, and returns the
reply's body (``result``, ``error`` and the answering ``group``) or ``None``."""
import json
import time
import uuid

import pika


def call(amqp_uri, service, routing_key, args, kwargs=None, deadline=None, wait=10.0):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.exchange_declare(f"samskab.rpc.{service}", "topic", durable=True)
        channel.exchange_declare("nameko-rpc", "topic", durable=True)
        reply_queue = channel.queue_declare("", exclusive=True).method.queue
        reply_key = str(uuid.uuid4())
        channel.queue_bind(reply_queue, "nameko-rpc", routing_key=reply_key)
        headers = {"nameko.deadline": repr(deadline)} if deadline is not None else {}
        channel.basic_publish(
            f"samskab.rpc.{service}", routing_key,
            json.dumps({"args": list(args), "kwargs": kwargs or {}}).encode(),
            pika.BasicProperties(content_type="application/json", content_encoding="utf-8", reply_to=reply_key,
                                 correlation_id=str(uuid.uuid4()), headers=headers),
        )
        until = time.time() + wait
        while time.time() < until:
            method, _, body = channel.basic_get(reply_queue, auto_ack=True)
            if method is not None:
                return json.loads(body)
            connection.sleep(0.05)
        return None
    finally:
        connection.close()
