"""The staff's one list of open reports (issues 15 and 21) in real headless Chromium, in
Danish (Aalborg) and Norwegian bokmål (Hamar): residents report a question and a comment
under a proposal and a comment under a meeting; the staff member is told of the meeting
comment in the inbox, its link opens the comment; the staff page lists all three with
excerpts and reasons; staff dismiss one and hide another from the list.  axe-core finds no
violation.  Screenshots in ``test-artifacts/browser/staff-reports-<lang>/``."""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest
import requests
import sqlalchemy as sa

from samskab.db import engine_for

from gateway.accounts.storage import accounts
from gateway.tests.support import PASSWORD, make_account, start_platform
from gateway.web.messages import MESSAGES
from notifications import messages as notices

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "staff_reports_driver.py")
LANGUAGES = {"da": 0, "nb": 1, "nn": 2, "en": 3}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"),
]

STORIES = {
    "da": {"m": "aalborg", "title": "Bænke langs Limfjorden", "meeting_title": "Borgermøde om bænkene",
           "question_text": "Hvorfor spørger I ikke naboen i nr. 12, han ved alt om det?",
           "comment_text": "Naboen i nr. 12 er en idiot, det ved alle.",
           "meeting_text": "Mødet er alt for tidligt, det burde flyttes.",
           "reasons": ["Personangreb", "Nedsættende om en nabo"], "hide_reason": "Personangreb på en nabo"},
    "nb": {"m": "hamar", "title": "Benker langs Mjøsa", "meeting_title": "Folkemøte om benkene",
           "question_text": "Hvorfor spør dere ikke naboen i nr. 12, han vet alt om det?",
           "comment_text": "Naboen i nr. 12 er en idiot, det vet alle.",
           "meeting_text": "Møtet er altfor tidlig, det burde flyttes.",
           "reasons": ["Personangrep", "Nedsettende om en nabo"], "hide_reason": "Personangrep på en nabo"},
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


def made_staff(base, config, email, m, lang):
    """Registered, then made staff by an operator: notifications learns who the staff are
    from the participant events alone (an account put straight into the database is unknown to it)."""
    ok(requests.post(f"{base}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Staff", "municipality": m, "language": lang}), 201)
    with engine_for(config["DATABASE_URL"]).begin() as conn:  # they confirmed their address
        conn.execute(accounts.update().where(accounts.c.email == email).values(email_confirmed_at=sa.func.now()))
    make_account(config, f"operator@{m}.example", "operator", municipality=m, language=lang)
    account = ok(requests.get(f"{base}/api/v1/me", headers=login(base, email)))
    ok(requests.post(f"{base}/api/v1/accounts/{account['id']}/role", headers=login(base, f"operator@{m}.example"),
                     json={"role": "employee", "municipality": m}))
    return login(base, email)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals", "meetings", "notifications"))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["da", "nb"])
def test_staff_settle_reports_from_one_list_in_the_browser(platform, lang):
    base, config = platform
    story = STORIES[lang]
    m = story["m"]
    name = f"staff-reports-{lang}"
    shutil.rmtree(os.path.join(ROOT, "test-artifacts", "browser", name), ignore_errors=True)
    emails = {role: f"{role}@{m}.example" for role in ("initiator", "neighbour", "reporter")}
    for role, email in emails.items():
        make_account(config, email, "resident", municipality=m, language=lang, name=role.title())
    emails["staff"] = f"staff@{m}.example"
    staff = made_staff(base, config, emails["staff"], m, lang)
    initiator = login(base, emails["initiator"])
    neighbour, reporter = login(base, emails["neighbour"]), login(base, emails["reporter"])
    api = f"{base}/api/v1/municipalities/{m}"

    proposal = ok(requests.post(f"{api}/proposals", headers=initiator, json={
        "kind": "development", "title": story["title"], "problem": story["title"] + ": " + story["question_text"],
        "goal": story["title"], "language": lang}), 201)
    p = f"{api}/proposals/{proposal['id']}"
    ok(requests.post(f"{p}/transitions", headers=staff, json={"to": "published", "reason": "OK"}))
    question = ok(requests.post(f"{p}/questions", headers=neighbour, json={"body": story["question_text"]}), 201)
    comment = ok(requests.post(f"{p}/comments", headers=neighbour, json={"body": story["comment_text"]}), 201)
    starts = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=8)
    meeting = ok(requests.post(f"{api}/meetings", headers=staff, json={
        "title": story["meeting_title"], "format": "theme_workshop", "purpose": story["title"],
        "promise": story["title"], "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/m",
        "capacity": 30, "language": lang}), 201)
    mt = f"{api}/meetings/{meeting['id']}"
    meeting_comment = ok(requests.post(f"{mt}/comments", headers=neighbour, json={"body": story["meeting_text"]}),
                         201)
    ok(requests.post(f"{p}/reports", headers=reporter, json={
        "target_type": "question", "target_id": question["id"], "reason": story["reasons"][0]}), 201)
    for who, reason in zip((reporter, initiator), story["reasons"]):
        ok(requests.post(f"{p}/comments/{comment['id']}/reports", headers=who, json={"reason": reason}), 201)
    ok(requests.post(f"{mt}/comments/{meeting_comment['id']}/reports", headers=reporter,
                     json={"reason": story["reasons"][1]}), 201)

    notice = notices.render("meeting_comment_reported", lang, {"title": story["meeting_title"]})[0]
    spec = {**story, "base": base, "lang": lang, "t": texts(lang), "notice": notice, "proposal": proposal["id"],
            "question": question["id"], "comment": comment["id"], "meeting": meeting["id"],
            "meeting_comment": meeting_comment["id"], **emails}
    found = run("reports", spec, name)
    assert found["listed"] == 3 and found["hidden_for_anyone"] and found["dismissed_stays"]
    assert found["violations"] == {"inbox": [], "thread": [], "list": [], "after": []}
