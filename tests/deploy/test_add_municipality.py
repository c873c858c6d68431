"""A municipality added to a running instance group: the group's existing queue is
bound to its routing keys (no new queue name, nothing to drain), and nothing
published meanwhile is lost."""
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import requests

from samskab.consumer import queue_name
from samskab.devservices import rabbitmq_management

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_backbone import Recorder, publish_internal, recorded, recorder_config, submitted_event, wait_for  # noqa: E402,F401

pytestmark = pytest.mark.integration


def queues_of(broker_uri, service):
    vhost = urlparse(broker_uri).path[1:]
    r = requests.get(f"{rabbitmq_management()}/api/queues/{quote(vhost, safe='')}", timeout=5)
    r.raise_for_status()
    return sorted(q["name"] for q in r.json() if q["name"].startswith(f"samskab.{service}.")
                  and ".rpc-requests" not in q["name"])


def test_a_municipality_added_to_a_running_group_binds_its_queue_and_loses_nothing(
        container_factory, recorder_config, broker_uri):
    before = container_factory(Recorder, recorder_config(INSTANCE_GROUP="north", MUNICIPALITIES=["aalborg"]))
    before.start()
    first = submitted_event("aalborg", "before the change")
    publish_internal(broker_uri, [first])
    assert wait_for(lambda: len(recorded(recorder_config.url)) == 1)
    queues = queues_of(broker_uri, "recorder")
    assert queue_name("recorder", "on_submitted", ["aalborg"], "north") in queues

    # The rollout: the old instances stop, events keep coming, the new ones serve hjorring too.
    before.stop()
    meanwhile = submitted_event("aalborg", "while the group restarts")
    publish_internal(broker_uri, [meanwhile])
    after = container_factory(Recorder, recorder_config(INSTANCE_GROUP="north", MUNICIPALITIES=["aalborg", "hjorring"]))
    after.start()
    added = submitted_event("hjorring", "the new municipality")
    publish_internal(broker_uri, [added])

    assert wait_for(lambda: len(recorded(recorder_config.url)) == 3)
    assert {str(r.event_id) for r in recorded(recorder_config.url)} == {first["id"], meanwhile["id"], added["id"]}
    assert queues_of(broker_uri, "recorder") == queues  # the same queues: no new name, nothing to drain
