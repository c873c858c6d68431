"""Malformed and oversized messages put straight onto every consuming service's
queues end in that queue's dead-letter queue with a reason, and the service
goes on handling good events afterwards."""
import json
import time
import uuid
from urllib.parse import quote

import pika
import pytest
import requests
import sqlalchemy as sa

from samskab import dlq, events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.testing import unit_of_work

pytestmark = pytest.mark.integration

CONSUMERS = {}
for _name in ("matching", "meetings", "notifications", "proposals"):
    try:
        CONSUMERS[_name] = __import__(f"{_name}.service", fromlist=["Service"]).Service
    except ImportError:  # a service not (yet) in this checkout
        pass


def envelope(**overrides):
    body = {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/municipalities/aalborg/gateway",
        "type": "samskab.participant.registered", "time": "2026-03-01T10:00:00Z",
        "subject": "participants/x", "datacontenttype": "application/json", "municipality": "aalborg",
        "data": {"id": str(uuid.uuid4()), "municipality": "aalborg", "role": "resident", "language": "da",
                 "email": "x@example.org", "display_name": "X"},
    }
    body.update(overrides)
    return json.dumps(body).encode()


HOSTILE = [
    ("not JSON", b"{not json", "application/cloudevents+json"),
    ("a JSON array", b"[1, 2, 3]", "application/cloudevents+json"),
    ("no envelope fields", b'{"hello": "world"}', "application/cloudevents+json"),
    ("wrong specversion", envelope(specversion="0.3"), "application/cloudevents+json"),
    ("id not a UUID", envelope(id="42"), "application/cloudevents+json"),
    ("municipality not a slug", envelope(municipality="../../etc"), "application/cloudevents+json"),
    ("unknown type", envelope(type="samskab.nothing.happened"), "application/cloudevents+json"),
    ("data breaks its contract", envelope(data={"id": "nope"}), "application/cloudevents+json"),
    ("oversized and malformed (4 MB)", b'{"specversion": "1.0", "padding": "' + b"x" * 4_000_000 + b'"}',
     "application/cloudevents+json"),
    ("a content type nobody reads", b"\x00\x01\x02binary", "application/x-unknown"),
    ("no content type", b"{}", None),
]
# Bodies that today make samskab.events.parse raise something other than EventError
# (UnicodeDecodeError, RecursionError), which kills the service's container.
ESCAPING = [
    ("not UTF-8", b"\xff\xfe\x00garbage", "application/cloudevents+json"),
    ("deeply nested", b'{"data":' * 5000 + b"1" + b"}" * 5000, "application/cloudevents+json"),
]


def management(broker_uri):
    vhost = broker_uri.rsplit("/", 1)[1] or "/"
    return f"http://localhost:15672/api/queues/{quote(vhost, safe='')}"


def consumer_queues(broker_uri, service):
    r = requests.get(management(broker_uri), auth=("guest", "guest"), timeout=10)
    r.raise_for_status()
    return sorted(q["name"] for q in r.json() if q["name"].startswith(f"samskab.{service}.")
                  and ".retry." not in q["name"] and not q["name"].endswith(".dlq")
                  and ".rpc-requests" not in q["name"])  # the RPC queue (samskab.rpc) takes no events


def publish_raw(broker_uri, queue, bodies):
    conn = pika.BlockingConnection(pika.URLParameters(broker_uri))
    ch = conn.channel()
    ch.confirm_delivery()
    for _, body, ctype in bodies:
        ch.basic_publish("", queue, body, pika.BasicProperties(content_type=ctype, delivery_mode=2,
                                                               message_id=str(uuid.uuid4())))
    conn.close()


def dead_letters(broker_uri, queue, expect, timeout=20):
    deadline = time.time() + timeout
    found = []
    while time.time() < deadline:
        found = dlq.show(broker_uri, f"{queue}.dlq", limit=100)
        if len(found) >= expect:
            break
        time.sleep(0.2)
    return found


@pytest.fixture(params=sorted(CONSUMERS))
def service(request, make_config, runner_factory, broker_uri):
    return start(request.param, make_config, runner_factory, broker_uri)


@pytest.fixture
def notifications(make_config, runner_factory, broker_uri):
    if "notifications" not in CONSUMERS:
        pytest.skip("no notifications service here")
    return start("notifications", make_config, runner_factory, broker_uri)


def start(name, make_config, runner_factory, broker_uri):
    config = make_config(name)
    runner = runner_factory(config, CONSUMERS[name])
    runner.start()
    queues = consumer_queues(broker_uri, name)
    if not queues:
        pytest.skip(f"{name} consumes no events")
    return name, config, runner, queues


def a_good_event_is_still_handled(name, config, broker_uri):
    """After the poison, a valid event (an erasure: every service takes it) is still handled."""
    person = str(uuid.uuid4())
    event = events.make("samskab.participant.erased", municipality="aalborg", service="gateway",
                        subject=f"participants/{person}", data={"id": person, "municipality": "aalborg"})
    publisher = ConfirmingPublisher(broker_uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, events.routing_key("aalborg", event["type"]), event)])
    finally:
        publisher.close()
    deadline = time.time() + 20
    while time.time() < deadline:
        with unit_of_work(config["DATABASE_URL"]) as uow:
            handled = uow.execute(
                sa.text("SELECT count(*) FROM processed_events WHERE event_id = :i"),
                {"i": event["id"]}).scalar()
        if handled:
            return True
        time.sleep(0.2)
    return False


def test_hostile_messages_end_in_the_dead_letter_queue_with_a_reason_and_the_service_goes_on(service, broker_uri):
    name, config, runner, queues = service
    for queue in queues:
        publish_raw(broker_uri, queue, HOSTILE)
    for queue in queues:
        found = dead_letters(broker_uri, queue, len(HOSTILE))
        assert len(found) == len(HOSTILE), f"{queue}: {len(found)} of {len(HOSTILE)} dead-lettered"
        assert all(f["reason"] for f in found), f"{queue}: a dead letter without a reason: {found}"
        assert len({f["message_id"] for f in found}) == len(HOSTILE)
    container = runner.service_map[name]
    assert not container._died.ready(), f"{name} died on hostile input"
    assert a_good_event_is_still_handled(name, config, broker_uri), f"{name} stopped handling events"


def test_an_oversized_event_is_dead_lettered_even_when_it_is_otherwise_valid(notifications, broker_uri):
    name, config, runner, queues = notifications
    queue = queues[0]
    publish_raw(broker_uri, queue, [("valid but 4 MB", envelope(padding="x" * 4_000_000),
                                     "application/cloudevents+json")])
    found = dead_letters(broker_uri, queue, 1, timeout=5)
    assert len(found) == 1 and "size" in (found[0]["reason"] or "").lower()


@pytest.mark.parametrize("hostile", ESCAPING, ids=[h[0] for h in ESCAPING])
def test_a_body_that_breaks_the_parser_itself_is_dead_lettered_too(notifications, broker_uri, hostile):
    name, config, runner, queues = notifications
    publish_raw(broker_uri, queues[0], [hostile])
    found = dead_letters(broker_uri, queues[0], 1, timeout=5)
    container = runner.service_map[name]
    assert len(found) == 1 and found[0]["reason"]
    assert not container._died.ready(), f"{name} died on a body that is not UTF-8"
