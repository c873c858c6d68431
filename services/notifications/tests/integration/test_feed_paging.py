"""The Atom feed is an RFC 5005 paged feed: first, next (older) and previous (newer)
links that walk every public event once."""
import datetime as dt
import types
import uuid
import xml.etree.ElementTree as ET

import pytest

from samskab.errors import Invalid
from samskab.testing import unit_of_work

from notifications.storage.tables import public_events
from notifications.usecases import public

pytestmark = pytest.mark.integration
ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "https://samskab.example.org/api/v1/municipalities/aalborg/feed.atom"


def links(xml):
    root = ET.fromstring(xml)
    return ({l.get("rel"): l.get("href") for l in root.findall(f"{ATOM}link")},
            [e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")], root.find(f"{ATOM}id").text)


def test_the_feed_pages_through_every_event_once_with_first_next_and_previous(make_database):
    url = make_database("notifications")
    ids = []
    with unit_of_work(url) as uow:
        for i in range(7):
            event_id = str(uuid.uuid4())
            ids.append(f"urn:uuid:{event_id}")
            time = (dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=i)).isoformat()
            uow.execute(public_events.insert().values(
                municipality="aalborg", event_id=event_id, type="samskab.proposal.published",
                subject=f"proposals/{uuid.uuid4()}", time=time,
                envelope={"id": event_id, "type": "samskab.proposal.published", "municipality": "aalborg",
                          "subject": "proposals/x", "time": time, "data": {"title": f"P{i}"}}))
    settings = types.SimpleNamespace(catalogue={}, PUBLIC_URL="https://samskab.example.org")

    def page(before=None):
        return links(public.feed(unit_of_work(url), settings, "aalborg", FEED, limit=3, before=before))

    first, entries, feed_id = page()
    assert entries == ids[::-1][:3] and first["first"] == FEED and "previous" not in first
    second, entries2, id2 = page(first["next"].split("before=")[1])
    assert entries2 == ids[::-1][3:6] and second["previous"] == FEED and id2 == feed_id
    third, entries3, _ = page(second["next"].split("before=")[1])
    assert entries3 == ids[::-1][6:] and "next" not in third  # the oldest page
    back, again, _ = page(third["previous"].split("before=")[1])
    assert again == entries2  # previous leads back to the page it came from
    assert sorted(entries + entries2 + entries3) == sorted(ids)
    with pytest.raises(Invalid):
        page("not-a-page")
