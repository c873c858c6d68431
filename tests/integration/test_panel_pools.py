"""Citizen panels from real volunteer lists: a JSON pool of 20,000 volunteers and a pool
uploaded as CSV (the form sortition tools use), through the gateway to the matching
service, with the real broker and PostgreSQL."""
import csv
import io
import random
import time
import uuid

import pytest
import requests
from argon2 import PasswordHasher

from samskab.testing import http_port, unit_of_work

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from matching.service import Service as Matching

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
AGES, GENDERS, AREAS = ("16-29", "30-49", "50-64", "65+"), ("kvinde", "mand"), ("Øst", "Vest", "Nord", "Syd")
QUOTAS = {"age": {a: {"min": 1, "max": 4} for a in AGES}, "gender": {g: {"min": 5, "max": 5} for g in GENDERS}}


@pytest.fixture
def api(runner_factory, make_config):
    gateway_config = make_config("gateway")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("matching"), Matching)]
    for r in runners:
        r.start()
    base = f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1"
    return base, gateway_config["DATABASE_URL"]


def login(base, email):
    r = requests.post(f"{base}/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def account(base, gateway_db, email, role, staff_of=None):
    with unit_of_work(gateway_db) as uow:
        uow.execute(accounts.insert().values(
            id=uuid.uuid4(), email=email, password_hash=PasswordHasher().hash(PASSWORD), display_name=email,
            municipality="aalborg", role=role, language="da"))
    return login(base, email)


def staff(base, gateway_db):
    operator = account(base, gateway_db, "operator@example.org", "operator")
    resident = requests.post(f"{base}/auth/register", json={
        "email": "planner@example.org", "password": PASSWORD, "display_name": "Planner", "municipality": "aalborg",
        "role": "resident"})
    assert resident.status_code == 201, resident.text
    r = requests.post(f"{base}/accounts/{resident.json()['id']}/role", headers=operator,
                      json={"role": "employee", "municipality": "aalborg"})
    assert r.status_code == 200, r.text
    return login(base, "planner@example.org")


def volunteers(n, seed=1):
    rng = random.Random(seed)
    # readable ids, as a recruitment list has them (never names)
    return [{"id": f"frivillig-{i:05d}-aalborg", "household": f"husstand-{i // 2:05d}",
             "features": {"age": rng.choice(AGES), "gender": rng.choice(GENDERS), "area": rng.choice(AREAS)}}
            for i in range(n)]


def as_csv(pool):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "household", "age", "gender", "area"])
    for v in pool:
        writer.writerow([v["id"], v["household"], v["features"]["age"], v["features"]["gender"],
                         v["features"]["area"]])
    return out.getvalue()


def test_a_json_pool_of_20000_volunteers_is_drawn_and_other_routes_keep_the_small_limit(api):
    base, gateway_db = api
    headers = staff(base, gateway_db)
    request = {"size": 10, "volunteers": volunteers(20000), "quotas": QUOTAS, "seed": 11}
    started = time.monotonic()
    r = requests.post(f"{base}/municipalities/aalborg/panels", json=request, headers=headers, timeout=120)
    assert r.status_code == 201, r.text[:500]
    panel = r.json()
    assert panel["pool_size"] == 20000 and len(panel["members"]) == 10 and panel["seed"] == 11
    assert panel["counts"]["gender"] == {"kvinde": 5, "mand": 5}
    print(f"20,000 volunteers ({len(r.request.body) // 1024} KB): {time.monotonic() - started:.1f} s")
    # A profile (or any other body) of the same size is still refused at the gateway's MAX_BODY_BYTES.
    big = requests.put(f"{base}/me/profile", headers=headers, timeout=30,
                       json={"skills": ["x" * 50] * 2000, "suggest_me": False})
    assert big.status_code == 413, big.text


def test_staff_draw_a_panel_from_a_csv_pool_and_bad_rows_are_named(api):
    base, gateway_db = api
    headers = staff(base, gateway_db)
    pool = volunteers(1000, seed=2)
    body = {"size": 10, "pool_csv": "\ufeff" + as_csv(pool), "seed": 5, "one_per_household": True,
            "quotas_csv": "feature,value,min,max\n" + "\n".join(
                f"{feature},{value},{b['min']},{b['max']}" for feature, values in QUOTAS.items()
                for value, b in values.items())}
    panel = requests.post(f"{base}/municipalities/aalborg/panels/csv", json=body, headers=headers, timeout=120)
    assert panel.status_code == 201, panel.text[:500]
    drawn = panel.json()
    assert drawn["pool_size"] == 1000 and drawn["seed"] == 5
    assert drawn["counts"]["gender"] == {"kvinde": 5, "mand": 5}
    households = {v["id"]: v["household"] for v in pool}
    assert len({households[m] for m in drawn["members"]}) == 10, "one per household"
    # the same draw from the same pool and seed as JSON
    as_json = requests.post(f"{base}/municipalities/aalborg/panels", headers=headers, timeout=120, json={
        "size": 10, "volunteers": pool, "quotas": QUOTAS, "seed": 5, "one_per_household": True})
    assert sorted(as_json.json()["members"]) == sorted(drawn["members"])

    broken = {**body, "pool_csv": "id,age\nr1,16-29\nr1,30-49\nr3\n"}
    refused = requests.post(f"{base}/municipalities/aalborg/panels/csv", json=broken, headers=headers)
    assert refused.status_code == 422 and "rows 3, 4" in refused.json()["detail"]
    assert [e["field"] for e in refused.json()["errors"]] == ["pool_csv"]
    no_id = requests.post(f"{base}/municipalities/aalborg/panels/csv", headers=headers,
                          json={**body, "pool_csv": "name,age\nAnna,16-29\n"})
    assert no_id.status_code == 422 and "'id' column" in no_id.json()["detail"]
    bad_quota = requests.post(f"{base}/municipalities/aalborg/panels/csv", headers=headers,
                              json={**body, "quotas_csv": "age,16-29,one,4\n"})
    assert bad_quota.status_code == 422 and bad_quota.json()["errors"][0]["field"] == "quotas_csv"

    resident = requests.post(f"{base}/auth/register", json={
        "email": "resident@example.org", "password": PASSWORD, "display_name": "R", "municipality": "aalborg",
        "role": "resident"})
    assert resident.status_code == 201
    refused = requests.post(f"{base}/municipalities/aalborg/panels/csv", json=body,
                            headers=login(base, "resident@example.org"))
    assert refused.status_code == 403
