"""Political leadership in the proposals service, against a real PostgreSQL and
RabbitMQ: missions with proposals attached, a task committee from mandate to
recommendation, the council's answer with reasons by a politician in their public
office, a proposal over its threshold becoming a case by itself, and staff of
another municipality refused everywhere."""
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab import events
from samskab.db import outbox
from samskab.errors import Conflict, Forbidden, Invalid
from samskab.testing import unit_of_work, wait_for

from proposals.service import Service

pytestmark = pytest.mark.integration


def person(role="resident", municipality="aalborg"):
    return {"id": str(uuid.uuid4()), "role": role, "municipality": municipality,
            "staff": role in ("employee", "politician")}


POLITICIAN, EMPLOYEE, RESIDENT = person("politician"), person("employee"), person()
HJORRING_POLITICIAN = person("politician", "hjorring")
MISSION = {"title": "Færre ensomme ældre", "challenge": "Mange ældre, der bor alene, er ensomme.",
           "goal": "Halvér ensomheden blandt ældre, der bor alene", "horizon": 2030,
           "owner_committee": "Ældre- og sundhedsudvalget"}
PROPOSAL = {"kind": "service", "title": "Spisevenner", "problem": "Ældre spiser alene",
            "goal": "Fællesspisning hver uge", "language": "da"}
COMMITTEE = {"title": "Opgaveudvalg om fællesskaber", "seats": {"resident": 2, "politician": 1},
             "mandate": {"task": "Foreslå nye fællesskaber for ældre", "questions": ["Hvem mangler vi?", "Hvor?"],
                         "frame": "Budget 2 mio. kr.; plejeboliger er uden for rammen", "deadline": "2027-09-30"}}


@pytest.fixture
def service(container_factory, make_config):
    config = make_config("proposals", PROPOSALS_SUPPORT_THRESHOLD="2")
    container = container_factory(Service, config)
    container.start()

    def call(method, *args):
        with entrypoint_hook(container, method) as hook:
            return hook(*args)

    return call, config["DATABASE_URL"]


def emitted(url, type_name):
    with unit_of_work(url) as uow:
        return [row.envelope for row in uow.execute(sa.select(outbox.c.envelope).where(outbox.c.type == type_name))]


def test_a_mission_gathers_proposals_and_shows_how_far_they_have_come(service):
    call, url = service
    with pytest.raises(Invalid, match="public office"):
        call("publish_mission", "aalborg", POLITICIAN, MISSION)
    call("register_office", "aalborg", POLITICIAN, {"name": "Anna Byrådsmedlem", "party": "Socialdemokratiet"})
    mission = call("publish_mission", "aalborg", POLITICIAN, MISSION)
    assert mission["published_by"] == {"role": "politician", "name": "Anna Byrådsmedlem",
                                       "party": "Socialdemokratiet", "participant_id": POLITICIAN["id"]}
    proposal = call("submit", "aalborg", RESIDENT, {**PROPOSAL, "submit": False})
    with pytest.raises(Conflict):  # a draft: nobody else sees it yet
        call("attach_to_mission", "aalborg", RESIDENT, mission["id"], {"proposal_id": proposal["id"]})
    call("transition", "aalborg", RESIDENT, proposal["id"], {"to": "submitted"})
    call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "published"})
    with pytest.raises(Forbidden):  # someone else's proposal
        call("attach_to_mission", "aalborg", person(), mission["id"], {"proposal_id": proposal["id"]})
    assert call("attach_to_mission", "aalborg", RESIDENT, mission["id"],
                {"proposal_id": proposal["id"]})["attached_by"] == "initiator"
    call("record_experiment", "aalborg", RESIDENT, proposal["id"],
         {"hypothesis": "Flere kommer, hvis vi henter dem", "intervention": "Kørsel", "starts_on": "2027-01-10"})
    follower = person()
    call("follow_mission", "aalborg", follower, mission["id"], True)
    seen = call("get_mission", "aalborg", follower, mission["id"])
    assert [p["title"] for p in seen["proposals"]] == ["Spisevenner"]
    assert seen["progress"]["proposals"] == 1 and seen["progress"]["experiments"] == 1
    assert seen["followed_by_me"] is True and seen["followers"] == 1
    # In the public stream: the mission with the politician's office, the attachment without who did it.
    [published] = emitted(url, "samskab.mission.published")
    public = events.get_type("samskab.mission.published").project(published["data"])
    assert public["published_by"]["name"] == "Anna Byrådsmedlem" and "actor_id" not in public
    [attached] = emitted(url, "samskab.mission.proposal_attached")
    assert RESIDENT["id"] not in str(events.get_type("samskab.mission.proposal_attached").project(attached["data"]))


