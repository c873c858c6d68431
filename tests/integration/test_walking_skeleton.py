"""One proposal from HTTP to a third-party subscriber on samskab.public."""
import json
import re
import time

import pytest
import requests
from cloudevents.v1.http import from_json

from samskab.testing import Subscriber, http_port

from gateway.service import Service as Gateway
from proposals.service import Service as Proposals

pytestmark = pytest.mark.integration

PROPOSAL = {
    "kind": "development",
    "title": "Grønnere pendling til Aalborg Øst",
    "problem": "Most commuters to the eastern industrial area drive alone.",
    "goal": "Half of the commuters use bike, bus or car pooling by 2028.",
    "area": "Aalborg Øst",
    "topics": ["mobility", "climate"],
    "needs": ["bike mechanics", "car pooling app"],
    "language": "da",
}


@pytest.fixture
def runners(runner_factory, make_config):
    """The gateway and the proposals service, each in its own runner, started."""
    started = {"gateway": runner_factory(make_config("gateway"), Gateway),
               "proposals": runner_factory(make_config("proposals"), Proposals)}
    for runner in started.values():
        runner.start()
    return {name: runner.service_map[name] for name, runner in started.items()}


@pytest.fixture
def platform(runners, broker_uri):
    base = f"http://127.0.0.1:{http_port(runners['gateway'])}/api/v1"
    return base, broker_uri


@pytest.fixture
def proposals_port(runners):
    from samskab.health import HealthServer

    server = next(ext for ext in runners["proposals"].extensions if isinstance(ext, HealthServer))
    return server.port


def register(base, email, municipality="aalborg"):
    r = requests.post(f"{base}/auth/register", json={
        "email": email, "password": "correct horse battery", "display_name": "Test Person",
        "municipality": municipality,
    })
    assert r.status_code == 201, r.text
    t = requests.post(f"{base}/auth/token", json={"email": email, "password": "correct horse battery"})
    assert t.status_code == 200, t.text
    return {"Authorization": f"Bearer {t.json()['access_token']}"}


def test_a_submitted_proposal_reaches_a_public_subscriber_of_its_municipality_only(platform):
    base, amqp_uri = platform
    aalborg = Subscriber(amqp_uri, "aalborg.#")
    hjorring = Subscriber(amqp_uri, "hjorring.#")
    headers = register(base, "mette@example.org")

    r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers)
    assert r.status_code == 201, r.text
    proposal = r.json()

    [(method, props, body)] = aalborg.drain(expect=1)
    assert method.routing_key == "aalborg.proposal.submitted"
    assert props.content_type == "application/cloudevents+json"
    assert props.delivery_mode == 2
    event = from_json(body)  # the official CloudEvents SDK parses it
    assert event["type"] == "samskab.proposal.submitted"
    assert event["source"] == "/municipalities/aalborg/proposals"
    assert event["subject"] == f"proposals/{proposal['id']}"
    assert props.message_id == event["id"]
    assert event.data["title"] == PROPOSAL["title"]
    assert "initiator_id" not in event.data, "the public stream names no person"
    assert b"mette@example.org" not in body
    assert hjorring.drain(timeout=1.0) == []

    listed = requests.get(f"{base}/municipalities/aalborg/proposals").json()
    assert [p["id"] for p in listed] == [proposal["id"]]
    assert requests.get(f"{base}/municipalities/hjorring/proposals").json() == []


@pytest.mark.parametrize("body, content_type, status, field", [
    (b"{not json", "application/json", 400, None),
    (json.dumps({**PROPOSAL, "problem": None}).encode(), "application/json", 422, "problem"),
    (json.dumps({k: v for k, v in PROPOSAL.items() if k != "goal"}).encode(), "application/json", 422, "goal"),
    (json.dumps({**PROPOSAL, "kind": "wish"}).encode(), "application/json", 422, "kind"),
    (json.dumps({**PROPOSAL, "description": "x" * 70000}).encode(), "application/json", 413, None),
])
def test_bad_input_gets_a_problem_and_stores_nothing(platform, body, content_type, status, field):
    base, _ = platform
    headers = register(base, "bad-input@example.org")
    r = requests.post(f"{base}/municipalities/aalborg/proposals", data=body,
                      headers={**headers, "Content-Type": content_type})
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status
    if field:
        assert field in [e["field"] for e in problem["errors"]]
    assert requests.get(f"{base}/municipalities/aalborg/proposals").json() == []


def test_unknown_municipality_is_a_404_problem(platform):
    base, _ = platform
    headers = register(base, "unknown@example.org")
    r = requests.post(f"{base}/municipalities/atlantis/proposals", json=PROPOSAL, headers=headers)
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"


def test_anonymous_submission_is_refused(platform):
    base, _ = platform
    r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL)
    assert r.status_code == 401


def test_each_service_shows_its_metrics_and_health(platform, proposals_port):
    base, _ = platform
    headers = register(base, "metrics@example.org")
    assert requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers).status_code == 201
    root = base.rsplit("/api/v1", 1)[0]
    assert requests.get(f"{root}/healthz").json() == {"status": "ok"}
    assert 'samskab_http_requests_total{method="POST",route="/municipalities/{m}/proposals",service="gateway",status="201"}' \
        in requests.get(f"{root}/metrics").text

    service = f"http://127.0.0.1:{proposals_port}"
    assert requests.get(f"{service}/healthz").json() == {"status": "ok"}
    deadline = time.time() + 10
    series = 'samskab_events_published_total{municipality="aalborg",service="proposals",type="samskab.proposal.submitted"}'
    while series not in requests.get(f"{service}/metrics").text and time.time() < deadline:
        time.sleep(0.1)
    assert series in requests.get(f"{service}/metrics").text
    # the submission's RPC, timed by the service that handled it
    timed = re.search(r'samskab_rpc_duration_seconds_count\{method="submit",service="proposals"\} ([\d.]+)',
                      requests.get(f"{service}/metrics").text)
    assert timed and float(timed.group(1)) >= 1
    ready = requests.get(f"{service}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_the_request_trace_follows_the_proposal_onto_the_stream(platform):
    base, amqp_uri = platform
    stream = Subscriber(amqp_uri, "aalborg.#")
    headers = register(base, "trace@example.org")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL,
                      headers={**headers, "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    assert r.status_code == 201
    assert r.headers["traceparent"].split("-")[1] == trace_id
    [(_, _, body)] = stream.drain(expect=1)
    assert json.loads(body)["traceparent"].split("-")[1] == trace_id
