"""The relay (its hand-encoded publish path) and the consumers over amqps, against a
RabbitMQ node this test starts itself with a TLS listener and a CA made here; the
server's certificate is verified and heartbeats are on.  The machine's own broker
on 5672 is left alone."""
import ssl
import time

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import broker_definitions as defs
from samskab import devservices, events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.config import amqp_ssl
from samskab.relay import OutboxRelay
from samskab.testing import unit_of_work, wait_for

pytestmark = pytest.mark.integration

Proposals = pytest.importorskip("proposals.service").Service
Notifications = pytest.importorskip("notifications.service").Service

PASSWORDS = {defs.service_user(s): f"pw-{s}-tls" for s in ("proposals", "notifications", "gateway")}
ACTOR = {"id": "5b0e7c1e-4a58-4b9f-9d36-4c7fd3f1f0a1", "role": "resident", "municipality": "aalborg",
         "staff": False, "confirmed": True}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    try:
        with devservices.TlsRabbitMQ(str(tmp_path_factory.mktemp("tls-node")),
                                     defs.with_passwords(defs.generate(), PASSWORDS)) as started:
            yield started
    except devservices.Unavailable as exc:
        pytest.skip(f"no RabbitMQ node of our own with TLS: {exc}")


def uri(node, service):
    user = defs.service_user(service)
    return f"amqps://{user}:{PASSWORDS[user]}@localhost:{node.tls_port}/samskab"


def tls_config(make_config, node, service):
    amqps = uri(node, service)
    return make_config(service, AMQP_URI=amqps, AMQP_SSL=amqp_ssl(amqps, {"AMQP_CA_FILE": node.tls["ca"]}),
                       HEARTBEAT=10)


def test_a_proposal_goes_from_the_relay_to_a_consumer_over_verified_tls_with_heartbeats(
        node, make_config, container_factory):
    proposals = container_factory(Proposals, tls_config(make_config, node, "proposals"))
    notifications_config = tls_config(make_config, node, "notifications")
    notifications = container_factory(Notifications, notifications_config)
    notifications.start()
    proposals.start()
    with entrypoint_hook(proposals, "submit") as submit:
        made = submit("aalborg", ACTOR, {"kind": "service", "title": "Lys på stien", "problem": "p", "goal": "g"})
    proposal_id = str(made["id"])

    def logged():
        with unit_of_work(notifications_config["DATABASE_URL"]) as uow:
            return uow.execute(sa.text("SELECT count(*) FROM public_events WHERE subject = :s"),
                               {"s": f"proposals/{proposal_id}"}).scalar()

    wait_for(logged, timeout=30, what="the submitted proposal in notifications' catch-up log")
    relay = next(ext for ext in proposals.extensions if isinstance(ext, OutboxRelay))
    conn = relay.publisher.conn
    assert conn is not None and isinstance(conn.transport.sock, ssl.SSLSocket)
    assert conn.transport.sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)
    assert conn.heartbeat == 10
    # idle past two heartbeats: the relay's connection stays up (the relay's own keep_alive between
    # rounds answers the broker's; the test must not read the socket too, that is the relay's alone)
    time.sleep(22)
    assert relay.publisher.conn is conn and conn.connected
    with entrypoint_hook(proposals, "submit") as submit:
        made = submit("aalborg", ACTOR, {"kind": "service", "title": "Lys på broen", "problem": "p", "goal": "g"})
    proposal_id = str(made["id"])
    wait_for(logged, timeout=30, what="a proposal after the idle time, over the same connection")
    assert relay.publisher.conn is conn


def test_a_broker_certificate_not_signed_by_the_trusted_ca_is_refused(node):
    amqps = uri(node, "proposals")
    publisher = ConfirmingPublisher(amqps, ssl=amqp_ssl(amqps, {}))  # the system's CAs only
    envelope = events.make("samskab.participant.erased", municipality="aalborg", service="gateway",
                           subject="participants/x", data={"id": ACTOR["id"], "municipality": "aalborg"})
    with pytest.raises(ssl.SSLCertVerificationError):
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.participant.erased", envelope)])


def test_a_name_the_certificate_does_not_carry_is_refused(node):
    amqps = uri(node, "proposals")
    options = dict(amqp_ssl(amqps, {"AMQP_CA_FILE": node.tls["ca"]}), server_hostname="broker.example.org")
    publisher = ConfirmingPublisher(amqps, ssl=options)  # as if localhost were someone else's broker
    with pytest.raises(ssl.SSLCertVerificationError, match="hostname|match"):
        publisher.publish_batch([])
