"""The gateway's hostile edges against the running services (issue 17): throttling
under concurrency, sessions that end, every create safe to retry with its key, and
pathological input answered 4xx as problem+json.

    PYTHONPATH=shared:services .venv/bin/python -m pytest -q tests/hostile/test_hostile_gateway.py
"""
import concurrent.futures
import csv
import io
import datetime as dt
import re
import uuid

import pytest
import requests
import sqlalchemy as sa

from gateway.tests.support import PASSWORD as WEB_PASSWORD, Visitor

from gateway.api.router import API_PREFIX, router
from gateway.idempotency import fingerprint

PASSWORD = "a long password 123"  # tests/security/conftest.py's, for the people fixture

pytestmark = pytest.mark.integration

PROPOSAL = {"kind": "development", "title": "Grøn pendling", "problem": "Alle kører alene i bil.",
            "goal": "Flere cykler.", "language": "da"}


def problem(r, status):
    assert r.status_code == status, f"{r.status_code} {r.text[:300]}"
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers["Content-Type"]
    return r.json()


def register(p, email, password=None):
    r = requests.post(f"{p.api}/auth/register", json={"email": email, "password": password or PASSWORD,
                                                      "display_name": "Test", "municipality": "aalborg"}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


# -- throttling ------------------------------------------------------------------------------------

def test_forty_parallel_wrong_guesses_check_at_most_the_limit_and_the_right_password_waits(platform):
    p = platform
    register(p, "target@example.org")

    def guess(i):
        return requests.post(f"{p.api}/auth/token", json={"email": "target@example.org",
                                                          "password": f"wrong guess {i}"}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 10, f"{statuses.count(401)} guesses were checked; the limit is 10"
    assert statuses.count(429) >= 30
    for r in answers:
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) > 0
            problem(r, 429)
    right = requests.post(f"{p.api}/auth/token", json={"email": "target@example.org", "password": PASSWORD},
                          timeout=10)
    problem(right, 429)
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60


def test_one_password_tried_on_many_accounts_from_one_address_is_stopped(platform):
    p = platform
    statuses = [requests.post(f"{p.api}/auth/token", json={"email": f"person{i}@example.org",
                                                            "password": "Summer2026!"}, timeout=10).status_code
                for i in range(25)]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429] * 5


def test_password_reset_e_mails_are_throttled_per_address(platform):
    p = platform
    register(p, "reset@example.org")
    answers = [requests.post(f"{p.api}/auth/password-reset", json={"email": "reset@example.org"}, timeout=10)
               for _ in range(8)]
    assert [r.status_code for r in answers] == [202] * 5 + [429] * 3
    assert int(answers[-1].headers["Retry-After"]) > 0
    sent = p.scalar("gateway", "SELECT count(*) FROM outbox WHERE type = 'samskab.participant.password_reset_requested'")
    assert sent == 5


def test_confirmation_e_mails_are_throttled_per_account(platform):
    p = platform
    register(p, "confirm@example.org")
    token = p.token("confirm@example.org")
    statuses = [requests.post(f"{p.api}/auth/confirm/resend", headers={"Authorization": f"Bearer {token}"},
                              timeout=10).status_code for _ in range(7)]
    assert statuses == [202] * 5 + [429] * 2


def test_attempt_records_hold_no_address_and_expire_after_the_retention(platform):
    p = platform
    requests.post(f"{p.api}/auth/token", json={"email": "old@example.org", "password": "wrong"}, timeout=10)
    with p.db("gateway") as uow:
        keys = [k for (k,) in uow.execute(sa.text("SELECT key FROM throttle")).all()]
    assert keys and not any("old@example.org" in k or "127.0.0.1" in k for k in keys)
    with p.db("gateway") as uow:
        uow.execute(sa.text("INSERT INTO throttle (key, window_start, count) VALUES ('old', now() - interval '25 hours', 3)"))
    requests.post(f"{p.api}/auth/token", json={"email": "old@example.org", "password": "wrong"}, timeout=10)
    assert p.scalar("gateway", "SELECT count(*) FROM throttle WHERE key = 'old'") == 0, "kept past a day"


# -- sessions end ---------------------------------------------------------------------------------

def me(p, **kwargs):
    return requests.get(f"{p.api}/me", timeout=10, **kwargs)


