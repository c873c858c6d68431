"""An account's life: confirm the address before acting publicly, reset the
password, export what is held, and be forgotten."""
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from samskab.testing import Subscriber, http_port

from gateway.service import Service as Gateway
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
PROPOSAL = {"kind": "service", "title": "Bedre belysning på stien", "problem": "Stien er mørk om vinteren.",
            "goal": "Stien er oplyst hele vinteren.", "language": "da"}


@pytest.fixture
def gateway(runner_factory, make_config, broker_uri):
    runner = runner_factory(make_config("gateway", REQUIRE_CONFIRMED_EMAIL="1"), Gateway)
    backend = runner_factory(make_config("proposals"), Proposals)
    runner.start()
    backend.start()
    internal = Subscriber(broker_uri, "*.participant.*", exchange="samskab.events")
    public = Subscriber(broker_uri, "#")
    yield f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}", internal, public
    internal.close()
    public.close()


def token_from(events, type_name, field):
    for _, _, body in events:
        envelope = json.loads(body)
        if envelope["type"] == type_name:
            return parse_qs(urlparse(envelope["data"][field]).query)["token"][0]
    raise AssertionError(f"no {type_name} among {[json.loads(b)['type'] for _, _, b in events]}")


def sign_in(base, email, password=PASSWORD):
    return requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": password})


def test_an_unconfirmed_account_cannot_propose_until_it_follows_the_link(gateway):
    base, internal, public = gateway
    api = f"{base}/api/v1"
    r = requests.post(f"{api}/auth/register", json={"email": "ida@example.org", "password": PASSWORD,
                                                    "display_name": "Ida", "municipality": "aalborg"})
    assert r.status_code == 201 and r.json()["email_confirmed"] is False
    headers = {"Authorization": f"Bearer {sign_in(base, 'ida@example.org').json()['access_token']}"}
    refused = requests.post(f"{api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers)
    assert refused.status_code == 403 and "confirm your e-mail" in refused.json()["detail"]

    token = token_from(internal.drain(expect=2), "samskab.participant.confirmation_requested", "confirm_url")
    page = requests.get(f"{base}/account/confirm", params={"token": token}, headers={"Accept-Language": "da"})
    assert page.status_code == 200 and 'lang="da"' in page.text and "bekræftet" in page.text
    assert requests.get(f"{api}/me", headers=headers).json()["email_confirmed"] is True
    assert requests.post(f"{api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers).status_code == 201
    assert public.drain(expect=1)[0][0].routing_key == "aalborg.proposal.submitted"
    assert all(b"ida@example.org" not in body for _, _, body in public.drain(timeout=0.5))


def test_a_password_reset_link_works_once_and_signs_out_old_sessions(gateway):
    base, internal, _ = gateway
    api = f"{base}/api/v1"
    requests.post(f"{api}/auth/register", json={"email": "ole@example.org", "password": PASSWORD,
                                               "display_name": "Ole", "municipality": "hamar"})
    old = {"Authorization": f"Bearer {sign_in(base, 'ole@example.org').json()['access_token']}"}
    unknown = requests.post(f"{api}/auth/password-reset", json={"email": "nobody@example.org"})
    known = requests.post(f"{api}/auth/password-reset", json={"email": "ole@example.org"})
    assert unknown.status_code == known.status_code == 202 and unknown.json() == known.json()
    token = token_from(internal.drain(expect=3), "samskab.participant.password_reset_requested", "reset_url")

    assert requests.post(f"{api}/auth/password-reset/confirm",
                         json={"token": token, "password": "a brand new secret"}).status_code == 200
    assert requests.get(f"{api}/me", headers=old).status_code == 401
    assert sign_in(base, "ole@example.org").status_code == 401
    assert sign_in(base, "ole@example.org", "a brand new secret").status_code == 200
    again = requests.post(f"{api}/auth/password-reset/confirm", json={"token": token, "password": "another secret!"})
    assert again.status_code == 401


def test_a_confirmation_token_is_not_an_access_token(gateway):
    base, internal, _ = gateway
    api = f"{base}/api/v1"
    requests.post(f"{api}/auth/register", json={"email": "kim@example.org", "password": PASSWORD,
                                               "display_name": "Kim", "municipality": "aalborg"})
    token = token_from(internal.drain(expect=2), "samskab.participant.confirmation_requested", "confirm_url")
    assert requests.get(f"{api}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_erasing_an_account_forgets_the_person_and_tells_every_service(gateway):
    base, internal, _ = gateway
    api = f"{base}/api/v1"
    requests.post(f"{api}/auth/register", json={"email": "eva@example.org", "password": PASSWORD,
                                               "display_name": "Eva", "municipality": "aalborg"})
    headers = {"Authorization": f"Bearer {sign_in(base, 'eva@example.org').json()['access_token']}"}
    exported = requests.get(f"{api}/me/export", headers=headers)
    assert exported.status_code == 200 and exported.json()["account"]["email"] == "eva@example.org"
    assert exported.json()["complete"] is False, "matching, meetings and notifications are not running here"
    internal.drain(expect=2)

    assert requests.delete(f"{api}/me", headers=headers).status_code == 204
    assert requests.get(f"{api}/me", headers=headers).status_code == 401
    assert sign_in(base, "eva@example.org").status_code == 401
    erased = [json.loads(b) for _, _, b in internal.drain(expect=1)]
    assert [e["type"] for e in erased] == ["samskab.participant.erased"]
    assert b"eva@example.org" not in json.dumps(erased).encode()
    # the address is free again
    again = requests.post(f"{api}/auth/register", json={"email": "eva@example.org", "password": PASSWORD,
                                                       "display_name": "Eva", "municipality": "aalborg"})
    assert again.status_code == 201
