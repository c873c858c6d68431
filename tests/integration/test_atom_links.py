"""Every Atom entry links to a page that exists (issue 19): a municipality's feed holding
every kind of entry (proposals and what hangs under them, comments, moderation, meetings
and registrations, outcomes, panels, missions, committees, cases and decisions, a
politician's office), made through the API of the running platform; each entry's
``<link href>`` fetched anonymously through the gateway answers 200, and a link to a part
of a page (``#questions``) lands on a page that has that part."""
import datetime as dt
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import requests

from samskab.testing import http_port, wait_for

from gateway.service import Service as Gateway
from gateway.tests.support import PASSWORD, make_account
from matching.service import Service as Matching
from meetings.service import Service as Meetings
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

A = "{http://www.w3.org/2005/Atom}"
API = "/api/v1/municipalities/aalborg"
# the kinds of entry the feed must hold for the test to mean something
KINDS = {
    "proposal.submitted", "proposal.published", "proposal.updated", "proposal.status_changed", "proposal.supported",
    "proposal.support_withdrawn", "proposal.question_asked", "proposal.question_answered",
    "proposal.agreement_updated", "proposal.experiment_recorded", "proposal.progress_posted", "proposal.hidden",
    "comment.posted", "comment.edited", "comment.hidden", "meeting.scheduled", "meeting.updated",
    "meeting.cancelled", "meeting.concluded", "registration.confirmed", "meeting.outcome_recorded", "panel.selected",
    "politician.office_registered", "mission.published", "mission.proposal_attached", "committee.formed",
    "committee.members_seated", "committee.meeting_planned", "committee.document_added",
    "committee.recommendation_delivered", "case.opened", "case.placed", "decision.made",
}


@pytest.fixture
def platform(runner_factory, make_config):
    gateway_config = make_config("gateway")
    gateway = runner_factory(gateway_config, Gateway)
    gateway.start()
    base = f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}"
    for name, cls in (("proposals", Proposals), ("matching", Matching), ("meetings", Meetings)):
        runner_factory(make_config(name), cls).start()
    # the feed's links name this gateway, as PUBLIC_URL does in a deployment
    runner_factory(make_config("notifications", PUBLIC_URL=base), Notifications).start()
    for email, role, name in (("politiker@aalborg.example", "politician", "Anna Politiker"),
                              ("medarbejder@aalborg.example", "employee", "Medarbejder"),
                              ("ida@example.org", "resident", "Ida"), ("sune@example.org", "resident", "Sune"),
                              ("rita@example.org", "resident", "Rita"), ("bo@example.org", "resident", "Bo")):
        make_account(gateway_config, email, role, name=name)
    return base


def ok(response, status=(200, 201, 202)):
    assert response.status_code in status, (response.request.method, response.url, response.text)
    return response.json() if response.content else None


class Api:
    def __init__(self, base):
        self.base, self.tokens = base, {}

    def __call__(self, method, path, who, **kwargs):
        if who not in self.tokens:
            r = ok(requests.post(f"{self.base}/api/v1/auth/token", json={"email": who, "password": PASSWORD}))
            self.tokens[who] = {"Authorization": f"Bearer {r['access_token']}"}
        return ok(requests.request(method, f"{self.base}{API}{path}", headers=self.tokens[who], timeout=30, **kwargs))


