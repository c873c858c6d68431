"""A proposal's whole co-creation life through the gateway with the real services,
watched by a third party on samskab.public; isolation between municipalities;
bad input; moderation."""
import json
import uuid

import jsonschema
import pytest
import requests
import sqlalchemy as sa
from argon2 import PasswordHasher

from samskab.db import outbox
from samskab.testing import Subscriber, http_port, unit_of_work

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
PROPOSAL = {
    "kind": "development",
    "title": "Grønnere pendling til Aalborg Øst",
    "problem": "De fleste pendlere til industriområdet kører alene i bil.",
    "goal": "Halvdelen af pendlerne cykler, tager bus eller samkører i 2028.",
    "area": "Aalborg Øst",
    "topics": ["mobility", "climate"],
    "needs": ["cykelmekaniker", "samkørselsapp"],
    "language": "da",
}


class Platform:
    def __init__(self, base, amqp_uri, gateway_db):
        self.base = base
        self.amqp_uri = amqp_uri
        self.gateway_db = gateway_db
        self._operator = None

    def url(self, path):
        return self.base + path

    def register(self, email, municipality="aalborg", name="Test Person"):
        r = requests.post(self.url("/auth/register"), json={
            "email": email, "password": PASSWORD, "display_name": name, "municipality": municipality})
        assert r.status_code == 201, r.text
        return r.json()["id"], self.login(email)

    def login(self, email):
        t = requests.post(self.url("/auth/token"), json={"email": email, "password": PASSWORD})
        assert t.status_code == 200, t.text
        return {"Authorization": f"Bearer {t.json()['access_token']}"}

    def operator(self):
        """An operator exists from outside the API (the first one is made by hand)."""
        if self._operator is None:
            with unit_of_work(self.gateway_db) as uow:
                uow.execute(accounts.insert().values(
                    id=uuid.uuid4(), email="operator@example.org", password_hash=PasswordHasher().hash(PASSWORD),
                    display_name="Operator", municipality="aalborg", role="operator", language="da"))
            self._operator = self.login("operator@example.org")
        return self._operator

    def staff(self, email, municipality, role="employee"):
        account_id, _ = self.register(email, municipality, name="Staff Person")
        r = requests.post(self.url(f"/accounts/{account_id}/role"), headers=self.operator(),
                          json={"role": role, "municipality": municipality})
        assert r.status_code == 200, r.text
        assert r.json()["role"] == role
        return account_id, self.login(email)

    def proposal_path(self, pid, m="aalborg", rest=""):
        return self.url(f"/municipalities/{m}/proposals/{pid}{rest}")


@pytest.fixture
def platform(runner_factory, make_config, broker_uri):
    gateway_config = make_config("gateway")
    gateway = runner_factory(gateway_config, Gateway)
    proposals = runner_factory(make_config("proposals", PROPOSALS_SUPPORT_THRESHOLD="2"), Proposals)
    gateway.start()
    proposals.start()
    base = f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}/api/v1"
    return Platform(base, broker_uri, gateway_config["DATABASE_URL"])


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def fields(problem_body):
    return {e["field"] for e in problem_body.get("errors", [])}


def validator(openapi, schema_name):
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema_name}", "components": openapi["components"]})


# -- the whole life, end to end ------------------------------------------------------------


