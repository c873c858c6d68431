"""Demo data for ``make run``: every demo municipality alive on the first visit.

    python scripts/seed_demo.py [http://localhost:8000] [--mail-dir var/mail]

Everything goes in through the platform's own API, as people would put it in, so
every service hears of it: confirmed accounts (each confirms with the link from its
own confirmation e-mail, read from the development mail sink's folder), staff roles
granted by the operator, and in each municipality proposals in every status, an
agreement accepted by a partner, experiments, progress updates, questions and
answers, supports, an upcoming meeting with registrations and a waitlist, and a
citizen-panel draw.  The content is in ``scripts/demo_content.py``.

Only the first operator is written straight into the gateway's database: someone
has to be able to grant roles.  Safe to run again: a municipality whose demo
proposals exist is left as it is.
"""
import argparse
import datetime as dt
import email
import email.policy
import os
import pathlib
import random
import re
import sys
import time
import uuid
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.dialects import postgresql as pg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from demo_content import MUNICIPALITIES, OPERATOR, PASSWORD, STATES, TEXTS  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIRM_LINK = re.compile(r"/account/confirm\?token=([A-Za-z0-9._~%-]+)")


class SeedError(RuntimeError):
    pass


def say(message):
    print(f"seed: {message}", flush=True)


class Api:
    """The public HTTP API, with one bearer token per demo account."""

    def __init__(self, url):
        self.base = url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.tokens = {}

    def __call__(self, method, path, who=None, json=None, ok=(200, 201), params=None):
        headers = {}
        if who:
            headers["Authorization"] = f"Bearer {self.token(who)}"
        if method in ("POST", "PUT", "PATCH"):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        r = self.http.request(method, self.base + path, json=json, headers=headers, params=params, timeout=30)
        if r.status_code not in ok:
            raise SeedError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content and r.headers.get("Content-Type", "").startswith("application/") else None

    def token(self, address):
        if address not in self.tokens:
            body = self("POST", "/auth/token", json={"email": address, "password": PASSWORD})
            self.tokens[address] = body["access_token"]
        return self.tokens[address]


# -- accounts -------------------------------------------------------------------------------


def bootstrap_operator(database_url):
    """The first operator, straight into the gateway's database (confirmed): nobody else
    can grant roles.  Everyone else registers through the API."""
    from samskab.db import engine_for

    engine = engine_for(database_url)
    accounts = sa.Table("accounts", sa.MetaData(), autoload_with=engine)
    address, name, municipality, language = OPERATOR
    with engine.begin() as conn:
        conn.execute(pg.insert(accounts).values(
            id=uuid.uuid4(), email=address, password_hash=PasswordHasher().hash(PASSWORD), display_name=name,
            municipality=municipality, role="operator", language=language, email_confirmed_at=sa.func.now(),
        ).on_conflict_do_nothing(index_elements=["email"]))


def people_of(m, data):
    """(address, name, role to register with, role to be granted) of everyone in ``m``."""
    people = [(a, n, "resident", role) for a, n, role in data["staff"]]
    initiator = data["initiator"]
    people.append((initiator[0], initiator[1], initiator[2] if len(initiator) > 2 else "resident", None))
    people += [(a, n, "resident", None) for a, n in data["residents"]]
    partner = data["partner"]
    people.append((partner[0], partner[1], partner[2], None))
    return people


def confirmation_tokens(mail_dir, wanted, since):
    """The newest confirmation link sent to each address in ``wanted``, from the .eml files."""
    found = {}
    for path in sorted(pathlib.Path(mail_dir).glob("*.eml"), key=lambda p: p.stat().st_mtime):
        if path.stat().st_mtime < since - 5:
            continue
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        to = str(message.get("To", "")).lower()
        address = next((a for a in wanted if a in to), None)
        if address is None:
            continue
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                link = CONFIRM_LINK.search(part.get_content())
                if link:
                    found[address] = requests.utils.unquote(link.group(1))
                    break
    return found


def confirm(api, addresses, mail_dir, timeout=90):
    """Each account confirms its address with the link from its own e-mail."""
    since = time.time()
    waiting = {a for a in addresses if not api("GET", "/me", who=a)["email_confirmed"]}
    resent = False
    if waiting:
        say(f"confirming {len(waiting)} e-mail addresses from the links in {mail_dir}")
    deadline = time.time() + timeout
    while waiting:
        for address, token in confirmation_tokens(mail_dir, waiting, since).items():
            api("POST", "/auth/confirm", json={"token": token})
            waiting.discard(address)
        if not waiting:
            break
        if time.time() > deadline:
            raise SeedError(f"no confirmation e-mail reached {mail_dir} for {', '.join(sorted(waiting))}: "
                            "is the notifications service running and NOTIFICATIONS_SMTP_* pointing at the sink?")
        if not resent and time.time() > deadline - timeout / 2:
            for address in waiting:  # a mail from an earlier, interrupted run may be older than ``since``
                api("POST", "/auth/confirm/resend", who=address, ok=(200, 202))
            resent = True
        time.sleep(0.3)


