"""The gateway sends each RPC with its deadline (RPC_TIMEOUT_SECONDS); a service does
not start a call whose deadline has passed.  So a backend that was paused while the
client got its 503 does not, once it runs again, carry out the write the client was
told had failed.  Real RabbitMQ and PostgreSQL; the paused backend is a real process."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from samskab.testing import http_port, unit_of_work, wait_for

from gateway.service import Service as Gateway

sys.path.insert(0, str(Path(__file__).parent))
import rpc_client  # noqa: E402

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROPOSAL = {
    "kind": "policy", "title": "Længere åbningstid på biblioteket",
    "problem": "The library closes before most people get home.", "goal": "Open until 21 on weekdays.",
    "language": "da",
}
ACTOR = {"id": "5b0f4c2e-8d4e-4a8e-9d4e-0f4c2e8d4e4a", "role": "resident", "municipality": "aalborg",
         "staff": False, "operator": False, "confirmed": True}


def proposals_count(url):
    with unit_of_work(url) as uow:
        return uow.execute(sa.text("SELECT count(*) FROM proposals")).scalar()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def backend(make_database, broker_uri, tmp_path):
    """``python -m samskab.run proposals`` as its own process, ready."""
    url, port = make_database("proposals"), free_port()
    env = {**os.environ, "AMQP_URI": broker_uri, "PROPOSALS_DATABASE_URL": url, "PROPOSALS_METRICS_PORT": str(port),
           "MIGRATE_ON_START": "0", "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT / 'services'}",
           "OUTBOX_POLL_SECONDS": "0.1", "PYTHONWARNINGS": "ignore"}
    log = open(tmp_path / "proposals.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "samskab.run", "proposals"], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)

    def ready():
        try:
            return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False
    try:
        wait_for(ready, timeout=60, what="the proposals process")
        yield proc, url
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_a_request_whose_deadline_passed_is_not_run(make_config, container_factory, broker_uri):
    from proposals.service import Service as Proposals

    config = make_config("proposals")
    container_factory(Proposals, config).start()
    late = rpc_client.call(broker_uri, "proposals", "aalborg.submit", ["aalborg", ACTOR, PROPOSAL],
                           deadline=time.time() - 1)
    assert late["error"]["exc_type"] == "DeadlinePassed"
    assert proposals_count(config["DATABASE_URL"]) == 0
    in_time = rpc_client.call(broker_uri, "proposals", "aalborg.submit", ["aalborg", ACTOR, PROPOSAL],
                              deadline=time.time() + 10)
    assert in_time["error"] is None, in_time
    assert proposals_count(config["DATABASE_URL"]) == 1


def test_a_paused_backend_does_not_later_make_the_write_the_client_was_told_failed(backend, runner_factory,
                                                                                   make_config):
    proc, url = backend
    runner = runner_factory(make_config("gateway", RPC_TIMEOUT_SECONDS="1"), Gateway)
    runner.start()
    base = f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}/api/v1"
    requests.post(f"{base}/auth/register", timeout=10, json={
        "email": "mette@aalborg.example.org", "password": "correct horse battery", "display_name": "Mette",
        "municipality": "aalborg"})
    token = requests.post(f"{base}/auth/token", timeout=10, json={
        "email": "mette@aalborg.example.org", "password": "correct horse battery"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    proc.send_signal(signal.SIGSTOP)  # paused: its connection stays open, messages wait for it
    try:
        r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers, timeout=10)
        assert r.status_code == 503, r.text
    finally:
        proc.send_signal(signal.SIGCONT)
    time.sleep(3)  # it runs again and works through what waited for it
    assert proposals_count(url) == 0

    r = requests.post(f"{base}/municipalities/aalborg/proposals", json=PROPOSAL, headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    assert proposals_count(url) == 1
