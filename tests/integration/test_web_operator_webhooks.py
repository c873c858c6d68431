"""The operator page manages webhooks (issue 19): a test ping, a new secret shown once
(the old one still signs in the overlap), re-enable, delete; in the operator's language."""
import re

import pytest
import requests
from standardwebhooks import Webhook

from samskab.testing import http_port, wait_for

from gateway.tests.support import Visitor, make_account
from test_notifications_e2e import Receiver

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(runner_factory, make_config):
    from gateway.service import Service as Gateway
    from notifications.service import Service as Notifications

    gateway_config = make_config("gateway")
    gateway = runner_factory(gateway_config, Gateway)
    gateway.start()
    runner_factory(make_config("notifications", NOTIFICATIONS_POLL_SECONDS="0.1",
                               NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8"), Notifications).start()
    return f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}", gateway_config


def verifies(secret, headers, body):
    try:
        Webhook(secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        return True
    except Exception:
        return False


def test_an_operator_pings_rotates_and_deletes_a_webhook_from_the_page(platform):
    base, config = platform
    make_account(config, "drift@example.org", "operator", language="da")
    ops = Visitor(base)
    ops.login("drift@example.org")
    page = "/operator?m=aalborg"
    r = ops.post(page, {"action": "issue", "name": "Lokalavisen", "contact_email": "it@avis.example"}, token_from=page)
    key = re.search(r'<code class="api-key">([^<]+)</code>', r.text).group(1)
    receiver = Receiver()
    hook = requests.post(f"{base}/api/v1/municipalities/aalborg/webhooks", headers={"X-Api-Key": key},
                         json={"url": receiver.url, "types": ["#"]}).json()

    listed = ops.get(page).text
    assert "Send en test" in listed and "Ny hemmelighed" in listed and "Slet" in listed
    r = ops.post(page, {"action": "webhook_ping", "webhook_id": hook["id"]}, token_from=page)
    assert "done=webhook_ping" in r.url and "En testbesked er på vej" in r.text
    headers, body = wait_for(lambda: receiver.received and receiver.received[-1], what="the ping")
    assert verifies(hook["secret"], headers, body)

    r = ops.post(page, {"action": "webhook_rotate", "webhook_id": hook["id"]}, token_from=page)
    assert r.status_code == 200 and "Ny signeringshemmelighed" in r.text
    secret = re.search(r'<code class="webhook-secret">([^<]+)</code>', r.text).group(1)
    assert secret.startswith("whsec_") and secret != hook["secret"]
    assert secret not in ops.get(page).text, "shown once"
    ops.post(page, {"action": "webhook_ping", "webhook_id": hook["id"]}, token_from=page)
    headers, body = wait_for(lambda: len(receiver.received) == 2 and receiver.received[-1], what="the second ping")
    assert verifies(secret, headers, body) and verifies(hook["secret"], headers, body), "both sign in the overlap"

    r = ops.post(page, {"action": "webhook_enable", "webhook_id": "not-an-id"}, token_from=page)
    assert r.status_code == 422 and "Den webhook findes ikke" in r.text
    r = ops.post(page, {"action": "webhook_delete", "webhook_id": hook["id"]}, token_from=page)
    assert "done=webhook_delete" in r.url and "Webhooken er slettet" in r.text
    assert requests.get(f"{base}/api/v1/municipalities/aalborg/webhooks", headers={"X-Api-Key": key}).json() == []
    receiver.close()
