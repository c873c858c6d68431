"""Staff draw a citizen panel from a volunteer list uploaded as a CSV file (no
JavaScript), against the real platform; a bad file is explained in the page's
language next to its field."""
import random

import pytest

from gateway.tests.support import Visitor, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("matching",))


def test_staff_upload_a_pool_of_5000_as_a_csv_file_and_see_the_draw(platform):
    base, config = platform
    make_account(config, "planner@example.org", "employee")
    staff = Visitor(base)
    staff.login("planner@example.org")
    rng = random.Random(4)
    rows = [f"frivillig-{i:05d},husstand-{i // 2},{rng.choice(['ung', 'gammel'])},{rng.choice(['Øst', 'Vest'])}"
            for i in range(5000)]
    pool = ("id,household,alder,område\n" + "\n".join(rows)).encode("utf-8")
    assert len(pool) > 65536, "more than the gateway's ordinary form limit"
    page = f"{M}/panels"
    assert 'enctype="multipart/form-data"' in staff.get(page).text
    fields = {"csrf_token": staff.csrf(page), "size": "6", "alternates": "0", "seed": "99", "pool": "",
              "quotas": "feature,value,min,max\nalder,ung,3,3\nalder,gammel,3,3", "one_per_household": "1"}
    r = staff.http.post(base + page, data=fields, files={"pool_file": ("frivillige.csv", pool, "text/csv")},
                        timeout=60)
    assert r.status_code == 200, r.text[:1500]
    assert 'class="seed">99<' in r.text and "5000 frivillige i puljen" in r.text
    assert "frivillig-0" in r.text  # the members are listed for staff

    bad = b"navn,alder\nAnna,ung\n"
    r = staff.http.post(base + page, data={**fields, "csrf_token": staff.csrf(page)},
                        files={"pool_file": ("frivillige.csv", bad, "text/csv")}, timeout=60)
    assert r.status_code == 422
    assert "Første linje skal navngive kolonnerne, blandt dem id" in r.text
    assert 'href="#f-pool"' in r.text or 'id="e-pool"' in r.text
