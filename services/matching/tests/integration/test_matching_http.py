"""Profiles, matches, stakeholder maps, recommendations and panels through the
gateway, with the real proposals and matching services behind it."""
import json
import uuid

import pytest
import requests
from argon2 import PasswordHasher

from samskab.testing import Subscriber, http_port, unit_of_work

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from matching.service import Service as Matching
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
PROPOSAL = {
    "kind": "development", "title": "Cykelværksted i Aalborg Øst",
    "problem": "Mange cykler står ødelagte i kældrene i Aalborg Øst.",
    "goal": "Et fælles værksted, hvor frivillige reparerer cykler.",
    "area": "Aalborg Øst", "topics": ["mobilitet"], "needs": ["cykelmekaniker", "lokale"], "language": "da",
}


@pytest.fixture
def api(runner_factory, make_config, broker_uri):
    gateway_config = make_config("gateway")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("proposals"), Proposals),
               runner_factory(make_config("matching"), Matching)]
    for r in runners:
        r.start()
    base = f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1"
    return base, broker_uri, gateway_config["DATABASE_URL"]


def login(base, email):
    r = requests.post(f"{base}/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def register(base, email, role="resident"):
    r = requests.post(f"{base}/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Someone", "municipality": "aalborg", "role": role})
    assert r.status_code == 201, r.text
    return r.json()["id"], login(base, email)


def employee(base, gateway_db):
    with unit_of_work(gateway_db) as uow:
        uow.execute(accounts.insert().values(
            id=uuid.uuid4(), email="operator@example.org", password_hash=PasswordHasher().hash(PASSWORD),
            display_name="Operator", municipality="aalborg", role="operator", language="da"))
    operator = login(base, "operator@example.org")
    account_id, _ = register(base, "planner@example.org")
    r = requests.post(f"{base}/accounts/{account_id}/role", headers=operator,
                      json={"role": "employee", "municipality": "aalborg"})
    assert r.status_code == 200, r.text
    return account_id, login(base, "planner@example.org")


def status(response, expected):
    assert response.status_code == expected, response.text
    return response.json()


