"""Political leadership (issue 22) in real headless Chromium, in Danish (Aalborg) and
nynorsk (Volda): a politician publishes a mission under their public office; a resident
attaches her proposal; a neighbour follows the mission; a task committee is formed with
a mandate on it and its residents drawn by lot (the matching service's panel); its
meetings (the meetings service, task_committee) are held; its recommendation reaches
the council, is put on a meeting and decided with reasons by the politician; the
initiator, the follower and a drawn member each find a notice naming it, in their
language.  On the way: the politician answers a resident's question and is named with
their party (not "the municipality"); the proposal, over its support threshold, is
decided by the council and its page shows the mission and the answer with reasons; the
politician's page lists the answer; the mandate changes before anyone is seated, the
mission's horizon moves, the committee and then the mission are closed; another
municipality's politician is refused (403) every change.  axe-core finds nothing on the
council's pages in any of these states.  Screenshots in
``test-artifacts/browser/council-<lang>/``."""
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform
from gateway.web.messages import MESSAGES
from notifications import messages as notices

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "council_driver.py")
LANGUAGES = {"da": 0, "nb": 1, "nn": 2, "en": 3}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"),
]

STORIES = {
    "da": {"m": "aalborg", "politician_name": "Anna Byrådsmedlem", "party": "Socialdemokratiet",
           "mission_title": "Færre ensomme ældre", "challenge": "Mange ældre, der bor alene, er ensomme.",
           "goal": "Halvér ensomheden blandt ældre, der bor alene", "owner_committee": "Ældre- og sundhedsudvalget",
           "proposal_title": "Spisevenner i Vejgaard", "committee_title": "Opgaveudvalg om fællesskaber",
           "task": "Foreslå nye fællesskaber for ældre, der bor alene", "questions": ["Hvem mangler vi?", "Hvor?"],
           "frame": "Budget 2 mio. kr.; plejeboliger er uden for opgaven",
           "recommendation": "Åbn tre spisefællesskaber i lokalcentrene.", "council_body": "Byrådet",
           "reasons": "To af tre centre åbner i 2028; det tredje venter på budgettet.",
           "question": "Kan man få kørsel til spisningen?", "answer": "Ja, flextrafikken kører til alle tre centre.",
           "proposal_reasons": "Spisevenner passer ind i missionen og koster under 100.000 kr.",
           "closing_note": "Anbefalingen er givet videre til ældreområdet.",
           "mission_note": "Ensomheden er halveret ifølge sundhedsprofilen 2031."},
    "nn": {"m": "volda", "politician_name": "Ola Kommunestyremedlem", "party": "Senterpartiet",
           "mission_title": "Færre einsame eldre", "challenge": "Mange eldre som bur åleine, er einsame.",
           "goal": "Halver einsemda blant eldre som bur åleine", "owner_committee": "Helse- og omsorgsutvalet",
           "proposal_title": "Matvener på Furene", "committee_title": "Arbeidsutval om fellesskap",
           "task": "Føreslå nye fellesskap for eldre som bur åleine", "questions": ["Kven manglar vi?", "Kvar?"],
           "frame": "Budsjett 2 mill. kr.; omsorgsbustader er utanfor oppgåva",
           "recommendation": "Opne tre matfellesskap i omsorgssentera.", "council_body": "Kommunestyret",
           "reasons": "To av tre senter opnar i 2028; det tredje ventar på budsjettet.",
           "question": "Kan ein få skyss til måltida?", "answer": "Ja, bestillingsruta køyrer til alle tre sentera.",
           "proposal_reasons": "Matvener passar inn i oppdraget og kostar under 100 000 kr.",
           "closing_note": "Tilrådinga er send vidare til omsorgstenesta.",
           "mission_note": "Einsemda er halvert etter folkehelseprofilen 2031."},
}


def texts(lang):
    return {key: entry[LANGUAGES[lang]] or entry[3] for key, entry in MESSAGES.items()}


