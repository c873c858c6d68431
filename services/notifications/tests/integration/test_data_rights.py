"""A person's rights over what the notifications service holds: export_participant
lists their contact details, choices, notifications, e-mails (subject lines only),
digests, memberships and the API keys they issued; the erasure leaves no row that
names them.  The real service, fed by events on the internal exchange."""
import datetime as dt
import json
import socket
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.errors import NotFound
from samskab.testing import mentions, unit_of_work, wait_for

from notifications.messages import TEXTS
from notifications.service import Service as Notifications

pytestmark = pytest.mark.integration

UTC = dt.timezone.utc
TITLE = "Borgermøde om grøn pendling"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



@pytest.fixture
def service(container_factory, make_config):
    # SMTP is down and the sender looks only once, at start: e-mails stay waiting
    # untouched, so two exports of the same person can be compared.
    config = make_config("notifications", NOTIFICATIONS_SMTP_PORT=str(closed_port()),
                         NOTIFICATIONS_MAIL_BACKOFF_SECONDS="3600", NOTIFICATIONS_POLL_SECONDS="3600")
    container = container_factory(Notifications, config)
    container.start()
    return container, config["DATABASE_URL"]


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def publish(uri, type_name, data, subject):
    envelope = events.make(type_name, municipality="aalborg", service="test", subject=subject, data=data)
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, events.routing_key("aalborg", type_name), envelope)])
    finally:
        publisher.close()
    return envelope


def count(url, sql, **params):
    with unit_of_work(url) as uow:
        return uow.execute(sa.text(sql), params).scalar()


def contact(pid, name, address, language, role="resident"):
    return {"id": pid, "municipality": "aalborg", "role": role, "language": language, "email": address,
            "display_name": name}


def registration(meeting_id, pid):
    return {"registration_id": str(uuid.uuid4()), "meeting_id": meeting_id, "municipality": "aalborg",
            "participant_id": pid, "group": "resident", "status": "confirmed",
            "confirmed_count": 1, "waitlist_count": 0, "seats_left": 39}


def meeting_updated(meeting_id, participant_ids):
    starts = dt.datetime(2026, 12, 3, 18, tzinfo=UTC)
    return {
        "id": meeting_id, "municipality": "aalborg", "format": "working_citizens_meeting", "title": TITLE,
        "purpose": "Hvordan kommer flere på cykel?", "promise": "Forslagene går til byrådet.",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "time_zone": "Europe/Copenhagen", "online": False, "capacity": 40, "status": "scheduled", "sequence": 2,
        "confirmed_count": len(participant_ids), "waitlist_count": 0, "seats_left": 40 - len(participant_ids),
        "changed": ["starts_at", "ends_at"], "participant_ids": participant_ids,
    }


