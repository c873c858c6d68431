"""One log format for every process, chosen by ``LOG_FORMAT``:

* ``text`` (the default, for local runs): ``2026-12-06T10:00:00.123Z INFO proposals samskab.consumer: …``;
* ``json``: one object per line for a log collector, with ``time`` (UTC, RFC 3339),
  ``level``, ``service``, ``logger``, ``message`` and, where the line is about an event
  or a request, ``event_id``, ``municipality``, ``trace_id`` and ``span_id`` (from the
  W3C ``traceparent`` the event or request carries).

Callers attach those fields with ``extra=fields(event_id=…, municipality=…,
traceparent=…)``; nothing personal goes in (ids only).
"""
import datetime as dt
import json
import logging
import sys

FORMATS = ("text", "json")
# LogRecord attributes that are the logging module's own, not fields a caller attached.
_OWN = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
FIELDS = ("event_id", "municipality", "trace_id", "span_id", "route", "status")


def fields(event_id=None, municipality=None, traceparent=None, **more):
    """The ``extra`` of a log call: ids only; the traceparent split into trace and span ids."""
    found = {"event_id": event_id, "municipality": municipality, **more}
    parts = (traceparent or "").split("-")
    if len(parts) == 4:
        found["trace_id"], found["span_id"] = parts[1], parts[2]
    return {k: v for k, v in found.items() if v is not None}


def _utc(record):
    return dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def __init__(self, service):
        super().__init__()
        self.service = service

    def format(self, record):
        line = {"time": _utc(record), "level": record.levelname, "service": self.service,
                "logger": record.name, "message": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _OWN and not key.startswith("_"):
                line[key] = value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self, service):
        super().__init__(f"%(utc)s %(levelname)s {service} %(name)s: %(message)s")

    def format(self, record):
        record.utc = _utc(record)
        return super().format(record)


def configure(service, level="INFO", format="text"):
    if format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {format!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if format == "json" else TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "nameko", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
