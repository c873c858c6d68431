"""Notifications end to end: a meeting rescheduled reaches its registrants (inbox and
e-mail, each in their language), a webhook subscriber (signed per Standard
Webhooks), the Atom feed and the catch-up log, with no personal data in
anything public; SMTP outages, failing webhooks, forbidden targets, digests.

Meeting events are published straight to the internal exchange in the relay's
format, so these tests do not depend on the meetings service.
"""
import datetime as dt
import email
import json
import os
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from email import policy
from urllib.parse import parse_qs, urlsplit

import eventlet
import eventlet.wsgi
import pytest
import requests
import sqlalchemy as sa
from prometheus_client import REGISTRY
from standardwebhooks import Webhook

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.db import engine_for
from samskab.testing import Subscriber, http_port, wait_for

from gateway.api.auth import hasher
from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from notifications.messages import TEXTS
from notifications.service import Service as Notifications

pytestmark = pytest.mark.integration

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEOPLE = [("Karen Kjærgaard", "karen.kjaergaard@example.org", "da"),
          ("Oliver Hansen", "oliver.hansen@example.org", "en")]
MEETING_TITLE = "Borgermøde om grøn pendling"
ACCOUNT_SUBJECTS = {TEXTS[t][language][0] for t in ("confirm_address", "password_reset") for language in TEXTS[t]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



class SmtpSink:
    """The real aiosmtpd sink (``python -m notifications.mailsink``) in its own process.

    A port from :func:`free_port` is free when it is asked for, not when the sink binds
    it: another process (any outgoing connection) may take it meanwhile.  The sink's own
    process must then be alive on it, not merely something answering there; made with
    ``port=None``, it takes another port and tries again (start it before its port is
    given to the services)."""

    def __init__(self, port, directory):
        self.movable = port is None
        self.port, self.directory, self.proc = port or free_port(), directory, None

    def start(self, attempts=3):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")])}
        for _ in range(attempts):
            self.proc = subprocess.Popen([sys.executable, "-m", "notifications.mailsink", "--port", str(self.port),
                                          "--dir", str(self.directory), "--reject", r"@bounce\.example\.org$"],
                                         env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            # It says "mail sink on smtp://…" once it listens, and exits if it cannot bind: something
            # else answering on the port is not the sink.
            if self.proc.stdout.readline().startswith("mail sink on"):
                self.proc.stdout.close()
                return self
            self.proc.wait(10)
            if not self.movable:
                raise RuntimeError(f"the SMTP sink could not listen on port {self.port} (taken meanwhile)")
            self.port = free_port()
        raise RuntimeError("the SMTP sink found no free port")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def messages(self, account=False):
        """What the sink received; without ``account``, leaving out the address
        confirmations the gateway asks for on every registration."""
        if not os.path.isdir(self.directory):
            return []
        found = []
        for name in sorted(os.listdir(self.directory)):
            with open(os.path.join(self.directory, name), "rb") as fh:
                found.append(email.message_from_bytes(fh.read(), policy=policy.default))
        return found if account else [m for m in found if m["Subject"] not in ACCOUNT_SUBJECTS]


class Receiver:
    """A webhook receiver on loopback that answers with ``status``."""

    def __init__(self, status=200):
        self.status = status
        self.received = []
        self.sock = eventlet.listen(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.gt = eventlet.spawn(eventlet.wsgi.server, self.sock, self.app, log_output=False)

    def app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        self.received.append((headers, body))
        start_response(f"{self.status} X", [("Content-Type", "text/plain")])
        return [b"ok"]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self):
        self.gt.kill()
        self.sock.close()


@pytest.fixture
def sink(tmp_path):
    s = SmtpSink(free_port(), tmp_path / "mail")
    yield s
    s.stop()


@pytest.fixture
def platform(runner_factory, make_config, broker_uri, sink):
    gateway_config = make_config("gateway")
    notifications_config = make_config(
        "notifications", NOTIFICATIONS_SMTP_PORT=str(sink.port), NOTIFICATIONS_POLL_SECONDS="0.1",
        NOTIFICATIONS_DIGEST_POLL_SECONDS="0.2", NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS="0.1", NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS="3",
        NOTIFICATIONS_WEBHOOK_DISABLE_AFTER="3", NOTIFICATIONS_MAIL_BACKOFF_SECONDS="0.2",
        NOTIFICATIONS_SECRET="test-notifications-secret",
    )
    gateway_runner = runner_factory(gateway_config, Gateway)
    notifications_runner = runner_factory(notifications_config, Notifications)
    gateway_runner.start()
    notifications_runner.start()
    base = f"http://127.0.0.1:{http_port(gateway_runner.service_map['gateway'])}/api/v1"
    return {"base": base, "amqp": broker_uri, "gateway_db": gateway_config["DATABASE_URL"],
            "db": notifications_config["DATABASE_URL"], "config": notifications_config,
            "runner": notifications_runner, "runner_factory": runner_factory}


def token(base, address, password="correct horse battery"):
    t = requests.post(f"{base}/auth/token", json={"email": address, "password": password})
    assert t.status_code == 200, t.text
    return {"Authorization": f"Bearer {t.json()['access_token']}"}


def register(base, name, address, language, municipality="aalborg"):
    r = requests.post(f"{base}/auth/register", json={
        "email": address, "password": "correct horse battery", "display_name": name,
        "municipality": municipality, "language": language})
    assert r.status_code == 201, r.text
    return r.json()["id"], token(base, address)


def account_with_role(platform, role, address):
    with engine_for(platform["gateway_db"]).begin() as conn:
        conn.execute(accounts.insert().values(
            id=uuid.uuid4(), email=address, password_hash=hasher.hash("correct horse battery"),
            display_name=role.capitalize(), municipality="aalborg", role=role, language="en"))
    return token(platform["base"], address)


def operator(platform):
    return account_with_role(platform, "operator", "operator@samskab.test")


def operator_token(platform):
    """The operator made by :func:`operator`, signed in again."""
    return token(platform["base"], "operator@samskab.test")


def publish(amqp_uri, type_name, data, subject, municipality="aalborg"):
    """As the meetings service's outbox relay would: the full event internally, its projection publicly."""
    envelope = events.make(type_name, municipality=municipality, service="meetings", subject=subject, data=data)
    key = events.routing_key(municipality, type_name)
    batch = [(events.EVENTS_EXCHANGE, key, envelope)]
    public = events.public_envelope(envelope)
    if public is not None:
        batch.append((events.PUBLIC_EXCHANGE, key, public))
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        publisher.publish_batch(batch)
    finally:
        publisher.close()
    return envelope


def publish_envelope(amqp_uri, envelope):
    """Deliver an already published event once more (a redelivery)."""
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, events.routing_key(envelope["municipality"], envelope["type"]),
                                  envelope)])
    finally:
        publisher.close()