def test_a_proposal_lives_from_submission_to_conclusion_and_the_public_sees_each_step_without_personal_data(platform):
    p = platform
    public = Subscriber(p.amqp_uri, "aalborg.proposal.*")
    initiator_id, initiator = p.register("mette@example.org", name="Mette Hansen")
    employee_id, employee = p.staff("jens.kommune@example.org", "aalborg")
    supporter_ids, supporters = zip(*[p.register(f"neighbour{i}@example.org", name=f"Neighbour {i}") for i in range(2)])
    openapi = ok(requests.get(p.url("/openapi.json")))

    created = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=initiator), 201)
    validator(openapi, "ProposalOut").validate(created)
    assert created["status"] == "submitted"
    pid = created["id"]

    assert ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "published"},
                            headers=employee))["status"] == "published"
    for headers in supporters:
        ok(requests.post(p.proposal_path(pid, rest="/supports"), headers=headers), 201)
    assert ok(requests.get(p.proposal_path(pid, rest="/supports")))["support_count"] == 2

    question = ok(requests.post(p.proposal_path(pid, rest="/questions"), headers=supporters[0],
                                json={"body": "Hvor skal cykelparkeringen ligge?"}), 201)
    unanswered = ok(requests.get(p.proposal_path(pid, rest="/questions?unanswered=true")))
    assert [q["id"] for q in unanswered] == [question["id"]], "unanswered questions are visible"
    ok(requests.post(p.proposal_path(pid, rest=f"/questions/{question['id']}/answers"), headers=initiator,
                     json={"body": "Ved busstoppestedet på Over Kæret."}), 201)
    assert ok(requests.get(p.proposal_path(pid, rest="/questions?unanswered=true"))) == []
    for q in ok(requests.get(p.proposal_path(pid, rest="/questions"))):
        validator(openapi, "QuestionOut").validate(q)

    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "forming"}, headers=initiator))
    draft = {
        "parties": [{"role": "initiator", "responsibilities": "samler pendlerne"},
                    {"role": "municipality", "responsibilities": "cykelparkering og skilte"}],
        "municipality_commitment": "Kommunen bygger overdækket cykelparkering inden 1. maj.",
        "iap2_level": "collaborate",
        "decision_maker": "Klima- og Miljøudvalget",
        "resources": ["100.000 kr.", "2 medarbejdere"],
        "timeline": [{"date": "2027-05-01", "what": "parkering klar"}],
    }
    agreement = ok(requests.put(p.proposal_path(pid, rest="/agreement"), json=draft, headers=employee))
    assert agreement["version"] == 1 and agreement["accepted"] is False
    ok(requests.post(p.proposal_path(pid, rest="/agreement/acceptances"), json={"version": 1}, headers=initiator))
    agreement = ok(requests.post(p.proposal_path(pid, rest="/agreement/acceptances"), json={"version": 1}, headers=employee))
    validator(openapi, "AgreementOut").validate(agreement)
    assert agreement["accepted"] is True
    assert agreement["accepted_parties"] == ["initiator", "municipality"]

    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "active"}, headers=employee))
    experiment = ok(requests.post(p.proposal_path(pid, rest="/experiments"), headers=initiator, json={
        "hypothesis": "Overdækket parkering får flere til at cykle", "intervention": "Midlertidig parkering i 6 uger",
        "starts_on": "2027-05-01", "ends_on": "2027-06-15"}), 201)
    ok(requests.patch(p.proposal_path(pid, rest=f"/experiments/{experiment['id']}"), headers=initiator,
                      json={"outcome": "30 % flere cykler", "learnings": "Lys og overdækning betyder mest"}))
    validator(openapi, "ExperimentOut").validate(experiment)
    update = ok(requests.post(p.proposal_path(pid, rest="/updates"), headers=employee,
                              json={"body": "Parkeringen er bestilt."}), 201)
    validator(openapi, "UpdateOut").validate(update)
    concluded = ok(requests.post(p.proposal_path(pid, rest="/transitions"), headers=initiator, json={
        "to": "concluded", "outcome": "implemented", "reason": "Parkeringen er permanent"}))
    assert (concluded["status"], concluded["outcome"]) == ("concluded", "implemented")

    history = ok(requests.get(p.proposal_path(pid, rest="/transitions")))
    assert [(h["from_status"], h["to_status"], h["capacity"]) for h in history] == [
        ("draft", "submitted", "initiator"), ("submitted", "published", "staff"), ("published", "forming", "initiator"),
        ("forming", "active", "staff"), ("active", "concluded", "initiator")]
    assert all("actor_id" not in h for h in history), "anonymous readers learn roles, not people"
    assert ok(requests.get(p.proposal_path(pid)))["initiator_id"] is None
    assert ok(requests.get(p.proposal_path(pid), headers=supporters[0]))["initiator_id"] is None
    assert ok(requests.get(p.proposal_path(pid), headers=employee))["initiator_id"] == initiator_id
    assert ok(requests.get(p.proposal_path(pid), headers=initiator))["initiator_id"] == initiator_id
    for entry in history:
        validator(openapi, "HistoryEntry").validate(entry)
    for listed in ok(requests.get(p.url("/municipalities/aalborg/proposals?status=concluded"))):
        validator(openapi, "ProposalOut").validate(listed)

    expected = [
        "submitted", "published", "supported", "supported", "support_threshold_reached", "question_asked",
        "question_answered", "status_changed", "agreement_updated", "agreement_updated", "agreement_updated",
        "status_changed", "experiment_recorded", "experiment_recorded", "progress_posted", "status_changed",
    ]
    messages = public.drain(expect=len(expected), timeout=15)
    public.close()
    assert [m.routing_key for m, _, _ in messages] == [f"aalborg.proposal.{t}" for t in expected]
    personal = [initiator_id, employee_id, *supporter_ids, "mette@example.org", "Mette Hansen", "Neighbour",
                "jens.kommune", "@example.org"]
    for method, props, body in messages:
        text = body.decode()
        assert props.content_type == "application/cloudevents+json"
        for item in personal:
            assert item not in text, f"{method.routing_key} leaks {item}"
    events = [json.loads(body) for _, _, body in messages]
    assert events[-1]["data"]["status"] == "concluded" and events[-1]["data"]["outcome"] == "implemented"
    assert events[4]["data"]["threshold"] == 2
    assert events[10]["data"]["accepted"] is True and events[10]["data"]["accepted_by"] == ["initiator", "municipality"]


