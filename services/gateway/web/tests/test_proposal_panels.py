"""A panel drawn for a proposal is kept and listed on the proposal's page: seed, pool
and chances for everyone, the people drawn for staff only (real gateway, proposals
and matching)."""
import pytest
import requests

from gateway.tests.support import PASSWORD, Visitor, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals", "matching"))


def bearer(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_draw_for_a_proposal_is_listed_on_it_after_a_reload(platform):
    base, config = platform
    make_account(config, "staff@example.org", "employee")
    make_account(config, "rita@example.org", "resident")
    staff, rita = bearer(base, "staff@example.org"), bearer(base, "rita@example.org")
    r = requests.post(f"{base}/api/v1{M}/proposals", headers=rita, json={
        "kind": "policy", "title": "Borgerpanel om trafik", "problem": "For meget trafik.", "goal": "Mindre trafik.",
        "language": "da"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    page = f"{M}/proposals/{pid}"
    pool = [{"id": f"frivillig-{i:03d}", "features": {"alder": "ung" if i % 2 else "ældre"}} for i in range(40)]
    drawn = requests.post(f"{base}/api/v1{M}/panels", headers=staff, json={
        "proposal_id": pid, "size": 4, "volunteers": pool, "seed": 4242,
        "quotas": {"alder": {"ung": {"min": 2, "max": 2}, "ældre": {"min": 2, "max": 2}}}})
    assert drawn.status_code == 201, drawn.text
    members = drawn.json()["members"]

    employee = Visitor(base)
    employee.login("staff@example.org")
    shown = employee.get(page).text
    assert 'aria-labelledby="panels"' in shown and 'class="seed">4242<' in shown
    assert all(m in shown for m in members), "staff see who was drawn"
    assert f'href="{M}/panels?proposal_id={pid}"' in shown

    public = Visitor(base).get(page).text
    assert 'class="seed">4242<' in public and "40 frivillige i puljen" in public
    assert not any(m in public for m in members), "the public sees no volunteer's id"