def meeting_data(meeting_id, participant_ids, starts_at, type_extra=None):
    ends_at = starts_at + dt.timedelta(hours=2)
    return {
        "id": meeting_id, "municipality": "aalborg", "format": "working_citizens_meeting", "title": MEETING_TITLE,
        "purpose": "Hvordan kommer flere på cykel til Aalborg Øst?", "promise": "Forslagene går til byrådet.",
        "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "time_zone": "Europe/Copenhagen",
        "online": False, "capacity": 40, "status": "scheduled", "sequence": 2, "confirmed_count": len(participant_ids),
        "waitlist_count": 0, "seats_left": 40 - len(participant_ids), "changed": ["starts_at", "ends_at"],
        "participant_ids": participant_ids, **(type_extra or {}),
    }


def registration(meeting_id, participant_id, n):
    return {"registration_id": str(uuid.uuid4()), "meeting_id": meeting_id, "municipality": "aalborg",
            "participant_id": participant_id, "group": "resident", "status": "confirmed",
            "confirmed_count": n, "waitlist_count": 0, "seats_left": 40 - n}


def wait_for_contacts(platform, count):
    engine = engine_for(platform["db"])

    def known():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM participants")).scalar() >= count

    wait_for(known, what="participant contact details")


def api_key_and_webhook(platform, receiver, types=("meeting.*",)):
    base = platform["base"]
    key = requests.post(f"{base}/municipalities/aalborg/api-keys", headers=operator(platform),
                        json={"name": "Nordjyske", "contact_email": "webmaster@nordjyske.test"})
    assert key.status_code == 201, key.text
    api = {"X-Api-Key": key.json()["key"]}
    hook = requests.post(f"{base}/municipalities/aalborg/webhooks", headers=api,
                         json={"url": receiver.url, "types": list(types)})
    assert hook.status_code == 201, hook.text
    return api, hook.json()


