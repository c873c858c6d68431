"""Webhooks managed after creation (issue 19), against the real broker and PostgreSQL:
secret rotation with an overlap in which both secrets sign, a test ping, delete,
and re-enable that resends what was held while the subscription was disabled."""
import datetime as dt
import time
import uuid

import pytest
import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from samskab.testing import wait_for

from test_notifications_e2e import (  # noqa: F401  (platform and sink fixtures; pytest puts this folder on sys.path)
    Receiver, api_key_and_webhook, meeting_data, operator_token, platform, publish, sink,
)

pytestmark = pytest.mark.integration


def verifies(secret, headers, body):
    try:
        Webhook(secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        return True
    except WebhookVerificationError:
        return False


def ping(base, api, hook):
    r = requests.post(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/ping", headers=api)
    assert r.status_code == 202, r.text
    return r.json()["event_id"]


def received(receiver, event_id):
    return wait_for(lambda: next(((h, b) for h, b in receiver.received if h["webhook-id"] == event_id), None),
                    what=f"delivery of {event_id}")


def test_a_rotated_secret_overlaps_with_the_old_one_then_only_the_new_one_signs(platform):
    base = platform["base"]
    receiver = Receiver()
    api, hook = api_key_and_webhook(platform, receiver)
    old = hook["secret"]

    headers, body = received(receiver, ping(base, api, hook))
    assert verifies(old, headers, body)

    r = requests.post(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/rotate-secret", headers=api,
                      json={"overlap_seconds": 3})
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new.startswith("whsec_") and new != old and r.json()["previous_secret_until"]
    listed = requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api).json()
    assert listed[0].get("secret") is None, "the secret is shown only when made"

    headers, body = received(receiver, ping(base, api, hook))
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verifies(old, headers, body) and verifies(new, headers, body)

    time.sleep(3.5)
    headers, body = received(receiver, ping(base, api, hook))
    assert verifies(new, headers, body)
    assert not verifies(old, headers, body)

    bad = requests.post(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/rotate-secret", headers=api,
                        json={"overlap_seconds": -1})
    assert bad.status_code == 422
    log = requests.get(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/deliveries", headers=api).json()
    assert [d["event_type"] for d in log["deliveries"]] == ["samskab.webhook.ping"] * 3
    assert all(d["status"] == "succeeded" for d in log["deliveries"])
    receiver.close()


def test_a_deleted_webhook_gets_nothing_more_and_only_its_owner_or_staff_may_delete_it(platform):
    base, amqp = platform["base"], platform["amqp"]
    receiver = Receiver()
    api, hook = api_key_and_webhook(platform, receiver)
    starts = dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)
    first = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated", meeting_data(first, [], starts), f"meetings/{first}")
    wait_for(lambda: len(receiver.received) == 1, what="the first event")

    anonymous = requests.delete(f"{base}/municipalities/aalborg/webhooks/{hook['id']}")
    assert anonymous.status_code == 401
    r = requests.delete(f"{base}/municipalities/aalborg/webhooks/{hook['id']}", headers=api)
    assert r.status_code == 200 and r.json() == {"deleted": hook["id"]}
    assert requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api).json() == []
    assert requests.delete(f"{base}/municipalities/aalborg/webhooks/{hook['id']}", headers=api).status_code == 404

    second = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated", meeting_data(second, [], starts), f"meetings/{second}")
    # the public log has it, so the notifications service handled it; still nothing sent
    wait_for(lambda: any(e["id"] for e in requests.get(f"{base}/municipalities/aalborg/events").json()["events"]
                         if e["data"].get("id") == second), what="the second event in the public log")
    time.sleep(1)
    assert len(receiver.received) == 1
    receiver.close()


def test_re_enabling_a_disabled_webhook_resends_what_was_held(platform, sink):
    sink.start()
    base, amqp = platform["base"], platform["amqp"]
    receiver = Receiver(status=500)
    api, hook = api_key_and_webhook(platform, receiver)
    starts = dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)
    failing = str(uuid.uuid4())
    publish(amqp, "samskab.meeting.updated", meeting_data(failing, [], starts), f"meetings/{failing}")

    def disabled():
        return requests.get(f"{base}/municipalities/aalborg/webhooks", headers=api).json()[0]["status"] == "disabled"
    wait_for(disabled, what="the webhook to be disabled")
    tries = len(receiver.received)

    # While disabled: a new event is held, not sent, not given up.
    held = publish(amqp, "samskab.meeting.updated", meeting_data(str(uuid.uuid4()), [], starts), "meetings/x")

    def log():
        return requests.get(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/deliveries", headers=api).json()
    wait_for(lambda: any(d["event_id"] == held["id"] for d in log()["deliveries"]), what="the held delivery")
    time.sleep(1)
    [waiting] = [d for d in log()["deliveries"] if d["event_id"] == held["id"]]
    assert waiting["status"] == "pending" and waiting["attempts"] == 0
    assert len(receiver.received) == tries
    assert requests.post(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/ping", headers=api).status_code == 409

    receiver.status = 200
    staff = operator_token(platform)
    r = requests.post(f"{base}/municipalities/aalborg/webhooks/{hook['id']}/enable", headers=staff)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["failures_in_a_row"], r.json()["disabled_reason"]) == ("active", 0, None)
    headers, body = received(receiver, held["id"])
    assert Webhook(hook["secret"]).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp",
                                                                         "webhook-signature")})
    wait_for(lambda: [d for d in log()["deliveries"] if d["event_id"] == held["id"]][0]["status"] == "succeeded",
             what="the held delivery to succeed")
    receiver.close()
