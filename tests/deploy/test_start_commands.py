"""Each image's start command, run here as a plain process with the container's
environment (from docker-compose.yml), starts its service: /healthz answers,
/readyz reports the database and broker ready, and SIGTERM stops it cleanly."""
import importlib.util
import re
import subprocess
import sys

import pytest
import requests
import yaml

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
        assert services[service]["image"] == image_of_make_image()


def image_of_make_image():
    """What `make image` tags (Makefile IMAGE:VERSION), as compose names it (version overridable)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    image = re.search(r"^IMAGE\s*\?=\s*(\S+)", makefile, re.M).group(1)
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    return f"{image}:${{SAMSKAB_VERSION:-{version}}}"


def test_the_kubernetes_base_and_the_definitions_import_run_what_make_image_builds():
    base = yaml.safe_load((ROOT / "deploy" / "k8s" / "base" / "kustomization.yaml").read_text(encoding="utf-8"))
    [entry] = [i for i in base["images"] if i["name"] == "samskab"]
    assert f"{entry['newName']}:${{SAMSKAB_VERSION:-{entry['newTag']}}}" == image_of_make_image()
    definitions = compose()["services"]["rabbitmq-definitions"]
    assert definitions["image"] == image_of_make_image()
    assert definitions["command"][:4] == ["python", "-m", "samskab.broker_definitions", "apply"]


def test_compose_gives_each_service_its_own_broker_user_with_a_password_from_the_env_file():
    services = compose()["services"]
    for service in SERVICES:
        env = services[service]["environment"]
        assert "AMQP_URI" not in env
        uri = env[f"{service.upper()}_AMQP_URI"]
        variable = f"SAMSKAB_BROKER_PASSWORD_SAMSKAB_{service.upper()}"
        assert uri.startswith(f"amqp://samskab-{service}:${{{variable}:?") and uri.endswith("@rabbitmq:5672/samskab")
        # the import sets that user's password from the same variable
        assert services["rabbitmq-definitions"]["environment"][variable].startswith(f"${{{variable}:?")
    assert "${RABBITMQ_ADMIN_PASSWORD:?" in services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"]


def test_the_secrets_command_writes_every_password_compose_needs(tmp_path):
    env_file = tmp_path / ".env"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_secrets.py"), "--write", str(env_file)],
                   check=True, capture_output=True)
    written = dict(line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines())
    needed = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    assert needed and needed <= {name for name, value in written.items() if value}


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
        assert f'samskab_outbox_pending{{service="{service}"}}' in metrics
        # what this service's dashboard asks for, it exports (its own /metrics, not a list in the test)
        exported = set(re.findall(r"^# HELP (samskab_\w+)", metrics, re.M))
        board = (ROOT / "deploy" / "grafana" / "dashboards" / f"samskab-{service}.json").read_text(encoding="utf-8")
        wanted = {re.sub(r"_(bucket|sum|count)$", "", name) for name in re.findall(r"\bsamskab_[a-z_]+\b", board)}
        assert wanted and wanted <= exported, wanted - exported
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


def test_the_gateways_metrics_and_readiness_are_on_its_internal_port_only(broker_uri, postgres_url, fresh_database, tmp_path):
    spec = compose()["services"]["gateway"]
    public, internal = free_port(), free_port()
    env = local_environment(spec["environment"], "gateway", amqp_uri=broker_uri, postgres_url=postgres_url,
                            database_url=fresh_database("gateway"), port=public)
    env["GATEWAY_INTERNAL_PORT"] = str(internal)
    process = ServiceProcess(spec["command"], env, tmp_path / "gateway.log", public)
    try:
        process.wait_until("/healthz")
        # what the Ingress reaches: no metrics, no readiness details
        assert process.get("/metrics").status_code == 404
        assert process.get("/readyz").status_code == 404
        inside = f"http://127.0.0.1:{internal}"
        assert requests.get(f"{inside}/healthz", timeout=5).json() == {"status": "ok"}
        metrics = requests.get(f"{inside}/metrics", timeout=5).text
        assert "# HELP samskab_http_requests_total" in metrics
        assert 'route="/internal"' in metrics  # the two refusals above were counted like any request
        ready = requests.get(f"{inside}/readyz", timeout=30)
        assert ready.json()["checks"]["database"] == "ok"  # the backends' checks too (none runs here: 503)
    finally:
        code = process.terminate()
    assert code == 0, process.output()


def test_public_reads_answer_cors_for_get_only_from_the_configured_origins(broker_uri, postgres_url, fresh_database, tmp_path):
    spec = compose()["services"]["gateway"]
    port = free_port()
    env = local_environment(spec["environment"], "gateway", amqp_uri=broker_uri, postgres_url=postgres_url,
                            database_url=fresh_database("gateway"), port=port)
    env["CORS_ORIGINS"] = "https://data.example.org, https://kort.example.dk"
    process = ServiceProcess(spec["command"], env, tmp_path / "gateway.log", port)
    base = f"http://127.0.0.1:{port}/api/v1/municipalities"
    try:
        process.wait_until("/healthz")
        ok = requests.get(base, headers={"Origin": "https://data.example.org"}, timeout=5)
        assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == "https://data.example.org"
        assert "ETag" in ok.headers["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Origin" not in requests.get(
            base, headers={"Origin": "https://evil.example.com"}, timeout=5).headers
        # a conditional read from that page: 304, still readable cross-origin
        again = requests.get(base, headers={"Origin": "https://kort.example.dk", "If-None-Match": ok.headers["ETag"]},
                             timeout=5)
        assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "https://kort.example.dk"
        preflight = requests.options(base, headers={"Origin": "https://data.example.org",
                                                    "Access-Control-Request-Method": "GET",
                                                    "Access-Control-Request-Headers": "if-none-match"}, timeout=5)
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
        assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
        # writing cross-origin is not allowed: no CORS headers, so the browser refuses
        post = requests.options(base, headers={"Origin": "https://data.example.org",
                                               "Access-Control-Request-Method": "POST"}, timeout=5)
        assert "Access-Control-Allow-Origin" not in post.headers
    finally:
        code = process.terminate()
    assert code == 0, process.output()


def test_json_logs_parse_line_by_line_and_a_request_line_names_its_route_status_and_trace(
        broker_uri, postgres_url, fresh_database, tmp_path):
    import json

    spec = compose()["services"]["gateway"]
    port = free_port()
    env = local_environment(spec["environment"], "gateway", amqp_uri=broker_uri, postgres_url=postgres_url,
                            database_url=fresh_database("gateway"), port=port)
    env["LOG_FORMAT"] = "json"
    process = ServiceProcess(spec["command"], env, tmp_path / "gateway.log", port)
    try:
        process.wait_until("/healthz")
        trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/municipalities", headers={"traceparent": trace},
                            timeout=5).status_code == 200
    finally:
        code = process.terminate()
    assert code == 0, process.output()
    lines = [line for line in (tmp_path / "gateway.log").read_text(encoding="utf-8").splitlines()
             if line.startswith("{")]
    records = [json.loads(line) for line in lines]  # every JSON line parses on its own
    assert records and all(r["service"] == "gateway" and r["time"].endswith("Z") for r in records)
    [request] = [r for r in records if r.get("route") == "/municipalities"]
    assert request["status"] == 200 and request["method"] == "GET"
    assert request["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
