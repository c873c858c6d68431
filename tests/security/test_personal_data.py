"""Personal data stays personal.

* The names and e-mail addresses of the people in this test never appear on
  ``samskab.public``, in webhook deliveries, the Atom feed, the catch-up log,
  the open data, or any log line of any service.
* A participant who erases their account is gone from every service's
  database: no row anywhere holds their id, e-mail address or name (the
  gateway keeps a tombstone of the account under its id, nothing else).
"""
import datetime as dt
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import sqlalchemy as sa

from samskab.testing import wait_for

pytestmark = pytest.mark.integration

PROPOSAL = {"kind": "development", "title": "Grøn pendling til Aalborg Øst", "problem": "Alle kører alene i bil.",
            "goal": "Halvdelen cykler i 2028.", "area": "Aalborg Øst", "topics": ["mobilitet"],
            "needs": ["cykelværksted"], "language": "da"}


class Receiver:
    def __init__(self):
        self.bodies = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                owner.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()



def secrets_of(people):
    """What must never leak: e-mail addresses, full names, surnames."""
    found = set()
    for person in people:
        found.add(person.email)
        found.add(person.email.split("@")[0])
        found.add(person.name)
        found.update(part for part in person.name.split() if len(part) > 3)
    return found


def activity(p, people):
    """What people do that causes public events: a proposal, its publication, support,
    a question, a meeting and a seat; and a third party subscribed by webhook."""
    karen, ola, mette = people["resident"], people["outsider"], people["employee"]
    receiver = Receiver() if "notifications" in p.containers else None
    if receiver:
        key = requests.post(f"{p.api}/municipalities/aalborg/api-keys", headers=people["operator"].headers, json={
            "name": "Lokalavisen", "contact_email": "redaktion@avis.example"}).json()["key"]
        r = requests.post(f"{p.api}/municipalities/aalborg/webhooks", headers={"X-Api-Key": key},
                          json={"url": receiver.url, "types": ["#"]})
        assert r.status_code == 201, r.text
    if "matching" in p.containers:
        for person in (karen, ola):
            requests.put(f"{p.api}/me/profile", headers=person.headers,
                         json={"skills": ["cykelværksted"], "interests": ["mobilitet"], "suggest_me": True})
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=karen.headers)
    assert r.status_code == 201, r.text
    proposal = r.json()["id"]
    assert requests.post(f"{p.api}/municipalities/aalborg/proposals/{proposal}/transitions", headers=mette.headers,
                         json={"to": "published", "reason": "Klar"}).status_code == 200
    assert requests.post(f"{p.api}/municipalities/aalborg/proposals/{proposal}/supports",
                         headers=ola.headers).status_code == 201
    requests.post(f"{p.api}/municipalities/aalborg/proposals/{proposal}/questions", headers=ola.headers,
                  json={"text": "Hvordan kan virksomhederne hjælpe?"})
    meeting = None
    if "meetings" in p.containers:
        start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=14)
        r = requests.post(f"{p.api}/municipalities/aalborg/meetings", headers=mette.headers, json={
            "title": "Borgermøde om pendling", "format": "working_citizens_meeting", "purpose": "Ideer",
            "promise": "Vi svarer.", "proposal_id": proposal, "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 30,
            "online_url": "https://meet.example/pendling"})
        assert r.status_code == 201, r.text
        meeting = r.json()["id"]
        assert requests.post(f"{p.api}/municipalities/aalborg/meetings/{meeting}/registrations",
                             headers=karen.headers).status_code == 201
    return proposal, meeting, receiver


