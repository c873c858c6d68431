"""The gateway's ``/metrics``, ``/healthz`` and ``/readyz`` on a port of their own.

With ``GATEWAY_INTERNAL_PORT`` set, the public port (the one the Ingress sends
everything to) answers 404 for ``/metrics`` and ``/readyz``, and this port serves
them to Prometheus and the kubelet only.  ``/readyz`` asks the backends over RPC,
which needs a gateway worker: this server forwards it to the public port on the
loopback with a token that lives only in this process, and the public port
answers it only with that token.
"""
import logging
import secrets

import eventlet
import eventlet.wsgi
import requests
from nameko.extensions import DependencyProvider, SharedExtension

from samskab.health import liveness, not_found

log = logging.getLogger(__name__)
TOKEN_HEADER = "X-Samskab-Internal"
TOKEN = secrets.token_urlsafe(24)  # per process; never sent beyond the loopback


def port_of(config):
    value = str(config.get("GATEWAY_INTERNAL_PORT") or "").strip()
    return int(value) if value else None


def allowed(request, config):
    """May this request see /metrics or /readyz on the public port?"""
    return port_of(config) is None or request.headers.get(TOKEN_HEADER) == TOKEN


class InternalServer(SharedExtension):
    def setup(self):
        config = self.container.config
        self.port = port_of(config)
        self.public = int(config.get("METRICS_PORT") or 8000)
        self.sock = None
        if self.port is not None:
            self.sock = eventlet.listen(("0.0.0.0", self.port))
            self.port = self.sock.getsockname()[1]

    def start(self):
        if self.sock is not None:
            self._gt = self.container.spawn_managed_thread(self._serve, identifier="gateway-internal-port")

    def _serve(self):
        eventlet.wsgi.server(self.sock, self.app, log_output=False, log=log)

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        answered = liveness(path, start_response)
        if answered is not None:
            return answered
        if path == "/readyz":
            try:
                r = requests.get(f"http://127.0.0.1:{self.public}/readyz", headers={TOKEN_HEADER: TOKEN}, timeout=15)
                start_response(f"{r.status_code} {r.reason}", [("Content-Type", "application/json")])
                return [r.content]
            except requests.RequestException as exc:
                start_response("503 Service Unavailable", [("Content-Type", "application/json")])
                return [('{"status":"unavailable","checks":{"http":"%s"}}' % type(exc).__name__).encode()]
        return not_found(start_response)

    def stop(self):
        if self.sock is not None:
            self._gt.kill()
            self.sock.close()

    kill = stop


class InternalPort(DependencyProvider):
    """Declare on the gateway: serves the internal port when GATEWAY_INTERNAL_PORT is set."""

    server = InternalServer()

    def get_dependency(self, worker_ctx):
        return self.server
