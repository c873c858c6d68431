"""Moderation (issues 15 and 21) across the real gateway, proposals, meetings and
notifications services on the real broker and PostgreSQL: every kind of report tells
the municipality's staff (a reported comment under a meeting reaches the staff member's
inbox and e-mail, linked to the comment itself; a resident who is not staff hears
nothing), and staff see one list of what waits (a question, a comment, a file, a comment
and a file under a meeting), each with an excerpt, when and how many reports, and its link; they
hide with each kind's own hide and dismiss with the owner's.  Staff of another
municipality see and change nothing of it."""
import datetime as dt

import pytest
import requests

from samskab.testing import http_port, wait_for

from gateway.service import Service as Gateway
from gateway.tests.support import Visitor
from meetings.service import Service as Meetings
from notifications.service import Service as Notifications
from proposals.service import Service as Proposals

from test_notifications_e2e import sink  # noqa: F401  (the SMTP sink fixture)
from test_notifications_who_hears_what import People, heard, inbox, notices, ok

pytestmark = pytest.mark.integration

TITLE = "Bænke langs Limfjorden"
MEETING = "Borgermøde om bænkene"
RUDE = "Naboen i nr. 12 er en idiot, og alle ved hvorfor."
MEETING_RUDE = "Ham fra kommunen burde fyres, han bor på Vesterbro 3."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, sink, tmp_path):  # noqa: F811
    uploads = str(tmp_path / "uploads")
    gateway_config = make_config("gateway", UPLOADS_DIR=uploads)
    notifications_config = make_config("notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port),
                                       NOTIFICATIONS_POLL_SECONDS="0.1")
    runners = [runner_factory(gateway_config, Gateway),
               runner_factory(make_config("proposals", UPLOADS_DIR=uploads), Proposals),
               runner_factory(make_config("meetings", UPLOADS_DIR=uploads), Meetings),
               runner_factory(notifications_config, Notifications)]
    for runner in runners:
        runner.start()
    sink.start()
    return {"base": f"http://127.0.0.1:{http_port(runners[0].service_map['gateway'])}/api/v1",
            "gateway_db": gateway_config["DATABASE_URL"], "db": notifications_config["DATABASE_URL"],
            "amqp": broker_uri}


def _meeting(m, staff):
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=9)).replace(hour=17, minute=0, second=0,
                                                                               microsecond=0)
    return ok(requests.post(f"{m}/meetings", headers=staff, json={
        "title": MEETING, "format": "theme_workshop", "purpose": "Hvor skal bænkene stå?",
        "promise": "Jeres forslag bruges i planen.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/b",
        "capacity": 30}), 201)


