"""The event backbone's guarantees, against the real RabbitMQ and PostgreSQL:
nothing lost in a broker outage, one effect per event, dead letters that can
be replayed, and tenant routing that never mixes municipalities."""
import datetime as dt
import json
import subprocess
import time
import uuid
from functools import partial

import eventlet
import pytest
import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook

from samskab import dlq, events, metrics
from samskab.amqp_publish import ConfirmingPublisher
from samskab.consumer import consume, queue_name
from samskab.db import Database, engine_for
from samskab.service import ServiceBase
from samskab import testing
from samskab.testing import Subscriber

from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

ACTOR = {"id": str(uuid.uuid4()), "role": "resident", "municipality": "aalborg", "staff": False}


class Instance(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return self.container.config.get("INSTANCE", "a")


class Recorder(ServiceBase):
    """A consumer for these tests: records each proposal event it handles."""

    name = "recorder"
    db = Database()
    instance = Instance()
    failing_titles = set()

    @consume("samskab.proposal.submitted")
    def on_submitted(self, event):
        if event["data"]["title"] in self.failing_titles:
            raise RuntimeError("this handler cannot cope with that proposal")
        self.db.execute(
            sa.text("INSERT INTO recorded (event_id, proposal_id, municipality, instance) VALUES (:e, :p, :m, :i)"),
            {"e": event["id"], "p": event["data"]["id"], "m": event["municipality"], "i": self.instance},
        )


@pytest.fixture
def recorder_config(make_config, make_database):
    url = make_database("proposals")  # any migrated database has the outbox and processed-event tables
    with engine_for(url).begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE recorded (event_id uuid, proposal_id uuid, municipality text, instance text)"
        ))

    def make(**overrides):
        return make_config("proposals", **{"SERVICE": "recorder", "DATABASE_URL": url, **overrides})

    make.url = url
    return make


def recorded(url):
    with engine_for(url).connect() as conn:
        return conn.execute(sa.text("SELECT event_id, proposal_id, municipality, instance FROM recorded")).all()


# The broker and the services here take a little longer to settle than a unit of work.
wait_for = partial(testing.wait_for, timeout=20.0, interval=0.1)


def proposal_payload(title):
    return {"kind": "development", "title": title, "problem": "A problem.", "goal": "A goal.", "language": "da"}


def submitted_event(municipality="aalborg", title="A proposal"):
    pid = uuid.uuid4()
    return events.make(
        "samskab.proposal.submitted", municipality=municipality, service="proposals",
        subject=f"proposals/{pid}",
        data={
            "id": str(pid), "municipality": municipality, "kind": "service", "title": title,
            "problem": "p", "goal": "g", "language": "da", "status": "submitted",
            "initiator_id": str(uuid.uuid4()), "initiator_role": "resident",
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        },
    )


def publish_internal(uri, envelopes):
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([
            (events.EVENTS_EXCHANGE, events.routing_key(e["municipality"], e["type"]), e) for e in envelopes
        ])
    finally:
        publisher.close()


def test_the_same_event_delivered_twice_has_one_effect(container_factory, recorder_config, broker_uri):
    container = container_factory(Recorder, recorder_config())
    container.start()
    event = submitted_event()
    publish_internal(broker_uri, [event, event])
    publish_internal(broker_uri, [event])
    assert wait_for(lambda: recorded(recorder_config.url))
    eventlet.sleep(1.0)  # time for the redeliveries to be handled too
    rows = recorded(recorder_config.url)
    assert [str(r.event_id) for r in rows] == [event["id"]]


def test_a_failing_handler_dead_letters_after_retries_and_replay_handles_it(
        container_factory, recorder_config, broker_uri):
    config = recorder_config(RETRY_DELAYS_MS=[50, 100])
    container = container_factory(Recorder, config)
    container.start()
    Recorder.failing_titles.add("poison")
    try:
        poison = submitted_event(title="poison")
        good = [submitted_event(title=f"fine {i}") for i in range(5)]
        publish_internal(broker_uri, [poison] + good)
        dead = f"{queue_name('recorder', 'on_submitted', '*')}.dlq"

        def dead_letters():
            return dlq.show(broker_uri, dead)

        letters = wait_for(dead_letters, timeout=20)
        assert [item["message_id"] for item in letters] == [poison["id"]]
        assert "cannot cope" in letters[0]["reason"]
        # the other messages kept flowing
        assert {str(r.event_id) for r in recorded(recorder_config.url)} == {e["id"] for e in good}
    finally:
        Recorder.failing_titles.discard("poison")
    # the fix is deployed: replay
    assert dlq.replay(broker_uri, dead) == 1
    assert wait_for(lambda: poison["id"] in {str(r.event_id) for r in recorded(recorder_config.url)})
    assert dlq.show(broker_uri, dead) == []


