"""The co-creation loop (issue 15) in real headless Chromium, in Danish (Aalborg),
bokmål (Hamar) and nynorsk (Volda), on the real services (gateway, proposals,
meetings, notifications), RabbitMQ, PostgreSQL and an SMTP sink.

Set up through the API as in ``tests/integration/test_notifications_who_hears_what.py``:
a published proposal with a follower, an agreement draft naming a partner, a meeting
of one seat whose waitlisted second registrant moves up when the first cancels, and
the initiator moving the proposal on.  Then in the browser the follower, the partner
and the promoted registrant each sign in and find, on the inbox page, the notice
naming the proposal or the meeting in their language (the partner follows its link
and accepts the agreement); axe-core finds no violation there.  Their e-mails say the
same, with ``Content-Language``.  Last, staff hide a question with a phone number and
an e-mail address: its text is gone from the catch-up log, the Atom feed and open
data.  Screenshots in ``test-artifacts/browser/loop-<lang>/``."""
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
from samskab.testing import http_port, wait_for

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from gateway.tests.support import PASSWORD, make_account
from gateway.web.messages import MESSAGES
from meetings.service import Service as Meetings
from notifications import messages as notices
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from test_notifications_e2e import SmtpSink  # noqa: E402  (the real aiosmtpd sink)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loop_driver.py")
LANGUAGES = {"da": 0, "nb": 1, "nn": 2, "en": 3}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"),
]

STORIES = {
    "da": {"m": "aalborg", "title": "Cykelværksted i Vejgaard", "problem": "Mange cykler står ubrugte hen.",
           "goal": "Et værksted hvor naboer reparerer sammen.", "reason": "Vi samler nu folk til værkstedet.",
           "meeting": "Værkstedsaften om cykler", "place": "Vejgaard Bibliotek",
           "address": "Hadsundvej 35, 9000 Aalborg", "tz": "Europe/Copenhagen",
           "question": "Ring til mig på 20 30 40 50 eller skriv til lise.lund@example.org",
           "secrets": ("20 30 40 50", "lise.lund@example.org")},
    "nb": {"m": "hamar", "title": "Sykkelverksted på Vang", "problem": "Mange sykler står ubrukt.",
           "goal": "Et verksted der naboer reparerer sammen.", "reason": "Nå samler vi folk til verkstedet.",
           "meeting": "Verkstedkveld om sykler", "place": "Hamar bibliotek", "address": "Torggata 1, 2317 Hamar",
           "tz": "Europe/Oslo",
           "question": "Ring meg på 912 34 567 eller skriv til kari.hansen@example.org",
           "secrets": ("912 34 567", "kari.hansen@example.org")},
    "nn": {"m": "volda", "title": "Sykkelverkstad i Volda sentrum", "problem": "Mange syklar står ubrukte.",
           "goal": "Eit verkstad der naboar reparerer saman.", "reason": "No samlar vi folk til verkstaden.",
           "meeting": "Verkstadkveld om syklar", "place": "Volda bibliotek", "address": "Storgata 1, 6100 Volda",
           "tz": "Europe/Oslo",
           "question": "Ring meg på 700 77 000 eller skriv til ola.nes@example.org",
           "secrets": ("700 77 000", "ola.nes@example.org")},
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
                          timeout=300, cwd=os.path.dirname(DRIVER))
    assert done.returncode == 0, f"{journey} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def sink(tmp_path):
    s = SmtpSink(None, tmp_path / "mail").start()  # listening before its port is given to notifications
    yield s
    s.stop()


@pytest.fixture
def platform(runner_factory, make_config, sink):
    """Gateway (pages and API on one port), proposals, meetings and notifications mailing to the sink."""
    gateway_config = make_config("gateway")
    notifications_config = make_config("notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port),
                                       NOTIFICATIONS_POLL_SECONDS="0.1")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("proposals"), Proposals),
               runner_factory(make_config("meetings"), Meetings), runner_factory(notifications_config, Notifications)]
    for runner in runners:
        runner.start()
    return {"web": f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}",
            "gateway": gateway_config, "db": notifications_config["DATABASE_URL"]}


