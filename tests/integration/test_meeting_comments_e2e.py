"""Comment threads under meetings (issue 21) across the real gateway, meetings and
notifications services on the real broker and PostgreSQL: a resident comments on a
meeting, another replies in Norwegian, and the first commenter is told in the inbox
and by e-mail, in Danish, linked to the meeting's thread (and the Norwegian, when
answered in turn, in Norwegian); a stranger cannot edit the
comment, staff of another municipality cannot hide it, the meeting's staff can: the
hidden text leaves the thread page, the API and the public log; the public events
never carry who wrote, replied or hid."""
import datetime as dt
import json

import pytest
import requests

from samskab.testing import Subscriber, wait_for

from test_notifications_e2e import sink  # noqa: F401  (the SMTP sink fixture)
from test_notifications_who_hears_what import (  # noqa: F401
    People, heard, inbox, ok, platform,
)

pytestmark = pytest.mark.integration

MEETING = "Borgermøde om Østre Havn"
FIRST = "Husk at invitere beboerne i Skipperen."
REPLY = "Godt poeng, jeg tar med naboene mine."
RUDE = "Dette er en grov kommentar om naboen i nr. 12"


def _meeting(base, staff):
    m = f"{base}/municipalities/aalborg"
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=9)).replace(hour=17, minute=0, second=0,
                                                                               microsecond=0)
    return ok(requests.post(f"{m}/meetings", headers=staff, json={
        "title": MEETING, "format": "theme_workshop", "purpose": "Hvad skal Østre Havn bruges til?",
        "promise": "Jeres idéer indgår i lokalplanen.", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/havn",
        "capacity": 30}), 201)


