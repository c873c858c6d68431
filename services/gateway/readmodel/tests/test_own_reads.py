"""A signed-in resident's proposal page from memory (``gateway.readmodel.own``), against
the real platform (broker, PostgreSQL): what it says is theirs (support, follow, buttons)
is what the proposals service says live, after each of their writes at once, through
any gateway instance; the proposal's initiator and the municipality's staff are asked
live; and reading page after page asks the proposals service nothing."""
import gc

import pytest
import requests
from nameko.containers import ServiceContainer
from nameko.testing.services import entrypoint_hook

from samskab.testing import http_port

from gateway.tests.support import make_account

from .test_public_reads import M, model_of, new_proposal, platform, settled, token  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration


def actor(account_id):
    return {"id": account_id, "role": "resident", "municipality": "aalborg", "staff": False, "operator": False,
            "confirmed": True}


def live_get(account_id, pid):
    """The proposal as the proposals service answers the resident, asked on its container."""
    container = next(c for c in gc.get_objects()
                     if isinstance(c, ServiceContainer) and c.service_name == "proposals" and c.started)
    with entrypoint_hook(container, "get") as get:
        return get("aalborg", actor(account_id), pid)


def shown(base, headers, pid):
    r = requests.get(base + f"/api/v1{M}/proposals/{pid}", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_what_is_theirs_is_what_the_service_says_after_each_of_their_writes(platform):
    base, config, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    mona_id = make_account(config, "mona@example.org", "resident", name="Mona Møller")
    mona = token(base, "mona@example.org")
    own = model_of(base).store.own
    steps = [
        ("nothing yet", None),
        ("supports", lambda: requests.post(base + f"/api/v1{M}/proposals/{pid}/supports", headers=mona, timeout=10)),
        ("follows", lambda: requests.post(base + f"/api/v1{M}/proposals/{pid}/follows", headers=mona, timeout=10)),
        ("withdraws support", lambda: requests.delete(base + f"/api/v1{M}/proposals/{pid}/supports", headers=mona,
                                                      timeout=10)),
        ("hidden by staff", lambda: requests.post(base + f"/api/v1{M}/proposals/{pid}/hidden", headers=sven,
                                                  timeout=10, json={"target_type": "proposal", "target_id": pid,
                                                                    "reason": "Dublet"})),
    ]
    for what, write in steps:
        if write is not None:
            r = write()
            assert r.status_code < 300, (what, r.status_code, r.text)
        fetches = own.stats["own fetches"]
        answer = shown(base, mona, pid)
        assert answer == live_get(mona_id, pid), what
        # Her own write raised her version: asked once again, then kept.  Staff's hiding is not
        # hers: what she may do comes with the public answer, which the hiding's event dropped.
        assert own.stats["own fetches"] - fetches == (0 if what == "hidden by staff" else 1), what
        fetches = own.stats["own fetches"]
        assert shown(base, mona, pid) == answer
        assert own.stats["own fetches"] == fetches, f"{what}: asked again without a write"
    assert answer["hidden"] and answer["followed_by_me"] and "support" not in answer["allowed"]["actions"]


def test_the_page_says_so_at_once_and_every_instance_knows_it(platform, runner_factory):
    base, config, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    make_account(config, "mona@example.org", "resident", name="Mona Møller")
    mona = token(base, "mona@example.org")
    from gateway.service import Service as Gateway

    other = runner_factory(config, Gateway)  # a second instance on the same accounts database
    other.start()
    base_b = f"http://127.0.0.1:{http_port(other.service_map['gateway'])}"
    settled(base)
    page = f"{M}/proposals/{pid}"
    withdraw = 'name="withdraw"'  # the page's button once she supports it
    for where in (base, base_b):  # both instances know she does not support it yet
        assert shown(where, mona, pid)["supported_by_me"] is False
        assert withdraw not in requests.get(where + page, headers=mona, timeout=10).text
    r = requests.post(base + f"/api/v1{M}/proposals/{pid}/supports", headers=mona, timeout=10)
    assert r.status_code == 201, r.text
    # The instance she wrote through, and the other one, on her very next request.
    for where in (base, base_b):
        assert shown(where, mona, pid)["supported_by_me"] is True
        assert withdraw in requests.get(where + page, headers=mona, timeout=10).text


def test_the_initiator_and_staff_are_asked_live(platform):
    base, _, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    settled(base)
    store = model_of(base).store
    before = store.stats["live proposals.get"]
    mine = shown(base, rita, pid)
    assert "edit" in mine["allowed"]["actions"] and mine["initiator_id"] is not None
    staff = shown(base, sven, pid)
    assert "staff" in staff["allowed"]["capacities"] and "rejected" in staff["allowed"]["transitions"]
    assert store.stats["live proposals.get"] - before == 2
    assert "participant_allowed" not in mine and "participant_allowed" not in staff


def test_reading_page_after_page_asks_the_proposals_service_nothing(platform):
    base, config, rita, sven = platform
    ids = [new_proposal(base, rita, sven, title=f"Bænk nummer {i}") for i in range(3)]
    make_account(config, "mona@example.org", "resident", name="Mona Møller")
    mona = token(base, "mona@example.org")
    settled(base)
    for pid in ids:  # anybody's first view fetches the public answers once
        assert requests.get(base + f"{M}/proposals/{pid}", timeout=10).status_code == 200
    store = model_of(base).store
    assert requests.get(base + f"{M}/proposals/{ids[0]}", headers=mona, timeout=10).status_code == 200
    live = {k: v for k, v in store.stats.items() if k.startswith("live ")}
    fetches = store.own.stats["own fetches"]
    for pid in ids:
        r = requests.get(base + f"{M}/proposals/{pid}", headers=mona, timeout=10)
        assert r.status_code == 200 and "Bænk nummer" in r.text
    now = {k: v for k, v in store.stats.items() if k.startswith("live ")}
    assert now == live, {k: v - live.get(k, 0) for k, v in now.items() if v != live.get(k, 0)}
    assert store.own.stats["own fetches"] == fetches
