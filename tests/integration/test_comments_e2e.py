"""Comment threads (issue 21) across the real gateway, proposals and notifications
services: a resident comments for a proposal, another replies in Norwegian, and the
first commenter is told (in the inbox at once, in Danish, linking to the thread); the
initiator is not told of the reply; the thread reads the same for anyone, with no
names; hiding a comment takes its text out of the thread."""
import pytest
import requests

from samskab.testing import wait_for

from test_notifications_e2e import sink  # noqa: F401  (the SMTP sink fixture)
from test_notifications_who_hears_what import People, inbox, ok, platform  # noqa: F401

pytestmark = pytest.mark.integration

TITLE = "Bænke ved Limfjorden"


def test_a_reply_tells_the_first_commenter(platform, sink):  # noqa: F811
    base = platform["base"]
    people = People(platform)
    karen = people.register("karen@example.org", "Karen Kjærgaard", "da")
    bo = people.register("bo@example.org", "Bo Bech", "da")
    lise = people.register("lise@example.org", "Lise Lund", "nb")
    staff = people.staff("jens.kommune@example.org", "Jens Kommune", "da")
    pid = ok(requests.post(f"{base}/municipalities/aalborg/proposals", headers=karen, json={
        "kind": "service", "title": TITLE, "problem": "Ingen steder at sidde.", "goal": "Fem bænke.",
        "language": "da"}), 201)["id"]
    thread = f"{base}/municipalities/aalborg/proposals/{pid}/comments"

    assert requests.post(thread, json={"body": "Anonym"}).status_code == 401
    first = ok(requests.post(thread, headers=bo, json={"body": "Godt forslag!", "alignment": "for"}), 201)
    reply = ok(requests.post(thread, headers=lise, json={"body": "Hvor skal de stå?", "parent_id": first["id"]}), 201)
    assert reply["parent_id"] == first["id"]

    subject = f"Nyt svar på din kommentar til „{TITLE}“"
    # proposal_activity: in the inbox at once, by e-mail in the daily digest (the defaults)
    items = wait_for(lambda: [i for i in inbox(base, bo)["items"] if i["title"] == subject] or None,
                     timeout=30, what="Bo's inbox notice")
    assert pid in items[0]["link"] and items[0]["link"].endswith("#comments")
    assert not [i for i in inbox(base, karen)["items"] if "kommentar" in i["title"]]
    assert not [i for i in inbox(base, lise)["items"] if "kommentar" in i["title"]]

    public = ok(requests.get(thread))
    assert [(c["body"], c["alignment"], [r["body"] for r in c["replies"]]) for c in public] == [
        ("Godt forslag!", "for", ["Hvor skal de stå?"])]
    assert "Bo" not in requests.get(thread).text and "bo@example.org" not in requests.get(thread).text

    edited = ok(requests.patch(f"{thread}/{first['id']}", headers=bo, json={"body": "Godt forslag."}))
    assert edited["body"] == "Godt forslag."
    assert requests.patch(f"{thread}/{first['id']}", headers=lise, json={"body": "Nej"}).status_code == 403
    assert ok(requests.post(f"{thread}/{reply['id']}/reports", headers=karen, json={"reason": "off topic"}),
              201)["status"] == "open"
    assert requests.post(f"{thread}/{reply['id']}/hide", headers=lise, json={"reason": "x"}).status_code == 403
    ok(requests.post(f"{thread}/{reply['id']}/hide", headers=staff, json={"reason": "Uden for emnet"}))
    hidden = ok(requests.get(thread))[0]["replies"][0]
    assert hidden["hidden"] and hidden["body"] is None and hidden["hidden_reason"] == "Uden for emnet"