def test_a_malformed_message_goes_straight_to_the_dead_letter_queue(container_factory, recorder_config, broker_uri):
    import amqp as pyamqp
    from samskab.amqp_publish import connection_params

    container = container_factory(Recorder, recorder_config())
    container.start()
    queue = queue_name("recorder", "on_submitted", "*")
    conn = pyamqp.Connection(**connection_params(broker_uri))
    conn.connect()
    ch = conn.channel()
    ch.basic_publish(pyamqp.Message(b"{not json", content_type="application/json", message_id="bad-1"),
                     exchange="", routing_key=queue)
    ch.basic_publish(pyamqp.Message(json.dumps({"specversion": "1.0"}).encode(),
                                    content_type="application/cloudevents+json", message_id="bad-2"),
                     exchange="", routing_key=queue)
    conn.close()
    letters = wait_for(lambda: len(dlq.show(broker_uri, queue + ".dlq")) == 2 and dlq.show(broker_uri, queue + ".dlq"))
    reasons = {item["message_id"]: item["reason"] for item in letters}
    assert "undecodable application/json body" in reasons["bad-1"]
    assert "lacks" in reasons["bad-2"]
    # and the service still works
    good = submitted_event()
    publish_internal(broker_uri, [good])
    assert wait_for(lambda: recorded(recorder_config.url))


def test_an_instance_for_aalborg_handles_none_of_hjorrings_events(container_factory, recorder_config, broker_uri):
    aalborg_only = container_factory(Recorder, recorder_config(MUNICIPALITIES=("aalborg",), INSTANCE="aalborg"))
    hjorring_only = container_factory(Recorder, recorder_config(MUNICIPALITIES=("hjorring",), INSTANCE="hjorring"))
    aalborg_only.start()
    hjorring_only.start()
    sent = [submitted_event("aalborg") for _ in range(10)] + [submitted_event("hjorring") for _ in range(10)]
    publish_internal(broker_uri, sent)
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 20)
    eventlet.sleep(0.5)
    rows = recorded(recorder_config.url)
    assert len(rows) == 20
    assert {(r.instance, r.municipality) for r in rows} == {("aalborg", "aalborg"), ("hjorring", "hjorring")}


def test_two_instances_split_a_stream_without_handling_any_event_twice(
        container_factory, recorder_config, broker_uri):
    first = container_factory(Recorder, recorder_config(INSTANCE="first", max_workers=4))
    second = container_factory(Recorder, recorder_config(INSTANCE="second", max_workers=4))
    first.start()
    second.start()
    sent = [submitted_event(m) for m in ("aalborg", "hjorring") for _ in range(100)]
    publish_internal(broker_uri, sent)
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 200, timeout=30)
    eventlet.sleep(0.5)
    rows = recorded(recorder_config.url)
    assert sorted(str(r.event_id) for r in rows) == sorted(e["id"] for e in sent)
    by_instance = {r.instance for r in rows}
    assert by_instance == {"first", "second"}, "both instances took a share of the work"


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def test_events_committed_while_the_broker_is_down_all_arrive_once(
        container_factory, make_config, recorder_config, broker_uri):
    proposals = container_factory(Proposals, make_config("proposals"))
    recorder = container_factory(Recorder, recorder_config())
    proposals.start()
    recorder.start()
    subscriber = Subscriber(broker_uri, "aalborg.#", durable_name=f"third-party-{uuid.uuid4().hex[:6]}")
    created = []
    with entrypoint_hook(proposals, "submit") as submit:
        for i in range(5):
            created.append(submit("aalborg", ACTOR, proposal_payload(f"before {i}"))["id"])
        subscriber.close()
        rabbitmqctl("stop_app")
        try:
            for i in range(10):
                created.append(submit("aalborg", ACTOR, proposal_payload(f"during {i}"))["id"])
            eventlet.sleep(2.0)
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
    subscriber.connect()
    received = subscriber.drain(expect=15, timeout=60)
    ids = [json.loads(body)["data"]["id"] for _, _, body in received]
    assert sorted(ids) == sorted(created), "every event arrives, each exactly once"
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 15, timeout=60)
    eventlet.sleep(0.5)
    assert sorted(str(r.proposal_id) for r in recorded(recorder_config.url)) == sorted(created)
    subscriber.channel.queue_delete(subscriber.queue)
    subscriber.close()


class Sleeper(ServiceBase):
    name = "sleeper"
    db = Database(relay=False)

    @rpc
    def nap(self):
        with self.db as uow:
            uow.execute(sa.text("SELECT pg_sleep(0.5)"))


