"""Meetings about no proposal, and held meetings, across the real services (gateway,
proposals, meetings, notifications) on the real broker and PostgreSQL: a meeting of
the municipality reaches its other staff (nb), and when it has been held its
registrant (nn) hears so, with the link to its outcomes, in the inbox and by e-mail,
the time written the Norwegian way."""
import datetime as dt

import pytest
import requests
import sqlalchemy as sa

from samskab.db import engine_for
from samskab.testing import http_port

from gateway.service import Service as Gateway
from meetings.service import Service as Meetings
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

from test_notifications_e2e import sink  # noqa: F401  (the SMTP sink fixture)
from test_notifications_who_hears_what import People, heard, notices, ok

pytestmark = pytest.mark.integration

MEETING = "Borgermøde om Vejgaard"


class Staffed(People):
    """People, where the operator who grants the staff role is made once."""

    def operator(self):
        if "operator@samskab.example.org" not in self.headers:
            return super().operator()
        return self.login("operator@samskab.example.org")


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, sink):  # noqa: F811
    gateway_config, meetings_config = make_config("gateway"), make_config("meetings")
    notifications_config = make_config("notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port),
                                       NOTIFICATIONS_POLL_SECONDS="0.1")
    runners = [runner_factory(gateway_config, Gateway), runner_factory(make_config("proposals"), Proposals),
               runner_factory(meetings_config, Meetings), runner_factory(notifications_config, Notifications)]
    for runner in runners:
        runner.start()
    sink.start()
    return {"base": f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1",
            "gateway_db": gateway_config["DATABASE_URL"], "db": notifications_config["DATABASE_URL"],
            "meetings_db": meetings_config["DATABASE_URL"]}


def test_staff_hear_of_a_meeting_of_no_proposal_and_registrants_hear_it_was_held(platform, sink):
    base, people = platform["base"], Staffed(platform)
    organiser = people.staff("planlaegger@aalborg.example.org", "Planlægger", "da")
    colleague = people.staff("kollega@aalborg.example.org", "Kari Kollega", "nb")
    resident = people.register("sigrid.vik@example.org", "Sigrid Vik", "nn")
    m = f"{base}/municipalities/aalborg"
    place = ok(requests.post(f"{m}/meeting-places", headers=organiser, json={
        "name": "Vejgaard Bibliotek", "kind": "library", "address": "Hadsundvej 35, 9000 Aalborg",
        "capacity": 40, "step_free": True, "hearing_loop": True}), 201)
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=5)).replace(hour=17, minute=0, second=0,
                                                                               microsecond=0)
    meeting = ok(requests.post(f"{m}/meetings", headers=organiser, json={
        "title": MEETING, "format": "debate_salon", "purpose": "Hvad skal der ske med den gamle skole?",
        "promise": "Byrådet får jeres forslag.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "place_id": place["id"], "capacity": 30}), 201)

    # the other staff hear of it; the organiser, who made it, does not
    heard(platform, sink, "kollega@aalborg.example.org", colleague, f"Nytt møte i kommunen: «{MEETING}»",
          MEETING, "Sted: Vejgaard Bibliotek, Hadsundvej 35, 9000 Aalborg", "kl. ")
    assert not [n for n in notices(platform, "planlaegger@aalborg.example.org") if MEETING in n[0]]

    mt = f"{m}/meetings/{meeting['id']}"
    assert ok(requests.post(f"{mt}/registrations", headers=resident), 201)["status"] == "confirmed"
    heard(platform, sink, "sigrid.vik@example.org", resident, f"Du er påmeld «{MEETING}»", MEETING)
    # the meeting took place (moved into the past, as the clock would)
    with engine_for(platform["meetings_db"]).begin() as conn:
        conn.execute(sa.text("UPDATE meetings SET starts_at = now() - interval '3 hours', "
                             "ends_at = now() - interval '1 hour' WHERE id = :id"), {"id": meeting["id"]})
    ok(requests.post(f"{mt}/conclude", headers=organiser))
    item, mail = heard(platform, sink, "sigrid.vik@example.org", resident, f"Møtet «{MEETING}» er halde",
                       MEETING, "Stad: Vejgaard Bibliotek",
                       f"/municipalities/aalborg/meetings/{meeting['id']}#outcomes")
    assert "er no halde" in item["body"] and "Sjå kva møtet førte til" in mail
    assert "Hei Sigrid Vik," in mail and "kl. " in mail and not any(
        word in mail for word in ("registered", "Place:", "took place"))