def ensure_accounts(api, mail_dir):
    everyone = []
    for m, data in MUNICIPALITIES.items():
        for address, name, role, _ in people_of(m, data):
            api("POST", "/auth/register", ok=(201, 409), json={
                "email": address, "password": PASSWORD, "display_name": name, "municipality": m, "role": role,
                "language": data["language"]})
            everyone.append(address)
    operator = OPERATOR[0]
    me = api("GET", "/me", who=operator)
    # The operator's own grant announces the account to the other services.
    api("POST", f"/accounts/{me['id']}/role", who=operator, json={"role": "operator", "municipality": me["municipality"]})
    confirm(api, everyone, mail_dir)
    ids = {}
    for m, data in MUNICIPALITIES.items():
        for address, _, _, grant in people_of(m, data):
            account = api("GET", "/me", who=address)
            ids[address] = account["id"]
            if grant and account["role"] != grant:
                api("POST", f"/accounts/{account['id']}/role", who=operator, json={"role": grant, "municipality": m})
                api.tokens.pop(address, None)  # a role change signs the account out
    return ids


# -- content --------------------------------------------------------------------------------


def seed_municipality(api, m, data, ids, zone):
    """Proposals in every status and what comes with them, through the API; returns a summary."""
    lang, text = data["language"], TEXTS[data["language"]]
    staff = data["staff"][0][0]
    initiator = data["initiator"][0]
    residents = [a for a, _ in data["residents"]]
    partner, _, partner_kind, partner_skills = data["partner"]
    base = f"/municipalities/{m}"

    existing = api("GET", f"{base}/proposals", params={"limit": 100})
    items = existing.get("items", existing) if isinstance(existing, dict) else existing
    if any(p["title"] == data["proposals"][0]["title"] for p in items):
        say(f"{m}: demo content exists, kept as it is")
        return None

    api("PUT", "/me/profile", who=partner, json={
        "kind": partner_kind, "skills": partner_skills, "interests": data["proposals"][0]["topics"],
        "areas": [data["proposals"][0]["area"]], "languages": [lang], "suggest_me": True})
    for address in residents[:2]:
        api("PUT", "/me/profile", who=address, json={
            "interests": data["proposals"][1]["topics"], "languages": [lang], "suggest_me": True})

    proposals = {}
    authors = [initiator, initiator] + residents + residents
    for number, (content, state) in enumerate(zip(data["proposals"], STATES)):
        author = authors[number]
        body = {**content, "language": lang, "submit": state != "draft"}
        p = api("POST", f"{base}/proposals", who=author, json=body)
        proposals[state] = (p["id"], author)
        path = f"{base}/proposals/{p['id']}"
        if state in ("draft", "submitted"):
            continue
        if state == "withdrawn":
            api("POST", f"{path}/transitions", who=author, json={"to": "withdrawn", "reason": text["withdraw"]})
            continue
        if state == "rejected":
            api("POST", f"{path}/transitions", who=staff, json={"to": "rejected", "reason": text["reject"]})
            continue
        api("POST", f"{path}/transitions", who=staff, json={"to": "published", "reason": text["publish"]})
        if state == "forming":
            api("POST", f"{path}/transitions", who=author, json={"to": "forming", "reason": text["update"]})
        if state in ("active", "concluded"):
            api("POST", f"{path}/transitions", who=author, json={"to": "active", "reason": text["update"]})

    today = dt.date.today()
    active, active_author = proposals["active"]
    path = f"{base}/proposals/{active}"
    agreement = api("PUT", f"{path}/agreement", who=active_author, json={
        "parties": [{"role": "initiator", "responsibilities": text["responsibility"]},
                    {"role": "municipality", "responsibilities": text["municipality_duty"]},
                    {"role": "partner", "participant_id": ids[partner], "responsibilities": text["partner_duty"]}],
        "municipality_commitment": text["commitment"], "iap2_level": "collaborate",
        "decision_maker": text["decision_maker"], "resources": data["proposals"][0]["needs"][:2],
        "timeline": [{"date": (today + dt.timedelta(days=120)).isoformat(), "what": text["milestone"]}]})
    for party in (partner, active_author, staff):  # every party, the municipality too
        api("POST", f"{path}/agreement/acceptances", who=party, json={"version": agreement["version"]})
    api("POST", f"{path}/experiments", who=active_author, json={
        "hypothesis": text["hypothesis"], "intervention": text["intervention"],
        "starts_on": (today - dt.timedelta(days=30)).isoformat()})
    for update in (text["update"], text["update2"]):
        api("POST", f"{path}/updates", who=active_author, json={"body": update})
    for address in residents:
        api("POST", f"{path}/follows", who=address)
        api("POST", f"{path}/supports", who=address)

    concluded, concluded_author = proposals["concluded"]
    path = f"{base}/proposals/{concluded}"
    api("POST", f"{path}/experiments", who=concluded_author, json={
        "hypothesis": text["hypothesis"], "intervention": text["intervention"],
        "starts_on": (today - dt.timedelta(days=200)).isoformat(),
        "ends_on": (today - dt.timedelta(days=100)).isoformat(),
        "outcome": text["outcome"], "learnings": text["learnings"]})
    api("POST", f"{path}/updates", who=concluded_author, json={"body": text["update2"]})
    api("POST", f"{path}/transitions", who=concluded_author, json={
        "to": "concluded", "reason": text["conclude"], "outcome": "implemented"})

    published, published_author = proposals["published"]
    path = f"{base}/proposals/{published}"
    question = api("POST", f"{path}/questions", who=residents[0], json={"body": text["question"]})
    api("POST", f"{path}/questions/{question['id']}/answers", who=published_author, json={"body": text["answer"]})
    for address in [initiator] + residents[1:]:
        api("POST", f"{path}/supports", who=address)

    forming, forming_author = proposals["forming"]
    api("POST", f"{base}/proposals/{forming}/updates", who=forming_author, json={"body": text["update"]})
    place = api("POST", f"{base}/meeting-places", who=staff, json=data["place"])
    starts = dt.datetime.combine(today + dt.timedelta(days=12), dt.time(17, 0), zone)
    meeting = api("POST", f"{base}/meetings", who=staff, json={
        "title": f"{text['meeting']}: {data['proposals'][1]['title']}", "format": "working_citizens_meeting",
        "purpose": text["purpose"], "promise": text["promise"], "iap2_level": "involve", "proposal_id": forming,
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "place_id": place["id"], "capacity": 3, "language": lang})
    seats = []
    for address in [forming_author] + residents:
        seats.append(api("POST", f"{base}/meetings/{meeting['id']}/registrations", who=address)["status"])

    features = text["features"]
    draw = random.Random(f"samskab-demo-{m}")
    volunteers = [{"id": f"v{n:03d}", "features": {k: draw.choice(v) for k, v in features.items()}}
                  for n in range(60)]
    quotas = {name: {value: {"min": 1, "max": 6} for value in values} for name, values in features.items()}
    panel = api("POST", f"{base}/panels", who=staff, json={
        "purpose": text["panel"], "proposal_id": forming, "size": 8, "volunteers": volunteers,
        "quotas": quotas, "seed": 2026})

    summary = {"proposals": {state: pid for state, (pid, _) in proposals.items()},
               "authors": {state: author for state, (_, author) in proposals.items()}, "meeting": meeting["id"],
               "registrations": seats, "agreement_version": agreement["version"], "panel": panel}
    say(f"{m}: {len(proposals)} proposals (one per status), a meeting with {seats.count('waitlisted')} on the "
        f"waitlist, an accepted agreement, experiments, updates and a panel of {len(panel['members'])}")
    return summary


def main(url="http://localhost:8000", mail_dir=None, gateway_database_url=None):
    from samskab import config as configuration

    mail_dir = mail_dir or str(ROOT / "var" / "mail")
    bootstrap_operator(gateway_database_url or configuration.database_url("gateway", dict(os.environ)))
    api = Api(url)
    ids = ensure_accounts(api, mail_dir)
    zones = {x["id"]: ZoneInfo(x["time_zone"]) for x in api("GET", "/municipalities")}  # the ones served here
    summaries = {m: seed_municipality(api, m, data, ids, zones[m]) for m, data in MUNICIPALITIES.items() if m in zones}
    say(f"demo accounts use the password {PASSWORD!r}, e.g. {MUNICIPALITIES['aalborg']['initiator'][0]} "
        f"(resident) and {MUNICIPALITIES['aalborg']['staff'][0][0]} (staff)")
    return summaries


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://localhost:8000")
    parser.add_argument("--mail-dir", default=None, help="the mail sink's folder (default var/mail)")
    options = parser.parse_args()
    try:
        main(options.url, options.mail_dir)
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        sys.exit(1)
