"""Across services: staff reschedule a real meeting (gateway → meetings) and its
registrants hear about it from notifications, in their own language, once;
a third party's webhook and the Atom feed carry the change, naming nobody."""
import datetime as dt
import time
import xml.etree.ElementTree as ET

import pytest
import requests
import sqlalchemy as sa
from standardwebhooks import Webhook

from samskab.db import engine_for
from samskab.testing import http_port

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from meetings.service import Service as Meetings
from notifications.service import Service as Notifications

from test_notifications_e2e import (  # noqa: F401  (the sink fixture; pytest puts this folder on sys.path)
    Receiver, account_with_role, api_key_and_webhook, register, sink, wait_for, wait_for_contacts,
)

pytestmark = pytest.mark.integration

RESIDENTS = [("Mette Mølgaard", "mette.molgaard@example.org", "da"), ("Ingrid Haugen", "ingrid.haugen@example.org", "nb")]


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, sink):
    gateway_config = make_config("gateway")
    notifications_config = make_config(
        "notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port), NOTIFICATIONS_POLL_SECONDS="0.1",
        NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("meetings"), Meetings),
               runner_factory(notifications_config, Notifications)]
    for runner in runners:
        runner.start()
    base = f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1"
    return {"base": base, "amqp": broker_uri, "gateway_db": gateway_config["DATABASE_URL"],
            "db": notifications_config["DATABASE_URL"]}


def test_staff_reschedule_a_meeting_and_each_registrant_hears_once_in_their_language(platform, sink):
    sink.start()
    base = platform["base"]
    staff = account_with_role(platform, "employee", "planner@aalborg.test")
    people = {address: register(base, name, address, language) for name, address, language in RESIDENTS}
    with engine_for(platform["gateway_db"]).begin() as conn:  # both confirmed their addresses
        conn.execute(accounts.update().values(email_confirmed_at=sa.func.now()))
    wait_for_contacts(platform, len(RESIDENTS))
    receiver = Receiver()
    api, hook = api_key_and_webhook(platform, receiver)

    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    r = requests.post(f"{base}/municipalities/aalborg/meetings", headers=staff, json={
        "title": "Debatsalon om Østerådalen", "format": "debate_salon",
        "purpose": "Hvad skal der ske med stierne langs åen?", "promise": "Forslagene indgår i lokalplanen.",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "online_url": "https://meet.example.org/osteraadalen", "capacity": 30})
    assert r.status_code == 201, r.text
    meeting = r.json()
    for address, (_, headers) in people.items():
        r = requests.post(f"{base}/municipalities/aalborg/meetings/{meeting['id']}/registrations", headers=headers)
        assert r.status_code == 201, r.text

    later = starts + dt.timedelta(days=1)
    r = requests.patch(f"{base}/municipalities/aalborg/meetings/{meeting['id']}", headers=staff,
                       json={"starts_at": later.isoformat(), "ends_at": (later + dt.timedelta(hours=2)).isoformat()})
    assert r.status_code == 200, r.text

    changed = {"da": "Mødet „Debatsalon om Østerådalen“ er ændret", "nb": "Møtet «Debatsalon om Østerådalen» er endret"}

    def mails():
        found = [m for m in sink.messages() if m["Subject"] in changed.values()]
        return found if len(found) >= 2 else None
    wait_for(mails, timeout=30, what="the change e-mails")
    time.sleep(1.0)
    got = sorted((m["To"], m["Subject"]) for m in mails())
    assert got == [("ingrid.haugen@example.org", changed["nb"]), ("mette.molgaard@example.org", changed["da"])]
    for address, (_, headers) in people.items():
        items = requests.get(f"{base}/me/notifications", headers=headers).json()["items"]
        assert [i["event_type"] for i in items if i["kind"] == "meeting_change"] == ["samskab.meeting.updated"]

    wait_for(lambda: any(b"samskab.meeting.updated" in body for _, body in receiver.received), what="the webhook")
    for headers, body in receiver.received:
        Webhook(hook["secret"]).verify(body, headers)
        text = body.decode()
        for name, address, _ in RESIDENTS:
            assert name not in text and address not in text
    feed = requests.get(f"{base}/municipalities/aalborg/feed.atom")
    titles = [e.text for e in ET.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}title")]
    assert "Møde ændret: „Debatsalon om Østerådalen“" in titles  # Aalborg's feed is in Danish
    for name, address, _ in RESIDENTS:
        assert name.encode() not in feed.content and address.encode() not in feed.content
    receiver.close()