def test_two_slow_queries_in_two_workers_overlap(container_factory, make_config):
    container = container_factory(Sleeper, make_config("proposals", SERVICE="sleeper"))
    container.start()
    started = time.perf_counter()
    with entrypoint_hook(container, "nap") as nap:
        threads = [eventlet.spawn(nap) for _ in range(2)]
        for t in threads:
            t.wait()
    elapsed = time.perf_counter() - started
    assert elapsed < 0.9, f"two 0.5 s queries took {elapsed:.2f} s: the driver blocks the hub"


class Forgetter(ServiceBase):
    """Serves hjorring only, but must hear every municipality's erasures."""

    name = "forgetter"
    db = Database()
    instance = Instance()

    @consume("samskab.participant.erased", every_municipality=True)
    def on_erased(self, event):
        self.db.execute(
            sa.text("INSERT INTO recorded (event_id, proposal_id, municipality, instance) VALUES (:e, :p, :m, :i)"),
            {"e": event["id"], "p": event["data"]["id"], "m": event["municipality"], "i": self.instance},
        )


def test_an_instance_group_hears_erasures_from_every_municipality(container_factory, recorder_config, broker_uri):
    hjorring_only = container_factory(Forgetter, recorder_config(MUNICIPALITIES=("hjorring",), SERVICE="forgetter"))
    hjorring_only.start()
    erased = [events.make("samskab.participant.erased", municipality=m, service="gateway",
                          subject="participants/x", data={"id": str(uuid.uuid4()), "municipality": m})
              for m in ("aalborg", "hamar", "hjorring")]
    publish_internal(broker_uri, erased)
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 3)
    assert sorted(r.municipality for r in recorded(recorder_config.url)) == ["aalborg", "hamar", "hjorring"]


def transaction_sizes(url):
    """How many recorded rows each committed transaction wrote."""
    with engine_for(url).connect() as conn:
        return sorted(r.n for r in conn.execute(sa.text("SELECT xmin::text, count(*) AS n FROM recorded GROUP BY 1")))


def test_events_that_arrive_together_share_a_transaction_up_to_the_batch_size(
        container_factory, recorder_config, broker_uri):
    container = container_factory(Recorder, recorder_config(EVENT_BATCH=4))
    container.start()
    sent = [submitted_event() for _ in range(40)]
    publish_internal(broker_uri, sent)
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 40)
    eventlet.sleep(0.3)
    assert sorted(str(r.event_id) for r in recorded(recorder_config.url)) == sorted(e["id"] for e in sent)
    sizes = transaction_sizes(recorder_config.url)
    assert max(sizes) <= 4, f"a transaction held more than EVENT_BATCH events: {sizes}"
    assert max(sizes) > 1, "forty events sent at once were each handled in a transaction of their own"


def test_a_failing_event_costs_the_rest_of_its_batch_nothing(container_factory, recorder_config, broker_uri):
    container = container_factory(Recorder, recorder_config(EVENT_BATCH=50, RETRY_DELAYS_MS=[60000]))
    container.start()
    redone = metrics.for_service("recorder").event_batches_redone
    redone_before = redone._value.get()
    Recorder.failing_titles.add("poison")
    try:
        sent = [submitted_event(title=f"fine {i}") for i in range(10)]
        sent.insert(5, submitted_event(title="poison"))
        publish_internal(broker_uri, sent)
        assert wait_for(lambda: len(recorded(recorder_config.url)) >= 10)
        eventlet.sleep(0.5)
        rows = recorded(recorder_config.url)
        assert sorted(str(r.event_id) for r in rows) == sorted(e["id"] for e in sent if e["data"]["title"] != "poison")
        assert redone._value.get() > redone_before, "the batch with the failing event was rolled back and redone"
        retry = f"{queue_name('recorder', 'on_submitted', '*')}.retry.1"
        assert [m["message_id"] for m in dlq.show(broker_uri, retry)] == [sent[5]["id"]], \
            "the failing event alone waits for its retry"
    finally:
        Recorder.failing_titles.discard("poison")


class OneByOne(ServiceBase):
    """Like Recorder, but its handler asks for a transaction per event."""

    name = "one_by_one"
    db = Database()

    @consume("samskab.proposal.submitted", batch=1)
    def on_submitted(self, event):
        self.db.execute(
            sa.text("INSERT INTO recorded (event_id, proposal_id, municipality, instance) VALUES (:e, :p, :m, 'x')"),
            {"e": event["id"], "p": event["data"]["id"], "m": event["municipality"]},
        )


