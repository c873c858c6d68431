"""Who hears what, across the real services (gateway, proposals, meetings,
notifications) on the real broker and PostgreSQL: a follower (da) hears of a
progress update, a partner (nb) is asked to accept the agreement with its link, a
waitlisted registrant (nn) moved up hears which meeting, when and where, staff (made
staff through the API) hear of a report; each in the inbox and by e-mail, naming what
it is about.  Then moderation: a hidden question's text is gone from the catch-up
log, the Atom feed and open data, and the public ``…hidden`` event is in the log."""
import datetime as dt
import json
import uuid

import pytest
import requests
import sqlalchemy as sa
from argon2 import PasswordHasher

from samskab.db import engine_for
from samskab.testing import Subscriber, http_port, wait_for

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from meetings.service import Service as Meetings
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

from test_notifications_e2e import Receiver, api_key_and_webhook, sink  # noqa: F401  (sink: the SMTP sink fixture)

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
TITLE = "Cykelværksted i Vejgaard"
MEETING = "Værkstedsaften om cykler"
SECRET_QUESTION = "Ring til mig på 20 30 40 50 eller skriv til lise.lund@example.org"


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, sink):  # noqa: F811
    gateway_config = make_config("gateway")
    notifications_config = make_config(
        "notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port), NOTIFICATIONS_POLL_SECONDS="0.1",
        NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("proposals"), Proposals),
               runner_factory(make_config("meetings"), Meetings), runner_factory(notifications_config, Notifications)]
    for runner in runners:
        runner.start()
    sink.start()
    return {"base": f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1",
            "gateway_db": gateway_config["DATABASE_URL"], "db": notifications_config["DATABASE_URL"], "amqp": broker_uri}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class People:
    def __init__(self, platform):
        self.base, self.gateway_db = platform["base"], platform["gateway_db"]
        self.ids, self.headers = {}, {}

    def login(self, address):
        r = ok(requests.post(f"{self.base}/auth/token", json={"email": address, "password": PASSWORD}))
        self.headers[address] = {"Authorization": f"Bearer {r['access_token']}"}
        return self.headers[address]

    def register(self, address, name, language):
        body = ok(requests.post(f"{self.base}/auth/register", json={
            "email": address, "password": PASSWORD, "display_name": name, "municipality": "aalborg",
            "language": language}), 201)
        self.ids[address] = body["id"]
        with engine_for(self.gateway_db).begin() as conn:  # they confirmed their address
            conn.execute(accounts.update().where(accounts.c.email == address).values(email_confirmed_at=sa.func.now()))
        return self.login(address)

    def operator(self):
        with engine_for(self.gateway_db).begin() as conn:
            conn.execute(accounts.insert().values(
                id=uuid.uuid4(), email="operator@samskab.example.org", password_hash=PasswordHasher().hash(PASSWORD),
                display_name="Operator", municipality="aalborg", role="operator", language="da",
                email_confirmed_at=sa.func.now()))
        return self.login("operator@samskab.example.org")

    def staff(self, address, name, language):
        """Registered as a resident, made staff by an operator: notifications learns the
        role from the participant events alone."""
        self.register(address, name, language)
        ok(requests.post(f"{self.base}/accounts/{self.ids[address]}/role", headers=self.operator(),
                         json={"role": "employee", "municipality": "aalborg"}))
        return self.login(address)


def notices(platform, address):
    """``[(title, body, link, in_inbox)]`` of one person's notifications."""
    with engine_for(platform["db"]).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT n.title, n.body, n.link, n.in_inbox FROM notifications n JOIN participants p"
            " ON p.id = n.participant_id WHERE p.email = :a ORDER BY n.created_at"), {"a": address})]


def inbox(base, headers):
    return ok(requests.get(f"{base}/me/notifications", headers=headers))


def the_mail(sink, address, subject):
    def found():
        return [m for m in sink.messages() if m["To"] == address and m["Subject"] == subject] or None
    return wait_for(found, timeout=30, what=f"the e-mail {subject!r} to {address}")[0]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def heard(platform, sink, address, headers, subject, *needles):
    """The person has ``subject`` in the inbox (through the API) and by e-mail, each naming ``needles``."""
    def listed():
        items = [i for i in inbox(platform["base"], headers)["items"] if i["title"] == subject]
        return items or None
    item = wait_for(listed, timeout=30, what=f"{subject!r} in the inbox of {address}")[0]
    mail = text_of(the_mail(sink, address, subject))
    for needle in needles:
        assert needle in item["title"] + "\n" + item["body"] + "\n" + (item.get("link") or ""), (needle, item)
        assert needle in mail, (needle, mail)
    return item, mail


