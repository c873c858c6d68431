"""What the broker itself refuses, with the users of deploy/rabbitmq/definitions.json:
a forged user_id, an instance group publishing another municipality's routing
keys, and a third party (made by the onboarding command) binding another
municipality or publishing anything."""
import json
import subprocess
import sys
import uuid

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from samskab import broker_definitions as defs

pytestmark = pytest.mark.integration


def connect(uri):
    return pika.BlockingConnection(pika.URLParameters(uri))


def refused(action, code=403):
    """True when the broker refuses ``action`` by closing the channel with ``code``."""
    try:
        action()
    except ChannelClosedByBroker as exc:
        return exc.reply_code == code
    return False


def publish(conn, exchange, key, user_id=None):
    def go():
        channel = conn.channel()
        channel.confirm_delivery()
        channel.basic_publish(exchange, key, b"{}", pika.BasicProperties(user_id=user_id))
    return go


def test_the_broker_refuses_a_message_whose_user_id_names_someone_else(people):
    [proposals] = people.services("proposals")
    conn = connect(people.uri(proposals))
    assert refused(publish(conn, "samskab.events", "aalborg.participant.password_reset_requested",
                           user_id=people.user("gateway")), code=406)
    # its own name is fine
    publish(conn, "samskab.events", "aalborg.proposal.submitted", user_id=proposals)()
    conn.close()


def test_an_instance_group_publishes_only_its_own_municipalities_routing_keys(people):
    [north] = people.services("proposals", municipalities=["aalborg", "hjorring"], group="north")
    [everyone] = people.services("proposals")
    conn = connect(people.uri(north))
    publish(conn, "samskab.events", "aalborg.proposal.submitted", north)()
    publish(conn, "samskab.public", "hjorring.proposal.submitted", north)()
    assert refused(publish(conn, "samskab.events", "hamar.proposal.submitted", north))
    assert refused(publish(conn, "samskab.public", "hamar.proposal.submitted", north))
    assert refused(publish(conn, "samskab.events", "aalborgx.proposal.submitted", north))
    conn.close()
    conn = connect(people.uri(everyone))
    publish(conn, "samskab.events", "hamar.proposal.submitted", everyone)()
    conn.close()


def test_only_the_gateway_may_call_a_service_a_backend_may_only_reply(people):
    proposals, gateway = people.services("proposals", "gateway")
    conn = connect(people.uri(gateway))
    setup = conn.channel()
    for name in ("samskab.rpc.meetings", "nameko-rpc"):
        setup.exchange_declare(name, "topic", durable=True)
    publish(conn, "samskab.rpc.meetings", "aalborg.register", gateway)()
    publish(conn, "nameko-rpc", "meetings.register", gateway)()
    conn.close()
    conn = connect(people.uri(proposals))
    assert refused(publish(conn, "samskab.rpc.meetings", "aalborg.register", proposals))
    assert refused(publish(conn, "samskab.rpc.meetings", "_home.export_participant", proposals))
    assert refused(publish(conn, "nameko-rpc", "meetings.register", proposals))
    publish(conn, "nameko-rpc", str(uuid.uuid4()), proposals)()  # a reply to the gateway's reply queue
    conn.close()


def test_a_partner_made_by_the_onboarding_command_reads_its_municipalities_and_publishes_nothing(people):
    name, user = people.partner("press", ["aalborg"])
    [proposals] = people.services("proposals")
    conn = connect(people.uri(user))
    queue = f"tp.{name}.main"
    conn.channel().queue_declare(queue, durable=True)
    conn.channel().queue_bind(queue, "samskab.public", routing_key="aalborg.#")
    assert refused(lambda: conn.channel().queue_bind(queue, "samskab.public", routing_key="hamar.#"))
    assert refused(lambda: conn.channel().queue_bind(queue, "samskab.public", routing_key="#"))
    assert refused(lambda: conn.channel().queue_bind(queue, "samskab.events", routing_key="aalborg.#"))
    for exchange, key in (("samskab.public", "aalborg.proposal.published"),
                          ("samskab.events", "aalborg.proposal.published"), ("", queue)):
        assert refused(publish(conn, exchange, key, user)), exchange or "the default exchange"
    # what the platform publishes for aalborg arrives; hamar's does not
    platform = connect(people.uri(proposals))
    channel = platform.channel()
    channel.confirm_delivery()
    for m in ("aalborg", "hamar"):
        channel.basic_publish("samskab.public", f"{m}.proposal.published", json.dumps({"m": m}).encode(),
                              pika.BasicProperties(user_id=proposals))
    platform.close()
    received, channel = [], conn.channel()
    for _ in range(100):
        method, _props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            if received:
                break
            conn.sleep(0.05)
            continue
        received.append(json.loads(body)["m"])
    assert received == ["aalborg"]
    conn.close()


def test_the_onboarding_command_prints_the_connection_details(people):
    name = f"{people.prefix[:-1]}-cli"
    out = subprocess.run([sys.executable, str(defs.ROOT / "scripts" / "onboard_partner.py"), name,
                          "aalborg,hjorring", "--vhost", people.vhost, "--host", "broker.example.org"],
                         capture_output=True, text=True, check=True).stdout
    people.passwords[defs.partner_user(name)] = "made by the command"  # for the clean-up
    assert f"amqps://tp-{name}:" in out and "@broker.example.org:5671/" in out
    assert "samskab.public" in out and "aalborg.#, hjorring.#" in out and f"tp.{name}." in out


def test_definitions_json_is_what_the_generator_makes():
    assert (defs.FILE.read_text(encoding="utf-8")) == defs.render(defs.generate())
    users = {u["name"] for u in defs.load()["users"]}
    assert {f"samskab-{s}" for s in ("gateway", "proposals", "matching", "meetings", "notifications")} <= users
    assert "guest" not in users
    assert all(u["password_hash"] == "" for u in defs.load()["users"])  # no secret in the repository
