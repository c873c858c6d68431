"""Prometheus metrics, named ``samskab_<what>`` in base units, the service a label.

One name per quantity for every service (``samskab_events_handled_total{service,
type, municipality}``), so an alert or a dashboard panel is written once and
filters or groups by ``service``; the event metrics also carry the event's
``municipality``.  :func:`for_service` gives a service's view, whose ``labels``
fill in ``service`` (several services in one process, as in tests, share the
metrics and differ by that label).
"""
import threading

from prometheus_client import Counter, Gauge, Histogram

from .config import MUNICIPALITY_RE

_sets = {}
_lock = threading.Lock()

EVENT = ["service", "type", "municipality"]

EVENTS_PUBLISHED = Counter("samskab_events_published_total", "Events the outbox relay published", EVENT)
EVENTS_HANDLED = Counter("samskab_events_handled_total", "Events handled successfully", EVENT)
EVENTS_DUPLICATE = Counter(
    "samskab_events_duplicate_total", "Redelivered events skipped because they were already handled", EVENT)
EVENTS_FAILED = Counter("samskab_events_failed_total", "Handler failures (each attempt)", EVENT)
EVENTS_RETRIED = Counter("samskab_events_retried_total", "Events sent back for a delayed retry", EVENT)
EVENTS_DEAD_LETTERED = Counter("samskab_events_dead_lettered_total", "Events moved to a dead-letter queue", EVENT)
HANDLER_DURATION = Histogram("samskab_handler_duration_seconds", "Time spent handling one event", EVENT)
EVENT_BATCH_SIZE = Histogram(
    "samskab_event_batch_size", "Events handled in one transaction", ["service"], buckets=(1, 2, 4, 8, 16, 32, 64))
EVENT_BATCHES_REDONE = Counter(
    "samskab_event_batches_redone_total",
    "Batches rolled back because one event failed or was a duplicate, then handled event by event", ["service"])
OUTBOX_LAG = Gauge("samskab_outbox_lag_seconds", "Age of the oldest unpublished outbox event (0 when none)",
                   ["service"])
OUTBOX_PENDING = Gauge("samskab_outbox_pending", "Unpublished outbox events", ["service"])
RELAY_ERRORS = Counter("samskab_relay_errors_total", "Relay rounds that failed (broker or database)", ["service"])
HTTP_REQUESTS = Counter("samskab_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"])
HTTP_DURATION = Histogram("samskab_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"])
RPC_DURATION = Histogram("samskab_rpc_duration_seconds", "RPC handling time", ["service", "method"])


class _Bound:
    """A labelled metric with ``service`` filled in: ``labels(type, municipality)`` as before."""

    def __init__(self, metric, service):
        self.metric, self.service = metric, service

    def labels(self, *values, **named):
        if named:
            return self.metric.labels(service=self.service, **named)
        return self.metric.labels(self.service, *values)


class _EventBound(_Bound):
    def labels(self, type, municipality=""):  # noqa: A002 - the label's name
        # only a well-formed slug becomes a label value: a hostile envelope cannot add series
        ok = isinstance(municipality, str) and MUNICIPALITY_RE.match(municipality)
        return self.metric.labels(self.service, type, municipality if ok else "")


class ServiceMetrics:
    def __init__(self, service):
        self.service = service
        self.events_published = _EventBound(EVENTS_PUBLISHED, service)
        self.events_handled = _EventBound(EVENTS_HANDLED, service)
        self.events_duplicate = _EventBound(EVENTS_DUPLICATE, service)
        self.events_failed = _EventBound(EVENTS_FAILED, service)
        self.events_retried = _EventBound(EVENTS_RETRIED, service)
        self.events_dead_lettered = _EventBound(EVENTS_DEAD_LETTERED, service)
        self.handler_duration = _EventBound(HANDLER_DURATION, service)
        # unlabelled apart from the service: the children themselves, shown (as 0) from the start
        self.event_batch_size = EVENT_BATCH_SIZE.labels(service)
        self.event_batches_redone = EVENT_BATCHES_REDONE.labels(service)
        self.outbox_lag = OUTBOX_LAG.labels(service)
        self.outbox_pending = OUTBOX_PENDING.labels(service)
        self.relay_errors = RELAY_ERRORS.labels(service)
        self.http_requests = _Bound(HTTP_REQUESTS, service)
        self.http_duration = _Bound(HTTP_DURATION, service)
        self.rpc_duration = _Bound(RPC_DURATION, service)


def for_service(service) -> ServiceMetrics:
    found = _sets.get(service)  # every RPC and event asks: no lock once the set is made
    if found is not None:
        return found
    with _lock:
        if service not in _sets:
            _sets[service] = ServiceMetrics(service)
        return _sets[service]
