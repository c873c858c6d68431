"""Hostile text through the gateway: what PostgreSQL cannot store must be refused
as invalid input (422 naming the field), never answered with a 500."""
import pytest
import requests

from samskab.testing import http_port, unit_of_work

pytestmark = pytest.mark.integration

PROPOSAL = {"kind": "development", "title": "Grøn pendling", "problem": "Alle kører alene.", "goal": "Flere cykler.",
            "language": "da"}


@pytest.fixture
def api(make_config, runner_factory):
    from gateway.service import Service as Gateway
    from proposals.service import Service as Proposals

    gateway_config = make_config("gateway")
    for config, cls in ((gateway_config, Gateway), (make_config("proposals"), Proposals)):
        runner = runner_factory(config, cls)
        runner.start()
        if cls is Gateway:
            base = f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}/api/v1"
    r = requests.post(f"{base}/auth/register", json={"email": "nul@example.org", "password": "a long password 1",
                                                     "display_name": "Nul Tester", "municipality": "aalborg"})
    assert r.status_code == 201, r.text
    with unit_of_work(gateway_config["DATABASE_URL"]) as uow:
        import sqlalchemy as sa

        uow.execute(sa.text("UPDATE accounts SET email_confirmed_at = now()"))
    token = requests.post(f"{base}/auth/token", json={"email": "nul@example.org", "password": "a long password 1"})
    return base, {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_lone_surrogates_are_refused_as_invalid(api):
    base, headers = api
    body = b'{"kind":"development","title":"T\\ud800","problem":"P","goal":"G"}'
    r = requests.post(f"{base}/municipalities/aalborg/proposals", data=body,
                      headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert "title" in [e["field"] for e in r.json()["errors"]]


@pytest.mark.parametrize("field", ["title", "problem", "goal", "area"])
def test_a_nul_character_in_text_is_refused_as_invalid_not_a_server_error(api, field):
    base, headers = api
    r = requests.post(f"{base}/municipalities/aalborg/proposals", json={**PROPOSAL, field: "a\x00b"}, headers=headers)
    assert r.status_code == 422, f"{r.status_code} {r.text[:200]}"
    assert field in [e["field"] for e in r.json()["errors"]]