def test_a_rescheduled_meeting_reaches_registrants_webhooks_and_the_feed_without_personal_data(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    public_stream = Subscriber(amqp, "aalborg.#")
    people = {}
    for name, address, language in PEOPLE:
        people[address] = register(base, name, address, language)
    wait_for_contacts(platform, len(PEOPLE))
    receiver = Receiver()
    api, hook = api_key_and_webhook(platform, receiver)
    assert hook["secret"].startswith("whsec_")

    meeting_id = str(uuid.uuid4())
    ids = [pid for pid, _ in people.values()]
    for n, pid in enumerate(ids, start=1):
        publish(amqp, "samskab.registration.confirmed", registration(meeting_id, pid, n), f"meetings/{meeting_id}")
    new_start = dt.datetime(2026, 12, 3, 18, 0, tzinfo=dt.timezone.utc)
    updated = publish(amqp, "samskab.meeting.updated", meeting_data(meeting_id, ids, new_start), f"meetings/{meeting_id}")

    # Inbox: one entry each about the change.
    for address, (pid, headers) in people.items():
        def changes():
            r = requests.get(f"{base}/me/notifications", headers=headers)
            assert r.status_code == 200, r.text
            return [i for i in r.json()["items"] if i["kind"] == "meeting_change"] or None
        [entry] = wait_for(changes, what="the inbox entry")
        assert MEETING_TITLE in entry["title"] and entry["read_at"] is None

    # E-mail: one each about the change, in their own language, with one-click unsubscribe.
    def change_mails():
        found = [m for m in sink.messages() if "ændret" in m["Subject"] or "has changed" in m["Subject"]]
        return found if len(found) >= 2 else None
    wait_for(change_mails, what="two e-mails")
    time.sleep(0.5)  # nothing more comes
    mails = change_mails()
    assert sorted(m["To"] for m in mails) == sorted(a for _, a, _ in PEOPLE)
    by_to = {m["To"]: m for m in mails}
    danish = by_to["karen.kjaergaard@example.org"]
    assert danish["Subject"] == f"Mødet „{MEETING_TITLE}“ er ændret"
    assert "3. december 2026 kl. 19.00" in danish.get_body(("plain",)).get_content()  # Copenhagen time
    english = by_to["oliver.hansen@example.org"]
    assert english["Subject"] == f"The meeting “{MEETING_TITLE}” has changed"
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The same event delivered again has no second effect.
    publish_envelope(amqp, updated)
    time.sleep(1.0)
    assert len(change_mails()) == 2

    # Reading the inbox.
    karen = people["karen.kjaergaard@example.org"][1]
    r = requests.post(f"{base}/me/notifications/read", headers=karen, json={"all": True})
    assert r.status_code == 200 and r.json()["marked"] >= 1
    assert requests.get(f"{base}/me/notifications", headers=karen).json()["unread"] == 0

    # The webhook got it, signed per Standard Webhooks.
    wait_for(lambda: receiver.received, what="the webhook delivery")
    time.sleep(0.3)
    [(hook_headers, hook_body)] = receiver.received
    payload = Webhook(hook["secret"]).verify(hook_body, hook_headers)
    assert payload["id"] == updated["id"] and payload["type"] == "samskab.meeting.updated"
    assert hook_headers["webhook-id"] == updated["id"]
    assert "participant_ids" not in payload["data"]
    log = requests.get(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/deliveries", headers=api).json()
    assert [(d["event_type"], d["status"]) for d in log["deliveries"]] == [("samskab.meeting.updated", "succeeded")]

    # The Atom feed and the catch-up log show it.
    feed = requests.get(f"{base}/municipalities/aalborg/feed.atom")
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert f"urn:uuid:{updated['id']}" in [e.find("a:id", ns).text for e in entries]
    page = requests.get(f"{base}/municipalities/aalborg/events").json()
    types = [e["type"] for e in page["events"]]
    assert types.count("samskab.meeting.updated") == 1 and types.count("samskab.registration.confirmed") == 2
    rest = requests.get(f"{base}/municipalities/aalborg/events", params={"after": page["next"]}).json()
    assert rest["events"] == []
    assert requests.get(f"{base}/municipalities/hamar/events").json()["events"] == []
    open_data = requests.get(f"{base}/municipalities/aalborg/open-data.json").json()
    assert [m["title"] for m in open_data["meetings"]] == [MEETING_TITLE]
    csv_text = requests.get(f"{base}/municipalities/aalborg/open-data.csv", params={"dataset": "meetings"}).text
    assert MEETING_TITLE in csv_text

    # No personal data in anything public: stream, webhook bodies, feed, log, open data.
    public = [body for _, _, body in public_stream.drain(timeout=1.0)]
    assert public, "the public stream carried the events"
    scanned = public + [b for _, b in receiver.received] + [feed.content, json.dumps(page).encode(),
                                                           json.dumps(open_data).encode(), csv_text.encode()]
    secrets = [n for n, _, _ in PEOPLE] + [a for _, a, _ in PEOPLE] + ids + ["Karen", "Oliver", "@example.org"]
    for blob in scanned:
        text = blob.decode("utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into a public document"
    public_stream.close()

    # One-click unsubscribe from the e-mail's own header (RFC 8058).
    link = english["List-Unsubscribe"].strip("<>")
    token_value = parse_qs(urlsplit(link).query)["token"][0]
    r = requests.post(f"{base}/unsubscribe", params={"token": token_value},
                      data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200, r.text
    prefs = requests.get(f"{base}/me/preferences", headers=people["oliver.hansen@example.org"][1]).json()
    assert prefs["preferences"]["meeting_change"]["email"] == "off"
    assert prefs["preferences"]["meeting_change"]["inbox"] == "immediate"
    receiver.close()


def test_forbidden_webhook_targets_are_refused_at_subscription(platform):
    base = platform["base"]
    receiver = Receiver()
    api, _ = api_key_and_webhook(platform, receiver)
    for url in ("http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/x",
                "file:///etc/passwd"):
        r = requests.post(f"{base}/municipalities/aalborg/webhooks", headers=api, json={"url": url, "types": ["#"]})
        assert r.status_code == 422, (url, r.text)
        assert r.json()["errors"][0]["field"] == "url"
    assert len(requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api).json()) == 1
    ops = operator_token(platform)
    [listed] = requests.get(f"{base}/municipalities/aalborg/api-keys", headers=ops).json()
    assert api["X-Api-Key"].startswith(listed["key_prefix"]) and "key" not in listed
    r = requests.delete(f"{base}/municipalities/aalborg/api-keys/{listed['id']}", headers=ops)
    assert r.status_code == 200, r.text
    r = requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api)
    assert r.status_code == 401, "a revoked key opens nothing"
    r = requests.post(f"{base}/municipalities/aalborg/webhooks", json={"url": receiver.url, "types": ["#"]})
    assert r.status_code == 401
    r = requests.post(f"{base}/municipalities/aalborg/api-keys", json={"name": "x", "contact_email": "a@b.test"},
                      headers=register(base, "Some One", "someone@example.org", "da")[1])
    assert r.status_code == 403
    receiver.close()


def test_a_failing_webhook_is_retried_then_disabled_and_its_owner_told(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    internal = Subscriber(amqp, "aalborg.webhook.disabled", exchange="samskab.events")
    receiver = Receiver(status=500)
    api, hook = api_key_and_webhook(platform, receiver)
    failed_before = REGISTRY.get_sample_value("samskab_webhook_deliveries_failed_total") or 0
    meeting_id = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated", meeting_data(meeting_id, [], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)),
            f"meetings/{meeting_id}")

    def disabled():
        hooks = requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api).json()
        return hooks[0]["status"] == "disabled" and hooks[0]
    found = wait_for(disabled, what="the webhook to be disabled")
    assert found["failures_in_a_row"] == 3
    assert len(receiver.received) == 3, "three attempts, then no more"
    log = requests.get(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/deliveries", headers=api).json()
    [delivery] = log["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("failed", 3, 500)
    assert REGISTRY.get_sample_value("samskab_webhook_deliveries_failed_total") == failed_before + 1
    [(_, _, body)] = internal.drain(expect=1)
    assert json.loads(body)["data"]["subscription_id"] == hook["id"]
    told = wait_for(lambda: [m for m in sink.messages() if m["To"] == "webmaster@nordjyske.test"], what="owner's e-mail")
    assert "Webhook" in told[0]["Subject"]
    time.sleep(0.5)
    assert len(receiver.received) == 3
    internal.close()
    receiver.close()


def test_e_mails_wait_out_an_smtp_outage_and_arrive_once(platform, sink):
    base, amqp = platform["base"], platform["amqp"]
    pid, _ = register(base, *PEOPLE[0])
    wait_for_contacts(platform, 1)
    meeting_id = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.cancelled",
            {**meeting_data(meeting_id, [pid], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)),
             "status": "cancelled", "reason": "Salen er oversvømmet"}, f"meetings/{meeting_id}")
    engine = engine_for(platform["db"])

    def retried():
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT attempts FROM email_deliveries WHERE status = 'pending' AND attempts >= 2 "
                "AND purpose = 'immediate'")).first()
    wait_for(retried, what="failed attempts while SMTP is down")
    sink.start()
    mails = wait_for(lambda: sink.messages() or None, timeout=20, what="the e-mail after the outage")
    time.sleep(1.0)
    mails = sink.messages()
    assert len(mails) == 1
    assert mails[0]["Subject"] == f"Mødet „{MEETING_TITLE}“ er aflyst"
    assert "Salen er oversvømmet" in mails[0].get_body(("plain",)).get_content()
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT status FROM email_deliveries WHERE purpose = 'immediate'")).scalars().all() == ["sent"]