# -- isolation --------------------------------------------------------------------------------


def test_staff_of_another_municipality_can_neither_see_drafts_nor_change_proposals(platform):
    p = platform
    _, resident = p.register("resident@example.org")
    _, aalborg_staff = p.staff("aalborg.staff@example.org", "aalborg")
    _, hjorring_staff = p.staff("hjorring.staff@example.org", "hjorring")
    draft = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json={**PROPOSAL, "submit": False},
                             headers=resident), 201)
    submitted = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=resident), 201)
    hjorring_own = ok(requests.post(p.url("/municipalities/hjorring/proposals"),
                                    json={**PROPOSAL, "title": "Hjørring"}, headers=resident), 201)

    for headers in (hjorring_staff, aalborg_staff, None):
        problem(requests.get(p.proposal_path(draft["id"]), headers=headers), 404)
    assert ok(requests.get(p.proposal_path(draft["id"]), headers=resident))["status"] == "draft"
    problem(requests.get(p.proposal_path(submitted["id"], m="hjorring"), headers=hjorring_staff), 404)

    problem(requests.post(p.proposal_path(submitted["id"], rest="/transitions"), json={"to": "published"},
                          headers=hjorring_staff), 403)
    problem(requests.post(p.proposal_path(submitted["id"], rest="/transitions"),
                          json={"to": "rejected", "reason": "duplicate"}, headers=hjorring_staff), 403)
    problem(requests.patch(p.proposal_path(submitted["id"]), json={"iap2_level": "empower"}, headers=hjorring_staff), 403)
    problem(requests.post(p.proposal_path(submitted["id"], rest="/hidden"), headers=hjorring_staff,
                          json={"target_type": "proposal", "target_id": submitted["id"], "reason": "spam"}), 403)
    problem(requests.get(p.url("/municipalities/aalborg/reports"), headers=hjorring_staff), 403)
    problem(requests.put(p.proposal_path(submitted["id"], rest="/agreement"), headers=hjorring_staff, json={
        "municipality_commitment": "x", "iap2_level": "inform", "decision_maker": "x"}), 403)

    after = ok(requests.get(p.proposal_path(submitted["id"])))
    assert (after["status"], after["iap2_level"], after["hidden"]) == ("submitted", None, False)
    assert ok(requests.get(p.proposal_path(submitted["id"], rest="/transitions"))) == [
        {"from_status": "draft", "to_status": "submitted", "capacity": "initiator", "reason": None, "outcome": None,
         "at": ok(requests.get(p.proposal_path(submitted["id"], rest="/transitions")))[0]["at"]}]

    aalborg = ok(requests.get(p.url("/municipalities/aalborg/proposals"), headers=aalborg_staff))
    hjorring = ok(requests.get(p.url("/municipalities/hjorring/proposals"), headers=hjorring_staff))
    assert [x["id"] for x in aalborg] == [submitted["id"]]
    assert [x["id"] for x in hjorring] == [hjorring_own["id"]]
    mine = ok(requests.get(p.url("/municipalities/aalborg/proposals?mine=true"), headers=resident))
    assert {x["id"] for x in mine} == {draft["id"], submitted["id"]}
    # and the proposal's own municipality's staff may act
    ok(requests.post(p.proposal_path(submitted["id"], rest="/transitions"), json={"to": "published"}, headers=aalborg_staff))


