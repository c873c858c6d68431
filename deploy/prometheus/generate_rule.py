"""Write deploy/prometheus/prometheus-rule.yaml: alerts.yml as a PrometheusRule.

The Prometheus Operator loads rules only from PrometheusRule objects (not from
ConfigMaps); compose's Prometheus reads alerts.yml itself.  alerts.yml stays the
one source (promtool checks and tests it); run this after changing it:
``python deploy/prometheus/generate_rule.py`` (make check-deploy checks that the
committed file is current, and runs promtool on the rules of every rendered overlay).
"""
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "alerts.yml"
OUT = HERE / "prometheus-rule.yaml"
HEADER = (
    "# Generated from alerts.yml by deploy/prometheus/generate_rule.py: edit alerts.yml, then run it.\n"
    "# The label `role: alert-rules` is what a Prometheus's ruleSelector picks up (docs/runbook.md,\n"
    "# \"Monitoring\"); kube-prometheus-stack selects by its release label: add that in an overlay.\n"
)


def rule():
    groups = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "samskab", "labels": {"role": "alert-rules", "app.kubernetes.io/name": "samskab"}},
        "spec": {"groups": groups},
    }


def render():
    return HEADER + yaml.safe_dump(rule(), sort_keys=False, allow_unicode=True, width=200)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        return 0 if OUT.exists() and OUT.read_text(encoding="utf-8") == render() else 1
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