def test_digests_go_out_once_per_period_none_skipped_even_across_a_restart(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    pid, headers = register(base, *PEOPLE[1])
    r = requests.put(f"{base}/me/preferences", headers=headers, json={"meeting_change": {"email": "daily"}})
    assert r.status_code == 200, r.text
    r = requests.put(f"{base}/me/preferences", headers=headers, json={"meeting_change": {"email": "hourly"}})
    assert r.status_code == 422
    wait_for_contacts(platform, 1)
    for n in range(3):
        meeting_id = str(uuid.uuid4())
        publish(amqp, "samskab.meeting.updated",
                meeting_data(meeting_id, [pid], dt.datetime(2026, 12, 3 + n, 18, tzinfo=dt.timezone.utc)),
                f"meetings/{meeting_id}")
    engine = engine_for(platform["db"])

    def held():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM digest_items")).scalar() == 3
    wait_for(held, what="the notifications held for the digest")
    time.sleep(0.5)
    assert sink.messages() == [], "nothing is sent before the day is over"
    # As if the service had been away over two midnights: one item belongs to the
    # day before yesterday, two to yesterday. Each day gets its digest.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE digest_items SET period_start = period_start - interval '1 day', "
                             "period_end = period_end - interval '1 day'"))
        conn.execute(sa.text("UPDATE digest_items SET period_start = period_start - interval '1 day', "
                             "period_end = period_end - interval '1 day' WHERE id = (SELECT min(id) FROM digest_items)"))
    digests = wait_for(lambda: len(sink.messages()) >= 2 and sink.messages(), what="the two digests")
    assert sorted(m["Subject"] for m in digests) == ["Your Samskab summary (1)", "Your Samskab summary (2)"]
    platform["runner"].stop()
    again = platform["runner_factory"](platform["config"], Notifications)
    again.start()
    time.sleep(1.5)
    assert len(sink.messages()) == 2
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*), sum(item_count) FROM digest_runs")).first() == (2, 3)


