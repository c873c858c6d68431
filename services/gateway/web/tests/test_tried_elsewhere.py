"""The proposal page's "Tried elsewhere": a resident in Aalborg sees that Hamar tried
the same thing (in bokmål), with Hamar's status and a link to Hamar's page; a proposal
of the same municipality is not listed there."""
import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform, wait_for

pytestmark = pytest.mark.integration

SCHOOL_ROAD = {
    "aalborg": {"title": "Sikker skolevej langs Hobrovej", "problem": "Børnene cykler til skole på en vej uden "
                "cykelsti, og bilerne kører stærkt om morgenen.", "goal": "En sikker skolevej med cykelsti og "
                "lavere fart inden skolestart.", "language": "da", "topics": ["skolevej", "trafiksikkerhed"]},
    "hamar": {"title": "Trygg skolevei langs Vangsvegen", "problem": "Barna sykler til skolen på en vei uten "
              "sykkelsti, og bilene kjører fort om morgenen.", "goal": "En trygg skolevei med sykkelsti og lavere "
              "fart før skolestart.", "language": "nb", "topics": ["skolevei", "trafikksikkerhet"]},
}


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals", "matching"))


def token(api, email):
    return {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": email, "password": PASSWORD}, timeout=10).json()["access_token"]}


def test_a_proposal_page_shows_what_another_municipality_tried(platform):
    base, config = platform
    api = base + "/api/v1"
    ids = {}
    for m, content in SCHOOL_ROAD.items():
        make_account(config, f"staff@{m}.test", "employee", municipality=m, language=content["language"])
        make_account(config, f"resident@{m}.test", "resident", municipality=m, language=content["language"])
        body = {**content, "kind": "service"}
        r = requests.post(f"{api}/municipalities/{m}/proposals", json=body, headers=token(api, f"resident@{m}.test"),
                          timeout=10)
        assert r.status_code == 201, r.text
        ids[m] = r.json()["id"]
        requests.post(f"{api}/municipalities/{m}/proposals/{ids[m]}/transitions", json={"to": "published"},
                      headers=token(api, f"staff@{m}.test"), timeout=10).raise_for_status()

    page = f"{base}/municipalities/aalborg/proposals/{ids['aalborg']}"
    wait_for(lambda: SCHOOL_ROAD["hamar"]["title"] in requests.get(page, timeout=10).text,  # anonymous
             timeout=20, what="Hamar's proposal under 'Tried elsewhere'")
    html = requests.get(page, timeout=10).text
    section = html[html.index('id="tried-elsewhere"'):]
    section = section[:section.index("</section>")]
    assert f'href="/municipalities/hamar/proposals/{ids["hamar"]}"' in section and 'lang="nb"' in section
    assert "Hamar" in section
    assert SCHOOL_ROAD["aalborg"]["title"] not in section