def test_staff_hear_of_every_report_and_settle_them_from_one_list(platform, sink):  # noqa: F811
    base, people = platform["base"], People(platform)
    karen = people.register("karen.kjaer@example.org", "Karen Kjærgaard", "da")
    bo = people.register("bo.bech@example.org", "Bo Bech", "da")
    kari = people.register("kari.nordmann@example.org", "Kari Nordmann", "nb")
    staff = people.staff("planlaegger@aalborg.example.org", "Planlægger", "da")
    people.register("hanne.hjorring@example.org", "Hanne Hjørring", "da")
    operator = people.login("operator@samskab.example.org")  # made by people.staff above
    ok(requests.post(f"{base}/accounts/{people.ids['hanne.hjorring@example.org']}/role", headers=operator,
                     json={"role": "employee", "municipality": "hjorring"}))
    other_staff = people.login("hanne.hjorring@example.org")
    ok(requests.put(f"{base}/me/preferences", headers=staff,
                    json={"proposal_triage": {"inbox": "immediate", "email": "immediate"}}))
    m = f"{base}/municipalities/aalborg"

    proposal = ok(requests.post(f"{m}/proposals", headers=karen, json={
        "kind": "development", "title": TITLE, "problem": "Der er ingen steder at hvile langs stien.",
        "goal": "Bænke for hver 300 meter.", "language": "da"}), 201)
    p = f"{m}/proposals/{proposal['id']}"
    ok(requests.post(f"{p}/transitions", headers=staff, json={"to": "published", "reason": "Godt forslag"}))
    question = ok(requests.post(f"{p}/questions", headers=bo, json={"body": "Hvem betaler for bænkene?"}), 201)
    comment = ok(requests.post(f"{p}/comments", headers=bo, json={"body": RUDE}), 201)
    pdf = requests.post(f"{p}/attachments", headers=karen, files={"file": ("plan.pdf", PDF, "application/pdf")},
                        data={"alt": "Plan over bænkene", "caption": "Udkast fra grundejerforeningen"})
    assert pdf.status_code == 201, pdf.text
    meeting = _meeting(m, staff)
    mt = f"{m}/meetings/{meeting['id']}"
    meeting_comment = ok(requests.post(f"{mt}/comments", headers=bo, json={"body": MEETING_RUDE}), 201)
    handout = requests.post(f"{mt}/attachments", headers=staff, files={"file": ("program.pdf", PDF, "application/pdf")},
                            data={"alt": "Program for mødet"})
    assert handout.status_code == 201, handout.text
    old_map = requests.post(f"{mt}/attachments", headers=staff, files={"file": ("kort.pdf", PDF, "application/pdf")},
                            data={"alt": "Gammelt kort"})
    assert old_map.status_code == 201, old_map.text

    # -- every kind of report; a comment under a meeting reaches staff, linked to the comment itself
    ok(requests.post(f"{p}/reports", headers=karen, json={
        "target_type": "question", "target_id": question["id"], "reason": "Off topic"}), 201)
    ok(requests.post(f"{p}/comments/{comment['id']}/reports", headers=karen, json={"reason": "Personangreb"}), 201)
    ok(requests.post(f"{p}/comments/{comment['id']}/reports", headers=kari, json={"reason": "Hets mot nabo"}), 201)
    ok(requests.post(f"{p}/attachments/{pdf.json()['id']}/report", headers=kari, json={"reason": "Feil fil"}), 201)
    ok(requests.post(f"{mt}/comments/{meeting_comment['id']}/reports", headers=kari,
                     json={"reason": "Personopplysninger"}), 201)
    ok(requests.post(f"{mt}/attachments/{handout.json()['id']}/report", headers=bo, json={"reason": "Forkert"}), 201)
    ok(requests.post(f"{mt}/attachments/{old_map.json()['id']}/report", headers=bo, json={"reason": "Forældet"}), 201)
    comment_link = f"/municipalities/aalborg/meetings/{meeting['id']}/comments#c-{meeting_comment['id']}"
    item, mail = heard(platform, sink, "planlaegger@aalborg.example.org", staff,
                       f"Kommentar anmeldt ved mødet „{MEETING}“", MEETING, comment_link)
    assert "venter på jeres vurdering" in mail
    heard(platform, sink, "planlaegger@aalborg.example.org", staff, f"Kommentar anmeldt i „{TITLE}“",
          f"/proposals/{proposal['id']}/comments#c-{comment['id']}")
    heard(platform, sink, "planlaegger@aalborg.example.org", staff, f"Billede eller fil anmeldt i „{TITLE}“",
          f"/proposals/{proposal['id']}#attachments")
    heard(platform, sink, "planlaegger@aalborg.example.org", staff, f"Billede eller fil anmeldt ved mødet „{MEETING}“",
          f"/meetings/{meeting['id']}#attachments")
    # the residents (the reporter, the author, the initiator) are told nothing of the reports
    for address in ("kari.nordmann@example.org", "bo.bech@example.org", "karen.kjaer@example.org"):
        assert not [n for n in notices(platform, address) if "anmeldt" in n[0] or "meldt" in n[0]], address
    assert not [i for i in inbox(base, kari)["items"] if "meldt" in i["title"]]

    # -- one list for staff: what, an excerpt, when, how many reports, its link
    listed = ok(requests.get(f"{m}/staff/reports", headers=staff))
    by_kind = {i["kind"]: i for i in listed if i["id"] != old_map.json()["id"]}
    assert sorted(by_kind) == ["attachment", "comment", "meeting_attachment", "meeting_comment", "question"]
    assert len(listed) == 6  # two files under the meeting
    assert [i["kind"] for i in listed][0] == "question"  # the longest waiting first
    assert by_kind["comment"]["reports"] == 2 and by_kind["comment"]["excerpt"] == RUDE
    assert set(by_kind["comment"]["reasons"]) == {"Personangreb", "Hets mot nabo"}
    assert by_kind["comment"]["path"] == f"proposals/{proposal['id']}/comments#c-{comment['id']}"
    assert by_kind["meeting_comment"]["under_title"] == MEETING
    assert by_kind["meeting_comment"]["excerpt"] == MEETING_RUDE
    assert by_kind["meeting_comment"]["path"] == comment_link.removeprefix("/municipalities/aalborg/")
    assert by_kind["attachment"]["excerpt"] == "Udkast fra grundejerforeningen"
    assert by_kind["meeting_attachment"]["excerpt"] == "Program for mødet"
    assert by_kind["meeting_attachment"]["path"] == f"meetings/{meeting['id']}#attachments"
    assert by_kind["question"]["under_title"] == TITLE and by_kind["question"]["reports"] == 1

    # -- nobody else sees or settles it: residents and another municipality's staff
    assert requests.get(f"{m}/staff/reports", headers=kari).status_code == 403
    assert requests.get(f"{m}/staff/reports", headers=other_staff).status_code == 403
    dismissal = {"kind": "meeting_comment", "id": meeting_comment["id"]}
    assert requests.post(f"{mt}/reports/dismissal", headers=other_staff, json=dismissal).status_code == 403
    assert requests.post(f"{base}/municipalities/hjorring/meetings/{meeting['id']}/reports/dismissal",
                         headers=other_staff, json=dismissal).status_code == 404
    assert requests.post(f"{base}/municipalities/hjorring/proposals/{proposal['id']}/reports/dismissal",
                         headers=other_staff, json={"kind": "comment", "id": comment["id"]}).status_code == 404
    assert ok(requests.get(f"{base}/municipalities/hjorring/staff/reports", headers=other_staff)) == []
    assert requests.post(f"{mt}/reports/dismissal", headers=staff, json={**dismissal, "x": 1}).status_code == 422

    # -- the staff page shows the same list; another municipality's staff get 403 there too
    web = base.removesuffix("/api/v1")
    own = Visitor(web)
    own.login("planlaegger@aalborg.example.org")
    listing = own.get("/municipalities/aalborg/staff")
    assert listing.status_code == 200 and MEETING_RUDE in listing.text and RUDE in listing.text
    assert f'href="{comment_link}"' in listing.text
    assert "Gammelt kort" in listing.text
    stranger = Visitor(web)
    stranger.login("hanne.hjorring@example.org")
    assert stranger.get("/municipalities/aalborg/staff").status_code == 403
    assert MEETING_RUDE not in stranger.get("/municipalities/hjorring/staff").text
    refused = stranger.post(f"/municipalities/aalborg/staff/reports/meeting_comment/{meeting['id']}/"
                            f"{meeting_comment['id']}", {"action": "dismiss"},
                            token_from="/municipalities/hjorring/staff")
    assert refused.status_code == 403
    # staff hide a meeting's file from the page's own form (the meeting's own hide)
    staff_page = "/municipalities/aalborg/staff"
    hidden = own.post(f"{staff_page}/reports/meeting_attachment/{meeting['id']}/{old_map.json()['id']}",
                      {"action": "hide", "reason": "Forældet kort"}, token_from="/municipalities/aalborg/staff")
    assert hidden.status_code == 200 and "done=decided" in hidden.url
    assert "Gammelt kort" not in own.get("/municipalities/aalborg/staff").text
    assert all(a["id"] != old_map.json()["id"] for a in ok(requests.get(f"{mt}/attachments", headers=kari)))

    # -- staff settle each: dismiss the meeting comment's and the file's reports, hide the comment
    # and the question with their own hide
    seen = by_kind["meeting_comment"]["last_reported_at"]
    assert ok(requests.post(f"{mt}/reports/dismissal", headers=staff, json={**dismissal, "until": seen})) == {
        "dismissed": 1}
    assert ok(requests.post(f"{p}/reports/dismissal", headers=staff,
                            json={"kind": "attachment", "id": pdf.json()["id"]})) == {"dismissed": 1}
    ok(requests.post(f"{p}/comments/{comment['id']}/hide", headers=staff, json={"reason": "Personangreb"}))
    assert ok(requests.post(f"{mt}/reports/dismissal", headers=staff, json={
        "kind": "meeting_attachment", "id": handout.json()["id"], "reason": "Det er det rigtige program"})) == {
        "dismissed": 1}
    ok(requests.post(f"{p}/hidden", headers=staff, json={
        "target_type": "question", "target_id": question["id"], "reason": "Uden for emnet"}))
    assert ok(requests.get(f"{m}/staff/reports", headers=staff)) == []
    # dismissed: the comment and the file stay as they were; hidden: the comment's text is gone
    assert ok(requests.get(f"{mt}/comments", headers=kari))[0]["body"] == MEETING_RUDE
    assert ok(requests.get(f"{p}/comments", headers=kari))[0]["body"] is None

    # -- a new report after a dismissal brings it back, counting only the new one
    ok(requests.post(f"{mt}/comments/{meeting_comment['id']}/reports", headers=karen, json={"reason": "Igen"}), 201)
    [again] = ok(requests.get(f"{m}/staff/reports", headers=staff))
    assert (again["kind"], again["reports"], again["reasons"]) == ("meeting_comment", 1, ["Igen"])

    def told_twice():
        found = [n for n in notices(platform, "planlaegger@aalborg.example.org")
                 if n[0].startswith("Kommentar anmeldt ved")]
        return found if len(found) == 2 else None
    assert wait_for(told_twice, timeout=30, what="the second report's notice")[1][2].endswith(comment_link)