def test_an_erased_participant_leaves_no_contact_details_inbox_or_e_mail_behind(platform, sink):
    base, amqp = platform["base"], platform["amqp"]
    pid, headers = register(base, *PEOPLE[0])
    wait_for_contacts(platform, 1)
    meeting_id = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated",
            meeting_data(meeting_id, [pid], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)), f"meetings/{meeting_id}")
    engine = engine_for(platform["db"])

    def stored():
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*) FROM email_deliveries WHERE purpose = 'immediate'")).scalar() == 1
    wait_for(stored, what="the e-mail waiting (SMTP is down)")
    publish(amqp, "samskab.participant.erased", {"id": pid, "municipality": "aalborg"}, f"participants/{pid}")

    def gone():
        with engine.connect() as conn:
            return all(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0
                       for table in ("participants", "notifications", "email_deliveries", "memberships"))
    wait_for(gone, what="erasure")
    # events that come after the erasure (late, or replayed) bring nothing back
    publish(amqp, "samskab.participant.updated", {
        "id": pid, "municipality": "aalborg", "role": "resident", "language": "da", "email": PEOPLE[0][1],
        "display_name": PEOPLE[0][0]}, f"participants/{pid}")
    publish(amqp, "samskab.participant.password_reset_requested", {
        "id": pid, "municipality": "aalborg", "language": "da", "email": PEOPLE[0][1],
        "reset_url": "http://localhost:8000/account/reset?token=late"}, f"participants/{pid}")
    publish(amqp, "samskab.meeting.updated",
            meeting_data(meeting_id, [pid], dt.datetime(2026, 12, 4, 18, tzinfo=dt.timezone.utc)), f"meetings/{meeting_id}")
    sink.start()
    time.sleep(1.5)
    assert gone()
    assert sink.messages(account=True) == []


