"""Public reads from the read model, against the real platform (broker, PostgreSQL):
what a reader sees changes within a second of a change, pages come from memory,
conditional requests answer 304, and nothing personal or of another municipality
is kept or served."""
import json
import time

import pytest
import requests

from gateway.tests.support import PASSWORD, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"
PROPOSAL = {"kind": "development", "title": "Bænke ved Østre Anlæg", "problem": "Der er ingen steder at sidde.",
            "goal": "Flere bænke langs stien.", "area": "Østre Anlæg", "topics": ["park"], "needs": ["bænke"],
            "language": "da", "submit": True}


def token(base, email):
    r = requests.post(base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


@pytest.fixture
def platform(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("proposals", "matching", "meetings",
                                                                          "notifications"),
                                  MUNICIPALITIES=("aalborg",))
    make_account(config, "rita@example.org", "resident", name="Rita Ravnkilde-Særnavn")
    make_account(config, "sven@example.org", "employee", name="Sven Staff")
    return base, config, token(base, "rita@example.org"), token(base, "sven@example.org")


def model_of(base):
    """The gateway's read model, from the running container (the test runs in its process)."""
    import gc

    from gateway.readmodel.projector import PublicReadModel

    found = [o for o in gc.get_objects() if isinstance(o, PublicReadModel) and getattr(o, "running", False)]
    assert found, "no running read model"
    return found[-1]


def new_proposal(base, rita, sven, **changes):
    r = requests.post(base + f"/api/v1{M}/proposals", json={**PROPOSAL, **changes}, headers=rita, timeout=10)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = requests.post(base + f"/api/v1{M}/proposals/{pid}/transitions", json={"to": "published"}, headers=sven,
                      timeout=10)
    assert r.status_code == 200, r.text
    return pid


def settled(base, quiet=1.5, seconds=15):
    """Until no public event has come for ``quiet`` seconds (matching's similar lists and
    suggestions follow a publication): a page made while one lands is not kept."""
    stats = model_of(base).store.stats
    deadline, last, since = time.monotonic() + seconds, stats["events"], time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if stats["events"] != last:
            last, since = stats["events"], time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_change_through_the_api_is_on_the_page_within_a_second(platform):
    base, _, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    page = base + f"{M}/proposals/{pid}"
    until(lambda: "Bænke ved Østre Anlæg" in requests.get(page, timeout=5).text, 5, "the new proposal's page")
    first = requests.get(page, timeout=5)
    assert first.headers.get("X-Read-Model") == "hit" or requests.get(page, timeout=5).headers["X-Read-Model"] == "hit"
    home = base + M
    requests.get(home, timeout=5)
    assert requests.get(home, timeout=5).headers.get("X-Read-Model") == "hit"

    r = requests.patch(base + f"/api/v1{M}/proposals/{pid}", json={"title": "Bænke og skygge ved Østre Anlæg"},
                       headers=rita, timeout=10)
    assert r.status_code == 200, r.text
    changed = time.monotonic()
    until(lambda: "Bænke og skygge" in requests.get(page, timeout=5).text, 1.0, "the new title on the page")
    assert time.monotonic() - changed < 1.0
    until(lambda: "Bænke og skygge" in requests.get(home, timeout=5).text, 1.0, "the new title on the home page")
    api = requests.get(base + f"/api/v1{M}/proposals/{pid}", timeout=5)
    assert api.json()["title"] == "Bænke og skygge ved Østre Anlæg"


def test_a_repeated_conditional_get_is_answered_304(platform):
    base, _, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    settled(base)
    for path in (f"{M}/proposals/{pid}", M, f"{M}/proposals", f"{M}/meetings", f"/api/v1{M}/proposals/{pid}",
                 f"/api/v1{M}/proposals", f"/api/v1{M}/feed.atom", f"/api/v1{M}/calendar.ics"):
        first = requests.get(base + path, timeout=5)
        assert first.status_code == 200, (path, first.status_code)
        etag, modified = first.headers.get("ETag"), first.headers.get("Last-Modified")
        assert etag and modified, (path, dict(first.headers))
        # The calendar keeps its own (calendar clients poll it); everything else may be shared briefly.
        assert first.headers["Cache-Control"] == ("no-cache" if path.endswith(".ics") else "public, max-age=1"), path
        again = requests.get(base + path, headers={"If-None-Match": etag}, timeout=5)
        assert again.status_code == 304 and again.content == b"", (path, again.status_code)
        assert again.headers["ETag"] == etag
        since = requests.get(base + path, headers={"If-Modified-Since": modified}, timeout=5)
        assert since.status_code in (200, 304), path
    # Signed in: still conditional, but never for a shared cache.
    mine = requests.get(base + f"/api/v1{M}/proposals/{pid}", headers=rita, timeout=5)
    assert mine.headers["Cache-Control"] == "private, no-cache" and mine.headers.get("ETag")


def test_a_hidden_question_leaves_the_kept_page_at_once(platform):
    base, _, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    r = requests.post(base + f"/api/v1{M}/proposals/{pid}/questions", json={"body": "Hvem betaler bænkene?"},
                      headers=rita, timeout=10)
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    page = base + f"{M}/proposals/{pid}"
    until(lambda: "Hvem betaler bænkene?" in requests.get(page, timeout=5).text, 5, "the question on the page")
    until(lambda: requests.get(page, timeout=5).headers.get("X-Read-Model") == "hit", 3, "the page kept")
    r = requests.post(base + f"/api/v1{M}/proposals/{pid}/hidden",
                      json={"target_type": "question", "target_id": qid, "reason": "Off topic"},
                      headers=sven, timeout=10)
    assert r.status_code in (200, 201), r.text
    hidden = time.monotonic()
    until(lambda: "Hvem betaler bænkene?" not in requests.get(page, timeout=5).text, 1.0,
          "the hidden question gone from the page")
    assert time.monotonic() - hidden < 1.0
    # and it does not come back from memory
    for _ in range(5):
        assert "Hvem betaler bænkene?" not in requests.get(page, timeout=5).text


def test_nothing_personal_enters_the_read_model(platform):
    base, _, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    requests.post(base + f"/api/v1{M}/proposals/{pid}/supports", headers=rita, timeout=10)
    requests.post(base + f"/api/v1{M}/proposals/{pid}/questions", json={"body": "Hvornår?"}, headers=rita,
                  timeout=10)
    rita_id = requests.get(base + "/api/v1/me", headers=rita, timeout=5).json()["id"]
    # Signed-in and anonymous readers both read through the model.
    for headers in (rita, sven, {}):
        requests.get(base + f"/api/v1{M}/proposals/{pid}", headers=headers, timeout=5)
        requests.get(base + f"/api/v1{M}/proposals/{pid}/questions", headers=headers, timeout=5)
        requests.get(base + f"/api/v1{M}/proposals", headers=headers, timeout=5)
    page = base + f"{M}/proposals/{pid}"
    until(lambda: "Hvornår?" in requests.get(page, timeout=5).text, 5, "the question on the page")
    store = model_of(base).store
    assert store.answers and store.pages
    kept = " ".join([a.body for a in store.answers.values()]
                    + [p.body.decode() for p in store.pages.values()])
    for personal in ("rita@example.org", "Ravnkilde-Særnavn", "sven@example.org", "Sven Staff", rita_id):
        assert personal not in kept, personal


def test_dropped_and_rebuilt_from_the_catch_up_log_it_shows_the_same_pages(platform):
    base, _, rita, sven = platform
    ids = [new_proposal(base, rita, sven, title=f"Forslag nummer {i}") for i in range(3)]
    paths = [M, f"{M}/proposals", f"{M}/meetings"] + [f"{M}/proposals/{i}" for i in ids]
    model = model_of(base)
    until(lambda: all(f"Forslag nummer {n}" in requests.get(base + M + "/proposals", timeout=5).text
                      for n in range(3)), 5, "all three listed")
    settled(base)
    before = {p: requests.get(base + p, headers={"Accept-Language": "da"}, timeout=5).content for p in paths}
    model.store.drop_all()
    assert not model.store.pages and not model.store.answers
    model.rebuild()
    assert model.position["aalborg"] not in ("", "0")
    for p in paths:
        kept = model.store.page((p, b"", "da"))
        assert kept is not None, f"{p} was not rebuilt"
        assert kept.body == before[p], p
        after = requests.get(base + p, headers={"Accept-Language": "da"}, timeout=5)
        assert after.headers.get("X-Read-Model") == "hit" and after.content == before[p], p


def test_nothing_is_served_for_a_municipality_this_instance_does_not_serve(platform):
    base, _, rita, sven = platform
    for path in ("/municipalities/hjorring", "/municipalities/hjorring/proposals",
                 "/api/v1/municipalities/hjorring/proposals", "/api/v1/municipalities/hjorring/feed.atom"):
        for _ in range(2):
            r = requests.get(base + path, timeout=5)
            assert r.status_code == 404, (path, r.status_code)
            assert "X-Read-Model" not in r.headers and "ETag" not in r.headers
    model = model_of(base)
    model.apply({"municipality": "hjorring", "type": "samskab.proposal.published",
                 "subject": "proposals/00000000-0000-4000-8000-000000000000", "data": {}})
    assert not any(k[0].startswith("/municipalities/hjorring") for k in model.store.pages)
    assert not any(json.loads(a.key[2])[0] == "hjorring" for a in model.store.answers.values())
    assert model.patterns() == ["aalborg.#"]


def test_a_residents_page_asks_nothing_live_once_their_own_is_known(platform):
    """A signed-in resident's proposal page: everything as anybody reads it, from the model,
    and their support, follow and buttons from what the gateway keeps of theirs
    (readmodel/own.py): after their first page of the municipality, no live call."""
    base, config, rita, sven = platform
    pid = new_proposal(base, rita, sven)
    make_account(config, "mona@example.org", "resident", name="Mona Møller")
    mona = token(base, "mona@example.org")
    page = base + f"{M}/proposals/{pid}"
    settled(base)
    for headers in ({}, mona):  # the model holds the page's answers, and what is Mona's
        assert requests.get(page, headers=headers, timeout=10).status_code == 200
    stats = model_of(base).store.stats
    before = {k: v for k, v in stats.items() if k.startswith("live ")}
    r = requests.get(page, headers=mona, timeout=10)
    assert r.status_code == 200 and PROPOSAL["title"] in r.text
    live = {k: v - before.get(k, 0) for k, v in stats.items() if k.startswith("live ") and v != before.get(k, 0)}
    assert live == {}, live


def test_the_anonymous_meeting_page_is_kept_and_changes_within_a_second(platform):
    """The meeting page reads the formats' catalogue too: it is kept like the rest."""
    import datetime as dt

    base, _, _, sven = platform
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=5)).replace(microsecond=0)
    r = requests.post(base + f"/api/v1{M}/meetings", headers=sven, timeout=10, json={
        "title": "Værksted om bænkene", "format": "theme_workshop", "purpose": "Hvor skal bænkene stå?",
        "promise": "Vi svarer inden jul.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/b",
        "capacity": 20})
    assert r.status_code == 201, r.text
    page = base + f"{M}/meetings/{r.json()['id']}"
    settled(base)
    until(lambda: requests.get(page, timeout=5).headers.get("X-Read-Model") == "hit", 3, "the meeting page kept")
    r = requests.patch(base + f"/api/v1{M}/meetings/{r.json()['id']}", headers=sven, timeout=10,
                       json={"title": "Værksted om bænke og skygge"})
    assert r.status_code == 200, r.text
    changed = time.monotonic()
    until(lambda: "bænke og skygge" in requests.get(page, timeout=5).text, 1.0, "the new title on the meeting page")
    assert time.monotonic() - changed < 1.0
