"""Every endpoint × role × own/other municipality.

The endpoints come from the OpenAPI document and the gateway's route table;
a body each operation accepts is generated from its schema (schemathesis),
path parameters are real ids of aalborg's proposal and meeting.  Rules that
hold for every endpoint:

* without a token, every endpoint that needs an account answers 401 (or 422
  when the generated body is invalid: some endpoints check the body first);
* staff of another municipality are plain participants here: on every
  aalborg endpoint a hamar employee gets what a hamar resident gets;
* an account that is not an operator never gets past an operator-only endpoint.

And for the actions only a municipality's staff may take, with bodies that are
valid: aalborg's employee may, everyone else is refused (401/403).
"""
import datetime as dt
import re
import uuid
import warnings

import pytest
import requests
import schemathesis
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis import GenerationMode

from gateway.api.router import API_PREFIX, router

pytestmark = pytest.mark.integration

CALLERS = ("anonymous", "resident", "outsider", "employee", "foreign_employee", "operator")
PROPOSAL = {"kind": "development", "title": "Grøn pendling", "problem": "Alle kører alene i bil.",
            "goal": "Flere cykler.", "topics": ["mobilitet"], "needs": ["cykelværksted"], "language": "da"}


def status_class(code):
    return {401: "401", 403: "403"}.get(code, f"{code // 100}xx")


@pytest.fixture
def world(platform, people):
    p = platform
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=people["resident"].headers)
    assert r.status_code == 201, r.text
    proposal = r.json()["id"]
    r = requests.post(f"{p.api}/municipalities/aalborg/proposals/{proposal}/transitions",
                      json={"to": "published", "reason": "ok"}, headers=people["employee"].headers)
    assert r.status_code == 200, r.text
    meeting = None
    if "meetings" in p.containers:
        start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=20)
        r = requests.post(f"{p.api}/municipalities/aalborg/meetings", headers=people["employee"].headers, json={
            "title": "Borgermøde", "format": "working_citizens_meeting", "purpose": "Hvorfor", "promise": "Løfte",
            "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 50,
            "online_url": "https://meet.example/m"})
        assert r.status_code == 201, r.text
        meeting = r.json()["id"]
    return {"proposal_id": proposal, "meeting_id": meeting}


def path_for(template, world):
    values = {"m": "aalborg", "proposal_id": world["proposal_id"], "meeting_id": world["meeting_id"] or str(uuid.uuid4()),
              "account_id": str(uuid.uuid4())}
    return re.sub(r"\{([a-z_]+)\}", lambda mo: values.get(mo.group(1), str(uuid.uuid4())), template)


def example_body(operation):
    if operation.body is None or not len(operation.body):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        case = operation.as_strategy(generation_mode=GenerationMode.POSITIVE).example()
    return case.body if not isinstance(case.body, type(None)) else None


LAST = {}


def call(p, people, caller, method, path, body):
    headers = {} if caller == "anonymous" else dict(people[caller].headers)
    kwargs = {"json": body} if body is not None else {}
    r = requests.request(method, f"{p.base}{path}", headers=headers, timeout=30, **kwargs)
    LAST[(caller, method, path)] = r.text[:300]
    return r.status_code