def test_roles_are_granted_by_an_operator_only(platform):
    p = platform
    resident_id, resident = p.register("climber@example.org")
    problem(requests.post(p.url(f"/accounts/{resident_id}/role"), headers=resident,
                          json={"role": "employee", "municipality": "aalborg"}), 403)
    problem(requests.post(p.url(f"/accounts/{resident_id}/role"), json={"role": "employee", "municipality": "aalborg"}), 401)
    problem(requests.post(p.url("/auth/register"), json={
        "email": "self@example.org", "password": PASSWORD, "display_name": "Self", "municipality": "aalborg",
        "role": "employee"}), 422)
    assert ok(requests.get(p.url("/me"), headers=resident))["role"] == "resident"
    problem(requests.post(p.url(f"/accounts/{uuid.uuid4()}/role"), headers=p.operator(),
                          json={"role": "employee", "municipality": "aalborg"}), 404)
    problem(requests.post(p.url(f"/accounts/{resident_id}/role"), headers=p.operator(),
                          json={"role": "mayor", "municipality": "aalborg"}), 422)
    with unit_of_work(p.gateway_db) as uow:
        assert uow.execute(sa.select(sa.func.count()).select_from(outbox)
                           .where(outbox.c.type == "samskab.participant.updated")).scalar() == 0

    granted = ok(requests.post(p.url(f"/accounts/{resident_id}/role"), headers=p.operator(),
                               json={"role": "politician", "municipality": "hjorring"}))
    assert (granted["role"], granted["municipality"]) == ("politician", "hjorring")
    assert ok(requests.get(p.url("/me"), headers=resident))["role"] == "politician"
    with unit_of_work(p.gateway_db) as uow:
        [envelope] = uow.execute(sa.select(outbox.c.envelope)
                                 .where(outbox.c.type == "samskab.participant.updated")).scalars().all()
    assert envelope["municipality"] == "hjorring" and envelope["data"]["role"] == "politician"


# -- bad input -----------------------------------------------------------------------------------


def test_bad_input_gets_a_problem_and_leaves_the_proposal_unchanged(platform):
    p = platform
    _, resident = p.register("careful@example.org")
    _, supporter = p.register("supporter@example.org")
    _, employee = p.staff("employee@example.org", "aalborg")
    pid = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=resident), 201)["id"]
    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "published"}, headers=employee))
    ok(requests.post(p.proposal_path(pid, rest="/supports"), headers=supporter), 201)
    before = ok(requests.get(p.proposal_path(pid)))
    history_before = ok(requests.get(p.proposal_path(pid, rest="/transitions")))

    no_mission = {k: v for k, v in PROPOSAL.items() if k != "problem"}
    assert "problem" in fields(problem(requests.post(p.url("/municipalities/aalborg/proposals"), json=no_mission,
                                                     headers=resident), 422))
    assert "topics" in fields(problem(requests.post(p.url("/municipalities/aalborg/proposals"),
                                                    json={**PROPOSAL, "topics": "mobility"}, headers=resident), 422))
    assert "goal" in fields(problem(requests.post(p.url("/municipalities/aalborg/proposals"),
                                                  json={**PROPOSAL, "goal": "x" * 4001}, headers=resident), 422))
    problem(requests.post(p.url("/municipalities/aalborg/proposals"), headers=resident,
                          json={**PROPOSAL, "description": "x" * 70000}), 413)
    assert "to" in fields(problem(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "archived"},
                                                headers=employee), 422))
    assert "reason" in fields(problem(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "rejected"},
                                                    headers=employee), 422))
    problem(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "concluded", "outcome": "adopted",
                                                                           "reason": "x"}, headers=employee), 409)
    assert "title" in fields(problem(requests.patch(p.proposal_path(pid), json={"title": 42}, headers=resident), 422))
    assert "owner" in fields(problem(requests.patch(p.proposal_path(pid), json={"owner": "me"}, headers=resident), 422))
    problem(requests.patch(p.proposal_path(pid), json={"problem": None}, headers=resident), 422)
    problem(requests.post(p.proposal_path(pid, rest="/supports"), headers=supporter), 409)
    problem(requests.post(p.proposal_path(pid, rest="/questions"), json={"body": ""}, headers=supporter), 422)
    assert "status" in fields(problem(requests.get(p.url("/municipalities/aalborg/proposals?status=bogus")), 422))
    assert "cursor" in fields(problem(requests.get(p.url("/municipalities/aalborg/proposals?cursor=garbage")), 422))
    problem(requests.get(p.proposal_path("not-a-uuid")), 404)

    assert ok(requests.get(p.proposal_path(pid))) == before
    assert before["support_count"] == 1
    assert ok(requests.get(p.proposal_path(pid, rest="/transitions"))) == history_before
    assert [x["id"] for x in ok(requests.get(p.url("/municipalities/aalborg/proposals")))] == [pid]
    assert ok(requests.get(p.proposal_path(pid, rest="/questions"))) == []


