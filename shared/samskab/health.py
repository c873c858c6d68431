"""``/metrics``, ``/healthz`` and ``/readyz`` on the service's own port.

``/healthz`` says the process lives; ``/readyz`` that its database answers
and its outbox relay is working (which means the broker answers too).
A port of 0 picks a free one (tests run many services in one process).
"""
import json
import logging

import eventlet
import eventlet.wsgi
import sqlalchemy as sa
from nameko.extensions import DependencyProvider, SharedExtension
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .db import engine_for

log = logging.getLogger(__name__)


def readiness(engine, relay=None):
    checks = {}
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    if relay is not None:
        checks["broker"] = "ok" if relay.alive else "unavailable"
    return all(v == "ok" for v in checks.values()), checks


def metrics_response():
    return generate_latest(), CONTENT_TYPE_LATEST


def liveness(path, start_response):
    """``/metrics`` and ``/healthz``, the same on every port that serves them (a service's
    health port, the gateway's internal port); ``None`` for any other path."""
    if path == "/metrics":
        body, ctype = metrics_response()
        start_response("200 OK", [("Content-Type", ctype)])
        return [body]
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status":"ok"}']
    return None


def not_found(start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found\n"]


class HealthServer(SharedExtension):
    def setup(self):
        self.port = int(self.container.config.get("METRICS_PORT", 0))
        self.engine = engine_for(self.container.config["DATABASE_URL"])
        self.relay = None
        for ext in self.container.extensions:
            if type(ext).__name__ == "OutboxRelay":
                self.relay = ext
        self.sock = eventlet.listen(("0.0.0.0", self.port))
        self.port = self.sock.getsockname()[1]

    def start(self):
        self._gt = self.container.spawn_managed_thread(self._serve, identifier="health-server")

    def _serve(self):
        eventlet.wsgi.server(self.sock, self.app, log_output=False, log=log)

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        answered = liveness(path, start_response)
        if answered is not None:
            return answered
        if path == "/readyz":
            ok, checks = readiness(self.engine, self.relay)
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "application/json")])
            return [json.dumps({"status": "ok" if ok else "unavailable", "checks": checks}).encode()]
        return not_found(start_response)

    def stop(self):
        self._gt.kill()
        self.sock.close()

    kill = stop


class Health(DependencyProvider):
    """Declare on a service to serve its metrics and health port."""

    server = HealthServer()

    def get_dependency(self, worker_ctx):
        return self.server
