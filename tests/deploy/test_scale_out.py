"""Scale-out: instances of one service share their queue and split the work;
an instance group limited to one municipality takes only that municipality's events.

A tiny test-only service (it consumes ``samskab.proposal.submitted`` through
``samskab.consumer.consume`` and records what it handled in its own database)
runs as separate processes, as the real services do in their containers:

* group ``*``: two instances, MUNICIPALITIES=* → queue samskab.scaletest.on_submitted
* group ``hjorring``: one instance, MUNICIPALITIES=hjorring → queue samskab.scaletest.on_submitted@hjorring

Run one instance by hand: ``python tests/deploy/test_scale_out.py`` with the
environment the test gives it (AMQP_URI, MUNICIPALITIES, DATABASE_URL, METRICS_PORT, INSTANCE).
"""
from samskab import green

green.patch()

import collections  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import quote, urlparse  # noqa: E402

import eventlet  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.dialects import postgresql as pg  # noqa: E402

from samskab import contracts  # noqa: E402,F401  (registers the event types)
from samskab import events  # noqa: E402
from samskab.amqp_publish import ConfirmingPublisher  # noqa: E402
from samskab.consumer import consume  # noqa: E402
from samskab.db import Database, backbone_metadata, driver_url  # noqa: E402
from samskab.health import Health  # noqa: E402

pytestmark = pytest.mark.integration

MANAGEMENT = "http://guest:guest@localhost:15672/api"
PER_MUNICIPALITY = 40
MUNICIPALITIES = ("aalborg", "hamar", "hjorring")

handled = sa.Table(
    "handled",
    sa.MetaData(),
    # No unique constraint on purpose: an event handled twice shows up as two rows.
    sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("instance", sa.Text, nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


class ScaleTestService:
    """Records every proposal submission it handles, with the instance that handled it."""

    name = "scaletest"
    db = Database(relay=False)
    health = Health()

    @consume("samskab.proposal.submitted")
    def on_submitted(self, event):
        eventlet.sleep(0.005)  # a little work, so a busy instance leaves some to the other
        self.db.execute(handled.insert().values(
            event_id=uuid.UUID(event["id"]), municipality=event["municipality"], instance=os.environ["INSTANCE"],
        ))


def run_instance():
    """Entry point of one instance process (the test starts three)."""
    import signal

    from nameko.runners import ServiceRunner

    from samskab.config import parse_municipalities

    config = {
        "SERVICE": "scaletest",
        "AMQP_URI": os.environ["AMQP_URI"],
        "MUNICIPALITIES": parse_municipalities(os.environ["MUNICIPALITIES"]),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "METRICS_PORT": int(os.environ["METRICS_PORT"]),
        "RETRY_DELAYS_MS": [200, 500],
        "max_workers": 10,
    }
    runner = ServiceRunner(config)
    runner.add_service(ScaleTestService)
    stopping = eventlet.event.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.ready() or stopping.send(True))
    runner.start()
    stopping.wait()
    runner.stop()
    return 0


# -- the test ------------------------------------------------------------------


def proposal(municipality):
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "id": str(uuid.uuid4()), "municipality": municipality, "kind": "development",
        "title": "Delebiler i landsbyerne", "problem": "Few buses after six.", "goal": "A car-sharing club in every village.",
        "language": "da", "status": "submitted", "initiator_id": str(uuid.uuid4()), "initiator_role": "resident",
        "created_at": now.isoformat(),
    }


def publish(amqp_uri):
    """Submissions for three municipalities straight to samskab.events; their ids by municipality."""
    envelopes = [
        events.make("samskab.proposal.submitted", municipality=m, service="proposals",
                    subject=f"proposals/{i}", data=proposal(m))
        for i in range(PER_MUNICIPALITY) for m in MUNICIPALITIES
    ]
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        publisher.publish_batch([
            (events.EVENTS_EXCHANGE, events.routing_key(e["municipality"], e["type"]), e) for e in envelopes
        ])
    finally:
        publisher.close()
    ids = collections.defaultdict(set)
    for e in envelopes:
        ids[e["municipality"]].add(uuid.UUID(e["id"]))
    return ids


@pytest.fixture
def group_database(fresh_database):
    """A database of its own per instance group, with the backbone tables and ``handled``."""
    from samskab.migrate import create_database_if_missing

    engines = []

    def make():
        url = fresh_database("scaletest")
        create_database_if_missing(url)
        engine = sa.create_engine(driver_url(url), poolclass=sa.pool.NullPool)
        backbone_metadata.create_all(engine)
        handled.create(engine)
        engines.append(engine)
        return url, engine

    yield make
    for engine in engines:
        engine.dispose()


def rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(handled.c.event_id, handled.c.municipality, handled.c.instance)).all()


def consumers_of(amqp_uri, queue, expect, seconds=20):
    """The consumer count of ``queue`` once it is ``expect`` (the management API's
    statistics lag a few seconds behind), or the last count seen."""
    vhost = urlparse(amqp_uri).path[1:] or "/"
    deadline = time.monotonic() + seconds
    count = None
    while time.monotonic() < deadline:
        r = requests.get(f"{MANAGEMENT}/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}", timeout=5)
        r.raise_for_status()
        count = r.json().get("consumers")
        if count == expect:
            break
        time.sleep(0.5)
    return count


def test_two_instances_split_the_work_and_a_hjorring_group_takes_only_hjorring(broker_uri, group_database, tmp_path):
    from deploy_processes import ServiceProcess, free_port

    all_url, all_db = group_database()
    hjorring_url, hjorring_db = group_database()
    instances = {
        "all-1": ("*", all_url),
        "all-2": ("*", all_url),
        "hjorring-1": ("hjorring", hjorring_url),
    }
    processes = {}
    try:
        for name, (scope, url) in instances.items():
            port = free_port()
            env = {"AMQP_URI": broker_uri, "MUNICIPALITIES": scope, "DATABASE_URL": url,
                   "METRICS_PORT": str(port), "INSTANCE": name}
            processes[name] = ServiceProcess([sys.executable, __file__], env, tmp_path / f"{name}.log", port)
        for process in processes.values():
            process.wait_until("/healthz")
        assert consumers_of(broker_uri, "samskab.scaletest.on_submitted", expect=2) == 2
        assert consumers_of(broker_uri, "samskab.scaletest.on_submitted@hjorring", expect=1) == 1

        published = publish(broker_uri)
        everything = set().union(*published.values())

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(rows(all_db)) >= len(everything) and len(rows(hjorring_db)) >= len(published["hjorring"]):
                break
            time.sleep(0.2)
        time.sleep(1.0)  # anything handled twice or taken wrongly would arrive now

        all_rows, hjorring_rows = rows(all_db), rows(hjorring_db)
        # The "*" group handled every event exactly once, and both instances did part of it.
        assert sorted(r.event_id for r in all_rows) == sorted(everything)
        by_instance = collections.Counter(r.instance for r in all_rows)
        assert set(by_instance) == {"all-1", "all-2"}, by_instance
        assert min(by_instance.values()) >= len(everything) // 10, by_instance
        # The hjorring group handled each Hjørring event once and nothing of Aalborg or Hamar.
        assert sorted(r.event_id for r in hjorring_rows) == sorted(published["hjorring"])
        assert {r.municipality for r in hjorring_rows} == {"hjorring"}
        assert {r.instance for r in hjorring_rows} == {"hjorring-1"}
    finally:
        codes = {name: p.terminate() for name, p in processes.items()}
    assert codes == {name: 0 for name in processes}, {n: p.output() for n, p in processes.items()}


if __name__ == "__main__":
    sys.exit(run_instance())