def test_every_endpoint_by_every_role_in_own_and_other_municipality(platform, people, world):
    p = platform
    schema = schemathesis.openapi.from_url(f"{p.api}/openapi.json")
    schema.config.generation.update(allow_x00=False)  # NUL in text: tests/hostile/test_hostile_http.py
    operations = {(op.method.upper(), op.path): op for op in (r.ok() for r in schema.get_all_operations())}
    routes = {(r.method, API_PREFIX + r.template): r for r in router.routes}
    assert set(routes) == set(operations), "the OpenAPI document and the route table disagree"
    matrix, problems = [], []
    for (method, template), route in sorted(routes.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (method, template) == ("DELETE", API_PREFIX + "/me"):
            continue  # erasure ends the account: tested on its own
        path = path_for(template, world)
        body = example_body(operations[(method, template)])
        seen = {}
        for caller in CALLERS:
            seen[caller] = call(p, people, caller, method, path, body)
        matrix.append((method, template, seen))
        # 422 is allowed: the body is checked before the caller on some endpoints, which tells nothing about data
        if route.auth and seen["anonymous"] not in (401, 422):
            problems.append(f"{method} {template}: anonymous got {seen['anonymous']}, not 401: "
                            f"{LAST.get(('anonymous', method, path))} (path {path}, body {str(body)[:200]})")
        if "{m}" in template and status_class(seen["foreign_employee"]) != status_class(seen["outsider"]):
            problems.append(f"{method} {template}: hamar's employee got {seen['foreign_employee']}, "
                            f"a hamar resident {seen['outsider']} (other municipalities' staff must be plain participants)")
        if any(s >= 500 for s in seen.values()):
            problems.append(f"{method} {template}: a server error {seen} for body {str(body)[:300]!r}")
    print_matrix(matrix)
    assert len(matrix) > 20
    assert not problems, "\n".join(problems)


def print_matrix(matrix):
    width = max(len(f"{m} {t}") for m, t, _ in matrix)
    print("\n" + "endpoint".ljust(width) + "  " + "  ".join(c[:9].rjust(9) for c in CALLERS))
    for method, template, seen in matrix:
        print(f"{method} {template}".ljust(width) + "  " + "  ".join(str(seen[c]).rjust(9) for c in CALLERS))


# -- what only the municipality's staff (or an operator) may do, with valid bodies -----------------

def staff_actions(world):
    pid, mid = world["proposal_id"], world["meeting_id"]
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    actions = [
        ("GET", "/municipalities/aalborg/reports", None),
        ("POST", f"/municipalities/aalborg/proposals/{pid}/hidden",
         {"target_type": "proposal", "target_id": pid, "reason": "Krænkende indhold"}),
    ]
    if mid:
        actions += [
            ("POST", "/municipalities/aalborg/meetings", {
                "title": "Debatsalon", "format": "debate_salon", "purpose": "Hvorfor", "promise": "Løfte",
                "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
                "capacity": 30, "online_url": "https://meet.example/d"}),
            ("POST", "/municipalities/aalborg/meeting-places", {
                "name": "Hovedbiblioteket", "kind": "library", "address": "Rendsburggade 2", "capacity": 100}),
            ("GET", f"/municipalities/aalborg/meetings/{mid}/registrations", None),
            ("PUT", f"/municipalities/aalborg/meetings/{mid}/minutes", {"text": "Referat af mødet."}),
            ("POST", f"/municipalities/aalborg/meetings/{mid}/cancel", {"reason": "Aflyst"}),
        ]
    return actions


def test_only_the_municipalitys_own_staff_may_take_staff_actions(platform, people, world):
    p = platform
    refused = {401, 403}
    problems = []
    for method, path, body in staff_actions(world):
        for caller in ("anonymous", "resident", "outsider", "foreign_employee"):
            status = call(p, people, caller, method, API_PREFIX + path, body)
            if status not in refused:
                problems.append(f"{method} {path}: {caller} got {status}")
        status = call(p, people, "employee", method, API_PREFIX + path, body)
        if status in refused or status >= 500:
            problems.append(f"{method} {path}: aalborg's own employee got {status}")
    assert not problems, "\n".join(problems)


def test_only_an_operator_issues_api_keys_and_grants_roles(platform, people):
    p = platform
    body = {"name": "Lokalavisen", "contact_email": "redaktion@avis.example"}
    for caller in ("anonymous", "resident", "outsider", "employee", "foreign_employee"):
        assert call(p, people, caller, "POST", API_PREFIX + "/municipalities/aalborg/api-keys", body) in (401, 403), caller
        grant = {"role": "employee", "municipality": "aalborg"}
        target = people["resident"].id
        assert call(p, people, caller, "POST", f"{API_PREFIX}/accounts/{target}/role", grant) in (401, 403), caller
    if "notifications" in p.containers:
        assert call(p, people, "operator", "POST", API_PREFIX + "/municipalities/aalborg/api-keys", body) == 201
    assert call(p, people, "operator", "POST", f"{API_PREFIX}/accounts/{people['resident'].id}/role",
                {"role": "employee", "municipality": "aalborg"}) == 200
