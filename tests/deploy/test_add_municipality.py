"""A municipality added to a running instance group: the group's existing queues (its
event queues and its RPC queue) are bound to its routing keys (no new queue name, nothing to drain), and nothing
published meanwhile is lost."""
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import requests

from samskab.consumer import queue_name
from samskab.devservices import rabbitmq_management
from samskab.rpc import queue_name as rpc_queue_name
from samskab.service import ServiceBase, rpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_backbone import Recorder, publish_internal, recorded, recorder_config, submitted_event, wait_for  # noqa: E402,F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trust"))
import rpc_client  # noqa: E402

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


class Answerer(ServiceBase):
    """A service with one RPC method that names its municipality, as every backend's do."""

    name = "answerer"

    @rpc
    def where(self, municipality):
        return municipality


def rpc_queues_of(broker_uri, service):
    vhost = urlparse(broker_uri).path[1:]
    r = requests.get(f"{rabbitmq_management()}/api/queues/{quote(vhost, safe='')}", timeout=5)
    r.raise_for_status()
    return sorted(q["name"] for q in r.json() if q["name"].startswith(f"samskab.{service}.rpc-requests"))


def test_a_municipality_added_to_a_named_group_is_answered_on_the_same_rpc_queue(
        container_factory, make_config, broker_uri):
    def config(municipalities):
        return make_config("proposals", SERVICE="answerer", INSTANCE_GROUP="north", MUNICIPALITIES=municipalities)

    before = container_factory(Answerer, config(["aalborg"]))
    before.start()
    assert rpc_client.call(broker_uri, "answerer", "aalborg.where", ["aalborg"])["result"] == "aalborg"
    queues = rpc_queues_of(broker_uri, "answerer")
    assert queues == [rpc_queue_name("answerer", {"INSTANCE_GROUP": "north"})] == ["samskab.answerer.rpc-requests@north"]
    before.stop()

    after = container_factory(Answerer, config(["aalborg", "hjorring"]))
    after.start()
    answer = rpc_client.call(broker_uri, "answerer", "hjorring.where", ["hjorring"])
    assert answer["result"] == "hjorring" and answer["group"] == "north"
    assert rpc_client.call(broker_uri, "answerer", "aalborg.where", ["aalborg"])["result"] == "aalborg"
    assert rpc_queues_of(broker_uri, "answerer") == queues  # the same queue: nothing to drain