def test_follower_partner_waitlisted_and_staff_each_hear_what_concerns_them(platform, sink):
    base, people = platform["base"], People(platform)
    initiator = people.register("lise.lund@example.org", "Lise Lund", "da")
    follower = people.register("mads.moeller@example.org", "Mads Møller", "da")
    partner = people.register("kari.nordmann@example.org", "Kari Nordmann", "nb")
    first = people.register("anna.berg@example.org", "Anna Berg", "da")
    waiting = people.register("sigrid.vik@example.org", "Sigrid Vik", "nn")
    staff = people.staff("planlaegger@aalborg.example.org", "Planlægger", "da")
    m = f"{base}/municipalities/aalborg"
    # staff chose new submissions and reports by e-mail at once (the default is a daily digest)
    ok(requests.put(f"{base}/me/preferences", headers=staff,
                    json={"proposal_triage": {"inbox": "immediate", "email": "immediate"}}))

    proposal = ok(requests.post(f"{m}/proposals", headers=initiator, json={
        "kind": "service", "title": TITLE, "problem": "Mange cykler står ubrugte hen.",
        "goal": "Et værksted hvor naboer reparerer sammen.", "language": "da"}), 201)
    p = f"{m}/proposals/{proposal['id']}"
    ok(requests.post(f"{p}/transitions", headers=staff, json={"to": "published", "reason": "Godt forslag"}))
    ok(requests.post(f"{p}/follows", headers=follower), 200)

    # -- a follower hears of a progress update (da)
    def followed():
        return any(r == "follower" for r, in _rows(platform, "SELECT relation FROM memberships"))
    wait_for(followed, timeout=30, what="the follow reaching notifications")
    ok(requests.post(f"{p}/updates", headers=initiator, json={"body": "Vi har fået lov at bruge kælderen."}), 201)
    item, mail = heard(platform, sink, "mads.moeller@example.org", follower, f"Nyt fra „{TITLE}“", TITLE)
    assert "opdatering" in item["body"]

    # -- a partner is asked to accept the agreement, with the link (nb)
    ok(requests.put(f"{p}/agreement", headers=initiator, json={
        "parties": [{"role": "initiator", "responsibilities": "Samler naboerne"},
                    {"role": "municipality", "responsibilities": "Låner kælderen ud"},
                    {"role": "partner", "participant_id": people.ids["kari.nordmann@example.org"],
                     "responsibilities": "Stiller værktøj til rådighed"}],
        "municipality_commitment": "Kommunen låner kælderen ud i et år.", "iap2_level": "collaborate",
        "decision_maker": "Teknik- og Miljøudvalget"}))
    item, mail = heard(platform, sink, "kari.nordmann@example.org", partner, f"Godkjenn avtalen om «{TITLE}»",
                       TITLE, f"/municipalities/aalborg/proposals/{proposal['id']}#agreement")
    assert "godkjenn den" in mail

    # -- a waitlisted registrant moved up hears which meeting, when and where (nn)
    place = ok(requests.post(f"{m}/meeting-places", headers=staff, json={
        "name": "Vejgaard Bibliotek", "kind": "library", "address": "Hadsundvej 35, 9000 Aalborg",
        "capacity": 40, "step_free": True}), 201)
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=12)).replace(hour=16, minute=30, second=0,
                                                                                microsecond=0)
    meeting = ok(requests.post(f"{m}/meetings", headers=staff, json={
        "title": MEETING, "format": "theme_workshop", "purpose": "Hvordan indretter vi værkstedet?",
        "promise": "Jeres idéer bruges i indretningen.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "place_id": place["id"], "capacity": 1,
        "proposal_id": proposal["id"]}), 201)
    mt = f"{m}/meetings/{meeting['id']}"
    assert ok(requests.post(f"{mt}/registrations", headers=first), 201)["status"] == "confirmed"
    assert ok(requests.post(f"{mt}/registrations", headers=waiting), 201)["status"] == "waitlisted"
    heard(platform, sink, "sigrid.vik@example.org", waiting, f"Du står på venteliste til «{MEETING}»",
          MEETING, "Vejgaard Bibliotek")
    ok(requests.delete(f"{mt}/registrations", headers=first))
    local = starts.astimezone(dt.timezone(dt.timedelta(hours=1)))  # Aalborg in winter; the test runs any day
    item, mail = heard(platform, sink, "sigrid.vik@example.org", waiting, f"Du har fått plass på «{MEETING}»",
                       MEETING, "Stad: Vejgaard Bibliotek, Hadsundvej 35, 9000 Aalborg", f"{starts.year}")
    assert any(f"kl. {h:02d}" in mail for h in (local.hour, local.hour + 1)), mail  # summer or winter time
    # the meeting about the proposal reached its follower too
    heard(platform, sink, "mads.moeller@example.org", follower, f"Nyt møde: „{MEETING}“", MEETING,
          "Vejgaard Bibliotek")

    # -- staff hear of a report; the question's text then goes from every public copy, and
    # AMQP and webhook subscribers are told to blank theirs
    receiver = Receiver()
    api_key_and_webhook(platform, receiver, ("proposal.*",))
    amqp = Subscriber(platform["amqp"], "aalborg.proposal.hidden")
    question = ok(requests.post(f"{p}/questions", headers=follower, json={"body": SECRET_QUESTION}), 201)
    ok(requests.post(f"{p}/reports", headers=initiator, json={
        "target_type": "question", "target_id": question["id"], "reason": "Personlige oplysninger"}), 201)
    heard(platform, sink, "planlaegger@aalborg.example.org", staff, f"Indhold anmeldt i „{TITLE}“", TITLE)

    def public_copies():
        log = ok(requests.get(f"{m}/events", params={"limit": 500}))
        atom = requests.get(f"{m}/feed.atom").text
        data = requests.get(f"{m}/open-data.json").text
        csv = requests.get(f"{m}/open-data.csv", params={"dataset": "proposals"}).text
        return log, atom, data, csv

    wait_for(lambda: SECRET_QUESTION in json.dumps(public_copies()[0], ensure_ascii=False), timeout=30,
             what="the question in the catch-up log")
    ok(requests.post(f"{p}/hidden", headers=staff, json={
        "target_type": "question", "target_id": question["id"], "reason": "Personlige oplysninger"}))

    def redacted():
        log, atom, data, csv = public_copies()
        types = [e["type"] for e in log["events"]]
        return (log, atom, data, csv) if "samskab.proposal.hidden" in types else None
    log, atom, data, csv = wait_for(redacted, timeout=30, what="the hidden event in the catch-up log")
    everything = json.dumps(log, ensure_ascii=False) + atom + data + csv
    for part in ("20 30 40 50", "lise.lund@example.org", SECRET_QUESTION):
        assert part not in everything
    asked = [e for e in log["events"] if e["type"] == "samskab.proposal.question_asked"]
    hidden = [e for e in log["events"] if e["type"] == "samskab.proposal.hidden"]
    assert asked and asked[0]["data"]["body"] == "" and asked[0]["redactedby"] == hidden[0]["id"]
    assert hidden[0]["data"]["target_id"] == question["id"]
    assert TITLE in atom  # the rest stays

    [(_, _, body)] = amqp.drain(expect=1)
    assert json.loads(body)["data"]["target_id"] == question["id"]
    amqp.close()

    def hook_told():
        return [json.loads(b) for _, b in receiver.received if b"samskab.proposal.hidden" in b] or None
    assert wait_for(hook_told, timeout=30, what="the hidden event at the webhook")[0]["data"]["target_id"] == question["id"]
    receiver.close()
    payloads = _rows(platform, "SELECT event_type, payload::text FROM webhook_deliveries")
    assert ("samskab.proposal.question_asked" in {t for t, _ in payloads}
            and not any(SECRET_QUESTION in p or "20 30 40 50" in p for _, p in payloads)), \
        "the delivery log keeps no copy of the hidden text"


def _rows(platform, query):
    with engine_for(platform["db"]).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]