def test_a_committee_works_from_its_mandate_to_the_councils_answer(service):
    call, url = service
    call("register_office", "aalborg", POLITICIAN, {"name": "Anna Byrådsmedlem", "party": "Socialdemokratiet"})
    committee = call("form_committee", "aalborg", EMPLOYEE, COMMITTEE)
    assert committee["status"] == "recruiting" and committee["formed_by"] == {"role": "employee"}
    residents = [person() for _ in range(4)]
    applications = [call("apply_to_committee", "aalborg", r, committee["id"],
                         {"features": {"age": "65+" if i % 2 else "18-64"}}) for i, r in enumerate(residents)]
    with pytest.raises(Forbidden):  # a resident cannot take a politician's seat
        call("apply_to_committee", "aalborg", person(), committee["id"], {"group": "politician"})
    politician_seat = call("apply_to_committee", "aalborg", POLITICIAN, committee["id"], {"group": "politician"})
    with pytest.raises(Invalid):  # three residents for two seats
        call("seat_members", "aalborg", EMPLOYEE, committee["id"],
             {"drawn": [a["id"] for a in applications[:3]], "panel_id": "p1", "seed": 7})
    seated = call("seat_members", "aalborg", EMPLOYEE, committee["id"], {
        "drawn": [applications[0]["id"], applications[3]["id"]], "accepted": [politician_seat["id"]],
        "panel_id": "panel-1", "seed": 42})
    assert seated["members_by_group"] == {"resident": 2, "politician": 1} and seated["seed"] == 42
    assert [m["office"]["name"] for m in seated["members"] if m["office"]] == ["Anna Byrådsmedlem"]
    assert sorted(a["status"] for a in seated["applications"]) == ["not_drawn", "not_drawn", "seated", "seated",
                                                                 "seated"]
    # The public learns counts, the panel's seed and the politician's name, never a resident's id.
    [event] = emitted(url, "samskab.committee.members_seated")
    public = str(events.get_type("samskab.committee.members_seated").project(event["data"]))
    assert all(r["id"] not in public for r in residents) and "Anna Byrådsmedlem" in public
    for number in range(5):
        call("add_committee_meeting", "aalborg", EMPLOYEE, committee["id"],
             {"meeting_id": str(uuid.uuid4()), "starts_at": f"2027-0{number + 1}-10T17:00:00+01:00"})
    call("add_document", "aalborg", residents[0], committee["id"],
         {"kind": "minutes", "title": "Referat 1", "body": "Vi talte om busser."})
    with pytest.raises(Forbidden):  # not a member
        call("add_document", "aalborg", residents[1], committee["id"], {"title": "x", "body": "y"})
    delivered = call("deliver_recommendation", "aalborg", EMPLOYEE, committee["id"],
                     {"recommendation": "Åbn tre spisefællesskaber i lokalcentrene."})
    assert delivered["status"] == "delivered" and len(delivered["meetings"]) == 5
    case = delivered["case"]
    with pytest.raises(Conflict):  # placed on a meeting first
        call("decide", "aalborg", POLITICIAN, case["case_id"], {"decision": "adopted", "reasons": "Godt"})
    call("place_case", "aalborg", EMPLOYEE, case["case_id"], {"body": "Byrådet", "meeting_date": "2027-10-20"})
    with pytest.raises(Invalid):
        call("decide", "aalborg", POLITICIAN, case["case_id"], {"decision": "sent_on", "reasons": "Videre"})
    decided = call("decide", "aalborg", POLITICIAN, case["case_id"],
                   {"decision": "adopted_in_part", "reasons": "To af tre centre i 2028."})
    assert decided["decided_by"]["name"] == "Anna Byrådsmedlem" and decided["decided_by"]["party"]
    with pytest.raises(Conflict):
        call("decide", "aalborg", POLITICIAN, case["case_id"], {"decision": "rejected", "reasons": "Nej"})
    [made] = emitted(url, "samskab.decision.made")
    assert set(made["data"]["told_ids"]) == {residents[0]["id"], residents[3]["id"], POLITICIAN["id"]}
    assert "told_ids" not in events.get_type("samskab.decision.made").project(made["data"])
    assert call("get_committee", "aalborg", None, committee["id"])["status"] == "answered"
    page = call("politician", "aalborg", None, POLITICIAN["id"])
    assert [d["decision"] for d in page["decisions"]] == ["adopted_in_part"]
    assert [c["title"] for c in page["committees"]] == [COMMITTEE["title"]]