def test_profile_matches_stakeholders_recommendations_and_panels_through_the_api(api):
    base, uri, gateway_db = api
    public = Subscriber(uri, "aalborg.proposal.matches_suggested")
    initiator_id, initiator = register(base, "initiator@example.org")
    mechanic_id, mechanic = register(base, "mechanic@example.org")
    association_id, association = register(base, "forening@example.org", role="association")
    _, bystander = register(base, "bystander@example.org")
    _, staff = employee(base, gateway_db)

    # profiles
    status(requests.get(f"{base}/me/profile"), 401)
    assert status(requests.get(f"{base}/me/profile", headers=mechanic), 200)["suggest_me"] is False
    profile = {"skills": ["Cykelmekaniker"], "areas": ["Aalborg Øst"], "interests": ["mobilitet"],
               "availability": ["weekend"], "languages": ["da"], "suggest_me": True}
    saved = status(requests.put(f"{base}/me/profile", json=profile, headers=mechanic), 200)
    assert saved["skills"] == ["Cykelmekaniker"] and saved["kind"] == "resident"
    assert status(requests.get(f"{base}/me/profile", headers=mechanic), 200) == saved
    bad = status(requests.put(f"{base}/me/profile", json={**profile, "availability": ["midnight"]},
                              headers=mechanic), 422)
    assert any(e["field"].startswith("availability") for e in bad["errors"])
    bad = status(requests.put(f"{base}/me/profile", json={**profile, "neighbour_municipalities": ["atlantis"]},
                              headers=mechanic), 422)
    assert [e["field"] for e in bad["errors"]] == ["neighbour_municipalities"]
    assert status(requests.get(f"{base}/me/profile", headers=mechanic), 200) == saved, "nothing stored"
    status(requests.put(f"{base}/me/profile", json={"resources": ["lokale"], "suggest_me": True},
                        headers=association), 200)

    # a proposal is published: matches are suggested
    proposal = status(requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL,
                                    headers=initiator), 201)
    pid = proposal["id"]
    status(requests.post(f"{base}/municipalities/aalborg/proposals/{pid}/transitions", json={"to": "published"},
                         headers=staff), 200)
    [(_, _, body)] = public.drain(expect=1)
    assert json.loads(body)["data"]["total"] == 2
    assert mechanic_id.encode() not in body
    public.close()

    path = f"{base}/municipalities/aalborg/proposals/{pid}"
    status(requests.get(f"{path}/matches"), 401)
    status(requests.get(f"{path}/matches", headers=bystander), 403)
    status(requests.get(f"{path}/matches", headers=mechanic), 403)
    found = status(requests.get(f"{path}/matches", headers=initiator), 200)
    assert [m["participant_id"] for m in found["matches"]] == [mechanic_id, association_id]
    assert status(requests.get(f"{path}/matches", headers=staff), 200) == found
    status(requests.get(f"{base}/municipalities/hjorring/proposals/{pid}/matches", headers=staff), 404)

    grid = status(requests.get(f"{path}/stakeholders", headers=staff), 200)
    placed = {e["participant_id"]: q for q, entries in grid["grid"].items() for e in entries}
    assert placed == {mechanic_id: "keep_informed", association_id: "keep_satisfied"}
    assert [g["gap"] for g in grid["gaps"]] == ["no_decider", "no_business"]
    status(requests.get(f"{path}/stakeholders", headers=bystander), 403)

    assert status(requests.get(f"{path}/similar"), 200) == {"proposal_id": pid, "similar": []}

    recommended = status(requests.get(f"{base}/me/recommendations", headers=mechanic), 200)["recommendations"]
    assert [r["proposal_id"] for r in recommended] == [pid]

    # citizen panels: staff only, quotas met, infeasible explained
    pool = [{"id": f"r{i:02d}", "features": {"age": "young" if i % 2 else "old"}} for i in range(20)]
    request = {"size": 4, "volunteers": pool, "quotas": {"age": {"young": {"min": 2, "max": 2}}}, "seed": 7}
    status(requests.post(f"{base}/municipalities/aalborg/panels", json=request, headers=bystander), 403)
    panel = status(requests.post(f"{base}/municipalities/aalborg/panels", json=request, headers=staff), 201)
    assert panel["counts"] == {"age": {"old": 2, "young": 2}} and panel["seed"] == 7
    assert panel["lowest_probability"] == pytest.approx(0.2)
    impossible = {**request, "quotas": {"age": {"young": {"min": 11, "max": 12}}}}
    explained = status(requests.post(f"{base}/municipalities/aalborg/panels", json=impossible, headers=staff), 422)
    assert "quotas.age.young.min" in [e["field"] for e in explained["errors"]]


def test_a_draft_sees_the_same_idea_before_it_is_submitted(api):
    base, _, _ = api
    _, resident = register(base, "first@example.org")
    existing = status(requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=resident), 201)
    draft = {"title": "Et værksted til cykler i Aalborg Øst", "language": "da",
             "problem": "Cyklerne i kældrene i Aalborg Øst er ødelagte, og ingen reparerer dem."}
    import time
    deadline = time.time() + 10
    found = []
    while not found and time.time() < deadline:  # matching learns of the proposal from its event
        found = status(requests.post(f"{base}/municipalities/aalborg/similar-proposals", json=draft), 200)
        time.sleep(0.1)
    assert [(f["id"], f["title"]) for f in found] == [(existing["id"], PROPOSAL["title"])]
    assert status(requests.post(f"{base}/municipalities/hamar/similar-proposals", json=draft), 200) == []
    bad = requests.post(f"{base}/municipalities/aalborg/similar-proposals", json={**draft, "language": "xx"})
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"