# -- moderation -----------------------------------------------------------------------------------------


def test_reported_content_is_hidden_with_a_visible_reason_and_leaves_public_views(platform):
    p = platform
    author_id, author = p.register("author@example.org")
    _, troll = p.register("troll@example.org")
    _, employee = p.staff("moderator@example.org", "aalborg")
    pid = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=author), 201)["id"]
    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "published"}, headers=employee))
    public = Subscriber(p.amqp_uri, "aalborg.proposal.hidden")
    insult = ok(requests.post(p.proposal_path(pid, rest="/questions"), json={"body": "Something rude about Mette"},
                              headers=troll), 201)
    kept = ok(requests.post(p.proposal_path(pid, rest="/questions"), json={"body": "When will it start?"},
                            headers=author), 201)

    report = ok(requests.post(p.proposal_path(pid, rest="/reports"), headers=author,
                              json={"target_type": "question", "target_id": insult["id"], "reason": "personal attack"}), 201)
    problem(requests.get(p.url("/municipalities/aalborg/reports"), headers=author), 403)
    assert [r["id"] for r in ok(requests.get(p.url("/municipalities/aalborg/reports"), headers=employee))] == [report["id"]]
    ok(requests.post(p.url(f"/municipalities/aalborg/reports/{report['id']}/decision"), headers=employee,
                     json={"action": "hide", "reason": "Personangreb er ikke tilladt"}))
    problem(requests.post(p.url(f"/municipalities/aalborg/reports/{report['id']}/decision"), headers=employee,
                          json={"action": "dismiss", "reason": "again"}), 409)

    listed = {q["id"]: q for q in ok(requests.get(p.proposal_path(pid, rest="/questions")))}
    assert listed[insult["id"]]["hidden"] is True and listed[insult["id"]]["body"] is None
    assert listed[insult["id"]]["hidden_reason"] == "Personangreb er ikke tilladt", "nothing vanishes silently"
    assert listed[kept["id"]]["body"] == "When will it start?"
    problem(requests.post(p.proposal_path(pid, rest=f"/questions/{insult['id']}/answers"), headers=author,
                          json={"body": "no"}), 409)
    assert ok(requests.get(p.url("/municipalities/aalborg/reports"), headers=employee)) == []

    ok(requests.post(p.proposal_path(pid, rest="/hidden"), headers=employee,
                     json={"target_type": "proposal", "target_id": pid, "reason": "Uden for kommunens område"}))
    tombstone = ok(requests.get(p.proposal_path(pid)))
    assert tombstone["hidden"] is True and tombstone["hidden_reason"] == "Uden for kommunens område"
    assert tombstone.get("title") is None and tombstone.get("problem") is None
    assert ok(requests.get(p.proposal_path(pid), headers=author))["title"] == PROPOSAL["title"]
    assert ok(requests.get(p.url("/municipalities/aalborg/proposals"))) == []
    problem(requests.post(p.proposal_path(pid, rest="/supports"), headers=troll), 409)
    hidden_questions = problem(requests.get(p.proposal_path(pid, rest="/questions"), headers=troll), 404)
    assert "Uden for kommunens område" in hidden_questions["detail"]
    assert len(ok(requests.get(p.proposal_path(pid, rest="/questions"), headers=employee))) == 2

    hidden_events = [json.loads(body) for _, _, body in public.drain(expect=2)]
    public.close()
    assert [(e["data"]["target_type"], e["data"]["reason"]) for e in hidden_events] == [
        ("question", "Personangreb er ikke tilladt"), ("proposal", "Uden for kommunens område")]
    assert all(author_id not in json.dumps(e) for e in hidden_events)


# -- editing, supports and follows ---------------------------------------------------------------


