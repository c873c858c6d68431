"""The web pages in real headless Chromium (Debian's package, driven by
Playwright) against the whole real platform: the co-creation story from
registration to the citizen panel, an axe-core scan of every page in every
language, and the new-proposal flow with the keyboard only.

The browser runs in a child process (``driver.py``): this process is
monkey-patched by eventlet for nameko, Playwright's event loop must not be.
Screenshots go to ``test-artifacts/browser/<test>/``.
"""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform, wait_for

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "driver.py")
AXE = os.path.join(ROOT, "tools", "axe", "node_modules", "axe-core", "axe.min.js")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"),
]

M = "/municipalities/aalborg"
EXISTING = {
    "kind": "service", "language": "da", "area": "Hobrovej", "iap2_level": "involve",
    "title": "Sikker skolevej langs Hobrovej",
    "problem": "Børn cykler langs Hobrovej om morgenen, hvor der ingen cykelsti er.",
    "goal": "En sikker skolevej for alle børn på Hobrovej.",
    "topics": ["trafik", "skole"], "needs": ["trafikplanlægger", "cykelmekaniker"],
}


def run_driver(journey, spec, name, timeout=540):
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", name)
    shutil.rmtree(artifacts, ignore_errors=True)
    spec = {**spec, "artifacts": artifacts}
    os.makedirs(artifacts, exist_ok=True)
    path = os.path.join(artifacts, "spec.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, DRIVER, journey, path], capture_output=True, text=True, env=env,
                          timeout=timeout)
    assert done.returncode == 0, f"{journey} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def api_login(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def register(base, email, name, municipality="aalborg"):
    r = requests.post(f"{base}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": name, "municipality": municipality})
    assert r.status_code == 201, r.text
    return api_login(base, email)


@pytest.fixture
def platform(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config)
    accounts = {
        "employee": "medarbejder@aalborg.example", "politician": "politiker@aalborg.example",
        "operator": "drift@example.org",
    }
    make_account(config, accounts["employee"], "employee", name="Aalborg medarbejder")
    make_account(config, accounts["politician"], "politician", name="Aalborg politiker")
    make_account(config, accounts["operator"], "operator", language="en", name="Operator")
    staff = api_login(base, accounts["employee"])
    first = register(base, "first@example.org", "Første borger")
    r = requests.post(f"{base}/api/v1{M}/proposals", json=EXISTING, headers=first)
    assert r.status_code == 201, r.text
    existing = r.json()["id"]
    r = requests.post(f"{base}/api/v1{M}/proposals/{existing}/transitions", json={"to": "published", "reason": "OK"},
                      headers=staff)
    assert r.status_code == 200, r.text
    return base, config, accounts, staff, existing


def test_a_resident_proposes_staff_publish_a_match_registers_the_waitlist_moves_and_a_panel_is_drawn(platform):
    base, _, accounts, _, _ = platform
    participant = register(base, "paul@example.org", "Paul Deltager")
    # Paul offers what such proposals need, and agreed to be suggested.
    r = requests.put(f"{base}/api/v1/me/profile", headers=participant, json={
        "skills": ["trafikplanlægger", "cykelmekaniker"], "interests": ["trafik", "skole"], "areas": ["Hobrovej"],
        "suggest_me": True})
    assert r.status_code == 200, r.text
    result = run_driver("scenario", {
        "base": base, "resident": "rita@example.org", "participant": "paul@example.org",
        "employee": accounts["employee"], "politician": accounts["politician"],
        "existing_title": EXISTING["title"]}, "scenario")
    assert result["proposal"] and result["meeting"]


def link_pages(config, account_id):
    """The pages an e-mail links to, with working tokens for ``account_id``."""
    from gateway.accounts import tokens
    from notifications.messages import unsubscribe_token

    reset = tokens.issue(config["SECRET_KEY"], account_id, 0, 3600, use="reset")
    return {"confirm": "/account/confirm?token=no-longer-valid", "reset": f"/account/reset?token={reset}",
            "unsubscribe": "/api/v1/unsubscribe?token="
                           + unsubscribe_token("test-notifications-secret", account_id, "proposal_status")}


