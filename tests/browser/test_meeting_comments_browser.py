"""A meeting's comment thread (issue 21) in real headless Chromium, in Danish
(Aalborg) and Norwegian bokmål (Hamar): a resident comments on the meeting, a
neighbour replies, the first commenter is told in the inbox in their language, the
municipality's staff hide the reply from the page's own form and it is gone for
everyone; axe-core finds no violation on the thread page (anonymous, after
commenting, after replying, as staff).  Screenshots in
``test-artifacts/browser/meeting-comments-<lang>/``."""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform
from gateway.web.messages import MESSAGES
from notifications import messages as notices

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "meeting_comments_driver.py")
LANGUAGES = {"da": 0, "nb": 1, "nn": 2, "en": 3}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"),
]

STORIES = {
    "da": {"m": "aalborg", "title": "Borgermøde om Østre Havn", "purpose": "Hvad skal Østre Havn bruges til?",
           "promise": "Jeres idéer indgår i lokalplanen.", "comment": "Mødet ligger for tidligt for børnefamilier.",
           "reply": "Enig, kan det flyttes til kl. 19?", "reason": "Dobbelt indlæg"},
    "nb": {"m": "hamar", "title": "Folkemøte om Mjøsstranda", "purpose": "Hva skal Mjøsstranda brukes til?",
           "promise": "Innspillene tas med i reguleringsplanen.", "comment": "Møtet er for tidlig for barnefamilier.",
           "reply": "Enig, kan det flyttes til kl. 19?", "reason": "Dobbelt innlegg"},
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


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("meetings", "notifications"))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["da", "nb"])
def test_a_reply_under_a_meeting_in_the_browser_tells_the_first_commenter(platform, lang):
    base, config = platform
    story = STORIES[lang]
    m = story["m"]
    name = f"meeting-comments-{lang}"
    shutil.rmtree(os.path.join(ROOT, "test-artifacts", "browser", name), ignore_errors=True)
    emails = {role: f"{role}@{m}.example" for role in ("first", "second")}
    for role, email in emails.items():
        make_account(config, email, "resident", municipality=m, language=lang, name=role.title())
    emails["staff"] = f"staff@{m}.example"
    make_account(config, emails["staff"], "employee", municipality=m, language=lang, name="Staff")
    starts = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=8)
    r = requests.post(f"{base}/api/v1/municipalities/{m}/meetings", headers=login(base, emails["staff"]), json={
        "title": story["title"], "format": "theme_workshop", "purpose": story["purpose"],
        "promise": story["promise"], "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/m",
        "capacity": 30, "language": lang})
    assert r.status_code == 201, r.text
    notice = notices.render("meeting_comment_replied", lang, {"title": story["title"]})[0]
    spec = {**story, "base": base, "lang": lang, "t": texts(lang), "notice": notice,
            "meeting_path": f"/municipalities/{m}/meetings/{r.json()['id']}", **emails}
    found = run("thread", spec, name)
    assert found["told"] and found["hidden_for_anyone"]
    assert found["violations"] == {"anonymous": [], "commenter": [], "replier": [], "staff": []}