def test_edits_supports_and_follows_change_what_people_see_and_the_threshold_fires_once(platform):
    p = platform
    public = Subscriber(p.amqp_uri, "aalborg.proposal.*")
    _, initiator = p.register("editor@example.org")
    _, employee = p.staff("editor.staff@example.org", "aalborg")
    fans = [p.register(f"fan{i}@example.org")[1] for i in range(3)]
    pid = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=initiator), 201)["id"]
    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "published"}, headers=employee))

    edited = ok(requests.patch(p.proposal_path(pid), json={"goal": "Alle pendlere har et alternativ til bilen.",
                                                         "area": None}, headers=initiator))
    assert edited["goal"].startswith("Alle pendlere") and edited["area"] is None
    assert ok(requests.patch(p.proposal_path(pid), json={"iap2_level": "involve"}, headers=employee))["iap2_level"] == "involve"
    problem(requests.patch(p.proposal_path(pid), json={"goal": "staff may not rewrite the mission"}, headers=employee), 403)
    problem(requests.patch(p.proposal_path(pid), json={"topics": None}, headers=initiator), 422)

    for fan in fans[:2]:
        ok(requests.post(p.proposal_path(pid, rest="/supports"), headers=fan), 201)
    assert ok(requests.delete(p.proposal_path(pid, rest="/supports"), headers=fans[0]))["support_count"] == 1
    problem(requests.delete(p.proposal_path(pid, rest="/supports"), headers=fans[0]), 409)
    ok(requests.post(p.proposal_path(pid, rest="/supports"), headers=fans[0]), 201)  # back to 2: no second threshold
    ok(requests.post(p.proposal_path(pid, rest="/supports"), headers=fans[2]), 201)
    seen = ok(requests.get(p.proposal_path(pid), headers=fans[2]))
    assert (seen["support_count"], seen["supported_by_me"], seen["followed_by_me"]) == (3, True, False)

    assert ok(requests.post(p.proposal_path(pid, rest="/follows"), headers=fans[2])) == {"followed_by_me": True}
    assert ok(requests.get(p.proposal_path(pid), headers=fans[2]))["followed_by_me"] is True
    ok(requests.delete(p.proposal_path(pid, rest="/follows"), headers=fans[2]))
    assert ok(requests.get(p.proposal_path(pid), headers=fans[2]))["followed_by_me"] is False

    expected = ["submitted", "published", "updated", "updated", "supported", "supported",
                "support_threshold_reached", "support_withdrawn", "supported", "supported"]
    keys = [m.routing_key.split(".", 2)[2] for m, _, _ in public.drain(expect=len(expected) + 1, timeout=4)]
    public.close()
    assert keys == expected, "follows stay internal; the threshold fires once"


def test_the_same_person_supporting_twice_at_once_counts_once(platform):
    import eventlet

    p = platform
    _, initiator = p.register("race@example.org")
    _, employee = p.staff("race.staff@example.org", "aalborg")
    _, fan = p.register("eager@example.org")
    pid = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=initiator), 201)["id"]
    ok(requests.post(p.proposal_path(pid, rest="/transitions"), json={"to": "published"}, headers=employee))
    pool = eventlet.GreenPool()
    statuses = sorted(pool.imap(lambda _: requests.post(p.proposal_path(pid, rest="/supports"), headers=fan).status_code,
                                range(6)))
    assert statuses == [201] + [409] * 5
    assert ok(requests.get(p.proposal_path(pid)))["support_count"] == 1


def test_a_retried_submission_with_an_idempotency_key_makes_one_proposal(platform):
    """A client that lost the answer (timeout, 503, dropped connection) sends the same
    request again with the same Idempotency-Key: it gets the first proposal back."""
    import eventlet

    p = platform
    _, initiator = p.register("retry@example.org")
    _, other = p.register("retry.other@example.org")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers={**initiator, **key})
    assert first.status_code == 201, first.text
    again = requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers={**initiator, **key})
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"].endswith(f"/proposals/{first.json()['id']}")
    assert "replayed" not in again.json()

    # eight retries at once: still one proposal
    burst = {"Idempotency-Key": str(uuid.uuid4())}
    answers = list(eventlet.GreenPool().imap(lambda _: requests.post(
        p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers={**initiator, **burst}), range(8)))
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["id"] for a in answers}) == 1

    # the same key for another proposal is refused, and nothing is stored
    changed = dict(PROPOSAL, title="Something else entirely")
    refused = problem(requests.post(p.url("/municipalities/aalborg/proposals"), json=changed,
                                    headers={**initiator, **key}), 422)
    assert "Idempotency-Key" in fields(refused)
    # keys are per person: someone else's request with the same key is their own
    theirs = requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers={**other, **key})
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    # without a key, each request is a new proposal, as before
    plain = ok(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL, headers=initiator), 201)
    mine = ok(requests.get(p.url("/municipalities/aalborg/proposals?mine=1&status=submitted"), headers=initiator))
    assert sorted(x["id"] for x in mine) == sorted({first.json()["id"], answers[0].json()["id"], plain["id"]})
    assert problem(requests.post(p.url("/municipalities/aalborg/proposals"), json=PROPOSAL,
                                 headers={**initiator, "Idempotency-Key": "x" * 300}), 422)