def every_kind_of_entry(api):
    staff, politician, ida, sune = ("medarbejder@aalborg.example", "politiker@aalborg.example", "ida@example.org",
                                    "sune@example.org")
    p = api("POST", "/proposals", ida, json={"kind": "development", "title": "Grønnere pendling",
                                              "problem": "Most commuters drive alone.", "goal": "Half cycle by 2028."})
    path = f"/proposals/{p['id']}"
    api("POST", f"{path}/transitions", staff, json={"to": "published", "reason": "Velkommen"})
    api("PATCH", path, ida, json={"goal": "Half cycle or take the bus by 2028."})
    api("POST", f"{path}/supports", sune)
    api("DELETE", f"{path}/supports", sune)
    api("POST", f"{path}/supports", sune)
    question = api("POST", f"{path}/questions", sune, json={"body": "Hvor skal cyklerne stå?"})
    api("POST", f"{path}/questions/{question['id']}/answers", ida, json={"body": "Ved stationen."})
    rude = api("POST", f"{path}/questions", sune, json={"body": "Er I dumme?"})
    api("POST", f"{path}/hidden", staff, json={"target_type": "question", "target_id": rude["id"],
                                                "reason": "Tonen er ikke i orden"})
    api("PUT", f"{path}/agreement", ida, json={
        "parties": [{"role": "initiator", "responsibilities": "Tovholder"},
                    {"role": "municipality", "responsibilities": "Cykler"}],
        "municipality_commitment": "Vi stiller cykler", "iap2_level": "collaborate", "decision_maker": "Udvalget"})
    api("POST", f"{path}/experiments", ida, json={"hypothesis": "Delecykler virker", "intervention": "20 cykler",
                                                   "starts_on": dt.date.today().isoformat()})
    api("POST", f"{path}/updates", ida, json={"body": "Vi er i gang."})
    comment = api("POST", f"{path}/comments", sune, json={"body": "God idé!", "alignment": "for"})
    api("PATCH", f"{path}/comments/{comment['id']}", sune, json={"body": "Rigtig god idé!"})
    spam = api("POST", f"{path}/comments", sune, json={"body": "Køb billige ure"})
    api("POST", f"{path}/comments/{spam['id']}/hide", staff, json={"reason": "Reklame"})
    api("POST", f"{path}/transitions", ida, json={"to": "forming", "reason": "Vi samler folk"})

    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=3)
    meeting = {"title": "Borgermøde om pendling", "format": "working_citizens_meeting", "purpose": "Idéer",
               "promise": "Vi lytter", "iap2_level": "involve", "proposal_id": p["id"], "starts_at": soon.isoformat(),
               "ends_at": (soon + dt.timedelta(hours=2)).isoformat(), "capacity": 10,
               "online_url": "https://meet.example.org/pendling", "language": "da"}
    held = api("POST", "/meetings", staff, json=meeting)
    api("POST", f"/meetings/{held['id']}/registrations", sune)
    api("PATCH", f"/meetings/{held['id']}", staff, json={"title": "Borgermøde om grøn pendling"})
    other = api("POST", "/meetings", staff, json={**meeting, "starts_at": (soon + dt.timedelta(days=9)).isoformat(),
                                                   "ends_at": (soon + dt.timedelta(days=9, hours=2)).isoformat()})
    api("POST", f"/meetings/{other['id']}/cancel", staff, json={"reason": "Sygdom"})
    time.sleep(max(0.0, (soon - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 0.5)
    api("POST", f"/meetings/{held['id']}/conclude", staff)
    api("POST", f"/meetings/{held['id']}/outcomes", staff, json={"kind": "action", "text": "20 cykler opstilles",
                                                                  "owner": "Teknik", "due": "2027-03-01"})
    volunteers = [{"id": f"v{n:02d}", "features": {"age": "65+" if n % 2 else "18-64"}} for n in range(12)]
    api("POST", "/panels", staff, json={"purpose": "Borgerpanel", "proposal_id": p["id"], "size": 4,
                                        "volunteers": volunteers, "quotas": {"age": {"65+": {"min": 1, "max": 3}}},
                                        "seed": 7})

    api("PUT", "/politicians/me", politician, json={"name": "Anna Politiker", "party": "Socialdemokratiet"})
    mission = api("POST", "/missions", politician, json={
        "title": "Grøn mobilitet", "challenge": "For mange biler", "goal": "Halvt så mange bilture",
        "horizon": 2030, "owner_committee": "Teknik- og miljøudvalget"})
    api("POST", f"/missions/{mission['id']}/proposals", ida, json={"proposal_id": p["id"]})
    committee = api("POST", "/committees", politician, json={
        "title": "Opgaveudvalg om pendling", "mission_id": mission["id"], "seats": {"resident": 2, "politician": 1},
        "mandate": {"task": "Foreslå tiltag", "questions": ["Hvem cykler?"], "frame": "1 mio. kr.",
                    "deadline": "2027-09-30"}})
    c = f"/committees/{committee['id']}"
    for who in ("rita@example.org", "bo@example.org", sune):
        api("POST", f"{c}/applications", who, json={"features": {"age": "18-64"}})
    api("POST", f"{c}/draw", staff, json={"seed": 2027})
    api("POST", f"{c}/meetings", staff, json={"starts_at": (soon + dt.timedelta(days=20)).isoformat(),
                                             "ends_at": (soon + dt.timedelta(days=20, hours=2)).isoformat(),
                                             "online_url": "https://meet.example.org/udvalg"})
    api("POST", f"{c}/documents", staff, json={"kind": "minutes", "title": "Referat 1", "body": "Vi talte om cykler."})
    case = api("POST", f"{c}/recommendation", staff, json={"recommendation": "Byg flere cykelstier."})["case"]
    api("POST", f"/cases/{case['case_id']}/placement", staff, json={"body": "Byrådet", "meeting_date": "2027-10-20"})
    api("POST", f"/cases/{case['case_id']}/decision", politician, json={"decision": "adopted",
                                                                         "reasons": "Cykelstier bygges i 2028."})


def entries(base):
    """(kind, href) of every entry of every page of the feed (RFC 5005: following 'next')."""
    found, url = [], f"{base}{API}/feed.atom"
    while url:
        root = ET.fromstring(requests.get(url, timeout=10).content)
        for entry in root.findall(f"{A}entry"):
            kind = entry.find(f"{A}category").get("term").removeprefix("samskab.")
            link = entry.find(f"{A}link[@rel='alternate']")
            found.append((kind, link.get("href") if link is not None else None))
        url = next((l.get("href") for l in root.findall(f"{A}link") if l.get("rel") == "next"), None)
    return found


def test_every_entry_of_a_feed_with_every_kind_links_to_a_page_that_answers_200(platform):
    base = platform
    every_kind_of_entry(Api(base))
    found = wait_for(lambda: (lambda e: e if KINDS <= {k for k, _ in e} else None)(entries(base)),
                     what="a feed with every kind of entry", timeout=60)
    missing = [kind for kind, href in found if not href]
    assert not missing, f"entries with no link: {missing}"
    pages = {}
    for kind, href in found:
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}" == base, href
        if parts.path not in pages:
            r = requests.get(base + parts.path, timeout=30, allow_redirects=False)  # anonymous, as a feed reader
            pages[parts.path] = r
        r = pages[parts.path]
        assert r.status_code == 200, (kind, href, r.status_code)
        if parts.fragment:
            assert f'id="{parts.fragment}"' in r.text, (kind, href, "the page has no such part")
