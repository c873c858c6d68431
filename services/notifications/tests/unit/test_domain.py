"""Fast tests of the notifications domain: no broker, no database."""
import datetime as dt
import email
import socket
import xml.etree.ElementTree as ET
from email import policy

import pytest
from standardwebhooks import Webhook

from samskab.errors import Invalid

from notifications import atom, digests, messages, preferences, rules, webhooks

P1, P2, P3, STAFF = ("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222",
                     "33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444")


# -- who -----------------------------------------------------------------------------

def test_registrations_move_people_between_registrants_and_waitlist():
    data = {"meeting_id": "m1", "participant_id": P1}
    waiting = rules.AUDIENCE["samskab.registration.waitlisted"].memberships(data)
    promoted = rules.AUDIENCE["samskab.registration.promoted"].memberships(data)
    cancelled = rules.AUDIENCE["samskab.registration.cancelled"].memberships(data)
    assert [(m.op, m.relation) for m in waiting] == [("add", "waitlisted")]
    assert [(m.op, m.relation) for m in promoted] == [("remove", "waitlisted"), ("add", "registrant")]
    assert {(m.op, m.relation) for m in cancelled} == {("remove", "registrant"), ("remove", "waitlisted")}
    assert promoted[0].subject == "meetings/m1"


def test_unfollowing_removes_the_follower():
    rule = rules.AUDIENCE["samskab.proposal.followed"]
    assert [m.op for m in rule.memberships({"proposal_id": "p", "participant_id": P1, "following": True})] == ["add"]
    assert [m.op for m in rule.memberships({"proposal_id": "p", "participant_id": P1, "following": False})] == ["remove"]


def test_a_meeting_change_reaches_each_registrant_and_waiting_person_once():
    rule = rules.NOTIFY["samskab.meeting.updated"]
    members = [(P1, "registrant"), (P2, "waitlisted"), (P3, "something_else")]
    got = rules.resolve_recipients(rule, {"id": "m1", "participant_ids": [P1]}, members, [STAFF])
    assert got == [P1, P2]


def test_new_proposals_go_to_staff_and_status_changes_skip_whoever_made_them():
    submitted = rules.NOTIFY["samskab.proposal.submitted"]
    assert rules.resolve_recipients(submitted, {"id": "p"}, [], [STAFF]) == [STAFF]
    changed = rules.NOTIFY["samskab.proposal.status_changed"]
    members = [(P1, "initiator"), (P2, "supporter"), (P3, "follower")]
    assert rules.resolve_recipients(changed, {"id": "p", "actor_id": P1}, members, [STAFF]) == [P2, P3]


def test_only_registered_types_are_consumed():
    class T:
        public = None

    class Pub:
        public = object

    registered = {"samskab.meeting.updated": T, "samskab.x.y": Pub, "samskab.participant.erased": T, "samskab.z.w": T}
    assert rules.consumed_types(registered) == ["samskab.meeting.updated", "samskab.participant.erased", "samskab.x.y"]


# -- preferences ---------------------------------------------------------------------

def test_defaults_tell_at_once_what_concerns_you_and_gather_the_rest():
    eff = preferences.effective({})
    assert eff["meeting_change"] == {"inbox": "immediate", "email": "immediate"}
    assert eff["proposal_triage"]["email"] == "daily"
    eff = preferences.effective({("meeting_change", "email"): "weekly"})
    assert eff["meeting_change"]["email"] == "weekly" and eff["registration"]["email"] == "immediate"


def test_bad_preferences_name_every_bad_field():
    with pytest.raises(Invalid) as caught:
        preferences.validate({"meeting_change": {"email": "hourly", "sms": "off"}, "gossip": {"inbox": "off"}})
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"meeting_change.email", "meeting_change.sms", "gossip"}
    with pytest.raises(Invalid):
        preferences.validate({"meeting_change": {"inbox": "daily"}})  # the inbox is not a digest


# -- messages ------------------------------------------------------------------------

@pytest.mark.parametrize("language, subject, line", [
    ("da", "Mødet „Trafik i Øst“ er ændret", "Det holdes nu 3. december 2026 kl. 19.00."),
    ("nb", "Møtet «Trafik i Øst» er endret", "Det holdes nå 3. desember 2026 kl. 19.00."),
    ("nn", "Møtet «Trafik i Øst» er endra", "Det blir no halde 3. desember 2026 kl. 19.00."),
    ("en", "The meeting “Trafik i Øst” has changed", "It now takes place on 3 December 2026 at 19:00."),
])
def test_a_meeting_change_reads_naturally_in_each_language(language, subject, line):
    params = {"title": "Trafik i Øst", "when": "2026-12-03T18:00:00Z", "time_zone": "Europe/Copenhagen"}
    got_subject, lines = messages.render("meeting_updated", language, params)
    assert got_subject == subject
    assert lines[-1] == line


def test_a_line_whose_value_is_missing_is_left_out():
    _, lines = messages.render("meeting_cancelled", "en", {"title": "T", "reason": ""})
    assert lines == ["The meeting “T” you registered for has been cancelled."]


def test_the_email_has_text_html_and_one_click_unsubscribe():
    raw = messages.build_email(sender="Samskab <noreply@x.test>", to="ida@example.org", language="nb", name="Ida",
                               subject="Møtet «A» er endret", lines=["Linje <b>1</b>"], link="https://x.test/m",
                               unsubscribe_url="https://x.test/api/v1/unsubscribe?token=t")
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "Møtet «A» er endret"
    assert msg["List-Unsubscribe"] == "<https://x.test/api/v1/unsubscribe?token=t>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Content-Language"] == "nb"
    text = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "Hei Ida," in text and "Linje <b>1</b>" in text
    assert "Linje &lt;b&gt;1&lt;/b&gt;" in html_part  # escaped, not markup