@pytest.mark.timeout(900)
def test_no_wcag_21_a_or_aa_violations_on_any_page_in_any_language(platform):
    if not os.path.exists(AXE) and shutil.which("npm"):
        # node_modules is not committed: install the pinned axe-core from tools/axe/package-lock.json.
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=os.path.join(ROOT, "tools", "axe"),
                       check=False, capture_output=True, timeout=300)
    assert os.path.exists(AXE), "axe-core is missing: run (cd tools/axe && npm ci)"
    base, config, accounts, staff, existing = platform
    resident = register(base, "rita@example.org", "Rita Resident")
    requests.put(f"{base}/api/v1/me/profile", headers=resident, json={
        "skills": ["trafikplanlægger"], "interests": ["trafik"], "suggest_me": True})
    r = requests.post(f"{base}/api/v1{M}/proposals/{existing}/questions", json={"body": "Hvornår starter I?"},
                      headers=resident)
    assert r.status_code == 201, r.text
    rita_id = requests.get(f"{base}/api/v1/me", headers=resident).json()["id"]
    requests.put(f"{base}/api/v1{M}/proposals/{existing}/agreement", headers=staff, json={
        # Rita is a partner: the agreement page lists her, the detail page shows her part and the accept button.
        "parties": [{"role": "partner", "participant_id": rita_id, "responsibilities": "Tæller cyklister"}],
        "municipality_commitment": "Vi stiller en trafikplanlægger til rådighed.", "iap2_level": "involve",
        "decision_maker": "Teknik- og miljøudvalget", "resources": ["20 timer"],
        "timeline": [{"date": "2027-04-01", "what": "Forslag til løsning"}]})
    r = requests.post(f"{base}/api/v1{M}/meetings", headers=staff, json={
        "title": "Vandring langs Hobrovej", "format": "working_citizens_meeting", "purpose": "Hvor er det farligst?",
        "promise": "Vi svarer inden en måned.", "proposal_id": existing, "starts_at": "2027-03-04T16:30:00",
        "ends_at": "2027-03-04T18:00:00", "online_url": "https://meet.example.org/x", "capacity": 10})
    assert r.status_code == 201, r.text
    meeting = r.json()["id"]
    requests.post(f"{base}/api/v1{M}/meetings/{meeting}/registrations", headers=resident)
    # A meeting that has begun by the time the scan reaches it: minutes and outcomes forms show.
    soon = dt.datetime.now(ZoneInfo("Europe/Copenhagen")) + dt.timedelta(seconds=5)
    r = requests.post(f"{base}/api/v1{M}/meetings", headers=staff, json={
        "title": "Temaværksted", "format": "theme_workshop", "purpose": "Hvad skal vi prøve først?",
        "promise": "Vi vælger et eksperiment sammen.", "proposal_id": existing,
        "starts_at": soon.strftime("%Y-%m-%dT%H:%M:%S"),
        "ends_at": (soon + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
        "online_url": "https://meet.example.org/y", "capacity": 10})
    assert r.status_code == 201, r.text
    started = r.json()["id"]
    wait_for(lambda: requests.get(f"{base}/api/v1/me/notifications", headers=resident).json()["items"],
             what="a notification in the resident's inbox")
    result = run_driver("accessibility", {
        "base": base, "resident": "rita@example.org", "employee": accounts["employee"],
        "operator": accounts["operator"], "initiator": "first@example.org", "proposal": f"{M}/proposals/{existing}",
        "meeting": f"{M}/meetings/{meeting}", "started_meeting": f"{M}/meetings/{started}",
        "link_pages": link_pages(config, rita_id)},
        "accessibility", timeout=840)
    assert result["scans"] >= 4 * 36, result["scans"]
    violations = result["violations"]
    summary = "\n".join(f"{v['language']} {v['who']} {v['path']}: {v['id']} ({v['impact']}) {v['help']} {v['nodes']}"
                        for v in violations)
    assert violations == [], summary


def test_the_new_proposal_flow_can_be_completed_with_the_keyboard_alone(platform):
    base, *_ = platform
    register(base, "keys@example.org", "Kim Keyboard")
    result = run_driver("keyboard", {"base": base, "resident": "keys@example.org"}, "keyboard")
    r = requests.get(f"{base}/api/v1{M}/proposals/{result['proposal']}", headers=api_login(base, "keys@example.org"))
    assert r.json()["title"] == "Bænke ved Østre Anlæg"
    assert r.json()["kind"] == "development" and r.json()["iap2_level"] == "involve"
    assert r.json()["needs"] == ["bænke", "frivillige"]