def test_a_proposal_over_its_threshold_becomes_a_case_and_what_became_of_it_counts_it(service):
    call, url = service
    proposal = call("submit", "aalborg", RESIDENT, PROPOSAL)
    call("transition", "aalborg", EMPLOYEE, proposal["id"], {"to": "published"})
    call("support", "aalborg", person(), proposal["id"])
    call("support", "aalborg", person(), proposal["id"])
    agenda = wait_for(lambda: call("agenda", "aalborg", None)["awaiting"] or None, timeout=15)
    assert [c["proposal_id"] for c in agenda] == [proposal["id"]]
    case_id = agenda[0]["case_id"]
    call("place_case", "aalborg", EMPLOYEE, case_id, {"body": "Ældre- og sundhedsudvalget",
                                                      "meeting_date": "2027-02-01"})
    call("decide", "aalborg", EMPLOYEE, case_id, {"decision": "rejected", "reasons": "Findes allerede i Vejgaard"})
    figures = call("council_figures", "aalborg", None)
    assert figures["cases"] == 1 and figures["answered"] == 1 and figures["by_decision"]["rejected"] == 1
    assert figures["median_days"] == 0.0 and figures["share_answered"] == 1.0


def test_staff_of_another_municipality_can_do_none_of_it(service):
    call, _ = service
    call("register_office", "aalborg", POLITICIAN, {"name": "Anna", "party": "S"})
    mission = call("publish_mission", "aalborg", POLITICIAN, MISSION)
    committee = call("form_committee", "aalborg", POLITICIAN, COMMITTEE)
    stranger = HJORRING_POLITICIAN
    for method, args in (
        ("register_office", ({"name": "Hans", "party": "V"},)),
        ("publish_mission", (MISSION,)),
        ("form_committee", (COMMITTEE,)),
        ("seat_members", (committee["id"], {"drawn": []})),
        ("add_committee_meeting", (committee["id"], {"meeting_id": str(uuid.uuid4()),
                                                     "starts_at": "2027-01-01T10:00:00+00:00"})),
        ("add_document", (committee["id"], {"title": "x", "body": "y"})),
        ("deliver_recommendation", (committee["id"], {"recommendation": "z"})),
        ("apply_to_committee", (committee["id"], {"group": "politician"})),
    ):
        with pytest.raises(Forbidden):
            call(method, "aalborg", stranger, *args)
    call("apply_to_committee", "aalborg", RESIDENT, committee["id"], {})
    app = call("get_committee", "aalborg", POLITICIAN, committee["id"])["applications"][0]
    call("seat_members", "aalborg", POLITICIAN, committee["id"], {"accepted": [app["id"]]})
    case = call("deliver_recommendation", "aalborg", POLITICIAN, committee["id"], {"recommendation": "z"})["case"]
    for method, payload in (("place_case", {"body": "Byrådet", "meeting_date": "2027-01-01"}),
                            ("decide", {"decision": "adopted", "reasons": "ok"})):
        with pytest.raises(Forbidden):
            call(method, "aalborg", stranger, case["case_id"], payload)
    assert "manage" not in call("get_mission", "aalborg", stranger, mission["id"])["allowed"]
    assert "applications" not in call("get_committee", "aalborg", stranger, committee["id"])


def test_what_became_of_it_from_a_seeded_history():
    """Four cases over a year: two answered (after 10 and 30 days), one placed, one
    waiting since 1 March; the figures are what a reader counts by hand."""
    from proposals import leadership

    def at(day):
        return dt.datetime(2027, 1, 1, 12, tzinfo=dt.timezone.utc) + dt.timedelta(days=day)

    a, b, c, d = (str(uuid.uuid4()) for _ in range(4))
    history = [
        {"type": "samskab.case.opened", "at": at(0), "data": {"case_id": a, "kind": "proposal", "opened_at": at(0)}},
        {"type": "samskab.case.opened", "at": at(5),
         "data": {"case_id": b, "kind": "recommendation", "opened_at": at(5)}},
        {"type": "samskab.case.placed", "at": at(6), "data": {"case_id": a, "kind": "proposal"}},
        {"type": "samskab.decision.made", "at": at(10),
         "data": {"case_id": a, "kind": "proposal", "decision": "adopted", "decided_at": at(10)}},
        {"type": "samskab.case.opened", "at": at(20), "data": {"case_id": c, "kind": "proposal", "opened_at": at(20)}},
        {"type": "samskab.case.placed", "at": at(21), "data": {"case_id": b, "kind": "recommendation"}},
        {"type": "samskab.decision.made", "at": at(35),
         "data": {"case_id": b, "kind": "recommendation", "decision": "sent_on", "decided_at": at(35)}},
        {"type": "samskab.case.opened", "at": at(59), "data": {"case_id": d, "kind": "proposal", "opened_at": at(59)}},
        {"type": "samskab.case.placed", "at": at(60), "data": {"case_id": d, "kind": "proposal"}},
    ]
    figures = leadership.figures(history, now=at(80))
    assert figures == {
        "cases": 4, "answered": 2, "awaiting": 1, "placed": 1,
        "by_decision": {"adopted": 1, "adopted_in_part": 0, "rejected": 0, "sent_on": 1},
        "by_kind": {"proposal": {"cases": 3, "answered": 1}, "recommendation": {"cases": 1, "answered": 1}},
        "median_days": 20.0, "longest_open_days": 60, "share_answered": 0.5,
    }
