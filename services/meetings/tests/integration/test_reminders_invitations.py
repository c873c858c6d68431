"""Reminders are sent once per registration, even with two instances; matched people are invited."""
import datetime as dt
import json
import uuid

import eventlet
import pytest
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.testing import Subscriber

from meetings.service import Service as Meetings

from .conftest import meeting_payload, person, staff, wait_for

pytestmark = pytest.mark.integration

UTC = dt.timezone.utc


@pytest.fixture
def meetings_config(make_config):
    return make_config("meetings", MEETINGS_REMINDER_HOURS="3")


def internal(uri, pattern):
    return Subscriber(uri, pattern, exchange=events.EVENTS_EXCHANGE)


def test_each_confirmed_registration_is_reminded_once_across_two_instances(
        rpc, meetings_service, container_factory, meetings_config, broker_uri):
    other = container_factory(Meetings, meetings_config)
    other.start()
    reminders = internal(broker_uri, "aalborg.meeting.reminder_due")
    soon = dt.datetime.now(UTC) + dt.timedelta(hours=2)
    later = dt.datetime.now(UTC) + dt.timedelta(hours=30)
    meeting = rpc.schedule("aalborg", staff(), meeting_payload(
        capacity=2, starts_at=soon.isoformat(), ends_at=(soon + dt.timedelta(hours=2)).isoformat()))
    not_yet = rpc.schedule("aalborg", staff(), meeting_payload(
        starts_at=later.isoformat(), ends_at=(later + dt.timedelta(hours=2)).isoformat()))
    people = [person() for _ in range(3)]
    for p in people:
        rpc.register("aalborg", p, meeting["id"])  # two seats, one on the waitlist
    rpc.register("aalborg", people[0], not_yet["id"])  # 30 h away: outside the 3 h window

    def tick(container):
        with entrypoint_hook(container, "remind") as remind:
            remind()

    pool = eventlet.GreenPool()
    for _ in range(4):
        for container in (meetings_service, other):
            pool.spawn(tick, container)
    pool.waitall()

    received = reminders.drain(expect=2, timeout=20) + reminders.drain(timeout=2)  # then: nothing more
    reminded = sorted(json.loads(body)["data"]["participant_id"] for _, _, body in received)
    assert reminded == sorted(p["id"] for p in people[:2]), "the confirmed two, once each; not the waitlisted"
    assert all(json.loads(body)["data"]["meeting_id"] == meeting["id"] for _, _, body in received)

    # a seat frees up: the promoted person gets a reminder on the next tick, nobody else a second one
    rpc.cancel_registration("aalborg", people[0], meeting["id"])
    tick(other)
    tick(meetings_service)
    [(_, _, body)] = reminders.drain(expect=1, timeout=20) + reminders.drain(timeout=2)
    assert json.loads(body)["data"]["participant_id"] == people[2]["id"]
    reminders.close()


def publish_matches(uri, proposal_id, participant_ids, event_id=None):
    envelope = events.make(
        "samskab.proposal.matches_suggested", municipality="aalborg", service="matching",
        subject=f"proposals/{proposal_id}", event_id=event_id,
        data={"proposal_id": proposal_id, "municipality": "aalborg", "total": len(participant_ids),
              "by_kind": [{"kind": "resident", "count": len(participant_ids)}], "needs_met": 1, "needs_total": 2,
              "participants": [{"participant_id": pid, "kind": "resident", "score": 0.9, "municipality": "aalborg"}
                               for pid in participant_ids]})
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.proposal.matches_suggested", envelope)])
    finally:
        publisher.close()
    return envelope


def test_matched_people_are_invited_to_the_proposals_meetings_once(rpc, broker_uri):
    invitations = internal(broker_uri, "aalborg.meeting.invitation_sent")
    proposal_id = str(uuid.uuid4())
    first = rpc.schedule("aalborg", staff(), meeting_payload(proposal_id=proposal_id))
    unrelated = rpc.schedule("aalborg", staff(), meeting_payload())
    matched = [str(uuid.uuid4()) for _ in range(3)]
    envelope = publish_matches(broker_uri, proposal_id, matched)

    received = invitations.drain(expect=3, timeout=20)
    data = [json.loads(body)["data"] for _, _, body in received]
    assert sorted(d["participant_id"] for d in data) == sorted(matched)
    assert {d["meeting_id"] for d in data} == {first["id"]} != {unrelated["id"]}

    # the same event again (a redelivery) and an overlapping later match: no second invitation
    publish_matches(broker_uri, proposal_id, matched, event_id=envelope["id"])
    newcomer = str(uuid.uuid4())
    publish_matches(broker_uri, proposal_id, matched[:1] + [newcomer])
    [(_, _, body)] = invitations.drain(expect=1, timeout=20) + invitations.drain(timeout=2)
    assert json.loads(body)["data"]["participant_id"] == newcomer

    # a meeting scheduled later for the proposal invites everyone matched so far
    second = rpc.schedule("aalborg", staff(), meeting_payload(proposal_id=proposal_id))
    received = invitations.drain(expect=4, timeout=20) + invitations.drain(timeout=1)
    assert sorted(json.loads(b)["data"]["participant_id"] for _, _, b in received) == sorted(matched + [newcomer])
    assert {json.loads(b)["data"]["meeting_id"] for _, _, b in received} == {second["id"]}
    invitations.close()
