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
DATASOURCE = {"type": "prometheus", "uid": "samskab-prometheus"}


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


def event_panels(s):
    p = f"samskab_{s}"
    return [
        panel("Events published / s", [(f"sum by (type) (rate({p}_events_published_total[5m]))", "{{type}}")], "ops"),
        panel("Events handled / s", [(f"sum by (type) (rate({p}_events_handled_total[5m]))", "{{type}}")], "ops"),
        panel("Handler failures, retries, dead letters / s", [
            (f"sum(rate({p}_events_failed_total[5m]))", "failed"),
            (f"sum(rate({p}_events_retried_total[5m]))", "retried"),
            (f"sum(rate({p}_events_dead_lettered_total[5m]))", "dead-lettered"),
        ], "ops"),
        panel("Handler time (p50, p95)", [
            (f"histogram_quantile(0.5, sum by (le) (rate({p}_handler_duration_seconds_bucket[5m])))", "p50"),
            (f"histogram_quantile(0.95, sum by (le) (rate({p}_handler_duration_seconds_bucket[5m])))", "p95"),
        ], "s"),
        panel("Outbox lag", [(f"max({p}_outbox_lag_seconds)", "oldest unpublished event")], "s"),
        panel("Outbox pending and relay errors", [
            (f"sum({p}_outbox_pending)", "pending"),
            (f"sum(increase({p}_relay_errors_total[5m]))", "relay errors / 5m"),
        ]),
    ]


def http_panels(s):
    p = f"samskab_{s}"
    return [
        panel("HTTP requests / s by status", [(f"sum by (status) (rate({p}_http_requests_total[5m]))", "{{status}}")], "reqps"),
        panel("HTTP 5xx ratio", [(
            f'sum(rate({p}_http_requests_total{{status=~"5.."}}[5m])) / clamp_min(sum(rate({p}_http_requests_total[5m])), 1e-9)',
            "5xx",
        )], "percentunit"),
        panel("HTTP latency (p50, p95) by route", [
            (f"histogram_quantile(0.5, sum by (le) (rate({p}_http_request_duration_seconds_bucket[5m])))", "p50"),
            (f"histogram_quantile(0.95, sum by (le, route) (rate({p}_http_request_duration_seconds_bucket[5m])))", "p95 {{route}}"),
        ], "s"),
    ]


def delivery_panels():
    return [
        panel("E-mails / 15m by outcome", [
            ("sum by (outcome) (increase(samskab_notifications_emails_total[15m]))", "{{outcome}}"),
        ]),
        panel("Webhook attempts / 15m by outcome", [
            ("sum by (outcome) (increase(samskab_notifications_webhook_attempts_total[15m]))", "{{outcome}}"),
        ]),
        panel("Dead letters waiting (RabbitMQ)", [
            ('sum by (queue) (rabbitmq_queue_messages{queue=~"samskab\\\\.notifications\\\\..+\\\\.dlq"})', "{{queue}}"),
        ]),
    ]


def dashboard(service):
    panels = [
        panel("Instances up", [(f'count(up{{service="{service}"}} == 1)', "up")], kind="stat"),
        panel("Process memory (RSS)", [(f'process_resident_memory_bytes{{service="{service}"}}', "{{instance}}")], "bytes"),
    ]
    if service == "gateway":
        panels += http_panels(service)
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
