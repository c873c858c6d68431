"""Consumers act only on events from the type's owner, for a municipality that the
routing key, envelope and data agree on and that this group serves; anything else
is a dead letter with the reason, and nothing is stored or sent.  Real broker,
real PostgreSQL, each service connected as its own broker user."""
import time
import uuid

import pytest
import sqlalchemy as sa

from samskab import dlq, events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.testing import unit_of_work, wait_for

pytestmark = pytest.mark.integration

Notifications = pytest.importorskip("notifications.service").Service
Matching = pytest.importorskip("matching.service").Service


def publish(uri, envelope, key=None, exchange=events.EVENTS_EXCHANGE):
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([(exchange, key or events.routing_key(envelope["municipality"], envelope["type"]),
                                  envelope)])
    finally:
        publisher.close()


def count(url, sql, **params):
    with unit_of_work(url) as uow:
        return uow.execute(sa.text(sql), params).scalar()


def dead_letters(broker_uri, queue, expect=1, timeout=15):
    deadline = time.time() + timeout
    found = []
    while time.time() < deadline:
        found = dlq.show(broker_uri, f"{queue}.dlq")
        if len(found) >= expect:
            break
        time.sleep(0.1)
    return found


def queue_of(service, method="on_event"):
    return f"samskab.{service}.{method}"


def reset_requested(municipality="aalborg"):
    person = str(uuid.uuid4())
    return events.make("samskab.participant.password_reset_requested", municipality=municipality, service="gateway",
                       subject=f"participants/{person}",
                       data={"id": person, "municipality": municipality, "language": "da",
                             "email": "victim@example.org", "reset_url": "https://evil.example.net/reset"})


def submitted(municipality="aalborg", data_municipality=None):
    pid = str(uuid.uuid4())
    data = {"id": pid, "municipality": data_municipality or municipality, "title": "Bænke ved fjorden",
            "problem": "Ingen steder at sidde", "goal": "Flere bænke", "kind": "development",
            "initiator_role": "resident", "language": "da", "status": "submitted",
            "initiator_id": str(uuid.uuid4()), "created_at": "2026-12-01T10:00:00+00:00"}
    return events.make("samskab.proposal.submitted", municipality=municipality, service="proposals",
                       subject=f"proposals/{pid}", data=data)


@pytest.fixture
def notifications(people, make_config, runner_factory):
    people.services("gateway", "proposals", "notifications", "matching")
    config = people.config(make_config, "notifications")
    runner = runner_factory(config, Notifications)
    runner.start()
    return config


def test_a_password_reset_from_anyone_but_the_gateway_is_dead_lettered_and_no_mail_is_made(
        people, notifications, broker_uri):
    forged = reset_requested()
    publish(people.uri(people.user("proposals")), forged)  # a real user of the platform, just not the owner
    [letter] = dead_letters(broker_uri, queue_of("notifications"))
    assert letter["message_id"] == forged["id"]
    assert "gateway" in letter["reason"] and people.user("proposals") in letter["reason"]
    genuine = reset_requested()
    publish(people.uri(people.user("gateway")), genuine)
    url = notifications["DATABASE_URL"]
    wait_for(lambda: count(url, "SELECT count(*) FROM processed_events WHERE event_id = :i", i=genuine["id"]),
             what="the gateway's own reset request handled")
    assert count(url, "SELECT count(*) FROM email_deliveries") == 1  # the genuine one only
    assert count(url, "SELECT count(*) FROM processed_events WHERE event_id = :i", i=forged["id"]) == 0


def test_a_routing_key_of_one_municipality_on_an_event_of_another_is_dead_lettered_and_not_logged(
        people, notifications, broker_uri):
    hamar = submitted("hamar")
    publish(people.uri(people.user("proposals")), hamar, key="aalborg.proposal.submitted")
    [letter] = dead_letters(broker_uri, queue_of("notifications"))
    assert "routing key aalborg.proposal.submitted" in letter["reason"]
    url = notifications["DATABASE_URL"]
    assert count(url, "SELECT count(*) FROM public_events WHERE municipality = 'hamar'") == 0
    assert count(url, "SELECT count(*) FROM processed_events") == 0


def test_an_envelope_and_data_that_name_different_municipalities_are_dead_lettered(
        people, notifications, broker_uri):
    mixed = submitted("aalborg")
    mixed["data"]["municipality"] = "hamar"  # past events.make's checks, as a hostile publisher would
    publish(people.uri(people.user("proposals")), mixed)
    [letter] = dead_letters(broker_uri, queue_of("notifications"))
    assert "the data names municipality hamar" in letter["reason"]
    assert count(notifications["DATABASE_URL"], "SELECT count(*) FROM public_events") == 0


def test_an_event_for_a_municipality_outside_the_catalogue_is_stored_by_no_one(
        people, notifications, make_config, runner_factory, broker_uri):
    matching = people.config(make_config, "matching")
    runner = runner_factory(matching, Matching)
    runner.start()
    oslo = submitted("oslo")
    publish(people.uri(people.user("proposals")), oslo)
    for queue in (queue_of("notifications"), queue_of("matching", "on_submitted")):
        [letter] = dead_letters(broker_uri, queue)
        assert "oslo is not in the catalogue" in letter["reason"], queue
    for config in (notifications, matching):
        assert count(config["DATABASE_URL"], "SELECT count(*) FROM processed_events") == 0
    assert count(notifications["DATABASE_URL"], "SELECT count(*) FROM public_events") == 0


def test_a_group_for_some_municipalities_dead_letters_another_ones_event_sent_straight_to_its_queue(
        people, make_config, runner_factory, broker_uri):
    people.services("proposals")
    people.services("notifications", municipalities=["aalborg"], group="north")
    config = people.config(make_config, "notifications", group="north", MUNICIPALITIES=("aalborg",))
    runner_factory(config, Notifications).start()
    queue = queue_of("notifications") + "@aalborg"
    # the proposals service's user may write to the default exchange, so try the queue itself
    publish(people.uri(people.user("proposals")), submitted("aalborg"), key=queue, exchange="")
    [letter] = dead_letters(broker_uri, queue)
    assert "straight to the queue" in letter["reason"]
    assert count(config["DATABASE_URL"], "SELECT count(*) FROM public_events") == 0