def test_signing_out_on_the_web_ends_the_session_and_every_token(platform):
    p = platform
    register(p, "leaving@example.org", WEB_PASSWORD)
    bearer = {"Authorization": f"Bearer {p.token('leaving@example.org', WEB_PASSWORD)}"}
    browser = Visitor(p.base)
    assert browser.login("leaving@example.org").status_code == 200
    cookie = browser.http.cookies.get("samskab_session")
    assert me(p, cookies={"samskab_session": cookie}).status_code == 200 and me(p, headers=bearer).status_code == 200
    browser.post("/logout", token_from="/me")
    problem(me(p, cookies={"samskab_session": cookie}), 401)
    problem(me(p, headers=bearer), 401)


def test_signing_out_through_the_api_ends_every_token(platform):
    p = platform
    register(p, "api-leaving@example.org")
    first, second = (p.token("api-leaving@example.org") for _ in range(2))
    r = requests.post(f"{p.api}/auth/logout", headers={"Authorization": f"Bearer {first}"}, timeout=10)
    assert r.status_code == 204
    for token in (first, second):
        problem(me(p, headers={"Authorization": f"Bearer {token}"}), 401)
    assert me(p, headers={"Authorization": f"Bearer {p.token('api-leaving@example.org')}"}).status_code == 200


def test_a_password_change_ends_every_earlier_session_and_token(platform):
    p = platform
    register(p, "changer@example.org", WEB_PASSWORD)
    old = {"Authorization": f"Bearer {p.token('changer@example.org', WEB_PASSWORD)}"}
    browser = Visitor(p.base)
    browser.login("changer@example.org")
    cookie = browser.http.cookies.get("samskab_session")
    wrong = requests.post(f"{p.api}/me/password", headers=old, timeout=10,
                          json={"current_password": "not it at all", "new_password": "a new password 42"})
    problem(wrong, 401)
    r = requests.post(f"{p.api}/me/password", headers=old, timeout=10,
                      json={"current_password": WEB_PASSWORD, "new_password": "a new password 42"})
    assert r.status_code == 200, r.text
    problem(me(p, headers=old), 401)
    problem(me(p, cookies={"samskab_session": cookie}), 401)
    assert me(p, headers={"Authorization": f"Bearer {r.json()['access_token']}"}).status_code == 200
    assert p.token("changer@example.org", "a new password 42")


# -- open redirects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/\t/evil.example/phish", "//evil.example/phish", "/\\evil.example/phish", "\\/evil.example/phish",
    "/%2F/evil.example/phish", "/%252F%252Fevil.example", "/%5Cevil.example", "/%09/evil.example",
    "https://evil.example/phish", "/\r\n//evil.example",
])
def test_the_sign_in_form_never_sends_anyone_off_site(platform, target):
    p = platform
    register(p, "redirect@example.org", WEB_PASSWORD)
    browser = Visitor(p.base)
    r = browser.post("/login", {"email": "redirect@example.org", "password": WEB_PASSWORD, "next": target},
                     token_from="/login", follow=False)
    assert r.status_code == 303
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert "evil.example" not in location.split("?")[0], location


# -- pathological input ------------------------------------------------------------------------------

def test_pathological_input_is_a_4xx_problem_naming_the_field(platform, people):
    p = platform
    karen = people["resident"]
    deep = "[" * 1000 + "]" * 1000
    problem(requests.post(f"{p.api}/auth/token", data='{"email": ' + deep + "}",
                          headers={"Content-Type": "application/json"}, timeout=10), 400)
    problem(requests.post(f"{p.api}/municipalities/aalborg/proposals", data='{"title": ' + deep + "}",
                          headers={**karen.headers, "Content-Type": "application/json"}, timeout=10), 400)
    parts = {f"f{i}": (None, "x") for i in range(1200)}
    problem(requests.post(f"{p.base}/login", files=parts, timeout=10), 413)
    invisible = requests.post(f"{p.api}/municipalities/aalborg/proposals", headers=karen.headers, timeout=10,
                              json={**PROPOSAL, "title": "\u200b\u200e\u202e\u2060\ufeff"})
    assert "title" in [e["field"] for e in problem(invisible, 422)["errors"]]
    employee = people["employee"]
    r = requests.post(f"{p.api}/municipalities/aalborg/meetings", headers=employee.headers, timeout=10, json={
        "title": "Borgermøde", "format": "working_citizens_meeting", "purpose": "Hvorfor", "promise": "Løfte",
        "starts_at": "2027-03-01T10:00:00+01:00", "ends_at": "0001-01-01T00:00:00", "capacity": 50,
        "online_url": "https://meet.example/m"})
    assert "ends_at" in [e["field"] for e in problem(r, 422)["errors"]]


