"""Operator and staff pages: roles granted by an operator, API keys shown once,
meeting places; where a sign-in leads back to."""
import re

import pytest
import requests

from gateway.tests.support import Visitor, make_account, start_platform

pytestmark = pytest.mark.integration

XSS = "<script>alert(1)</script>"


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals", "meetings", "notifications"))


def test_an_operator_grants_a_staff_role_and_issues_an_api_key_shown_once(platform):
    base, config = platform
    make_account(config, "ops@example.org", "operator", language="en")
    resident = Visitor(base)
    resident.register("ansat@example.org", name="Kommende medarbejder")
    assert resident.get("/municipalities/aalborg/staff").status_code == 403

    ops = Visitor(base)
    ops.login("ops@example.org")
    page = "/operator?m=aalborg"
    r = ops.post(page, {"action": "grant", "grant_email": "nobody@example.org", "grant_role": "employee"},
                 token_from=page)
    assert r.status_code == 422 and "There is no account with this address" in r.text
    r = ops.post(page, {"action": "grant", "grant_email": "ANSAT@example.org", "grant_role": "employee"},
                 token_from=page)
    assert "done=role_granted" in r.url
    # The role counts at once: the new employee reaches the triage page.
    r = resident.get("/municipalities/aalborg/staff")
    assert r.status_code == 200 and "Nye forslag til behandling" in r.text

    r = ops.post(page, {"action": "issue", "name": "Lokalavisen " + XSS, "contact_email": "it@avis.example"},
                 token_from=page)
    assert r.status_code == 200
    key = re.search(r'<code class="api-key">([^<]+)</code>', r.text).group(1)
    assert "Lokalavisen &lt;script&gt;" in r.text and "<script>alert" not in r.text
    # The key works against the API, and is not shown again.
    hook = requests.get(f"{base}/api/v1/municipalities/aalborg/webhooks", headers={"X-Api-Key": key})
    assert hook.status_code == 200
    assert key not in ops.get(page).text
    # Only an operator reaches the page.
    assert resident.get("/operator").status_code == 403
    assert Visitor(base).get("/operator").url.endswith("/login?next=%2Foperator")


def test_staff_add_a_meeting_place_with_its_accessibility_and_schedule_there(platform):
    base, config = platform
    make_account(config, "planner@example.org", "employee")
    staff = Visitor(base)
    staff.login("planner@example.org")
    page = "/municipalities/aalborg/meeting-places"
    r = staff.post(page, {"name": "Hovedbiblioteket " + XSS, "kind": "library", "address": "Rendsburggade 2",
                          "capacity": "80", "step_free": "1", "accessibility_notes": "Elevator ved indgangen"},
                   token_from=page)
    assert "done=saved" in r.url
    assert "Hovedbiblioteket &lt;script&gt;" in r.text and "Trinfri adgang" in r.text and "<script>alert" not in r.text
    form = staff.get("/municipalities/aalborg/meetings/new").text
    place_id = re.search(r'<option value="([0-9a-f-]{36})">Hovedbiblioteket', form).group(1)
    r = staff.post("/municipalities/aalborg/meetings/new", {
        "title": "Debatsalon på biblioteket", "format": "debate_salon", "purpose": "Hvad skal biblioteket kunne?",
        "promise": "Vi tager input med i planen.", "starts_at": "2027-05-05T19:00", "ends_at": "2027-05-05T21:00",
        "place_id": place_id, "capacity": "40"}, token_from="/municipalities/aalborg/meetings/new")
    assert "done=scheduled" in r.url
    assert "Rendsburggade 2" in r.text and "Trinfri adgang" in r.text
    # Residents see the places but cannot add one.
    anonymous = Visitor(base)
    assert "Hovedbiblioteket" in anonymous.get(page).text
    token = anonymous.csrf("/login")
    r = anonymous.http.post(base + page, data={"csrf_token": token, "name": "X", "address": "Y", "capacity": "1",
                                               "kind": "other"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")


def test_signing_in_leads_back_to_the_page_asked_for_and_never_to_another_site(platform):
    base, _ = platform
    visitor = Visitor(base)
    visitor.register("back@example.org")
    visitor.post("/logout", token_from="/me")
    r = visitor.get("/me/inbox")
    assert r.url.endswith("/login?next=%2Fme%2Finbox")
    token = visitor.csrf()
    r = visitor.post("/login", {"email": "back@example.org", "password": "correct horse battery",
                                "next": "/me/inbox", "csrf_token": token})
    assert r.url.endswith("/me/inbox?done=signed_in")
    visitor.post("/logout", token_from="/me")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = visitor.post("/login", {"email": "back@example.org", "password": "correct horse battery",
                                    "next": target}, token_from=f"/login?next={target}")
        assert r.url.startswith(base + "/me"), r.url
        visitor.post("/logout", token_from="/me")
