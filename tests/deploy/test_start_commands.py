"""Each image's start command, run here as a plain process with the container's
environment (from docker-compose.yml), starts its service: /healthz answers,
/readyz reports the database and broker ready, and SIGTERM stops it cleanly."""
import importlib.util
import subprocess
import sys

import pytest

from samskab.config import SERVICES

from deploy_processes import ROOT, ServiceProcess, compose, dockerfile_cmd, free_port, local_environment, port_variable

pytestmark = pytest.mark.integration


def written(service):
    return importlib.util.find_spec(f"{service}.service") is not None


def test_the_image_default_command_is_a_service_start_command():
    assert dockerfile_cmd() == ["python", "-m", "samskab.run", "gateway"]


def test_compose_starts_every_service_with_its_own_command_of_the_one_image():
    services = compose()["services"]
    for service in SERVICES:
        assert services[service]["command"] == ["python", "-m", "samskab.run", service]
        assert services[service]["image"] == "samskab:dev"


@pytest.mark.parametrize("service", SERVICES)
def test_start_command_serves_healthz_and_stops_cleanly_on_sigterm(service, broker_uri, postgres_url, fresh_database, tmp_path):
    if not written(service):
        pytest.skip(f"services/{service}/service.py is not written yet")
    spec = compose()["services"][service]
    port = free_port()
    env = local_environment(
        spec["environment"], service,
        amqp_uri=broker_uri, postgres_url=postgres_url, database_url=fresh_database(service), port=port,
    )
    process = ServiceProcess(spec["command"], env, tmp_path / f"{service}.log", port)
    try:
        health = process.wait_until("/healthz")
        assert health.json() == {"status": "ok"}
        if service == "gateway":
            # The gateway's readiness also asks every backend, and none runs here.
            assert process.get("/readyz").json()["checks"]["database"] == "ok"
        else:
            ready = process.wait_until("/readyz", seconds=30)
            assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
        metrics = process.get("/metrics").text
        assert f"samskab_{service}_" in metrics
        assert docker_healthcheck(service, port) == 0
    finally:
        code = process.terminate()
    assert code == 0, process.output()
    assert docker_healthcheck(service, port) == 1


def docker_healthcheck(service, port):
    """The image's HEALTHCHECK command, pointed at this service's port."""
    env = {"SAMSKAB_SERVICE": service, port_variable(service): str(port)}
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "docker" / "healthcheck.py")], env=env, capture_output=True, timeout=10,
    ).returncode