def test_no_personal_data_in_public_events_webhooks_feeds_or_logs(platform, people, caplog):
    caplog.set_level(logging.INFO)
    p = platform
    proposal, meeting, receiver = activity(p, people)
    try:
        public = p.public.drain(timeout=6)
        assert any(m.routing_key == "aalborg.proposal.published" for m, _, _ in public)
        places = {f"samskab.public {m.routing_key}": body.decode() for m, _, body in public}
        if receiver:
            wait_for(lambda: len(receiver.bodies) >= 2, timeout=20, what="webhook deliveries")
            for i, body in enumerate(receiver.bodies):
                places[f"webhook delivery {i}"] = body.decode()
            for path in ("feed.atom", "events", "open-data.json", "open-data.csv"):
                r = requests.get(f"{p.api}/municipalities/aalborg/{path}")
                assert r.status_code == 200, f"{path}: {r.status_code}"
                places[path] = r.text
            assert "Grøn pendling" in places["feed.atom"], "the feed shows the public proposal"
        for path in (f"proposals/{proposal}", "proposals") + ((f"meetings/{meeting}",) if meeting else ()):
            places[f"GET {path} (anonymous)"] = requests.get(f"{p.api}/municipalities/aalborg/{path}").text
        places["logs"] = "\n".join(r.getMessage() for r in caplog.records)
        leaks = [(secret, where) for secret in secrets_of(people.values()) for where, text in places.items()
                 if secret in text]
        assert not leaks, f"personal data found: {leaks[:10]}"
    finally:
        if receiver:
            receiver.close()


def traces(p, service, person):
    """Every row in the service's database that holds the person's id, e-mail or name."""
    found = []
    with p.db(service) as uow:
        columns = uow.execute(sa.text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('uuid', 'text', 'jsonb', 'ARRAY', 'character varying')"
        )).all()
        for table, column, kind in columns:
            if table == "processed_events" or table.startswith("alembic"):
                continue
            cond = (f'"{column}" = CAST(:pid AS uuid)' if kind == "uuid"
                    else f'"{column}"::text ILIKE :email OR "{column}"::text ILIKE :name OR "{column}"::text LIKE :pidtext')
            n = uow.execute(sa.text(f'SELECT count(*) FROM "{table}" WHERE {cond}'), {
                "pid": person.id, "email": f"%{person.email}%", "name": f"%{person.name}%",
                "pidtext": f"%{person.id}%"}).scalar()
            if n:
                found.append(f"{service}.{table}.{column} ({n})")
    return found


def test_an_erased_participant_is_gone_from_every_service(platform, people):
    p = platform
    karen = people["resident"]
    activity(p, people)
    time.sleep(2)  # let the activity's events land everywhere first
    before = {s: traces(p, s, karen) for s in p.containers}
    assert any(before[s] for s in p.containers if s != "gateway"), "the services knew nothing of her to begin with"
    r = requests.delete(f"{p.api}/me", headers=karen.headers)
    assert r.status_code == 204, r.text
    assert requests.get(f"{p.api}/me", headers=karen.headers).status_code == 401, "her token is revoked"

    def left():
        return {s: [t for t in traces(p, s, karen) if not t.startswith(TOMBSTONES)] for s in p.containers}

    try:
        wait_for(lambda: not any(v for v in left().values()), timeout=20, what="the erasure to reach every service")
    except AssertionError:
        raise AssertionError(f"after erasure, still held: {json.dumps(left(), indent=1)}\n(before: {before})")
    finally:
        assert requests.post(f"{p.api}/auth/token", json={"email": karen.email, "password": "a long password 123"}
                             ).status_code == 401, "she cannot sign in"
    with p.db("gateway") as uow:
        kept = uow.execute(sa.text("SELECT type, envelope::text AS body FROM outbox WHERE subject = :s"),
                           {"s": f"participants/{karen.id}"}).all()
    assert [row.type for row in kept] == ["samskab.participant.erased"]
    assert karen.email not in kept[0].body and karen.name not in kept[0].body


# Kept on purpose: the account's tombstone under its id (e-mail erased-<id>@invalid), the
# notifications service's list of erased ids (so a late event cannot bring her back), and the
# gateway's outbox row of the erased event itself (its id only; pruned after the retention).
TOMBSTONES = ("gateway.accounts.", "notifications.erased_participants.id ", "gateway.outbox.")