def test_api_errors_are_problems_with_the_real_allow(platform):
    p = platform
    problem(requests.get(f"{p.api}/no/such/thing", timeout=10), 404)
    problem(requests.get(f"{p.base}/api/v2/proposals", timeout=10), 404)
    problem(requests.get(f"{p.base}/api", timeout=10), 404)
    r = requests.put(f"{p.api}/auth/token", json={}, timeout=10)
    problem(r, 405)
    assert r.headers["Allow"].replace(" ", "") == "POST"
    r = requests.options(f"{p.api}/me", timeout=10)
    problem(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "DELETE"}


# -- every create safe to retry ------------------------------------------------------------------

def creates(p, people, world):
    """(who, path, body, another body) for every operation that creates something."""
    pid, qid, mid = world["proposal"], world["question"], world["meeting"]
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=40)
    meeting = {"title": "Debatsalon", "format": "debate_salon", "purpose": "Hvorfor", "promise": "Løfte",
               "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
               "capacity": 30, "online_url": "https://meet.example/d"}
    base = "/municipalities/aalborg"
    return [
        ("resident", f"{base}/proposals", PROPOSAL, {**PROPOSAL, "title": "Noget andet"}),
        ("supporter", f"{base}/proposals/{pid}/supports", None, None),
        ("supporter", f"{base}/proposals/{pid}/questions", {"body": "Hvor?"}, {"body": "Hvornår?"}),
        ("resident", f"{base}/proposals/{pid}/questions/{qid}/answers", {"body": "Her."}, {"body": "Der."}),
        ("employee", f"{base}/proposals/{pid}/updates", {"body": "Bestilt."}, {"body": "Leveret."}),
        ("resident", f"{base}/proposals/{pid}/experiments",
         {"hypothesis": "H", "intervention": "I", "starts_on": "2027-05-01"},
         {"hypothesis": "H2", "intervention": "I", "starts_on": "2027-05-01"}),
        ("supporter", f"{base}/proposals/{pid}/reports",
         {"target_type": "proposal", "target_id": pid, "reason": "Spam"},
         {"target_type": "proposal", "target_id": pid, "reason": "Krænkende"}),
        ("employee", f"{base}/meetings", meeting, {**meeting, "title": "En anden salon"}),
        ("employee", f"{base}/meeting-places", {"name": "Biblioteket", "kind": "library", "address": "Gade 2",
                                                "capacity": 100},
         {"name": "Rådhuset", "kind": "library", "address": "Gade 3", "capacity": 100}),
        ("supporter", f"{base}/meetings/{mid}/registrations", None, None),
        ("employee", f"{base}/meetings/{mid}/agenda", {"question": "Hvad nu?"}, {"question": "Og så?"}),
        # (outcomes are recorded once a meeting has started: the same code path as the agenda)
    ]


# Creates whose answer holds a secret shown once: the key still makes them happen once, but a
# retry is told so (409) instead of being given the secret again (the gateway does not keep it).
SECRET_CREATES = [
    ("operator", "/municipalities/aalborg/api-keys", {"name": "Avisen", "contact_email": "it@avisen.example"}),
    ("resident", "/me/calendar-feed", None),
]


@pytest.fixture
def world(platform, people):
    p = platform
    people_ = dict(people)
    people_["supporter"] = p.add("supporter", "aalborg", "resident", name="Sofie Støtte")
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=people["resident"].headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals/{pid}/transitions", json={"to": "published"},
                      headers=people["employee"].headers)
    assert r.status_code == 200, r.text
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals/{pid}/questions", json={"body": "Spørgsmål"},
                      headers=people_["supporter"].headers)
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=20)
    r = requests.post(f"{p.api}/municipalities/aalborg/meetings", headers=people["employee"].headers, json={
        "title": "Borgermøde", "format": "working_citizens_meeting", "purpose": "Hvorfor", "promise": "Løfte",
        "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 50,
        "online_url": "https://meet.example/m"})
    assert r.status_code == 201, r.text
    return {"proposal": pid, "question": qid, "meeting": r.json()["id"], "people": people_}


