"""Demo data for ``make run``: municipalities' staff, residents and proposals
taken from real kinds of co-creation cases.  Safe to run again: what exists is kept.

    python scripts/seed_demo.py http://localhost:8000
"""
import os
import sys
import uuid

import requests
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.dialects import postgresql as pg

from samskab import config as configuration
from samskab.db import engine_for

PASSWORD = "samskab-demo-2026"

STAFF = [
    ("operator@demo.samskab.example", "Demo Operator", "aalborg", "operator", "en"),
    ("medarbejder@aalborg.demo.samskab.example", "Aalborg medarbejder", "aalborg", "employee", "da"),
    ("politiker@hjorring.demo.samskab.example", "Hjørring politiker", "hjorring", "politician", "da"),
    ("tilsett@hamar.demo.samskab.example", "Hamar tilsett", "hamar", "employee", "nb"),
    ("tilsett@volda.demo.samskab.example", "Volda tilsett", "volda", "employee", "nn"),
]

RESIDENTS = [
    ("borger@aalborg.demo.samskab.example", "Demo borger", "aalborg", "resident"),
    ("forening@hjorring.demo.samskab.example", "Demo forening", "hjorring", "association"),
    ("innbygger@hamar.demo.samskab.example", "Demo innbygger", "hamar", "resident"),
    ("innbyggjar@volda.demo.samskab.example", "Demo innbyggjar", "volda", "resident"),
]

PROPOSALS = [
    ("borger@aalborg.demo.samskab.example", "aalborg", {
        "kind": "development", "language": "da", "area": "Aalborg Øst", "iap2_level": "collaborate",
        "title": "Grøn pendling til erhvervsområdet i Aalborg Øst",
        "problem": "De fleste, der arbejder i Aalborg Øst, kører alene i bil; busserne passer ikke til skifteholdene.",
        "goal": "Halvdelen af pendlerne cykler, tager bussen eller samkører inden 2028.",
        "topics": ["mobilitet", "klima"], "needs": ["cykelværksted", "samkørselsapp", "virksomheder"],
    }),
    ("forening@hjorring.demo.samskab.example", "hjorring", {
        "kind": "policy", "language": "da", "iap2_level": "collaborate",
        "title": "Opgaveudvalg om den nye kommuneplan",
        "problem": "Kommuneplanen skrives af forvaltningen, og landsbyerne kender den først, når den er vedtaget.",
        "goal": "Ti borgere og fem politikere skriver sammen oplægget til kommuneplanen på ni måneder.",
        "topics": ["planlægning", "landsbyer"], "needs": ["mødelokaler", "borgere fra landsbyerne"],
    }),
    ("innbygger@hamar.demo.samskab.example", "hamar", {
        "kind": "development", "language": "nb", "area": "Hamar sentrum", "iap2_level": "involve",
        "title": "Gjenreise bydelen etter flommen",
        "problem": "Flommen ødela kjellere, gangveier og møteplasser langs elva, og mange har ikke flyttet tilbake.",
        "goal": "En plan for bydelen som beboerne har laget sammen med kommunen, klar før neste vinter.",
        "topics": ["klimatilpasning", "byutvikling"], "needs": ["landskapsarkitekt", "frivillige", "lokale"],
    }),
    ("innbyggjar@volda.demo.samskab.example", "volda", {
        "kind": "service", "language": "nn", "iap2_level": "consult",
        "title": "Trygg skuleveg for dei minste",
        "problem": "Mange born går langs riksvegen utan fortau til skulen om morgonen.",
        "goal": "Ein trygg skuleveg for alle born i 1. til 4. klasse innan skulestart.",
        "topics": ["trafikktryggleik", "born"], "needs": ["foreldre", "vegvesenet"],
    }),
]


def ensure_staff(env):
    engine = engine_for(configuration.database_url("gateway", env))
    hasher = PasswordHasher()
    metadata = sa.MetaData()
    accounts = sa.Table("accounts", metadata, autoload_with=engine)
    with engine.begin() as conn:
        for email, name, municipality, role, language in STAFF:
            conn.execute(pg.insert(accounts).values(
                id=uuid.uuid4(), email=email, password_hash=hasher.hash(PASSWORD), display_name=name,
                municipality=municipality, role=role, language=language, email_confirmed_at=sa.func.now(),
            ).on_conflict_do_nothing(index_elements=["email"]))


def token(api, email):
    r = requests.post(f"{api}/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def main(url):
    api = url.rstrip("/") + "/api/v1"
    env = dict(os.environ)
    ensure_staff(env)
    for email, name, municipality, role in RESIDENTS:
        r = requests.post(f"{api}/auth/register", json={
            "email": email, "password": PASSWORD, "display_name": name, "municipality": municipality, "role": role,
        }, timeout=10)
        if r.status_code not in (201, 409):
            print(f"seed: could not register {role} in {municipality}: {r.status_code} {r.text}", file=sys.stderr)
    for email, municipality, proposal in PROPOSALS:
        existing = requests.get(f"{api}/municipalities/{municipality}/proposals", timeout=10).json()
        items = existing.get("items", existing) if isinstance(existing, dict) else existing
        if any(p["title"] == proposal["title"] for p in items):
            continue
        r = requests.post(f"{api}/municipalities/{municipality}/proposals", json=proposal,
                          headers=token(api, email), timeout=10)
        if r.status_code != 201:
            print(f"seed: proposal in {municipality}: {r.status_code} {r.text}", file=sys.stderr)
            continue
        staff_email = next(s[0] for s in STAFF if s[2] == municipality and s[3] in ("employee", "politician"))
        t = requests.post(f"{api}/municipalities/{municipality}/proposals/{r.json()['id']}/transitions",
                          json={"to": "published", "reason": "Demo"}, headers=token(api, staff_email), timeout=10)
        if t.status_code not in (200, 201, 404):
            print(f"seed: publishing in {municipality}: {t.status_code} {t.text}", file=sys.stderr)
    print(f"seed: demo accounts use the password {PASSWORD!r}, e.g. {RESIDENTS[0][0]} and {STAFF[1][0]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000")
