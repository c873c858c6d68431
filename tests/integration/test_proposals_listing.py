"""Listing proposals through the gateway: filters, sorts, keyset pages, full-text
search in each proposal's own language."""
import re
import uuid

import pytest
import requests
from argon2 import PasswordHasher

from samskab.testing import http_port, unit_of_work

from gateway.accounts.storage import accounts

from gateway.service import Service as Gateway
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


@pytest.fixture
def platform(runner_factory, make_config):
    config = make_config("gateway")
    gateway = runner_factory(config, Gateway)
    proposals = runner_factory(make_config("proposals"), Proposals)
    gateway.start()
    proposals.start()
    return f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}/api/v1", config["DATABASE_URL"]


@pytest.fixture
def api(platform):
    return platform[0]


def employee(api, gateway_db):
    """An aalborg employee, granted by an operator made directly in the gateway's database."""
    with unit_of_work(gateway_db) as uow:
        uow.execute(accounts.insert().values(
            id=uuid.uuid4(), email="op@example.org", password_hash=PasswordHasher().hash(PASSWORD),
            display_name="Op", municipality="aalborg", role="operator", language="da"))
    operator = {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": "op@example.org", "password": PASSWORD}).json()["access_token"]}
    staff = login(api, "staff@example.org")
    me = requests.get(f"{api}/me", headers=staff).json()
    r = requests.post(f"{api}/accounts/{me['id']}/role", headers=operator, json={"role": "employee", "municipality": "aalborg"})
    assert r.status_code == 200, r.text
    return staff


def login(api, email, municipality="aalborg"):
    r = requests.post(f"{api}/auth/register", json={"email": email, "password": PASSWORD, "display_name": "X",
                                                     "municipality": municipality})
    assert r.status_code == 201, r.text
    t = requests.post(f"{api}/auth/token", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {t.json()['access_token']}"}


def submit(api, headers, m="aalborg", **overrides):
    body = {"kind": "service", "title": "Et forslag", "problem": "Et problem", "goal": "Et mål", "language": "da",
            **overrides}
    r = requests.post(f"{api}/municipalities/{m}/proposals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def ids(api, query="", m="aalborg", headers=None):
    r = requests.get(f"{api}/municipalities/{m}/proposals{query}", headers=headers)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()]


def all_pages(api, query):
    """Follow the Link rel=next headers to the end."""
    url, seen, pages = f"{api}/municipalities/aalborg/proposals{query}", [], 0
    origin = api[: api.index("/api/v1")]
    while url:
        r = requests.get(url)
        assert r.status_code == 200, r.text
        seen += [p["id"] for p in r.json()]
        pages += 1
        link = r.headers.get("Link")
        url = origin + re.match(r"<([^>]+)>", link).group(1) if link else None
    return seen, pages


def test_keyset_pages_cover_every_proposal_once_in_order_even_while_new_ones_arrive(api):
    headers = login(api, "many@example.org")
    created = [submit(api, headers, title=f"Forslag {i}") for i in range(12)]
    newest_first = list(reversed(created))

    seen, pages = all_pages(api, "?limit=5")
    assert seen == newest_first and pages == 3

    first = requests.get(f"{api}/municipalities/aalborg/proposals?limit=5")
    cursor = first.headers["X-Next-Cursor"]
    late = submit(api, headers, title="Kom for sent")  # lands on page 1, must not shift page 2
    second = requests.get(f"{api}/municipalities/aalborg/proposals?limit=5&cursor={cursor}").json()
    assert [p["id"] for p in second] == newest_first[5:10]
    assert late not in [p["id"] for p in second]
    problem = requests.get(f"{api}/municipalities/aalborg/proposals?limit=5&sort=supported&cursor={cursor}")
    assert problem.status_code == 422, "a cursor belongs to its sort"
    assert requests.get(f"{api}/municipalities/aalborg/proposals?limit=1000").status_code == 422


def test_filters_by_status_kind_topic_and_area_and_never_mix_municipalities(api):
    resident = login(api, "filters@example.org")
    a = submit(api, resident, kind="policy", topics=["climate", "mobility"], area="9000")
    b = submit(api, resident, kind="development", topics=["mobility"], area="9220")
    c = submit(api, resident, kind="development", topics=["culture"], area="9000")
    draft = submit(api, resident, kind="policy", submit=False)
    elsewhere = submit(api, login(api, "hjorring@example.org", "hjorring"), m="hjorring", kind="policy")

    assert ids(api) == [c, b, a]
    assert ids(api, "?kind=development") == [c, b]
    assert ids(api, "?topic=mobility") == [b, a]
    assert ids(api, "?area=9000") == [c, a]
    assert ids(api, "?kind=development&topic=mobility&area=9220") == [b]
    assert ids(api, "?status=submitted") == [c, b, a]
    assert ids(api, "?status=published") == []
    assert ids(api, "?status=draft") == [], "drafts never appear in public lists"
    assert ids(api, "?mine=true&status=draft", headers=resident) == [draft]
    assert ids(api, "?kind=policy", m="hjorring") == [elsewhere]
    assert requests.get(f"{api}/municipalities/aalborg/proposals?mine=true").status_code == 401


def test_sorted_by_most_supported_and_by_recent_activity(platform):
    api, gateway_db = platform
    staff = employee(api, gateway_db)
    resident = login(api, "sorter@example.org")
    a, b, c, d = (submit(api, resident, title=t) for t in "abcd")
    for pid in (a, b, c, d):
        r = requests.post(f"{api}/municipalities/aalborg/proposals/{pid}/transitions", json={"to": "published"},
                          headers=staff)
        assert r.status_code == 200, r.text
    supporters = [login(api, f"fan{i}@example.org") for i in range(3)]
    for pid, fans in ((b, 3), (a, 2), (d, 2)):
        for headers in supporters[:fans]:
            assert requests.post(f"{api}/municipalities/aalborg/proposals/{pid}/supports", headers=headers).status_code == 201
    most_supported = ids(api, "?sort=supported")
    assert most_supported[0] == b and set(most_supported[1:3]) == {a, d} and most_supported[3] == c
    seen, pages = all_pages(api, "?sort=supported&limit=1")
    assert seen == most_supported and pages == 4

    q = requests.post(f"{api}/municipalities/aalborg/proposals/{c}/questions", json={"body": "Hvornår?"},
                      headers=supporters[0])
    assert q.status_code == 201, q.text
    assert ids(api, "?sort=active")[0] == c
    seen, _ = all_pages(api, "?sort=active&limit=3")
    assert seen == ids(api, "?sort=active") and len(seen) == 4


@pytest.mark.parametrize("language, text, query", [
    ("da", "Flere overdækkede cykelstier og cyklerne ved skolen", "cykler"),
    ("nb", "Bedre sykkelveier langs elva", "sykkelvei"),
    ("nn", "Tryggare sykkelvegane i bygda", "sykkelveg"),
    ("en", "More sheltered bicycles racks at the station", "bicycle"),
])
def test_text_search_uses_the_proposals_own_language(api, language, text, query):
    headers = login(api, f"search-{language}@example.org")
    hit = submit(api, headers, language=language, problem=text)
    submit(api, headers, language=language, problem="Noget helt andet om biblioteket")
    assert ids(api, f"?q={query}") == [hit]
    assert ids(api, "?q=svømmehal") == []