def test_every_create_with_the_same_key_twice_has_one_effect_and_another_body_is_refused(platform, world):
    p = platform
    people = world["people"]
    failures = []
    for who, path, body, other in creates(p, people, world):
        key = str(uuid.uuid4())
        headers = {**people[who].headers, "Idempotency-Key": key}
        send = (lambda b: requests.post(f"{p.api}{path}", headers=headers, timeout=30, **({"json": b} if b else {})))
        first, again = send(body), send(body)
        if not 200 <= first.status_code < 300:
            failures.append(f"{path}: the first request got {first.status_code} {first.text[:200]}")
            continue
        if again.headers.get("Idempotent-Replayed") != "true" or again.json() != first.json():
            failures.append(f"{path}: the retry was not the first answer: {again.status_code} {again.text[:200]}")
        if other is not None:
            refused = send(other)
            if refused.status_code != 422 or "Idempotency-Key" not in refused.text:
                failures.append(f"{path}: another body with the same key got {refused.status_code}")
    for who, path, body in SECRET_CREATES:
        headers = {**people[who].headers, "Idempotency-Key": str(uuid.uuid4())}
        first, again = (requests.post(f"{p.api}{path}", headers=headers, timeout=30, **({"json": body} if body else {}))
                        for _ in range(2))
        if first.status_code != 201 or again.status_code != 409 or "shown only once" not in again.text:
            failures.append(f"{path}: {first.status_code}, then {again.status_code} {again.text[:200]}")
    listed = requests.get(f"{p.api}/municipalities/aalborg/api-keys", headers=people["operator"].headers, timeout=10)
    assert [k["name"] for k in listed.json()].count("Avisen") == 1, listed.text[:300]
    # a subscriber's webhook, by its API key
    issued = requests.post(f"{p.api}/municipalities/aalborg/api-keys", headers=people["operator"].headers, timeout=10,
                           json={"name": "Hooks", "contact_email": "it@hooks.example"}).json()
    api_key = {"X-Api-Key": issued.get("key") or issued.get("api_key", ""), "Idempotency-Key": str(uuid.uuid4())}
    hook = {"url": "http://127.0.0.1:9/hook", "types": ["samskab.proposal.published"]}
    first, again = (requests.post(f"{p.api}/municipalities/aalborg/webhooks", json=hook, headers=api_key, timeout=10)
                    for _ in range(2))
    if first.status_code != 201 or again.status_code != 409:  # its signing secret is shown once
        failures.append(f"webhooks: {first.status_code} {first.text[:200]} / {again.status_code}")
    assert not failures, "\n".join(failures)
    # one effect: one proposal with the title (plus the world's), one question "Hvor?", one meeting
    mine = requests.get(f"{p.api}/municipalities/aalborg/proposals?mine=true", headers=people["resident"].headers,
                        timeout=10).json()
    assert len(mine) == 2, [m["title"] for m in mine]
    questions = requests.get(f"{p.api}/municipalities/aalborg/proposals/{world['proposal']}/questions",
                             timeout=10).json()
    assert [q["body"] for q in questions].count("Hvor?") == 1
    meetings = requests.get(f"{p.api}/municipalities/aalborg/meetings", timeout=10).json()
    meetings = meetings["items"] if isinstance(meetings, dict) else meetings
    assert [m["title"] for m in meetings].count("Debatsalon") == 1