class People:
    """Accounts registered through the API (so notifications learns them from the events)."""

    def __init__(self, platform, m, lang):
        self.api, self.gateway, self.m, self.lang = platform["web"] + "/api/v1", platform["gateway"], m, lang
        self.ids, self.emails = {}, {}

    def login(self, email):
        body = ok(requests.post(f"{self.api}/auth/token", json={"email": email, "password": PASSWORD}))
        return {"Authorization": f"Bearer {body['access_token']}"}

    def register(self, role):
        email = self.emails[role] = f"{role}.{self.lang}@{self.m}.example.org"
        body = ok(requests.post(f"{self.api}/auth/register", json={
            "email": email, "password": PASSWORD, "display_name": f"{role.title()} {self.m.title()}",
            "municipality": self.m, "language": self.lang}), 201)
        self.ids[role] = body["id"]
        with engine_for(self.gateway["DATABASE_URL"]).begin() as conn:  # they confirmed their address
            conn.execute(accounts.update().where(accounts.c.email == email).values(email_confirmed_at=sa.func.now()))
        return self.login(email)

    def staff(self):
        """Registered as a resident, made staff by the municipality's operator through the API."""
        self.register("staff")
        operator = f"operator@{self.m}.example.org"
        make_account(self.gateway, operator, "operator", municipality=self.m, language=self.lang)
        ok(requests.post(f"{self.api}/accounts/{self.ids['staff']}/role", headers=self.login(operator),
                         json={"role": "employee", "municipality": self.m}))
        return self.login(self.emails["staff"])


def _rows(platform, query):
    with engine_for(platform["db"]).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def the_mail(sink, address, subject):
    def found():
        return [m for m in sink.messages() if m["To"] == address and m["Subject"] == subject] or None
    return wait_for(found, timeout=30, what=f"the e-mail {subject!r} to {address}")[0]


def set_up_the_loop(platform, story, lang):
    """Everything through the API; returns the people and the notices they should have."""
    people, m = People(platform, story["m"], lang), story["m"]
    api = f"{people.api}/municipalities/{m}"
    initiator, follower = people.register("initiator"), people.register("follower")
    people.register("partner")
    first, waiting = people.register("first"), people.register("waiting")
    staff = people.staff()

    proposal = ok(requests.post(f"{api}/proposals", headers=initiator, json={
        "kind": "service", "title": story["title"], "problem": story["problem"], "goal": story["goal"],
        "language": lang}), 201)
    p = f"{api}/proposals/{proposal['id']}"
    ok(requests.post(f"{p}/transitions", headers=staff, json={"to": "published", "reason": story["reason"]}))
    ok(requests.post(f"{p}/follows", headers=follower))
    wait_for(lambda: ("follower",) in _rows(platform, "SELECT relation FROM memberships"), timeout=30,
             what="the follow reaching notifications")

    ok(requests.put(f"{p}/agreement", headers=initiator, json={
        "parties": [{"role": "initiator", "responsibilities": story["goal"]},
                    {"role": "municipality", "responsibilities": story["place"]},
                    {"role": "partner", "participant_id": people.ids["partner"], "responsibilities": story["problem"]}],
        "municipality_commitment": story["reason"], "iap2_level": "collaborate", "decision_maker": m.title()}))

    place = ok(requests.post(f"{api}/meeting-places", headers=staff, json={
        "name": story["place"], "kind": "library", "address": story["address"], "capacity": 40,
        "step_free": True}), 201)
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=12)).replace(hour=16, minute=30, second=0,
                                                                                microsecond=0)
    meeting = ok(requests.post(f"{api}/meetings", headers=staff, json={
        "title": story["meeting"], "format": "theme_workshop", "purpose": story["goal"], "promise": story["reason"],
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "place_id": place["id"], "capacity": 1, "proposal_id": proposal["id"]}), 201)
    mt = f"{api}/meetings/{meeting['id']}"
    assert ok(requests.post(f"{mt}/registrations", headers=first), 201)["status"] == "confirmed"
    assert ok(requests.post(f"{mt}/registrations", headers=waiting), 201)["status"] == "waitlisted"
    the_mail_subject = notices.render("registration_waitlisted", lang, {"title": story["meeting"]})[0]
    wait_for(lambda: [1 for r in _rows(platform, "SELECT title FROM notifications") if r[0] == the_mail_subject],
             timeout=30, what="the waitlist notice")
    ok(requests.delete(f"{mt}/registrations", headers=first))

    # the initiator moves the proposal on: the follower and the partner are told
    ok(requests.post(f"{p}/transitions", headers=initiator, json={"to": "forming", "reason": story["reason"]}))

    proposal_path = f"/municipalities/{m}/proposals/{proposal['id']}"
    expected = {
        "follower": notices.render("proposal_status_changed", lang,
                                   {"title": story["title"], "status": "forming", "reason": story["reason"]}),
        "partner": notices.render("agreement_to_accept", lang, {"title": story["title"], "version": 1}),
        "waiting": notices.render("registration_promoted", lang, {
            "title": story["meeting"], "when": starts.isoformat(), "time_zone": story["tz"],
            "place": f"{story['place']}, {story['address']}"}),
    }
    spec_people = {role: {"email": people.emails[role], "subject": subject, "lines": lines,
                          "link": proposal_path if role != "waiting" else f"/municipalities/{m}/meetings/{meeting['id']}"}
                   for role, (subject, lines) in expected.items()}
    return people, {"staff": staff, "follower": follower, "initiator": initiator}, p, spec_people


