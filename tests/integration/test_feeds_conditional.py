"""Atom, iCalendar and the catch-up log answer conditional GETs (issue 19): an ETag and
a Last-Modified, 304 when nothing changed, 200 with a new ETag once an event arrives."""
import datetime as dt
import uuid

import pytest
import requests

from samskab.testing import wait_for

from gateway.tests.support import start_platform
from test_notifications_e2e import meeting_data, publish

pytestmark = pytest.mark.integration

M = "/api/v1/municipalities/aalborg"
PATHS = (f"{M}/feed.atom", f"{M}/calendar.ics", f"{M}/events")


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("meetings", "notifications"))


def test_feeds_calendar_and_catch_up_log_answer_304_until_something_changes(platform, broker_uri):
    base, _ = platform
    first = {}
    for path in PATHS:
        r = requests.get(base + path, timeout=5)
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers.get("ETag") and r.headers.get("Last-Modified"), (path, dict(r.headers))
        again = requests.get(base + path, headers={"If-None-Match": r.headers["ETag"]}, timeout=5)
        assert again.status_code == 304 and again.content == b"", (path, again.status_code)
        assert again.headers["ETag"] == r.headers["ETag"]
        first[path] = r.headers["ETag"]

    meeting_id = str(uuid.uuid4())
    publish(broker_uri, "samskab.meeting.updated",
            meeting_data(meeting_id, [], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)), f"meetings/{meeting_id}")
    for path in (f"{M}/feed.atom", f"{M}/events"):
        def changed():
            r = requests.get(base + path, headers={"If-None-Match": first[path]}, timeout=5)
            return r.status_code == 200 and r.headers["ETag"] != first[path] and r
        r = wait_for(changed, what=f"{path} to change")
        assert meeting_id in r.text, path
