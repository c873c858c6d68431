"""deploy/rabbitmq/definitions.json, imported into the real broker (a throw-away
vhost), gives the exchanges, the dead-letter policy and a third-party user who
can bind its own queues to samskab.public and read them, and nothing else."""
import base64
import hashlib
import json
import os
import time
import uuid
from urllib.parse import quote

import pika
import pytest
import requests
from pika.exceptions import ChannelClosedByBroker

from deploy_processes import ROOT

pytestmark = pytest.mark.integration

API = "http://localhost:15672/api"
ADMIN = ("guest", "guest")
TEMPLATE_USER = "tp-example-press"


def sha256_password_hash(password):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


@pytest.fixture
def imported():
    """The definitions imported into a vhost of their own, with a password for the template user."""
    suffix = uuid.uuid4().hex[:8]
    vhost, user, password = f"samskab-defs-{suffix}", f"{TEMPLATE_USER}-{suffix}", uuid.uuid4().hex
    text = (ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8")
    definitions = json.loads(text.replace('"samskab"', json.dumps(vhost)).replace(f'"{TEMPLATE_USER}"', json.dumps(user)))
    for entry in definitions["users"]:
        if entry["name"] == user:
            entry["password_hash"] = sha256_password_hash(password)
    definitions["permissions"].append({"user": "guest", "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"})
    r = requests.post(f"{API}/definitions", json=definitions, auth=ADMIN, timeout=30)
    assert r.status_code in (200, 201, 204), r.text
    try:
        yield vhost, user, password
    finally:
        requests.delete(f"{API}/vhosts/{quote(vhost, safe='')}", auth=ADMIN, timeout=30)
        requests.delete(f"{API}/users/{quote(user, safe='')}", auth=ADMIN, timeout=30)


def connect(vhost, user, password):
    return pika.BlockingConnection(pika.ConnectionParameters(
        "localhost", 5672, vhost, pika.PlainCredentials(user, password), connection_attempts=3))


def refused(action):
    """True when the broker refuses ``action`` (it closes the channel with 403 ACCESS_REFUSED)."""
    try:
        action()
    except ChannelClosedByBroker as exc:
        return exc.reply_code == 403
    return False


def test_a_third_party_binds_its_own_queue_to_the_public_exchange_and_reads_it(imported):
    vhost, user, password = imported
    platform = connect(vhost, "guest", "guest").channel()
    partner_conn = connect(vhost, user, password)
    partner = partner_conn.channel()
    queue = "tp.example-press.aalborg"
    partner.queue_declare(queue, durable=True)
    partner.queue_bind(queue, "samskab.public", routing_key="aalborg.#")

    platform.basic_publish("samskab.public", "aalborg.proposal.published", b'{"id": "1"}')
    platform.basic_publish("samskab.public", "hjorring.proposal.published", b'{"id": "2"}')

    received = []
    for _ in range(50):
        method, _props, body = partner.basic_get(queue, auto_ack=True)
        if method is not None:
            received.append(body)
        elif received:
            break
        else:
            partner_conn.sleep(0.1)
    assert received == [b'{"id": "1"}']
    partner_conn.close()


def test_a_third_party_cannot_reach_internal_events_other_queues_or_publish(imported):
    vhost, user, password = imported
    conn = connect(vhost, user, password)
    own = "tp.example-press.all"
    conn.channel().queue_declare(own, durable=True)

    assert refused(lambda: conn.channel().queue_bind(own, "samskab.events", routing_key="#"))
    assert refused(lambda: conn.channel().queue_declare("samskab.matching.on_submitted", durable=True))
    assert refused(lambda: conn.channel().queue_declare("tp.other-press.all", durable=True))

    def publish_public():
        channel = conn.channel()
        channel.confirm_delivery()
        channel.basic_publish("samskab.public", "aalborg.proposal.published", b"{}")

    assert refused(publish_public)
    conn.close()


def test_work_queues_get_the_dead_letter_policy_and_dead_letters_have_a_queue(imported):
    vhost, _user, _password = imported
    channel = connect(vhost, "guest", "guest").channel()
    channel.queue_declare("samskab.matching.on_submitted@aalborg", durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_declare("samskab.matching.on_submitted@aalborg.dlq", durable=True)

    def policy_of(queue, expect=None):
        # The management API shows a new queue's policy with its next statistics round.
        for _ in range(40):
            r = requests.get(f"{API}/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}", auth=ADMIN, timeout=10)
            r.raise_for_status()
            if r.json().get("policy") == expect:
                break
            time.sleep(0.25)
        return r.json().get("policy")

    policies = requests.get(f"{API}/policies/{quote(vhost, safe='')}", auth=ADMIN, timeout=10).json()
    assert {p["name"] for p in policies} == {"samskab-work-queues", "samskab-third-party-queues"}
    assert policy_of("samskab.matching.on_submitted@aalborg", "samskab-work-queues") == "samskab-work-queues"
    assert policy_of("samskab.matching.on_submitted@aalborg.dlq") is None
    r = requests.get(f"{API}/exchanges/{quote(vhost, safe='')}/samskab.dead-letters/bindings/source", auth=ADMIN, timeout=10)
    assert [b["destination"] for b in r.json()] == ["samskab.dead-letters"]
