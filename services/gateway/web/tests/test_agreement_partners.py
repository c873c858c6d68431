"""The collaboration agreement in the browser, against the real platform: the
initiator adds a partner by the address of their account, the partner sees
their part and accepts it, a partner is removed, and partners' names stay off
the public page."""
import re

import pytest
import requests

from gateway.tests.support import PASSWORD, Visitor, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals",))


def published_proposal(base, config):
    make_account(config, "staff@example.org", "employee")
    rita = Visitor(base)
    rita.register("rita@example.org", name="Rita Initiativ")
    token = requests.post(f"{base}/api/v1/auth/token", json={"email": "rita@example.org", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    r = requests.post(f"{base}/api/v1{M}/proposals", headers=headers, json={
        "kind": "development", "title": "Bænke ved Østre Anlæg", "problem": "Ingen steder at sidde.",
        "goal": "Flere bænke.", "language": "da"})
    assert r.status_code == 201, r.text
    proposal = f"{M}/proposals/{r.json()['id']}"
    staff = Visitor(base)
    staff.login("staff@example.org")
    r = staff.post(proposal + "/transitions", {"to": "published", "reason": "Godt"}, token_from=proposal)
    assert "done=moved" in r.url
    return rita, staff, proposal


AGREEMENT = {"municipality_commitment": "Vi sætter bænkene op.", "iap2_level": "collaborate",
             "decision_maker": "Teknik- og miljøudvalget", "resources": "10 bænke", "timeline": "2027-05-01 Bænke op",
             "initiator_responsibilities": "Finder stederne", "municipality_responsibilities": "Betaler"}


def test_a_partner_is_added_by_account_address_accepts_and_can_be_removed(platform):
    base, config = platform
    rita, staff, proposal = published_proposal(base, config)
    page = proposal + "/agreement"
    assert f'href="{page}"' in rita.get(proposal).text

    # An address without an account: said next to the field, nothing stored.
    r = rita.post(page, {**AGREEMENT, "partner_email": "nobody@example.org", "partner_responsibilities": "Maler"},
                  token_from=page)
    assert r.status_code == 422 and 'id="e-partner_email"' in r.text and 'href="#f-partner_email"' in r.text
    assert 'value="nobody@example.org"' in r.text and ">Maler</textarea>" in r.text
    assert requests.get(f"{base}/api/v1{proposal}/agreement").status_code == 404

    paula = Visitor(base)
    paula.register("paula@example.org", name="Paula Forening " + XSS)
    r = rita.post(page, {**AGREEMENT, "partner_email": "Paula@Example.org",
                         "partner_responsibilities": "Maler bænkene " + XSS}, token_from=page)
    assert r.status_code == 200 and r.url.endswith("?done=agreement_saved"), r.url
    stored = requests.get(f"{base}/api/v1{proposal}/agreement").json()
    partners = [p for p in stored["parties"] if p["role"] == "partner"]
    assert len(partners) == 1 and partners[0]["responsibilities"] == "Maler bænkene " + XSS
    # The initiator sees the partner's name, escaped; the public sees only "a partner", never the name.
    shown = rita.get(proposal).text
    assert "Ansvaret for Paula Forening &lt;script&gt;" in shown and "<script>alert" not in shown
    public = Visitor(base).get(proposal).text
    assert "Paula" not in public and "Partnerens ansvar" in public and "Maler bænkene &lt;script&gt;" in public

    # The partner sees their own part and accepts it; the button goes once they have.
    mine = paula.get(proposal).text
    assert "Dit ansvar som partner" in mine and "Godkend denne version" in mine
    r = paula.post(proposal + "/agreement/accept", {"version": str(stored["version"])}, token_from=proposal)
    assert r.url.endswith("?done=agreement_accepted"), r.url
    assert "Godkend denne version" not in r.text and "har godkendt" in r.text
    assert f"partner:{partners[0]['participant_id']}" in requests.get(
        f"{base}/api/v1{proposal}/agreement").json()["accepted_parties"]
    # A partner does not draft the agreement.
    assert paula.get(page).status_code == 403

    # The form keeps the partner when staff save another version, and removes them when ticked.
    form = staff.get(page).text
    assert 'name="partner_id_0"' in form and "Maler bænkene &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in form
    r = staff.post(page, {**AGREEMENT, "municipality_commitment": "Vi sætter 12 bænke op.",
                          "partner_id_0": partners[0]["participant_id"], "partner_resp_0": "Maler og vedligeholder"},
                   token_from=page)
    assert r.url.endswith("?done=agreement_saved"), r.url
    stored = requests.get(f"{base}/api/v1{proposal}/agreement").json()
    assert [p["responsibilities"] for p in stored["parties"] if p["role"] == "partner"] == ["Maler og vedligeholder"]
    assert stored["version"] == 2 and not stored["accepted"]
    # Naming the same partner again is refused.
    r = staff.post(page, {**AGREEMENT, "partner_id_0": partners[0]["participant_id"], "partner_resp_0": "x",
                          "partner_email": "paula@example.org"}, token_from=page)
    assert r.status_code == 422 and "allerede med i aftalen" in r.text
    r = staff.post(page, {**AGREEMENT, "partner_id_0": partners[0]["participant_id"], "partner_resp_0": "x",
                          "partner_remove_0": "1"}, token_from=page)
    assert r.url.endswith("?done=agreement_saved"), r.url
    stored = requests.get(f"{base}/api/v1{proposal}/agreement").json()
    assert [p["role"] for p in stored["parties"]] == ["initiator", "municipality"]
    assert "Dit ansvar som partner" not in paula.get(proposal).text


def test_a_forged_partner_field_is_refused_and_nothing_is_stored(platform):
    base, config = platform
    rita, _, proposal = published_proposal(base, config)
    page = proposal + "/agreement"
    r = rita.post(page, {**AGREEMENT, "partner_id_0": "not-a-uuid"}, token_from=page)
    assert r.status_code == 422 and "Hent siden igen" in r.text
    r = rita.post(page, {**AGREEMENT, "partner_responsibilities": "Uden adresse"}, token_from=page)
    assert r.status_code == 422 and 'id="e-partner_email"' in r.text
    assert requests.get(f"{base}/api/v1{proposal}/agreement").status_code == 404
    assert re.search(r'name="partner_email"', r.text)


def test_a_partner_is_added_by_name_among_the_municipality_s_accounts(platform):
    base, config = platform
    rita, _staff, proposal = published_proposal(base, config)
    page = proposal + "/agreement"
    make_account(config, "bo1@example.org", "association", name="Bo Bænkelaug")
    make_account(config, "bo2@example.org", "business", name="Bo Bænke ApS")
    make_account(config, "bo3@example.org", "business", municipality="hamar", name="Bo Benk AS")
    make_account(config, "lis@example.org", "resident", name="Lis Maler")

    r = rita.post(page, {**AGREEMENT, "partner_email": "Nogen Ukendt"}, token_from=page)
    assert r.status_code == 422 and "Ingen konto i kommunen har det navn" in r.text

    # One match: added at once.
    r = rita.post(page, {**AGREEMENT, "partner_email": "lis maler", "partner_responsibilities": "Maler"},
                  token_from=page)
    assert r.status_code == 200 and r.url.endswith("?done=agreement_saved"), r.url

    # Two in Aalborg (the one in Hamar is not offered): choose, then it is added.
    r = rita.post(page, {**AGREEMENT, "partner_resp_0": "Maler", "partner_id_0": _partner_ids(base, proposal)[0],
                         "partner_email": "Bo Bæ"}, token_from=page)
    assert r.status_code == 422 and "Flere konti passer til navnet" in r.text
    options = dict((name, pid) for pid, name in re.findall(
        r'name="partner_pick" value="([^"]+)"> <label class="inline-label" for="[^"]+">([^<]+)</label>', r.text))
    assert set(options) == {"Bo Bænkelaug", "Bo Bænke ApS"}
    assert "bo1@example.org" not in r.text
    r = rita.post(page, {**AGREEMENT, "partner_resp_0": "Maler", "partner_id_0": _partner_ids(base, proposal)[0],
                         "partner_email": "Bo Bæ", "partner_pick": options["Bo Bænkelaug"],
                         "partner_responsibilities": "Skaffer bænke"}, token_from=page)
    assert r.status_code == 200 and r.url.endswith("?done=agreement_saved"), r.url
    assert len(_partner_ids(base, proposal)) == 2 and options["Bo Bænkelaug"] in _partner_ids(base, proposal)


def _partner_ids(base, proposal):
    stored = requests.get(f"{base}/api/v1{proposal}/agreement").json()
    return [p["participant_id"] for p in stored["parties"] if p["role"] == "partner"]