def test_a_handler_can_ask_for_a_transaction_per_event(container_factory, recorder_config, broker_uri):
    container = container_factory(OneByOne, recorder_config(SERVICE="one_by_one", EVENT_BATCH=50))
    container.start()
    sent = [submitted_event() for _ in range(20)]
    publish_internal(broker_uri, sent)
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 20)
    assert transaction_sizes(recorder_config.url) == [1] * 20


class TwoPaces(ServiceBase):
    """Two consumers on one channel: one batching, one an event at a time."""

    name = "two_paces"
    db = Database()

    @consume("samskab.proposal.submitted")
    def batched(self, event):
        pass

    @consume("samskab.participant.erased", batch=1)
    def one_at_a_time(self, event):
        pass


def test_each_queue_gets_a_prefetch_for_its_own_batch_size(container_factory, recorder_config, broker_uri):
    from urllib.parse import quote, urlparse

    import requests

    from samskab.devservices import rabbitmq_management

    container = container_factory(TwoPaces, recorder_config(SERVICE="two_paces", EVENT_BATCH=7, max_workers=3))
    container.start()
    api = rabbitmq_management()
    vhost = urlparse(broker_uri).path[1:]

    def prefetch_of_both_queues():  # the management API lists consumers a moment after they start
        r = requests.get(f"{api}/api/consumers/{quote(vhost, safe='')}", timeout=5)
        r.raise_for_status()
        # event queues only: the service's RPC queue (samskab.<service>.rpc-requests) has its own consumer
        found = {c["queue"]["name"]: c["prefetch_count"] for c in r.json()
                 if c["queue"]["name"].startswith("samskab.") and ".rpc-requests" not in c["queue"]["name"]}
        return found if len(found) == 2 else None

    seen = wait_for(prefetch_of_both_queues)
    assert seen == {queue_name("two_paces", "batched", "*"): 3 * 7, queue_name("two_paces", "one_at_a_time", "*"): 3}


class LockStep(ServiceBase):
    """A request and a batch of events that take two locks in opposite orders."""

    name = "lock_step"
    db = Database()

    @rpc
    def a_then_b(self):
        with self.db as uow:
            uow.execute(sa.text("SELECT pg_advisory_xact_lock(7001)"))  # A
            uow.execute(sa.text("SELECT pg_advisory_xact_lock(7002)"))  # B
        return "done"

    @consume("samskab.proposal.submitted")
    def on_submitted(self, event):
        if event["data"]["title"] == "takes B":
            self.db.execute(sa.text("SELECT pg_advisory_xact_lock(7002), pg_sleep(0.6)"))
        else:
            self.db.execute(sa.text("SELECT pg_advisory_xact_lock(7001)"))
        self.db.execute(
            sa.text("INSERT INTO recorded (event_id, proposal_id, municipality, instance) VALUES (:e, :p, :m, 'x')"),
            {"e": event["id"], "p": event["data"]["id"], "m": event["municipality"]},
        )


def test_in_a_deadlock_with_a_request_the_batch_gives_way(container_factory, recorder_config, broker_uri):
    import amqp as pyamqp
    from samskab.amqp_publish import connection_params

    # The queue exists before the service starts, so both events reach it in one delivery burst.
    queue = queue_name("lock_step", "on_submitted", "*")
    conn = pyamqp.Connection(**connection_params(broker_uri))
    conn.connect()
    channel = conn.channel()
    channel.exchange_declare(events.EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
    channel.queue_declare(queue, durable=True, auto_delete=False)
    channel.queue_bind(queue, events.EVENTS_EXCHANGE, routing_key="*.proposal.submitted")
    conn.close()
    sent = [submitted_event(title="takes B"), submitted_event(title="takes A")]
    publish_internal(broker_uri, sent)

    container = container_factory(LockStep, recorder_config(SERVICE="lock_step"))
    container.start()

    def b_is_held():
        with engine_for(recorder_config.url).connect() as c:
            return c.execute(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND objid = 7002 AND granted")).scalar()

    assert wait_for(b_is_held, timeout=10, interval=0.01), "the batch did not start"
    # The request takes A, then waits for B (the batch holds it); the batch then waits
    # for A: a deadlock, and the request has waited longer, so PostgreSQL would pick it.
    with entrypoint_hook(container, "a_then_b") as a_then_b:
        assert a_then_b() == "done"
    assert wait_for(lambda: len(recorded(recorder_config.url)) >= 2)
    assert sorted(str(r.event_id) for r in recorded(recorder_config.url)) == sorted(e["id"] for e in sent)
    assert metrics.for_service("lock_step").event_batches_redone._value.get() == 1