def run(journey, spec, name):
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", name)
    os.makedirs(artifacts, exist_ok=True)
    spec = {**spec, "artifacts": artifacts}
    path = os.path.join(artifacts, f"spec-{journey}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh, ensure_ascii=False)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, DRIVER, journey, path], capture_output=True, text=True, env=env,
                          timeout=540, cwd=os.path.dirname(DRIVER))
    assert done.returncode == 0, f"{journey} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def login(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def register(base, email, name, municipality, lang):
    r = requests.post(f"{base}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": name, "municipality": municipality, "language": lang})
    assert r.status_code == 201, r.text
    headers = login(base, email)
    return headers, requests.get(f"{base}/api/v1/me", headers=headers).json()["id"]


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


THRESHOLD = 3  # supports that bring a proposal before the council


@pytest.fixture
def platform(runner_factory, make_config):
    def config(service, **overrides):
        if service == "proposals":
            overrides.setdefault("PROPOSALS_SUPPORT_THRESHOLD", str(THRESHOLD))
        return make_config(service, **overrides)
    return start_platform(runner_factory, config)


def refused_to_another_municipality(base, config, api, mission_id, committee_id):
    """A politician of another municipality can change nothing here: 403 on the API and the pages."""
    make_account(config, "politician@hjorring.example", "politician", municipality="hjorring")
    stranger = login(base, "politician@hjorring.example")
    for method, path, body in (("PATCH", f"missions/{mission_id}", {"horizon": 2040}),
                               ("POST", f"missions/{mission_id}/closing", {"closed_as": "ended", "note": "x"}),
                               ("PATCH", f"committees/{committee_id}", {"deadline": "2028-01-01"}),
                               ("POST", f"committees/{committee_id}/closing", {"note": "x"})):
        r = requests.request(method, f"{api}/{path}", headers=stranger, json=body)
        assert r.status_code == 403, (path, r.status_code, r.text)
    browser = requests.Session()
    form = browser.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed_in = browser.post(f"{base}/login", data={"email": "politician@hjorring.example", "password": PASSWORD,
                                                    "csrf_token": token}, allow_redirects=False)
    assert signed_in.status_code in (302, 303), signed_in.status_code
    pages = api.replace("/api/v1", "")
    for path in (f"missions/{mission_id}/edit", f"committees/{committee_id}/edit"):
        assert browser.get(f"{pages}/{path}").status_code == 403, path


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["da", "nn"])
def test_from_a_mission_to_the_councils_answer_in_the_browser(platform, lang):
    base, config = platform
    story = STORIES[lang]
    m = story["m"]
    api = f"{base}/api/v1/municipalities/{m}"
    name = f"council-{lang}"
    shutil.rmtree(os.path.join(ROOT, "test-artifacts", "browser", name), ignore_errors=True)
    emails = {role: f"{role}@{m}.example" for role in ("politician", "employee", "initiator", "follower")}
    make_account(config, emails["politician"], "politician", municipality=m, language=lang, name=story["politician_name"])
    make_account(config, emails["employee"], "employee", municipality=m, language=lang)
    staff = login(base, emails["employee"])
    initiator, _ = register(base, emails["initiator"], "Rita", m, lang)
    register(base, emails["follower"], "Frede", m, lang)
    proposal = ok(requests.post(f"{api}/proposals", headers=initiator, json={
        "kind": "service", "title": story["proposal_title"], "problem": story["challenge"], "goal": story["goal"],
        "language": lang}))
    ok(requests.post(f"{api}/proposals/{proposal['id']}/transitions", headers=staff, json={"to": "published"}))

    spec = {**story, "base": base, "lang": lang, "m": f"/municipalities/{m}", "t": texts(lang), **emails}
    found = run("mission", spec, name)
    violations = found["violations"]
    committee_path = f"/municipalities/{m}/committees/{found['committee']}"
    refused_to_another_municipality(base, config, api, found["mission"], found["committee"])

    # Residents apply (two seats, three applicants); the politician takes the politicians' seat.
    applicants = {}
    for i in range(3):
        email = f"borger{i}@{m}.example"
        headers, pid = register(base, email, f"Borger {i}", m, lang)
        ok(requests.post(f"{api}/committees/{found['committee']}/applications", headers=headers,
                         json={"features": {"age": "65+" if i else "18-64"}}))
        applicants[pid] = email
    politician = login(base, emails["politician"])
    politician_id = ok(requests.get(f"{base}/api/v1/me", headers=politician))["id"]

    # A neighbour asks; the supports bring the proposal before the council.
    follower = login(base, emails["follower"])
    ok(requests.post(f"{api}/proposals/{proposal['id']}/questions", headers=follower, json={"body": story["question"]}))
    for email in applicants.values():
        ok(requests.post(f"{api}/proposals/{proposal['id']}/supports", headers=login(base, email)))
    deadline = time.monotonic() + 20
    while requests.get(f"{api}/proposals/{proposal['id']}/case").status_code != 200:
        assert time.monotonic() < deadline, "the proposal over its threshold never became a case"
        time.sleep(0.3)
    spec.update(proposal_id=proposal["id"], mission_id=found["mission"], politician_id=politician_id)
    violations += run("proposal", spec, name)["violations"]
    case = ok(requests.get(f"{api}/proposals/{proposal['id']}/case"))
    assert case["decision"] == "adopted" and case["decided_by"]["name"] == story["politician_name"]
    questions = ok(requests.get(f"{api}/proposals/{proposal['id']}/questions"))
    assert questions[0]["answers"][0]["office"]["party"] == story["party"]

    seat = ok(requests.post(f"{api}/committees/{found['committee']}/applications", headers=politician,
                            json={"group": "politician"}))
    ok(requests.post(f"{api}/committees/{found['committee']}/members", headers=staff, json={"accepted": [seat["id"]]}))
    run("draw", {**spec, "committee_path": committee_path}, name)
    committee = ok(requests.get(f"{api}/committees/{found['committee']}", headers=staff))
    drawn = [applicants[a["participant_id"]] for a in committee["applications"]
             if a["status"] == "seated" and a["group"] == "resident"]
    assert len(drawn) == 2 and committee["seed"] == 2027

    # Its five meetings, planned in the meetings service, are held.
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=4)
    for n in range(5):
        starts = soon + dt.timedelta(seconds=n)
        ok(requests.post(f"{api}/committees/{found['committee']}/meetings", headers=staff, json={
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "online_url": "https://meet.example.org/udvalg"}))
    time.sleep(max(0.0, (soon - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 5.5)
    for x in ok(requests.get(f"{api}/committees/{found['committee']}"))["meetings"]:
        held = ok(requests.post(f"{api}/meetings/{x['meeting_id']}/conclude", headers=staff))
        assert held["format"] == "task_committee" and held["status"] == "concluded"
    ok(requests.post(f"{api}/committees/{found['committee']}/documents", headers=staff, json={
        "kind": "minutes", "title": "1", "body": story["task"]}))

    naming = notices.render("decision_adopted_in_part", lang, {"title": story["committee_title"]})[0]
    result = run("answer", {**spec, "committee_path": committee_path, "meetings": 5, "told": [
        ("initiator", emails["initiator"], naming), ("follower", emails["follower"], naming),
        ("member", drawn[0], naming)]}, name)
    assert result["told"] == {"initiator": True, "follower": True, "member": True}
    violations += result["violations"]
    violations += run("close", {**spec, "committee_path": committee_path}, name)["violations"]
    assert ok(requests.get(f"{api}/missions/{found['mission']}"))["status"] == "achieved"
    assert ok(requests.get(f"{api}/committees/{found['committee']}"))["status"] == "closed"
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)[:4000]