def hide_the_question(platform, story, headers, p, m):
    api = f"{platform['web']}/api/v1/municipalities/{m}"

    def public_copies():
        log = json.dumps(ok(requests.get(f"{api}/events", params={"limit": 500})), ensure_ascii=False)
        atom = ok_text(requests.get(f"{api}/feed.atom"))
        data = ok_text(requests.get(f"{api}/open-data.json"))
        return log, atom, data

    question = ok(requests.post(f"{p}/questions", headers=headers["follower"], json={"body": story["question"]}), 201)
    # before hiding, the question is public in the log and in the feed (open data has no dataset of questions)
    wait_for(lambda: all(story["question"] in copy for copy in public_copies()[:2]), timeout=30,
             what="the question in the catch-up log and the Atom feed")
    ok(requests.post(f"{p}/hidden", headers=headers["staff"], json={
        "target_type": "question", "target_id": question["id"], "reason": "Personal data"}))
    wait_for(lambda: "samskab.proposal.hidden" in public_copies()[0], timeout=30,
             what="the hidden event in the catch-up log")
    return public_copies()


def ok_text(response):
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.timeout(420)
@pytest.mark.parametrize("lang", ["da", "nb", "nn"])
def test_the_loop_tells_follower_partner_and_waitlisted_in_their_language(platform, sink, lang):
    story = STORIES[lang]
    name = f"loop-{lang}"
    shutil.rmtree(os.path.join(ROOT, "test-artifacts", "browser", name), ignore_errors=True)
    people, headers, p, spec_people = set_up_the_loop(platform, story, lang)

    found = run("loop", {"base": platform["web"], "lang": lang, "t": texts(lang), "people": spec_people}, name)
    assert found["violations"] == {"follower": [], "partner": [], "waiting": []}
    assert story["title"] in found["seen"]["follower"] and story["title"] in found["seen"]["partner"]
    assert story["meeting"] in found["seen"]["waiting"] and story["address"] in found["seen"]["waiting"]
    assert found["links"]["follower"] == spec_people["partner"]["link"]
    assert found["links"]["partner"] == spec_people["partner"]["link"] + "#agreement"  # the part to accept
    assert found["links"]["waiting"] == spec_people["waiting"]["link"]
    assert found["accepted"]

    for role, who in spec_people.items():  # the same notice by e-mail, in their language
        mail = the_mail(sink, who["email"], who["subject"])
        assert mail["Content-Language"] == lang
        body = mail.get_body(preferencelist=("plain",)).get_content()
        for line in who["lines"]:
            assert line in body, (role, line, body)
    partner_mail = the_mail(sink, spec_people["partner"]["email"], spec_people["partner"]["subject"])
    assert spec_people["partner"]["link"] + "#agreement" in partner_mail.get_body(preferencelist=("plain",)).get_content()

    log, atom, data = hide_the_question(platform, story, headers, p, story["m"])
    for part in (story["question"], *story["secrets"]):
        assert part not in log, ("catch-up log", part)
        assert part not in atom, ("Atom", part)
        assert part not in data, ("open data", part)
    assert story["title"] in atom and story["title"] in data  # the rest stays