def test_address_confirmation_and_password_reset_are_mailed_at_once_whatever_the_preferences(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    pid, headers = register(base, *PEOPLE[0])
    r = requests.put(f"{base}/me/preferences", headers=headers, json={
        kind: {"email": "off"} for kind in ("meeting_change", "registration", "proposal_status",
                                            "proposal_activity", "proposal_triage", "matches")})
    assert r.status_code == 200, r.text
    wait_for_contacts(platform, 1)
    # what the gateway emits when someone asks (the gateway's own request happens on registration too)
    publish(amqp, "samskab.participant.confirmation_requested", {
        "id": pid, "municipality": "aalborg", "email": "karen.new@example.org", "language": "da",
        "confirm_url": "http://localhost:8000/account/confirm?token=s3cr3t"}, f"participants/{pid}")
    publish(amqp, "samskab.participant.password_reset_requested", {
        "id": pid, "municipality": "aalborg", "language": "da", "email": PEOPLE[0][1],
        "reset_url": "http://localhost:8000/account/reset?token=r3s3t"},
        f"participants/{pid}")

    def mails():
        found = {(m["To"], m["Subject"]): m for m in sink.messages(account=True)}
        wanted = {("karen.new@example.org", "Bekræft din e-mailadresse"), (PEOPLE[0][1], "Nulstil din adgangskode")}
        return found if wanted <= set(found) else None
    found = wait_for(mails, what="the confirmation and reset e-mails")
    confirm = found[("karen.new@example.org", "Bekræft din e-mailadresse")]
    assert "http://localhost:8000/account/confirm?token=s3cr3t" in confirm.get_body(("plain",)).get_content()
    assert confirm["List-Unsubscribe"] is None
    reset = found[(PEOPLE[0][1], "Nulstil din adgangskode")]
    assert "http://localhost:8000/account/reset?token=r3s3t" in reset.get_body(("plain",)).get_content()


def test_a_refused_address_is_recorded_as_failed_and_shown_to_staff(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    pid, resident = register(base, "Gone Away", "gone@bounce.example.org", "da")
    wait_for_contacts(platform, 1)
    meeting_id = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated",
            meeting_data(meeting_id, [pid], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)), f"meetings/{meeting_id}")
    staff = account_with_role(platform, "employee", "staff@aalborg.test")

    def failed():  # (the address confirmation sent on registration bounces too)
        r = requests.get(f"{base}/municipalities/aalborg/email-deliveries", headers=staff)
        assert r.status_code == 200, r.text
        return [d for d in r.json() if d["purpose"] == "immediate"]
    [delivery] = wait_for(failed, what="the failure to be recorded")
    assert delivery["participant_id"] == pid and delivery["attempts"] == 1 and delivery["last_error"].startswith("550")
    assert "bounce.example.org" not in json.dumps(delivery), "staff see ids and errors, not addresses"
    assert requests.get(f"{base}/municipalities/aalborg/email-deliveries", headers=resident).status_code == 403
    assert sink.messages() == []