def test_a_reply_under_a_meeting_tells_the_first_commenter_and_hiding_takes_the_text_away(platform, sink):  # noqa: F811
    base, people = platform["base"], People(platform)
    karen = people.register("karen.kjaer@example.org", "Karen Kjærgaard", "da")
    kari = people.register("kari.nordmann@example.org", "Kari Nordmann", "nb")
    bo = people.register("bo.bech@example.org", "Bo Bech", "da")
    staff = people.staff("planlaegger@aalborg.example.org", "Planlægger", "da")
    people.register("hanne.hjorring@example.org", "Hanne Hjørring", "da")
    operator = people.login("operator@samskab.example.org")  # made by people.staff above
    ok(requests.post(f"{base}/accounts/{people.ids['hanne.hjorring@example.org']}/role", headers=operator,
                     json={"role": "employee", "municipality": "hjorring"}))
    other_staff = people.login("hanne.hjorring@example.org")
    public = Subscriber(platform["amqp"], "aalborg.meeting.#")

    meeting = _meeting(base, staff)
    page = f"/municipalities/aalborg/meetings/{meeting['id']}/comments"
    thread = f"{base}{page}"

    # anonymous: may read, not write; bad input: a clear 4xx
    assert ok(requests.get(thread)) == []
    assert requests.post(thread, json={"body": FIRST}).status_code == 401
    assert requests.post(thread, headers=karen, json={"body": "   "}).status_code == 422
    assert requests.post(thread, headers=karen, json={"body": "x", "alignment": "maybe"}).status_code == 422

    first = ok(requests.post(thread, headers={**karen, "Idempotency-Key": "karen-1"},
                             json={"body": FIRST, "alignment": "for"}), 201)
    again = requests.post(thread, headers={**karen, "Idempotency-Key": "karen-1"},
                          json={"body": FIRST, "alignment": "for"})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first["id"]
    assert first["mine"] and first["editable_until"]
    reply = ok(requests.post(thread, headers=kari, json={"body": REPLY, "parent_id": first["id"]}), 201)
    rude = ok(requests.post(thread, headers=bo, json={"body": RUDE, "parent_id": reply["id"]}), 201)
    assert rude["parent_id"] == first["id"]  # a reply to a reply hangs under the same comment

    # Karen is told, in Danish, in the inbox and by e-mail, linked to the thread; the others are not
    item, mail = heard(platform, sink, "karen.kjaer@example.org", karen,
                       f"Nyt svar på din kommentar til mødet „{MEETING}“", MEETING)
    assert item["link"].endswith(page)
    assert "svaret på din kommentar" in mail
    # Kari, whose reply Bo answered, is told too, in Norwegian; Bo, who only replied, is not
    heard(platform, sink, "kari.nordmann@example.org", kari, f"Nytt svar på kommentaren din til møtet «{MEETING}»",
          MEETING)
    assert not [i for i in inbox(base, bo)["items"] if "ommentar" in i["title"]]

    # the thread reads the same for anyone, with no names
    listed = ok(requests.get(thread))
    assert [(c["body"], c["alignment"], [r["body"] for r in c["replies"]]) for c in listed] == [
        (FIRST, "for", [REPLY, RUDE])]
    text = requests.get(thread).text
    for name in ("Karen", "Kari", "Bo Bech", "example.org"):
        assert name not in text

    # its author corrects it within the window; a stranger cannot
    assert requests.patch(f"{thread}/{first['id']}", headers=kari, json={"body": "Nej"}).status_code == 403
    edited = ok(requests.patch(f"{thread}/{first['id']}", headers=karen, json={"body": FIRST + " Og skolen."}))
    assert edited["body"] == FIRST + " Og skolen." and edited["edited_at"]

    # reported by anyone signed in; hidden only by the staff of the meeting's municipality
    assert ok(requests.post(f"{thread}/{rude['id']}/reports", headers=kari, json={"reason": "Grov"}),
              201)["status"] == "open"
    assert requests.post(f"{thread}/{rude['id']}/hide", headers=kari, json={"reason": "x"}).status_code == 403
    assert requests.post(f"{thread}/{rude['id']}/hide", headers=other_staff,
                         json={"reason": "x"}).status_code == 403
    assert requests.post(f"{thread}/{rude['id']}/reports", headers=other_staff,
                         json={"reason": "x"}).status_code == 403
    events_url = f"{base}/municipalities/aalborg/events"
    wait_for(lambda: RUDE in requests.get(events_url, params={"limit": 500}).text, timeout=30,
             what="the comment in the catch-up log")
    ok(requests.post(f"{thread}/{rude['id']}/hide", headers=staff, json={"reason": "Personangreb"}))

    hidden = ok(requests.get(thread))[0]["replies"][1]
    assert hidden["hidden"] and hidden["body"] is None and hidden["hidden_reason"] == "Personangreb"
    assert RUDE not in requests.get(thread).text
    html = requests.get(f"http://{base.split('/')[2]}{page}")  # the thread page
    assert html.status_code == 200 and FIRST in html.text and "Personangreb" in html.text
    assert RUDE not in html.text

    def redacted():
        log = requests.get(events_url, params={"limit": 500}).json()
        return log if "samskab.meeting.comment_hidden" in [e["type"] for e in log["events"]] else None
    log = wait_for(redacted, timeout=30, what="the hidden event in the catch-up log")
    assert RUDE not in json.dumps(log, ensure_ascii=False)
    assert FIRST in json.dumps(log, ensure_ascii=False)  # the rest stays
    atom = requests.get(f"{base}/municipalities/aalborg/feed.atom").text
    assert RUDE not in atom and f"{page}#c-{first['id']}" in atom  # an entry links to the comment in its thread

    # the public stream: the text and ids of comments, never who wrote, replied or hid
    received = [r for r in public.drain(timeout=5) if ".comment_" in r[0].routing_key]
    public.close()
    assert sorted(method.routing_key.split(".", 1)[1] for method, _, _ in received) == [
        "meeting.comment_edited", "meeting.comment_hidden", "meeting.comment_posted", "meeting.comment_posted",
        "meeting.comment_posted"]
    everything = " ".join(body.decode() if isinstance(body, bytes) else body for _, _, body in received)
    for who in list(people.ids.values()) + ["Karen", "Kari", "example.org", "author_id", "hidden_by"]:
        assert who not in everything
