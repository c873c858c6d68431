"""Political leadership over the whole platform's API (issue 22): a politician
publishes a mission, a resident attaches a proposal, a task committee is formed
with a mandate, its residents drawn by the matching service's panel, its meetings
planned in the meetings service (task_committee) and held, its recommendation
reaches the council, the decision is published with reasons; the initiator, a
follower and the members each find a notice naming it; the mission and the decision
are in the Atom feed and open data without residents' ids; another municipality's
staff can do none of it."""
import datetime as dt
import time

import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform
from samskab.testing import wait_for

pytestmark = pytest.mark.integration

API = "/api/v1/municipalities/aalborg"
MISSION = {"title": "Færre ensomme ældre", "challenge": "Mange ældre, der bor alene, er ensomme.",
           "goal": "Halvér ensomheden blandt ældre, der bor alene", "horizon": 2030,
           "owner_committee": "Ældre- og sundhedsudvalget"}
COMMITTEE_TITLE = "Opgaveudvalg om fællesskaber"


def login(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def register(base, email, name, language="da"):
    r = requests.post(f"{base}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": name, "municipality": "aalborg",
        "language": language})
    assert r.status_code == 201, r.text
    headers = login(base, email)
    return headers, requests.get(f"{base}/api/v1/me", headers=headers).json()["id"]


def ok(response, status=(200, 201)):
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), response.text
    return response.json()


@pytest.fixture
def platform(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config)
    make_account(config, "politiker@aalborg.example", "politician", name="Anna Politiker")
    make_account(config, "medarbejder@aalborg.example", "employee")
    make_account(config, "politiker@hjorring.example", "politician", municipality="hjorring")
    return base, config


