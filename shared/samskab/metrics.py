"""Prometheus metrics, named ``samskab_<service>_…`` in base units.

One set per service name and process; several services in one process (as in
tests) each get their own names in the default registry.
"""
import threading

from prometheus_client import Counter, Gauge, Histogram

_sets = {}
_lock = threading.Lock()


class ServiceMetrics:
    def __init__(self, service):
        p = f"samskab_{service}"
        self.events_published = Counter(
            f"{p}_events_published_total", "Events the outbox relay published, by type", ["type"]
        )
        self.events_handled = Counter(
            f"{p}_events_handled_total", "Events handled successfully, by type", ["type"]
        )
        self.events_duplicate = Counter(
            f"{p}_events_duplicate_total", "Redelivered events skipped because they were already handled", ["type"]
        )
        self.events_failed = Counter(
            f"{p}_events_failed_total", "Handler failures (each attempt), by type", ["type"]
        )
        self.events_retried = Counter(
            f"{p}_events_retried_total", "Events sent back for a delayed retry, by type", ["type"]
        )
        self.events_dead_lettered = Counter(
            f"{p}_events_dead_lettered_total", "Events moved to a dead-letter queue, by type", ["type"]
        )
        self.handler_duration = Histogram(
            f"{p}_handler_duration_seconds", "Time spent handling one event", ["type"]
        )
        self.event_batch_size = Histogram(
            f"{p}_event_batch_size", "Events handled in one transaction", buckets=(1, 2, 4, 8, 16, 32, 64)
        )
        self.event_batches_redone = Counter(
            f"{p}_event_batches_redone_total",
            "Batches rolled back because one event failed or was a duplicate, then handled event by event",
        )
        self.outbox_lag = Gauge(
            f"{p}_outbox_lag_seconds", "Age of the oldest unpublished outbox event (0 when none)"
        )
        self.outbox_pending = Gauge(f"{p}_outbox_pending", "Unpublished outbox events")
        self.relay_errors = Counter(f"{p}_relay_errors_total", "Relay rounds that failed (broker or database)")
        self.http_requests = Counter(
            f"{p}_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
        )
        self.http_duration = Histogram(
            f"{p}_http_request_duration_seconds", "HTTP request latency", ["method", "route"]
        )
        self.rpc_duration = Histogram(f"{p}_rpc_duration_seconds", "RPC handling time", ["method"])


def for_service(service) -> ServiceMetrics:
    with _lock:
        if service not in _sets:
            _sets[service] = ServiceMetrics(service)
        return _sets[service]