def test_export_lists_what_is_held_about_the_person_and_erasure_leaves_nothing(service, broker_uri):
    container, url = service
    anna, bo, olga = (str(uuid.uuid4()) for _ in range(3))
    publish(broker_uri, "samskab.participant.registered",
            contact(anna, "Anna Andersen", "anna@example.org", "da"), f"participants/{anna}")
    publish(broker_uri, "samskab.participant.registered",
            contact(bo, "Bo Bech", "bo@example.org", "en"), f"participants/{bo}")
    publish(broker_uri, "samskab.participant.registered",
            contact(olga, "Olga Operatør", "olga@example.org", "da", role="employee"), f"participants/{olga}")
    wait_for(lambda: count(url, "SELECT count(*) FROM participants") == 3)

    # Anna wants meeting changes in a daily digest; both hold a seat; the meeting moves.
    call(container, "set_preferences", {"id": anna}, {"meeting_change": {"email": "daily"}})
    meeting_id, proposal_id = str(uuid.uuid4()), str(uuid.uuid4())
    for pid in (anna, bo):
        publish(broker_uri, "samskab.registration.confirmed", registration(meeting_id, pid), f"meetings/{meeting_id}")
    wait_for(lambda: count(url, "SELECT count(*) FROM memberships") == 2)
    publish(broker_uri, "samskab.proposal.followed",
            {"proposal_id": proposal_id, "participant_id": anna, "municipality": "aalborg", "following": True},
            f"proposals/{proposal_id}")
    publish(broker_uri, "samskab.meeting.updated", meeting_updated(meeting_id, [anna, bo]), f"meetings/{meeting_id}")
    publish(broker_uri, "samskab.participant.confirmation_requested", {
        "id": anna, "municipality": "aalborg", "language": "da", "email": "anna@example.org",
        "confirm_url": "http://localhost/account/confirm?token=secret-token"}, f"participants/{anna}")
    wait_for(lambda: count(url, "SELECT count(*) FROM digest_items WHERE participant_id = :p", p=anna) == 1)
    wait_for(lambda: count(url, "SELECT count(*) FROM email_deliveries WHERE participant_id = :p", p=anna) == 2)
    # The day is over: the digest is made.
    with unit_of_work(url) as uow:
        uow.execute(sa.text("UPDATE digest_items SET period_start = period_start - interval '2 days', "
                            "period_end = now() - interval '1 minute'"))
    assert call(container, "make_digests") == 1
    call(container, "mark_read", {"id": anna}, everything=True)
    key = call(container, "issue_api_key", "aalborg", {"id": olga, "operator": True},
               {"name": "Nordjyske", "contact_email": "webmaster@nordjyske.test"})

    exported = call(container, "export_participant", anna)
    assert json.loads(json.dumps(exported)) == exported, "JSON as it is"
    assert exported["participant_id"] == anna
    assert (exported["contact"]["email"], exported["contact"]["language"], exported["contact"]["display_name"]) == (
        "anna@example.org", "da", "Anna Andersen")
    assert exported["preferences"] == [{"kind": "meeting_change", "channel": "email", "frequency": "daily"}]
    assert sorted(n["kind"] for n in exported["notifications"]) == ["meeting_change", "registration"]
    assert all(n["read_at"] for n in exported["notifications"]), "she read them"
    assert any(TITLE in n["title"] for n in exported["notifications"])
    assert sorted(m["subject"] for m in exported["memberships"]) == [f"meetings/{meeting_id}", f"proposals/{proposal_id}"]
    assert [(r["frequency"], r["item_count"]) for r in exported["digest_runs"]] == [("daily", 1)]
    mails = {m["kind"]: m for m in exported["email_deliveries"]}
    assert set(mails) == {"immediate", "confirm_address", "digest"}
    assert mails["confirm_address"]["subject"] == TEXTS["confirm_address"]["da"][0]
    assert mails["digest"]["digest_run_id"] == exported["digest_runs"][0]["id"]
    assert all(m["status"] == "pending" and m["attempts"] == 0 and m["to_address"] == "anna@example.org" and m["subject"]
               for m in mails.values())
    text = json.dumps(exported)
    assert "secret-token" not in text, "no message bodies (the confirmation link is a secret)"
    assert bo not in text and "bo@example.org" not in text
    assert exported["api_keys_issued"] == []

    bos = call(container, "export_participant", bo)
    assert bos["contact"]["email"] == "bo@example.org" and bos["preferences"] == []
    assert sorted(n["kind"] for n in bos["notifications"]) == ["meeting_change", "registration"]
    assert all(n["read_at"] is None for n in bos["notifications"])
    assert anna not in json.dumps(bos) and bos["digest_runs"] == []
    olgas = call(container, "export_participant", olga)
    assert [(k["id"], k["name"]) for k in olgas["api_keys_issued"]] == [(key["id"], "Nordjyske")]
    assert key["key"] not in json.dumps(olgas)

    # Anna and Olga delete their accounts.
    assert mentions(url, anna) and mentions(url, olga), "the check below can find them"
    for pid in (anna, olga):
        publish(broker_uri, "samskab.participant.erased", {"id": pid, "municipality": "aalborg"}, f"participants/{pid}")
    wait_for(lambda: count(url, "SELECT count(*) FROM erased_participants") == 2)
    assert mentions(url, anna) == {}
    assert mentions(url, olga) == {}
    empty = call(container, "export_participant", anna)
    assert empty == {"participant_id": anna, "contact": None, **{k: [] for k in (
        "preferences", "notifications", "digest_items", "digest_runs", "email_deliveries", "memberships",
        "api_keys_issued")}}
    assert call(container, "export_participant", olga)["api_keys_issued"] == []
    # Olga's key still works for the newspaper; Bo keeps everything.
    assert [k["name"] for k in call(container, "list_api_keys", "aalborg", {"id": bo, "operator": True})] == ["Nordjyske"]
    assert call(container, "export_participant", bo) == bos

    # Late events about Anna bring nothing back (the tombstone still recognises her).
    publish(broker_uri, "samskab.participant.updated",
            contact(anna, "Anna Andersen", "anna@example.org", "da"), f"participants/{anna}")
    publish(broker_uri, "samskab.meeting.updated", meeting_updated(meeting_id, [anna, bo]), f"meetings/{meeting_id}")
    wait_for(lambda: len(call(container, "export_participant", bo)["notifications"]) == 3)
    assert mentions(url, anna) == {}


def test_a_bad_participant_id_is_not_found(service):
    container, _ = service
    with pytest.raises(NotFound):
        call(container, "export_participant", "not-a-uuid")