def proposal_data(proposal_id, initiator_id, status, **extra):
    return {"id": proposal_id, "municipality": "aalborg", "kind": "development", "title": "Grønnere pendling",
            "problem": "Most commuters drive alone.", "goal": "Half use bike, bus or car pooling by 2028.",
            "language": "da", "status": status, "initiator_id": initiator_id, "initiator_role": "resident",
            "created_at": "2026-11-20T10:00:00+00:00", **extra}


def test_a_proposal_moving_on_reaches_its_initiator_supporters_and_followers_and_new_ones_reach_staff(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    initiator, initiator_h = register(base, "Ida Initiativ", "ida@example.org", "da")
    supporter, supporter_h = register(base, "Sune Støtte", "sune@example.org", "en")
    follower, follower_h = register(base, "Freja Følger", "freja@example.org", "da")
    bystander, bystander_h = register(base, "Bo Udenfor", "bo@example.org", "da")
    staff_h = account_with_role(platform, "employee", "staff@aalborg.test")
    staff_id = requests.get(f"{base}/me", headers=staff_h).json()["id"]
    publish(amqp, "samskab.participant.registered", {
        "id": staff_id, "municipality": "aalborg", "role": "employee", "language": "da",
        "email": "staff@aalborg.test", "display_name": "Employee"}, f"participants/{staff_id}")
    wait_for_contacts(platform, 5)
    pid = str(uuid.uuid4())
    subject = f"proposals/{pid}"
    publish(amqp, "samskab.proposal.submitted", proposal_data(pid, initiator, "submitted"), subject)
    publish(amqp, "samskab.proposal.supported", {"proposal_id": pid, "municipality": "aalborg",
                                                 "participant_id": supporter, "support_count": 1}, subject)
    publish(amqp, "samskab.proposal.followed", {"proposal_id": pid, "municipality": "aalborg",
                                                "participant_id": follower, "following": True}, subject)
    time.sleep(1.0)
    publish(amqp, "samskab.proposal.status_changed", proposal_data(
        pid, initiator, "active", from_status="forming", reason="Aftalen er på plads", changed_by="staff",
        actor_id=staff_id), subject)

    def inbox(headers):
        return requests.get(f"{base}/me/notifications", headers=headers).json()["items"]

    for headers in (initiator_h, supporter_h, follower_h):
        [entry] = wait_for(lambda: [i for i in inbox(headers) if i["event_type"] == "samskab.proposal.status_changed"],
                           what="the status change in the inbox")
    assert entry["title"] == "Nyt om „Grønnere pendling“" and "status „I gang“" in entry["body"]  # named as on the pages
    [triage] = wait_for(lambda: [i for i in inbox(staff_h) if i["kind"] == "proposal_triage"], what="triage")
    assert triage["title"] == "Nyt forslag: „Grønnere pendling“"
    assert [i for i in inbox(staff_h) if i["event_type"] == "samskab.proposal.status_changed"] == [], \
        "who made the change is not told about it"
    assert inbox(bystander_h) == []
    publish(amqp, "samskab.proposal.matches_suggested", {
        "proposal_id": pid, "municipality": "aalborg", "total": 1, "by_kind": [{"kind": "resident", "count": 1}],
        "needs_met": 1, "needs_total": 2,
        "participants": [{"participant_id": bystander, "kind": "resident", "score": 0.8, "municipality": "aalborg"}]},
        subject)
    [match] = wait_for(lambda: inbox(bystander_h) or None, what="the match in the inbox")
    assert match["kind"] == "matches" and match["title"] == "Dine evner efterlyses: „Grønnere pendling“"
    wait_for(lambda: len(sink.messages()) >= 3, what="three e-mails")
    time.sleep(0.5)
    subjects = sorted((m["To"], m["Subject"]) for m in sink.messages())
    assert subjects == [("freja@example.org", "Nyt om „Grønnere pendling“"),
                        ("ida@example.org", "Nyt om „Grønnere pendling“"),
                        ("sune@example.org", "News about “Grønnere pendling”")], \
        "triage e-mails wait for the daily digest, matches for the weekly one"


def test_a_new_subscriber_catches_up_from_the_log_then_the_queue_without_a_gap(platform):
    base, amqp = platform["base"], platform["amqp"]
    published = []

    def one():
        meeting_id = str(uuid.uuid4())
        published.append(publish(amqp, "samskab.meeting.scheduled", meeting_data(
            meeting_id, [], dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)), f"meetings/{meeting_id}")["id"])

    for _ in range(3):
        one()  # history, before the subscriber exists
    queue = Subscriber(amqp, "aalborg.#")  # 1. bind first
    for _ in range(2):
        one()  # while it catches up

    def logged():
        return len(requests.get(f"{base}/municipalities/aalborg/events", params={"limit": 500}).json()["events"]) == 5
    wait_for(logged, what="the log to hold all five")
    seen, cursor, pages = [], "", 0
    while True:  # 2. page the history to its end
        page = requests.get(f"{base}/municipalities/aalborg/events", params={"after": cursor, "limit": 2}).json()
        seen += [e["id"] for e in page["events"]]
        cursor, pages = page["next"], pages + 1
        if not page["more"]:
            break
    assert pages >= 3
    for _, _, body in queue.drain(expect=2):  # 3. then the queue, skipping what the log gave
        event_id = json.loads(body)["id"]
        if event_id not in seen:
            seen.append(event_id)
    queue.close()
    # every event exactly once (the log's order is the order notifications committed them)
    assert len(seen) == len(set(seen)) and set(seen) == set(published)
    r = requests.get(f"{base}/municipalities/aalborg/events", params={"after": "not-a-cursor"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"
