"""Politicians answer as themselves; missions and committees are edited and closed
(issue 22), against a real PostgreSQL and RabbitMQ."""
import uuid

import pytest

from samskab import events
from samskab.errors import Conflict, Forbidden, Invalid
from samskab.testing import wait_for

from .test_council import COMMITTEE, EMPLOYEE, HJORRING_POLITICIAN, MISSION, PROPOSAL, emitted, person, service  # noqa: F401

pytestmark = pytest.mark.integration


def published(call, initiator):
    proposal = call("submit", "aalborg", initiator, PROPOSAL)
    call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "published"})
    return proposal


def test_a_politicians_answer_names_them_and_a_staff_answer_does_not(service):
    call, url = service
    politician, resident = person("politician"), person()
    call("register_office", "aalborg", politician, {"name": "Anna Byrådsmedlem", "party": "Socialdemokratiet"})
    proposal = published(call, person())
    question = call("ask", "aalborg", resident, proposal["id"], {"body": "Hvem betaler for maden?"})
    mine = call("answer", "aalborg", politician, proposal["id"], question["id"], {"body": "Kommunen betaler."})
    call("answer", "aalborg", EMPLOYEE, proposal["id"], question["id"], {"body": "Se budgettet."})
    assert mine["office"] == {"role": "politician", "name": "Anna Byrådsmedlem", "party": "Socialdemokratiet",
                              "participant_id": politician["id"]}
    answers = call("questions", "aalborg", None, proposal["id"])[0]["answers"]
    assert [(a["answered_by"], a["office"]) for a in answers] == [
        ("staff", mine["office"]), ("staff", {"role": "employee"})]
    shown = [events.get_type("samskab.proposal.question_answered").project(e["data"])
             for e in emitted(url, "samskab.proposal.question_answered")]
    assert shown[0]["office"] == {"role": "politician", "name": "Anna Byrådsmedlem", "party": "Socialdemokratiet"}
    assert shown[1]["office"] == {"role": "employee", "name": None, "party": None}
    assert resident["id"] not in str(shown)  # the resident who asked is never in the public event
    page = call("politician", "aalborg", None, politician["id"])
    assert [(a["question"], a["body"]) for a in page["answers"]] == [("Hvem betaler for maden?",
                                                                     "Kommunen betaler.")]


def test_a_mission_is_edited_and_closed_by_the_council_only(service):
    call, url = service
    politician = person("politician")
    call("register_office", "aalborg", politician, {"name": "Anna", "party": "S"})
    mission = call("publish_mission", "aalborg", politician, MISSION)
    for who in (HJORRING_POLITICIAN, person()):
        with pytest.raises(Forbidden):
            call("update_mission", "aalborg", who, mission["id"], {"horizon": 2032})
        with pytest.raises(Forbidden):
            call("close_mission", "aalborg", who, mission["id"], {"closed_as": "ended", "note": "x"})
    with pytest.raises(Invalid):
        call("update_mission", "aalborg", politician, mission["id"], {})
    with pytest.raises(Invalid):
        call("update_mission", "aalborg", politician, mission["id"], {"horizon": 1900})
    changed = call("update_mission", "aalborg", EMPLOYEE, mission["id"],
                   {"goal": "Ingen ældre skal spise alene", "horizon": 2032})
    assert (changed["goal"], changed["horizon"], changed["title"]) == ("Ingen ældre skal spise alene", 2032,
                                                                       MISSION["title"])
    [update] = emitted(url, "samskab.mission.updated")
    assert sorted(update["data"]["changed"]) == ["goal", "horizon"]
    with pytest.raises(Invalid):
        call("close_mission", "aalborg", politician, mission["id"], {"closed_as": "forgotten", "note": "x"})
    follower = person()
    call("follow_mission", "aalborg", follower, mission["id"], True)
    closed = call("close_mission", "aalborg", politician, mission["id"],
                  {"closed_as": "achieved", "note": "Fællesspisning i alle bydele"})
    assert (closed["status"], closed["closing_note"]) == ("achieved", "Fællesspisning i alle bydele")
    assert "edit" not in closed["allowed"] and "attach" not in closed["allowed"]
    [event] = emitted(url, "samskab.mission.closed")
    assert event["data"]["follower_ids"] == [follower["id"]]
    assert event["data"]["closed_by"]["name"] == "Anna"
    with pytest.raises(Conflict):
        call("update_mission", "aalborg", politician, mission["id"], {"horizon": 2040})
    with pytest.raises(Conflict):
        call("close_mission", "aalborg", politician, mission["id"], {"closed_as": "ended", "note": "igen"})
    proposal = published(call, person())
    with pytest.raises(Conflict):
        call("attach_to_mission", "aalborg", EMPLOYEE, mission["id"], {"proposal_id": proposal["id"]})


