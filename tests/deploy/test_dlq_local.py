"""`make dlq` under `make run`: the platform's vhost and the queue's own service user."""
import json

from samskab import dlq
from samskab.amqp_publish import connection_params


def test_under_make_run_the_dead_letters_are_those_of_the_platforms_vhost_and_its_service_users(tmp_path):
    users = tmp_path / "rabbitmq-users.json"
    users.write_text(json.dumps({"samskab-proposals": "p/w:1"}), encoding="utf-8")
    listing = connection_params(dlq.uri_for(None, {}, users))
    assert listing["virtual_host"] == "samskab"
    replay = connection_params(dlq.uri_for("samskab.proposals.on_matched.dlq", {}, users))
    assert (replay["virtual_host"], replay["userid"], replay["password"]) == ("samskab", "samskab-proposals", "p/w:1")


def test_a_services_own_uri_wins_then_amqp_uri_then_the_default(tmp_path):
    env = {"AMQP_URI": "amqp://ops:x@broker:5672/samskab", "MEETINGS_AMQP_URI": "amqp://samskab-meetings:y@broker:5672/samskab"}
    assert dlq.uri_for("samskab.meetings.on_x.dlq", env, tmp_path / "none") == env["MEETINGS_AMQP_URI"]
    assert dlq.uri_for("samskab.proposals.on_x.dlq", env, tmp_path / "none") == env["AMQP_URI"]
    assert dlq.uri_for(None, {}, tmp_path / "none") == "amqp://guest:guest@localhost:5672/"