def test_unsubscribe_tokens_cannot_be_forged():
    token = messages.unsubscribe_token("s3cret", P1, "meeting_change")
    assert messages.read_unsubscribe_token("s3cret", token) == (P1, "meeting_change")
    assert messages.read_unsubscribe_token("other", token) is None
    assert messages.read_unsubscribe_token("s3cret", token.replace("meeting_change", "all")) is None


# -- digests --------------------------------------------------------------------------

def test_a_daily_period_is_the_local_day():
    moment = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.timezone.utc)  # already the 27th in Copenhagen
    start, end = digests.period_of(moment, "daily", "Europe/Copenhagen")
    assert start == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.timezone.utc)
    assert end - start == dt.timedelta(hours=24)


def test_a_day_with_a_clock_change_is_23_hours_and_weeks_start_on_monday():
    start, end = digests.period_of(dt.datetime(2026, 3, 29, 12, tzinfo=dt.timezone.utc), "daily", "Europe/Oslo")
    assert end - start == dt.timedelta(hours=23)
    start, end = digests.period_of(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc), "weekly", "UTC")
    assert start.weekday() == 0 and start.day == 23 and end - start == dt.timedelta(days=7)


def test_consecutive_periods_leave_no_gap():
    moment = dt.datetime(2026, 10, 24, 12, tzinfo=dt.timezone.utc)
    _, end = digests.period_of(moment, "daily", "Europe/Copenhagen")
    next_start, _ = digests.period_of(end, "daily", "Europe/Copenhagen")
    assert next_start == end


# -- webhooks ---------------------------------------------------------------------------

def test_signatures_verify_with_the_standard_webhooks_library():
    secret = webhooks.new_secret()
    body = b'{"id":"e1","type":"samskab.meeting.updated"}'
    import time
    now = time.time()
    headers = webhooks.headers(secret, "e1", now, body)
    assert Webhook(secret).verify(body, headers) == {"id": "e1", "type": "samskab.meeting.updated"}
    with pytest.raises(Exception):
        Webhook(webhooks.new_secret()).verify(body, headers)


def _resolver(address):
    return lambda host, port, type=None: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "0.0.0.0"])
def test_private_loopback_and_link_local_targets_are_refused(address):
    with pytest.raises(Invalid) as caught:
        webhooks.check_target("https://hooks.example.net/x", resolve=_resolver(address))
    assert caught.value.errors[0]["field"] == "url"


def test_allowed_networks_and_public_https_targets_pass():
    assert webhooks.check_target("https://hooks.example.net/x", resolve=_resolver("93.184.216.34"))
    assert webhooks.check_target("http://localhost:8080/x", allowed_networks="127.0.0.0/8", resolve=_resolver("127.0.0.1"))
    with pytest.raises(Invalid):  # plain http to the public internet
        webhooks.check_target("http://hooks.example.net/x", resolve=_resolver("93.184.216.34"))
    with pytest.raises(Invalid):
        webhooks.check_target("ftp://hooks.example.net/x", resolve=_resolver("93.184.216.34"))


def test_patterns_use_the_routing_key_syntax():
    patterns = webhooks.validate_patterns(["samskab.meeting.*", "proposal.published"])
    assert webhooks.matches(patterns, "samskab.meeting.updated")
    assert webhooks.matches(patterns, "samskab.proposal.published")
    assert not webhooks.matches(patterns, "samskab.proposal.updated")
    assert webhooks.matches(["#"], "samskab.anything.v2")
    with pytest.raises(Invalid):
        webhooks.validate_patterns(["meeting.*; drop"])
    with pytest.raises(Invalid):
        webhooks.validate_patterns([])


def test_backoff_doubles_up_to_a_cap():
    assert [webhooks.backoff_seconds(n, 5, 30) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]


def test_api_keys_are_stored_as_hashes():
    key = webhooks.new_api_key()
    assert key.startswith("sk_") and webhooks.hash_api_key(key) != key and len(webhooks.hash_api_key(key)) == 64


# -- Atom and open data ------------------------------------------------------------------

ENVELOPE = {"id": "0b7f8a34-1d6c-4f0e-9a55-2d1b6a0f9e10", "type": "samskab.meeting.updated",
            "municipality": "aalborg", "subject": "meetings/m1", "time": "2026-11-26T10:00:00Z",
            "data": {"title": "Trafik & <Øst>", "starts_at": "2026-12-03T18:00:00Z", "status": "scheduled"}}


def test_the_feed_has_what_rfc_4287_requires():
    xml = atom.render_feed(municipality="aalborg", name="Aalborg Kommune", language="da",
                           self_url="http://x/api/v1/municipalities/aalborg/feed.atom", base_url="http://x",
                           envelopes=[ENVELOPE])
    root = ET.fromstring(xml)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for tag in ("id", "title", "updated", "author/a:name"):
        assert root.find(f"a:{tag}", ns) is not None, tag
    [entry] = root.findall("a:entry", ns)
    assert entry.find("a:id", ns).text == f"urn:uuid:{ENVELOPE['id']}"
    assert entry.find("a:title", ns).text == "Møde ændret: „Trafik & <Øst>“"  # in the feed's language
    assert entry.find("a:updated", ns).text == "2026-11-26T10:00:00Z"


def test_transactional_mail_has_its_link_and_no_unsubscribe():
    subject, lines = messages.render("password_reset", "nn", {})
    raw = messages.build_email(sender="Samskab <noreply@x.test>", to="ola@example.org", language="nn", name="",
                               subject=subject, lines=lines, link="https://x.test/reset?t=abc")
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "Tilbakestill passordet ditt"
    assert msg["List-Unsubscribe"] is None
    assert "https://x.test/reset?t=abc" in msg.get_body(("plain",)).get_content()