def register_in(base, email, municipality):
    r = requests.post(f"{base}/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Someone", "municipality": municipality,
        "role": "resident"})
    assert r.status_code == 201, r.text
    return login(base, email)


def test_tried_elsewhere_lists_the_same_idea_from_other_municipalities_and_staff_mark_duplicates(api):
    base, _, gateway_db = api
    aalborg = register_in(base, "aalborg@example.org", "aalborg")
    hamar = register_in(base, "hamar@example.org", "hamar")
    _, staff = employee(base, gateway_db)
    flooded = {"kind": "development", "title": "Oversvømmede kældre efter skybrud", "language": "da",
               "problem": "Ved hvert skybrud løber regnvandet ned i kældrene i Vestbyen.",
               "goal": "Regnbede og en forsinkelsessø, så vandet ikke oversvømmer husene."}
    twin = {"kind": "development", "title": "Oversvømte kjellere etter styrtregn", "language": "nb",
            "problem": "Når det kommer styrtregn, renner regnvannet inn i kjellerne i sentrum.",
            "goal": "Regnbed og et fordrøyningsbasseng så vannet ikke oversvømmer husene."}
    here = status(requests.post(f"{base}/municipalities/aalborg/proposals", json=flooded, headers=aalborg), 201)
    there = status(requests.post(f"{base}/municipalities/hamar/proposals", json=twin, headers=hamar), 201)
    again = status(requests.post(f"{base}/municipalities/aalborg/proposals",
                                 json={**flooded, "title": "Vand i kældrene ved skybrud"}, headers=aalborg), 201)

    path = f"{base}/municipalities/aalborg/proposals/{here['id']}/similar"
    there_path = f"{base}/municipalities/hamar/proposals/{there['id']}/similar"
    import time
    deadline, back = time.time() + 30, []
    # Staff read live (an anonymous answer, a "not found" too, may be held by the gateway's read model).
    while time.time() < deadline and len(back) < 2:  # matching learns of all three from their events
        r = requests.get(there_path, params={"across": "municipalities"}, headers=staff)
        back = r.json()["similar"] if r.status_code == 200 else []  # 404 until matching has it
        time.sleep(0.2)
    # the older proposal's list shows the newcomers, from the other country and language
    assert {s["id"] for s in back} == {here["id"], again["id"]}
    assert {(s["municipality"], s["language"]) for s in back} == {("aalborg", "da")}
    found = status(requests.get(path, params={"across": "municipalities"}, headers=staff), 200)["similar"]
    assert [(s["id"], s["municipality"], s["language"], s["status"]) for s in found] == [
        (there["id"], "hamar", "nb", there["status"])]
    assert found[0]["title"] == twin["title"] and found[0].get("outcome") is None
    local = status(requests.get(path, headers=staff), 200)["similar"]
    assert [s["id"] for s in local] == [again["id"]]
    draft = status(requests.post(f"{base}/municipalities/hamar/similar-proposals",
                                 params={"across": "municipalities"},
                                 json={"title": "Kjellarar som blir fløymde av regnvatn", "language": "nn",
                                       "problem": "Ved kraftig regn renn regnvatnet inn i kjellarane."}), 200)
    assert {d["municipality"] for d in draft} == {"aalborg"} and {d["id"] for d in draft} <= {here["id"], again["id"]}

    # staff point the newer one to the older: both lists say so
    mark = f"{base}/municipalities/aalborg/proposals/{again['id']}/duplicate-of"
    status(requests.post(mark, json={"of": here["id"]}, headers=aalborg), 403)
    marked = status(requests.post(mark, json={"of": here["id"]}, headers=staff), 200)
    assert marked["similar"][0]["id"] == here["id"] and marked["similar"][0]["duplicate"] is True
    assert status(requests.get(path, headers=staff), 200)["similar"][0] == {**marked["similar"][0], "id": again["id"],
                                                             "title": again["title"]}
    status(requests.post(mark, json={"of": again["id"]}, headers=staff), 422)