def test_a_key_in_flight_answers_409_and_a_failed_request_frees_its_key(platform, people):
    p = platform
    karen = people["resident"]
    key = str(uuid.uuid4())
    path = "/municipalities/aalborg/proposals"
    model = next(r.body for r in router.routes if (r.method, r.path) == ("POST", "/municipalities/<m>/proposals"))
    with p.db("gateway") as uow:  # as if a first request with this key and body were still running
        uow.execute(sa.text("INSERT INTO idempotency_keys (account_id, key, fingerprint) VALUES (:a, :k, :f)"), {
            "a": karen.id, "k": key,
            "f": fingerprint("POST", API_PREFIX + path, b"", model.model_validate(PROPOSAL).model_dump_json())})
    r = requests.post(f"{p.api}{path}", json=PROPOSAL, timeout=10, headers={**karen.headers, "Idempotency-Key": key})
    problem(r, 409)
    assert int(r.headers["Retry-After"]) > 0
    key = str(uuid.uuid4())
    bad = requests.post(f"{p.api}/municipalities/aalborg/proposals", json={**PROPOSAL, "kind": "nonsense"},
                        timeout=10, headers={**karen.headers, "Idempotency-Key": key})
    problem(bad, 422)
    good = requests.post(f"{p.api}/municipalities/aalborg/proposals", json={**PROPOSAL, "kind": "nonsense"},
                         timeout=10, headers={**karen.headers, "Idempotency-Key": key})
    problem(good, 422)  # checked again, not replayed, and not "used for another body"
    assert "another request" not in good.text


def test_a_web_form_sent_twice_acts_once(platform, people):
    p = platform
    browser = Visitor(p.base)
    browser.login(people["resident"].email, PASSWORD)
    page = browser.get("/me/profile")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": browser.csrf(), "idempotency_key": key, "interests": "cykler", "skills": "snedker"}
    first = browser.http.post(p.base + "/me/profile", data=form, allow_redirects=False, timeout=10)
    again = browser.http.post(p.base + "/me/profile", data=form, allow_redirects=False, timeout=10)
    assert first.status_code == again.status_code == 303, first.text[:300]
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = browser.http.post(p.base + "/me/profile", data={**form, "interests": "haver"},
                              allow_redirects=False, timeout=10)
    assert other.status_code == 422


def test_every_mutating_operation_documents_the_key_security_and_its_problems(platform):
    p = platform
    doc = requests.get(f"{p.api}/openapi.json", timeout=10).json()
    assert {"bearer", "session", "apiKey"} <= set(doc["components"]["securitySchemes"])
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert "security" in op, (method, path)
            if method in ("post", "put", "patch", "delete"):
                names = [param["name"] for param in op.get("parameters", [])]
                assert "Idempotency-Key" in names, (method, path)
            if op["security"] != [{}] and {"bearer": []} in op["security"]:
                assert "401" in op["responses"], (method, path)
    assert "429" in doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "Retry-After" in doc["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"]["headers"]


# -- formulas in the open data ------------------------------------------------------------------

def test_open_data_csv_does_not_hand_a_spreadsheet_a_formula(platform, people):
    p = platform
    karen, employee = people["resident"], people["employee"]
    title = '=HYPERLINK("https://evil.example","Klik")'
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals", headers=karen.headers, timeout=10,
                      json={**PROPOSAL, "title": title, "problem": "+cmd|' /C calc'!A0", "goal": "@SUM(A1:A9)"})
    assert r.status_code == 201, r.text
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals/{r.json()['id']}/transitions",
                      json={"to": "published"}, headers=employee.headers, timeout=10)
    assert r.status_code == 200, r.text

    def exported():
        text = requests.get(f"{p.api}/municipalities/aalborg/open-data.csv?dataset=proposals", timeout=10).text
        return text if "HYPERLINK" in text else None

    from samskab.testing import wait_for

    text = wait_for(exported, timeout=30, what="the proposal in the open data")
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert "'" + title in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], "a cell a spreadsheet would run"


# -- webhook targets --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://100.64.0.1/hook", "https://[2002:c000:204::1]/hook",
                                 "https://[64:ff9b::c000:204]/hook", "https://198.18.0.1/hook",
                                 "https://[::ffff:100.64.0.1]/hook"])
def test_webhook_targets_in_special_purpose_ranges_are_refused(platform, people, url):
    p = platform
    issued = requests.post(f"{p.api}/municipalities/aalborg/api-keys", headers=people["operator"].headers, timeout=10,
                           json={"name": "Hooks", "contact_email": "it@hooks.example"})
    assert issued.status_code == 201, issued.text
    r = requests.post(f"{p.api}/municipalities/aalborg/webhooks", headers={"X-Api-Key": issued.json()["key"]},
                      json={"url": url, "types": ["samskab.proposal.published"]}, timeout=10)
    assert "url" in [e["field"] for e in problem(r, 422)["errors"]]