def test_from_mission_to_the_councils_answer_with_notices_naming_it(platform):
    base, _ = platform
    politician, staff = login(base, "politiker@aalborg.example"), login(base, "medarbejder@aalborg.example")
    ok(requests.put(f"{base}{API}/politicians/me", headers=politician,
                    json={"name": "Anna Politiker", "party": "Socialdemokratiet"}))
    mission = ok(requests.post(f"{base}{API}/missions", headers=politician, json=MISSION), 201)
    assert mission["published_by"]["name"] == "Anna Politiker"

    rita, rita_id = register(base, "rita@example.org", "Rita")
    proposal = ok(requests.post(f"{base}{API}/proposals", headers=rita, json={
        "kind": "service", "title": "Spisevenner", "problem": "Ældre spiser alene", "goal": "Fællesspisning"}), 201)
    ok(requests.post(f"{base}{API}/proposals/{proposal['id']}/transitions", headers=staff, json={"to": "published"}))
    ok(requests.post(f"{base}{API}/missions/{mission['id']}/proposals", headers=rita,
                     json={"proposal_id": proposal["id"]}), 201)
    frede, _ = register(base, "frede@example.org", "Frede", language="nn")
    ok(requests.post(f"{base}{API}/missions/{mission['id']}/follows", headers=frede))

    committee = ok(requests.post(f"{base}{API}/committees", headers=politician, json={
        "title": COMMITTEE_TITLE, "mission_id": mission["id"], "seats": {"resident": 2, "politician": 1},
        "mandate": {"task": "Foreslå nye fællesskaber", "questions": ["Hvem mangler vi?"],
                    "frame": "Budget 2 mio. kr.", "deadline": "2027-09-30"}}), 201)
    members = []
    for i in range(4):
        headers, pid = register(base, f"borger{i}@example.org", f"Borger {i}", language="nn" if i % 2 else "da")
        ok(requests.post(f"{base}{API}/committees/{committee['id']}/applications", headers=headers,
                         json={"features": {"age": "65+" if i % 2 else "18-64"}}), 201)
        members.append((headers, pid))
    ok(requests.post(f"{base}{API}/committees/{committee['id']}/applications", headers=politician,
                     json={"group": "politician"}), 201)
    seated = ok(requests.post(f"{base}{API}/committees/{committee['id']}/draw", headers=staff,
                              json={"seed": 2027, "quotas": {"age": {"65+": {"min": 1, "max": 1}}}}))
    assert seated["members_by_group"] == {"resident": 2} and seated["seed"] == 2027
    politician_application = [a for a in seated["applications"] if a["group"] == "politician"][0]
    ok(requests.post(f"{base}{API}/committees/{committee['id']}/members", headers=staff,
                     json={"accepted": [politician_application["id"]]}))

    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=4)
    for n in range(5):
        starts = soon + dt.timedelta(minutes=n)
        ok(requests.post(f"{base}{API}/committees/{committee['id']}/meetings", headers=staff, json={
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "online_url": "https://meet.example.org/udvalg"}), 201)
    planned = ok(requests.get(f"{base}{API}/committees/{committee['id']}"))
    assert len(planned["meetings"]) == 5
    meeting = ok(requests.get(f"{base}{API}/meetings/{planned['meetings'][0]['meeting_id']}"))
    assert meeting["format"] == "task_committee"
    time.sleep(max(0.0, (soon - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 0.5)
    ok(requests.post(f"{base}{API}/meetings/{planned['meetings'][0]['meeting_id']}/conclude", headers=staff))
    ok(requests.post(f"{base}{API}/committees/{committee['id']}/documents", headers=staff,
                     json={"kind": "minutes", "title": "Referat 1", "body": "Vi talte om busser."}), 201)
    delivered = ok(requests.post(f"{base}{API}/committees/{committee['id']}/recommendation", headers=staff,
                                 json={"recommendation": "Åbn tre spisefællesskaber."}))
    case_id = delivered["case"]["case_id"]
    ok(requests.post(f"{base}{API}/cases/{case_id}/placement", headers=staff,
                     json={"body": "Byrådet", "meeting_date": "2027-10-20"}))

    # Staff of another municipality can do none of it.
    stranger = login(base, "politiker@hjorring.example")
    for method, path, body in (
        ("post", "/missions", MISSION), ("post", f"/cases/{case_id}/decision",
                                         {"decision": "adopted", "reasons": "x"}),
        ("post", f"/committees/{committee['id']}/recommendation", {"recommendation": "x"}),
        ("post", f"/committees/{committee['id']}/draw", {}),
        ("put", "/politicians/me", {"name": "Hans", "party": "V"}),
    ):
        r = getattr(requests, method)(f"{base}{API}{path}", headers=stranger, json=body)
        assert r.status_code == 403, (path, r.status_code, r.text)

    decided = ok(requests.post(f"{base}{API}/cases/{case_id}/decision", headers=politician, json={
        "decision": "adopted_in_part", "reasons": "To af tre centre åbner i 2028."}))
    assert decided["decided_by"] == {"role": "politician", "name": "Anna Politiker", "party": "Socialdemokratiet",
                                     "participant_id": decided["decided_by"]["participant_id"]}

    # The initiator (of the mission's proposal), the mission's follower and each member are told, in their language.
    drawn = {a["participant_id"] for a in seated["applications"] if a["status"] == "seated"}
    told = [(rita, "„Opgaveudvalg om fællesskaber“"), (frede, "«Opgaveudvalg om fællesskaber»")] + [
        (headers, "„Opgaveudvalg" if i % 2 == 0 else "«Opgaveudvalg") for i, (headers, pid) in enumerate(members)
        if pid in drawn]
    assert len(told) == 4
    for headers, naming in told:
        def notices():
            items = ok(requests.get(f"{base}/api/v1/me/notifications", headers=headers))["items"]
            # the decision's (the case placed on a meeting was told before it, naming it too)
            return [i for i in items if COMMITTEE_TITLE in i["title"]
                    and i["event_type"] == "samskab.decision.made"] or None
        [notice] = wait_for(notices, what="the decision's notice")
        assert naming in notice["title"], notice
        assert f"/municipalities/aalborg/committees/{committee['id']}" in (notice.get("link") or "")

    # What became of it, the feed and open data.
    figures = ok(requests.get(f"{base}{API}/council/figures"))
    assert figures["answered"] == 1 and figures["by_decision"]["adopted_in_part"] == 1
    def published():
        data = ok(requests.get(f"{base}{API}/open-data.json"))
        return data if data.get("decisions") and data.get("missions") else None
    data = wait_for(published, what="open data with the mission and the decision")
    assert data["missions"][0]["title"] == MISSION["title"]
    assert data["decisions"][0]["decision"] == "adopted_in_part"
    feed = requests.get(f"{base}{API}/feed.atom").text
    assert MISSION["title"] in feed and COMMITTEE_TITLE in feed
    for _, pid in members:
        assert pid not in feed and pid not in str(data)
    assert rita_id not in feed
