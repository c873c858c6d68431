"""``make run``'s demo seed on a fresh platform: every demo municipality is alive on
the first visit (confirmed accounts, proposals in every status, an agreement with a
partner, experiments, updates, a meeting with a waitlist, a panel), and running the
seed again adds nothing."""
import importlib.util
import pathlib

import pytest
import requests

from samskab.testing import http_port

from gateway.service import Service as Gateway
from matching.service import Service as Matching
from meetings.service import Service as Meetings
from notifications.mailsink import MailSink
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _seed_module():
    spec = importlib.util.spec_from_file_location("seed_demo", ROOT / "scripts" / "seed_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def platform(runner_factory, make_config, tmp_path):
    sink = MailSink(port=0, directory=str(tmp_path))
    sink.start()
    gateway_config = make_config("gateway")
    runner = runner_factory(gateway_config, Gateway)
    runner.start()
    for name, cls in (("proposals", Proposals), ("matching", Matching), ("meetings", Meetings)):
        runner_factory(make_config(name), cls).start()
    runner_factory(make_config("notifications", NOTIFICATIONS_SMTP_HOST="127.0.0.1",
                               NOTIFICATIONS_SMTP_PORT=str(sink.port), NOTIFICATIONS_POLL_SECONDS="0.1"),
                   Notifications).start()
    yield f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}", gateway_config, str(tmp_path)
    sink.stop()


def test_every_demo_municipality_shows_living_content_and_a_second_run_adds_nothing(platform):
    url, gateway_config, mail_dir = platform
    seed = _seed_module()
    summaries = seed.main(url, mail_dir=mail_dir, gateway_database_url=gateway_config["DATABASE_URL"])
    api = url + "/api/v1"
    assert set(summaries) == {"aalborg", "hjorring", "hamar", "volda"}

    for m, summary in summaries.items():
        content = seed.MUNICIPALITIES[m]
        staff = {"Authorization": f"Bearer {seed.Api(url).token(content['staff'][0][0])}"}
        # every status, as the staff of the municipality (and a draft's initiator) see it
        author = {"Authorization": f"Bearer {seed.Api(url).token(summary['authors']['draft'])}"}
        for state, pid in summary["proposals"].items():
            who = author if state == "draft" else staff  # a draft is its initiator's alone
            got = requests.get(f"{api}/municipalities/{m}/proposals/{pid}", headers=who, timeout=10).json()
            assert got["status"] == state, (m, state, got)
        # what anyone sees: the public list and the home page are not empty
        listed = requests.get(f"{api}/municipalities/{m}/proposals", params={"limit": 100}, timeout=10).json()
        titles = {p["title"] for p in (listed.get("items", listed) if isinstance(listed, dict) else listed)}
        assert content["proposals"][0]["title"] in titles and content["proposals"][2]["title"] in titles, (m, titles)
        home = requests.get(f"{url}/municipalities/{m}", timeout=10)
        assert home.status_code == 200 and content["proposals"][0]["title"] in home.text, m
        # the active proposal's agreement is accepted by its partner, with experiments and updates
        active = f"{api}/municipalities/{m}/proposals/{summary['proposals']['active']}"
        agreement = requests.get(f"{active}/agreement", timeout=10).json()
        partners = [p for p in agreement["parties"] if p["role"] == "partner"]
        assert partners and agreement["accepted"] and len(agreement["accepted_by"]) >= 2, agreement
        assert requests.get(f"{active}/experiments", timeout=10).json()
        assert len(requests.get(f"{active}/updates", timeout=10).json()) >= 2
        assert requests.get(f"{active}/supports", timeout=10).json()["support_count"] >= 4
        concluded = f"{api}/municipalities/{m}/proposals/{summary['proposals']['concluded']}"
        assert any(e.get("outcome") for e in requests.get(f"{concluded}/experiments", timeout=10).json())
        # an upcoming meeting with its seats taken and a waitlist
        meetings = requests.get(f"{api}/municipalities/{m}/meetings", timeout=10).json()
        assert summary["meeting"] in {x["id"] for x in meetings}, m
        registrations = requests.get(f"{api}/municipalities/{m}/meetings/{summary['meeting']}/registrations",
                                     headers=staff, timeout=10).json()
        statuses = [r["status"] for r in registrations]
        assert statuses.count("confirmed") == 3 and statuses.count("waitlisted") == 2, statuses
        # a citizen panel drawn for the forming proposal
        assert len(summary["panel"]["members"]) == 8 and summary["panel"]["proposal_id"] == summary["proposals"]["forming"]

    # a second run keeps what exists: no municipality lists one proposal more, no meeting is added
    def listed(m, what):
        found = requests.get(f"{api}/municipalities/{m}/{what}", params={"limit": 100}, timeout=10).json()
        return sorted(x["id"] for x in (found.get("items", found) if isinstance(found, dict) else found))

    before = {m: (listed(m, "proposals"), listed(m, "meetings")) for m in summaries}
    again = seed.main(url, mail_dir=mail_dir, gateway_database_url=gateway_config["DATABASE_URL"])
    assert all(v is None for v in again.values())
    assert {m: (listed(m, "proposals"), listed(m, "meetings")) for m in summaries} == before
