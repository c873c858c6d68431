"""Every answer of the service is exactly its output model in samskab.contracts.meetings:
read as the model and written back it is the same JSON, no field lost or added (the
gateway's typed client reads it so, and OpenAPI describes it so)."""
import datetime as dt

import pytest

from samskab.contracts import meetings as contract
from samskab.testing import unit_of_work

from meetings.storage import meetings

from .conftest import meeting_payload, person, staff

pytestmark = pytest.mark.integration


def same(model, answer):
    assert model.model_validate(answer).model_dump(mode="json", exclude_unset=True) == answer
    return answer


def test_each_answer_is_its_output_model(rpc, meetings_config):
    organiser = staff()
    place = same(contract.PlaceOut, rpc.create_place("aalborg", organiser, {
        "name": "Hasseris Bibliotek", "kind": "library", "address": "Hasserisvej 1", "capacity": 40,
        "step_free": True}))
    assert [same(contract.PlaceOut, p) for p in rpc.list_places("aalborg")] == [place]
    [same(contract.FormatOut, f) for f in rpc.formats()]
    [same(contract.FormatSuggestion, s) for s in rpc.suggest_formats("involve", 30, "policy", 3)]

    meeting = same(contract.MeetingDetailOut, rpc.schedule("aalborg", organiser, meeting_payload(
        capacity=1, place_id=place["id"], reserved={"resident": 1})))
    resident, other = person(), person()
    seat = same(contract.RegistrationResult, rpc.register("aalborg", resident, meeting["id"]))
    waiting = same(contract.RegistrationResult, rpc.register("aalborg", other, meeting["id"]))
    assert (seat["status"], waiting["status"], waiting["waitlist_position"]) == ("confirmed", "waitlisted", 1)
    [same(contract.StaffRegistrationOut, r) for r in rpc.registrations("aalborg", organiser, meeting["id"])]
    same(contract.AgendaQuestionOut, rpc.add_agenda_question("aalborg", organiser, meeting["id"], {
        "question": "Hvordan kommer flere på cykel?", "minutes": 20}))
    mine = same(contract.MeetingDetailOut, rpc.get("aalborg", other, meeting["id"]))
    assert mine["my_registration"]["status"] == "waitlisted" and mine["agenda"] and mine["place"]
    [same(contract.MeetingOut, m) for m in rpc.list("aalborg", None)]
    same(contract.RegistrationOut, rpc.cancel_registration("aalborg", resident, meeting["id"]))
    same(contract.MeetingDetailOut, rpc.update("aalborg", organiser, meeting["id"], {"title": "Cykelsalon"}))
    same(contract.CalendarTokenOut, rpc.new_calendar_token("aalborg", resident))


    held = rpc.schedule("aalborg", organiser, meeting_payload(capacity=5))
    with unit_of_work(meetings_config["DATABASE_URL"]) as uow:  # it has started
        uow.execute(meetings.update().where(meetings.c.id == held["id"])
                    .values(starts_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)))
    same(contract.MinutesOut, rpc.set_minutes("aalborg", organiser, held["id"], {"text": "Vi talte om stier."}))
    same(contract.RecordedOutcomeOut, rpc.record_outcome("aalborg", organiser, held["id"], {
        "kind": "action", "text": "Kortlæg stierne", "owner": "Teknik og Miljø", "due": "2027-06-01"}))
    concluded = same(contract.MeetingDetailOut, rpc.conclude("aalborg", organiser, held["id"]))
    assert concluded["status"] == "concluded" and concluded["outcomes"] and concluded["minutes"]
    same(contract.MeetingDetailOut, rpc.cancel("aalborg", organiser, meeting["id"], {"reason": "Salen er lukket"}))
