"""A meeting's comment thread (issue 21) in the gateway's read model: the anonymous
thread page is kept (a hit), a comment changes it within a second and a hidden comment
leaves it; a comment event drops only the thread's answers, so the meeting's own
(``meetings.get``, what the meeting page reads) stays in memory.

(The meeting page itself is not kept as a whole: it also reads ``meetings.formats``,
which the model does not hold; that was so before the threads.)"""
import datetime as dt
import time

import pytest
import requests

from gateway.readmodel.tests.test_public_reads import model_of
from gateway.tests.support import PASSWORD, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"


def token(base, email):
    r = requests.post(base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def platform(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=("meetings", "notifications"),
                                  MUNICIPALITIES=("aalborg",))
    make_account(config, "rita@example.org", "resident", name="Rita Ravnkilde-Særnavn")
    make_account(config, "sven@example.org", "employee", name="Sven Staff")
    return base, token(base, "rita@example.org"), token(base, "sven@example.org")


def test_a_comment_changes_the_kept_thread_and_leaves_the_meeting_page_kept(platform):
    base, rita, sven = platform
    starts = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=5)
    r = requests.post(base + f"/api/v1{M}/meetings", headers=sven, timeout=10, json={
        "title": "Dialogmøde om Kildeparken", "format": "theme_workshop", "purpose": "Hvad savner I i parken?",
        "promise": "Vi svarer inden jul.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/park",
        "capacity": 20})
    assert r.status_code == 201, r.text
    meeting = base + f"{M}/meetings/{r.json()['id']}"
    thread = meeting + "/comments"
    api = base + f"/api/v1{M}/meetings/{r.json()['id']}/comments"

    until(lambda: "Dialogmøde om Kildeparken" in requests.get(meeting, timeout=5).text, 5, "the meeting's page")
    assert f'href="{M}/meetings/{r.json()["id"]}/comments"' in requests.get(meeting, timeout=5).text
    store = model_of(base).store

    def kept_meeting():
        return [k for k in store.answers if k[:2] == ("meetings", "get") and r.json()["id"] in k[2]]
    assert kept_meeting(), "the meeting's answer is kept"
    until(lambda: requests.get(thread, timeout=5).headers.get("X-Read-Model") == "hit", 3, "the thread kept")

    c = requests.post(api, headers=rita, json={"body": "Flere bænke ved søen, tak."}, timeout=10)
    assert c.status_code == 201, c.text
    posted = time.monotonic()
    until(lambda: "Flere bænke ved søen" in requests.get(thread, timeout=5).text, 1.0, "the comment on the page")
    assert time.monotonic() - posted < 1.0
    # the comment did not drop the meeting's answer: the meeting page still reads it from memory
    assert kept_meeting()
    hits = store.stats["answer_hit"]
    assert "Dialogmøde om Kildeparken" in requests.get(meeting, timeout=5).text
    assert store.stats["answer_hit"] > hits
    until(lambda: requests.get(thread, timeout=5).headers.get("X-Read-Model") == "hit", 3, "the thread kept again")
    assert "Rita" not in requests.get(thread, timeout=5).text

    h = requests.post(f"{api}/{c.json()['id']}/hide", headers=sven, json={"reason": "Dobbelt"}, timeout=10)
    assert h.status_code == 200, h.text
    until(lambda: "Flere bænke ved søen" not in requests.get(thread, timeout=5).text, 1.0,
          "the hidden comment gone from the kept page")
    assert kept_meeting()
