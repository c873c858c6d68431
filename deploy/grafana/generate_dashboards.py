"""Write one Grafana dashboard per service into deploy/grafana/dashboards/.

The dashboards are generated so that every service shows the same panels for
the same metrics (shared/samskab/metrics.py); run this after changing them:
``python deploy/grafana/generate_dashboards.py`` (tests/deploy checks that the
committed files are current).
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "dashboards"
SERVICES = ("gateway", "proposals", "matching", "meetings", "notifications")
# Every panel asks the datasource the viewer picks (variable "datasource"), so
# the dashboards load in any Grafana; compose provisions one, uid samskab-prometheus.
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Metrics carry the service as a label (shared/samskab/metrics.py); the Prometheus
# Operator adds the namespace; event metrics carry the event's municipality.
NS = 'namespace=~"$namespace"'
MUNI = 'municipality=~"$municipality"'


def panel(title, exprs, unit="short", kind="timeseries"):
    return {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "datasource": DATASOURCE}
            for i, (expr, legend) in enumerate(exprs)
        ],
    }


def variables():
    def query(name, label, expr, all_value=".*"):
        return {
            "name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": expr, "refId": name}, "definition": expr,
            "refresh": 2, "includeAll": True, "allValue": all_value, "multi": True,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1,
        }

    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {"selected": True, "text": "default", "value": "default"}, "hide": 0},
        query("namespace", "Namespace", 'label_values(up{job=~"samskab.*"}, namespace)'),
        query("municipality", "Municipality", "label_values(samskab_events_handled_total, municipality)"),
    ]}


def event_panels(s):
    sel = f'service="{s}", {NS}, {MUNI}'
    return [
        panel("Events published / s", [(f"sum by (type) (rate(samskab_events_published_total{{{sel}}}[5m]))", "{{type}}")], "ops"),
        panel("Events handled / s", [(f"sum by (type) (rate(samskab_events_handled_total{{{sel}}}[5m]))", "{{type}}")], "ops"),
        panel("Events handled / s by municipality", [
            (f"sum by (municipality) (rate(samskab_events_handled_total{{{sel}}}[5m]))", "{{municipality}}")], "ops"),
        panel("Handler failures, retries, dead letters / s", [
            (f"sum(rate(samskab_events_failed_total{{{sel}}}[5m]))", "failed"),
            (f"sum(rate(samskab_events_retried_total{{{sel}}}[5m]))", "retried"),
            (f"sum(rate(samskab_events_dead_lettered_total{{{sel}}}[5m]))", "dead-lettered"),
        ], "ops"),
        panel("Handler time (p50, p95)", [
            (f"histogram_quantile(0.5, sum by (le) (rate(samskab_handler_duration_seconds_bucket{{{sel}}}[5m])))", "p50"),
            (f"histogram_quantile(0.95, sum by (le) (rate(samskab_handler_duration_seconds_bucket{{{sel}}}[5m])))", "p95"),
        ], "s"),
        panel("Outbox lag", [(f'max by (namespace) (samskab_outbox_lag_seconds{{service="{s}", {NS}}})',
                              "{{namespace}} oldest unpublished event")], "s"),
        panel("Outbox pending and relay errors", [
            (f'sum(samskab_outbox_pending{{service="{s}", {NS}}})', "pending"),
            (f'sum(increase(samskab_relay_errors_total{{service="{s}", {NS}}}[5m]))', "relay errors / 5m"),
        ]),
    ]


def http_panels(s):
    sel = f'service="{s}", {NS}'
    return [
        panel("HTTP requests / s by status", [(f"sum by (status) (rate(samskab_http_requests_total{{{sel}}}[5m]))", "{{status}}")], "reqps"),
        panel("HTTP 5xx ratio", [(
            f'sum(rate(samskab_http_requests_total{{{sel}, status=~"5.."}}[5m])) / clamp_min(sum(rate(samskab_http_requests_total{{{sel}}}[5m])), 1e-9)',
            "5xx",
        )], "percentunit"),
        panel("HTTP latency (p50, p95) by route", [
            (f"histogram_quantile(0.5, sum by (le) (rate(samskab_http_request_duration_seconds_bucket{{{sel}}}[5m])))", "p50"),
            (f"histogram_quantile(0.95, sum by (le, route) (rate(samskab_http_request_duration_seconds_bucket{{{sel}}}[5m])))", "p95 {{route}}"),
        ], "s"),
    ]


def rpc_panels(s):
    sel = f'service="{s}", {NS}'
    return [
        panel("RPC calls / s by method", [
            (f"sum by (method) (rate(samskab_rpc_duration_seconds_count{{{sel}}}[5m]))", "{{method}}")], "ops"),
        panel("RPC handling time (p95) by method", [
            (f"histogram_quantile(0.95, sum by (le, method) (rate(samskab_rpc_duration_seconds_bucket{{{sel}}}[5m])))",
             "{{method}}")], "s"),
    ]


def delivery_panels():
    return [
        panel("E-mails / 15m by outcome", [
            (f"sum by (outcome) (increase(samskab_emails_total{{{NS}}}[15m]))", "{{outcome}}"),
        ]),
        panel("Webhook attempts / 15m by outcome", [
            (f"sum by (outcome) (increase(samskab_webhook_attempts_total{{{NS}}}[15m]))", "{{outcome}}"),
        ]),
        panel("Dead letters waiting (RabbitMQ)", [
            (f'sum by (queue) (rabbitmq_queue_messages{{{NS}, queue=~"samskab\\\\.notifications\\\\..+\\\\.dlq"}})', "{{queue}}"),
        ]),
    ]


def dashboard(service):
    panels = [
        panel("Instances up", [(f'count(up{{service="{service}", {NS}}} == 1)', "up")], kind="stat"),
        panel("Process memory (RSS)", [(f'process_resident_memory_bytes{{service="{service}", {NS}}}', "{{instance}}")], "bytes"),
    ]
    if service == "gateway":
        panels += http_panels(service)
    else:
        panels += rpc_panels(service)
    panels += event_panels(service)
    if service == "notifications":
        panels += delivery_panels()
    for i, p in enumerate(panels):
        p["id"] = i + 1
        p["gridPos"] = {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8}
    return {
        "uid": f"samskab-{service}",
        "title": f"Samskab / {service}",
        "tags": ["samskab", service],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": variables(),
        "panels": panels,
    }


def render(service):
    return json.dumps(dashboard(service), indent=2, sort_keys=True) + "\n"


def main():
    OUT.mkdir(exist_ok=True)
    for service in SERVICES:
        (OUT / f"samskab-{service}.json").write_text(render(service), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
