"""A person's rights over what the meetings service holds: export_participant lists
their registrations, invitations, reminders, calendar feed and the meetings they
scheduled; the erasure leaves no row naming them and the seats they held pass on."""
import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.db import outbox, processed_events
from samskab.errors import NotFound
from samskab.testing import mentions, unit_of_work

from .conftest import meeting_payload, person, staff, wait_for
from .test_reminders_invitations import publish_matches

pytestmark = pytest.mark.integration

UTC = dt.timezone.utc


def count(url, query):
    with unit_of_work(url) as uow:
        return uow.execute(query).scalar()


def erasures(url):
    return count(url, sa.select(sa.func.count()).select_from(processed_events).where(
        processed_events.c.consumer == "meetings.on_participant_erased"))


def erase(uri, person_id):
    envelope = events.make("samskab.participant.erased", municipality="aalborg", service="gateway",
                           subject=f"participants/{person_id}", data={"id": person_id, "municipality": "aalborg"})
    publisher = ConfirmingPublisher(uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.participant.erased", envelope)])
    finally:
        publisher.close()


def at(hours):
    starts = dt.datetime.now(UTC) + dt.timedelta(hours=hours)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}


def test_export_lists_what_is_held_about_the_person_and_erasure_leaves_nothing(
        rpc, meetings_service, meetings_config, broker_uri):
    url = meetings_config["DATABASE_URL"]
    organiser, anna, bo = staff(), person(), person(role="business")
    proposal_id = str(uuid.uuid4())

    soon = rpc.schedule("aalborg", organiser, meeting_payload(title="Lys på stien", capacity=1, **at(3)))
    full = rpc.schedule("aalborg", organiser, meeting_payload(title="Bænke i parken", capacity=1, **at(24 * 5)))
    rpc.register("aalborg", anna, soon["id"])   # her seat
    rpc.register("aalborg", bo, soon["id"])     # Bo waits behind her
    rpc.register("aalborg", bo, full["id"])     # Bo takes the only seat …
    rpc.register("aalborg", anna, full["id"])   # … and Anna is first on the waitlist
    with entrypoint_hook(meetings_service, "remind") as remind:
        remind()  # the meeting in 3 hours: Anna is reminded (within the 24 h default)
    publish_matches(broker_uri, proposal_id, [anna["id"]])
    wait_for(lambda: count(url, sa.text("SELECT count(*) FROM proposal_matches")) == 1)
    invited = rpc.schedule("aalborg", organiser, meeting_payload(title="Cykelstier", proposal_id=proposal_id))
    assert "token" in rpc.new_calendar_token("aalborg", anna)

    exported = rpc.export_participant(anna["id"])
    assert json.loads(json.dumps(exported)) == exported, "JSON as it is"
    assert exported["participant_id"] == anna["id"]
    regs = {r["meeting_title"]: r for r in exported["registrations"]}
    assert set(regs) == {"Lys på stien", "Bænke i parken"}
    assert (regs["Lys på stien"]["status"], regs["Lys på stien"]["group"], regs["Lys på stien"]["waitlist_position"]) == (
        "confirmed", "resident", None)
    assert (regs["Bænke i parken"]["status"], regs["Bænke i parken"]["waitlist_position"]) == ("waitlisted", 1)
    assert regs["Lys på stien"]["meeting_status"] == "scheduled"
    assert regs["Lys på stien"]["meeting_starts_at"] == soon["starts_at"]
    assert [(r["meeting_id"], r["meeting_title"]) for r in exported["reminders"]] == [(soon["id"], "Lys på stien")]
    assert [(i["meeting_id"], i["meeting_title"]) for i in exported["invitations"]] == [(invited["id"], "Cykelstier")]
    assert [m["proposal_id"] for m in exported["proposal_matches"]] == [proposal_id]
    assert exported["calendar_feed"]["exists"] is True and "token" not in json.dumps(exported["calendar_feed"])
    assert exported["meetings_organised"] == []
    assert bo["id"] not in json.dumps(exported)

    bos = rpc.export_participant(bo["id"])
    assert {r["meeting_title"]: r["status"] for r in bos["registrations"]} == {
        "Lys på stien": "waitlisted", "Bænke i parken": "confirmed"}
    assert bos["invitations"] == [] and bos["reminders"] == [] and bos["calendar_feed"] == {"exists": False}
    assert anna["id"] not in json.dumps(bos)
    assert sorted(m["title"] for m in rpc.export_participant(organiser["id"])["meetings_organised"]) == [
        "Bænke i parken", "Cykelstier", "Lys på stien"]

    # Anna and the organiser delete their accounts.
    wait_for(lambda: count(url, sa.select(sa.func.count()).select_from(outbox)
                           .where(outbox.c.published_at.is_(None))) == 0)
    assert mentions(url, anna["id"]) and mentions(url, organiser["id"]), "the check below can find them"
    erase(broker_uri, anna["id"])
    erase(broker_uri, organiser["id"])
    wait_for(lambda: erasures(url) == 2)
    assert mentions(url, anna["id"]) == {}
    assert mentions(url, organiser["id"]) == {}

    empty = rpc.export_participant(anna["id"])
    assert {k: v for k, v in empty.items() if k != "participant_id"} == {
        "registrations": [], "invitations": [], "reminders": [], "calendar_feed": {"exists": False},
        "proposal_matches": [], "meetings_organised": [], "comments": [], "attachments": []}
    assert rpc.export_participant(organiser["id"])["meetings_organised"] == []
    # Her seat passed to Bo; the meetings are still there with their counts.
    assert rpc.get("aalborg", bo, soon["id"])["my_registration"]["status"] == "confirmed"
    assert rpc.get("aalborg", None, full["id"])["waitlist_count"] == 0
    assert {r["meeting_title"]: r["status"] for r in rpc.export_participant(bo["id"])["registrations"]} == {
        "Lys på stien": "confirmed", "Bænke i parken": "confirmed"}


def test_a_bad_participant_id_is_not_found(rpc):
    with pytest.raises(NotFound):
        rpc.export_participant("not-a-uuid")