def test_a_committees_mandate_changes_until_it_is_seated_and_it_closes_after_its_recommendation(service):
    call, url = service
    politician, resident = person("politician"), person()
    call("register_office", "aalborg", politician, {"name": "Anna", "party": "S"})
    committee = call("form_committee", "aalborg", politician, COMMITTEE)
    with pytest.raises(Forbidden):
        call("update_committee", "aalborg", HJORRING_POLITICIAN, committee["id"], {"deadline": "2028-01-01"})
    with pytest.raises(Invalid):
        call("update_committee", "aalborg", politician, committee["id"], {"seats": {"resident": 0}})
    with pytest.raises(Invalid):
        call("update_committee", "aalborg", politician, committee["id"], {"questions": []})
    changed = call("update_committee", "aalborg", EMPLOYEE, committee["id"],
                   {"deadline": "2028-01-31", "questions": ["Hvem mangler vi?"], "seats": {"resident": 1}})
    assert (changed["deadline"], changed["questions"], changed["seats"]) == ("2028-01-31", ["Hvem mangler vi?"],
                                                                             {"resident": 1})
    assert "edit" in changed["allowed"] and "close" not in changed["allowed"]
    [update] = emitted(url, "samskab.committee.updated")
    assert sorted(update["data"]["changed"]) == ["deadline", "questions", "seats"]
    with pytest.raises(Conflict):  # working: not yet delivered
        call("close_committee", "aalborg", politician, committee["id"], {"note": "Slut"})
    application = call("apply_to_committee", "aalborg", resident, committee["id"], {})
    call("seat_members", "aalborg", politician, committee["id"], {"accepted": [application["id"]]})
    with pytest.raises(Conflict):  # seated: the mandate stands
        call("update_committee", "aalborg", politician, committee["id"], {"deadline": "2029-01-01"})
    call("deliver_recommendation", "aalborg", politician, committee["id"], {"recommendation": "Flere spisevenner"})
    with pytest.raises(Forbidden):
        call("close_committee", "aalborg", HJORRING_POLITICIAN, committee["id"], {"note": "Slut"})
    closed = call("close_committee", "aalborg", EMPLOYEE, committee["id"], {"note": "Arbejdet er afsluttet"})
    assert (closed["status"], closed["closing_note"]) == ("closed", "Arbejdet er afsluttet")
    [event] = emitted(url, "samskab.committee.closed")
    assert event["data"]["member_ids"] == [resident["id"]]
    with pytest.raises(Conflict):
        call("close_committee", "aalborg", EMPLOYEE, committee["id"], {"note": "igen"})


def test_the_proposal_shows_its_case(service):
    call, _ = service
    proposal = published(call, person())
    assert call("case_of_proposal", "aalborg", None, proposal["id"]) is None
    call("support", "aalborg", person(), proposal["id"])
    call("support", "aalborg", person(), proposal["id"])
    case = wait_for(lambda: call("case_of_proposal", "aalborg", None, proposal["id"]), timeout=15)
    assert case["status"] == "awaiting" and case["proposal_id"] == proposal["id"]


def test_an_erased_politicians_answers_no_longer_name_them(service):
    from samskab.testing import unit_of_work

    from proposals import usecases
    from proposals.usecases.missions import erase_participant as council_erasure

    call, url = service
    politician = person("politician")
    call("register_office", "aalborg", politician, {"name": "Anna Byrådsmedlem", "party": "Socialdemokratiet"})
    proposal = published(call, person())
    question = call("ask", "aalborg", person(), proposal["id"], {"body": "Hvornår?"})
    call("answer", "aalborg", politician, proposal["id"], question["id"], {"body": "Til foråret."})
    usecases.erase_participant(unit_of_work(url), politician["id"])
    council_erasure(unit_of_work(url), politician["id"])
    [answer] = call("questions", "aalborg", None, proposal["id"])[0]["answers"]
    assert answer["body"] == "Til foråret." and answer["office"] == {"role": "politician"}
