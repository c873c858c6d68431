"""The gateway: HTTP in, RPC to the services, problem+json out.

One nameko HTTP entrypoint takes every request and hands it to the API router
(``gateway.api``) or, for the web pages, to ``gateway.web``; size limits,
authentication, errors, metrics and the access log are handled here once.
"""
import json
import logging
import os
import time

import eventlet

from nameko.extensions import DependencyProvider
from nameko.timer import timer
from nameko.web.handlers import http
from werkzeug.exceptions import MethodNotAllowed, NotFound as RouteNotFound
from werkzeug.wrappers import Response

from samskab import events, logs, metrics, municipalities, objectstore
from samskab.db import Database
from samskab.rpc import GroupRpcProxy as RpcProxy  # routes by municipality, sends deadlines
from samskab.health import metrics_response, readiness

from . import cors, internal_port, uploading
from .accounts import oidc
from .accounts.cache import AccountCache, SECONDS_DEFAULT as ACCOUNT_CACHE_SECONDS
from .internal_port import InternalPort

from . import api  # noqa: F401  (registers the routes)
from .api.context import Context, raise_own_version
from .api.problems import Problem, from_exception, problem_response
from .api.router import API_PREFIX, router, run as run_route
from . import inputs
from .readmodel import PublicReadModel, http as readmodel_http, own as own_reads

log = logging.getLogger("gateway")

METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"  # OPTIONS too, so that it gets problem+json 405 with the real Allow
BACKENDS = ("proposals", "matching", "meetings", "notifications")
# How often uploads a stopped gateway left pending are swept (nameko fixes a timer's interval
# when the class is defined); what counts as left is UPLOADS_PENDING_MAX_AGE_SECONDS (issue 21).
SWEEP_SECONDS_DEFAULT = "300"
UPLOADS_SWEEP_SECONDS = float(os.environ.get("UPLOADS_SWEEP_SECONDS", SWEEP_SECONDS_DEFAULT))


def _nul_fields(value, path=""):
    """The places in a JSON value (or form) where a text holds a NUL character."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _nul_fields(k, path) + _nul_fields(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _nul_fields(v, f"{path}.{i}" if path else str(i))]
    return []


def _refuse_nul(data):
    """No text anywhere may hold a NUL character (PostgreSQL cannot store one): 422, naming the fields."""
    fields = _nul_fields(data)
    if fields:
        raise Problem(422, "text may not contain the NUL character",
                      [{"field": f, "message": "contains the NUL character"} for f in dict.fromkeys(fields)])


class Settings(DependencyProvider):
    """The gateway's configuration, read once when the container starts."""

    def setup(self):
        config = self.container.config
        self.value = type("GatewaySettings", (), {})()
        self.value.config = config
        self.value.municipalities = municipalities.served(config)
        self.value.rpc_timeout = float(config.get("RPC_TIMEOUT_SECONDS", 10))
        self.value.max_body = int(config.get("MAX_BODY_BYTES", 65536))
        self.value.require_confirmed = str(config.get("REQUIRE_CONFIRMED_EMAIL", "1")) not in ("0", "false", "no")
        self.value.metrics = metrics.for_service("gateway")

    def get_dependency(self, worker_ctx):
        return self.value


class Trace(DependencyProvider):
    """The W3C traceparent of the request; RPC calls carry it on to the services."""

    def get_dependency(self, worker_ctx):
        # ``context_data`` is a copy; ``data`` is what RPC calls read their headers from.
        return worker_ctx.data


class Service:
    name = "gateway"
    environment = {
        "TOKEN_TTL_SECONDS": "86400",
        "MAX_BODY_BYTES": "65536",
        "RPC_TIMEOUT_SECONDS": "10",
        "PUBLIC_URL": "http://localhost:8000",
        "REQUIRE_CONFIRMED_EMAIL": "1",
        "ACCOUNT_CACHE_SECONDS": ACCOUNT_CACHE_SECONDS,  # accounts kept in memory (accounts/cache.py)
        "PUBLIC_CACHE_SECONDS": "1",
        "READMODEL": "1", "READMODEL_MAX_AGE_SECONDS": "60", "READMODEL_MAX_PAGES": "5000",
        "READMODEL_MAX_ANSWERS": "100000", "READMODEL_WARM": "100",
        "GATEWAY_INTERNAL_PORT": "",
        "MAP_TILE_URL": "", "MAP_TILE_ATTRIBUTION": "", "MAP_CENTER": "",  # maps (web/views/maps.py)
        **objectstore.SETTINGS,  # attachments' files (gateway/uploading.py)
        "UPLOADS_PENDING_MAX_AGE_SECONDS": uploading.PENDING_MAX_AGE_SECONDS, "UPLOADS_SWEEP_SECONDS": SWEEP_SECONDS_DEFAULT,
        "CORS_ORIGINS": "*",  # public reads from other origins, GET/HEAD only (cors.py)  # /metrics and /readyz there, not on the public port (internal_port.py)
    }

    @staticmethod
    def check_config(config):
        """Checked at start (``samskab.run``), so a misconfigured identity provider stops the
        start with a message naming the setting, rather than failing the first sign-in."""
        oidc.providers(config)

    settings = Settings()
    db = Database()
    account_cache = AccountCache()  # the callers' accounts, forgotten on PostgreSQL's notice of a change
    trace = Trace()
    proposals = RpcProxy("proposals")
    matching = RpcProxy("matching")
    meetings = RpcProxy("meetings")
    notifications = RpcProxy("notifications")
    readmodel = PublicReadModel()  # public reads from samskab.public (gateway/readmodel)
    internal = InternalPort()

    @property
    def config(self):
        return self.settings.config

    @timer(interval=UPLOADS_SWEEP_SECONDS)
    def sweep_pending_uploads(self):
        """Delete the bytes of uploads a stopped gateway left unrecorded (gateway/uploading.py)."""
        self.sweep_uploads()

    def sweep_uploads(self, max_age=None):
        def call(service, method, *args):
            with eventlet.Timeout(self.rpc_timeout):
                return getattr(getattr(self, service), method)(*args)
        return uploading.sweep_pending(self.db, self.config, call, max_age)

    @property
    def municipalities(self):
        return self.settings.municipalities

    @property
    def rpc_timeout(self):
        return self.settings.rpc_timeout

    @property
    def require_confirmed(self):
        return self.settings.require_confirmed

    @property
    def max_body(self):
        return self.settings.max_body

    @property
    def metrics(self):
        return self.settings.metrics

    @http(METHODS, "/")
    def root(self, request):
        return self.handle(request)

    @http(METHODS, "/<path:path>")
    def everything(self, request, path):
        return self.handle(request)

    def handle(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("traceparent")
        self.trace["traceparent"] = events.new_traceparent(incoming)
        self.trace["route"] = "unmatched"
        try:
            response, self.trace["route"] = self._dispatch(request)
        except Exception as exc:  # one place maps every error to problem+json
            response = from_exception(exc, instance=request.path)
            if response is None:
                log.exception("unhandled error on %s %s", request.method, self.trace["route"])
                response = problem_response(500, "something went wrong on our side", instance=request.path)
        self._wrote(request)
        response = readmodel_http.finish(self.readmodel, request, response)  # ETag, 304, Cache-Control
        response = cors.allow(self.config, request, response)
        route_name = self.trace["route"]
        elapsed = time.perf_counter() - started
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers["traceparent"] = self.trace["traceparent"]
        self.metrics.http_requests.labels(request.method, route_name, str(response.status_code)).inc()
        self.metrics.http_duration.labels(request.method, route_name).observe(elapsed)
        # Path templates only: ids are not personal, but query strings and bodies may be.
        log.info(
            "%s %s %s %.1fms traceparent=%s", request.method, route_name, response.status_code,
            elapsed * 1000, self.trace["traceparent"],
            extra=logs.fields(traceparent=self.trace["traceparent"], method=request.method, route=route_name,
                              status=response.status_code, duration_ms=round(elapsed * 1000, 1)),
        )
        return response

    def _wrote(self, request):
        """A signed-in caller's write: what is theirs on proposal pages is asked again. Any write
        may have changed accounts (a sign-out, a role, an erasure, an own_version): this instance
        reads them again from its next request on, without waiting for PostgreSQL's notice."""
        try:
            own_reads.wrote(request, lambda account_id: raise_own_version(self.db.engine, account_id))
        except Exception:  # the answer stands; their pages show their own for at most READMODEL_OWN_SECONDS
            log.exception("could not raise an account's own_version after %s %s", request.method,
                          self.trace["route"])
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # After the own_version's commit: a row read meanwhile by another request is not kept.
            self.account_cache.forget_all()

    def _dispatch(self, request):
        path = request.path
        if path == "/healthz":
            return Response('{"status":"ok"}', content_type="application/json"), "/healthz"
        if cors.is_preflight(request):
            return cors.preflight(self.config, request), "/cors-preflight"
        if path in ("/readyz", "/metrics") and not internal_port.allowed(request, self.config):
            return Response("not found\n", status=404, content_type="text/plain"), "/internal"
        if path == "/readyz":
            ok, checks = readiness(self.db.engine, None)
            checks.update(self._backend_checks())
            ok = all(v == "ok" for v in checks.values())
            body = json.dumps({"status": "ok" if ok else "unavailable", "checks": checks})
            return Response(body, status=200 if ok else 503, content_type="application/json"), "/readyz"
        if path == "/metrics":
            body, ctype = metrics_response()
            return Response(body, content_type=ctype), "/metrics"
        if path == API_PREFIX + "/openapi.json":
            return Response(json.dumps(router.openapi()), content_type="application/json"), "/openapi.json"
        _refuse_nul({k: request.args.getlist(k) for k in request.args})
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = inputs.limit_forms(request, self.form_limit(path)).form
            _refuse_nul({k: request.form.getlist(k) for k in form})
        if path in ("/account/confirm", "/account/reset"):
            from . import account_pages

            return account_pages.dispatch(self, request, Context(self, request, self.trace))
        if not (path == "/api" or path.startswith("/api/")):  # anything under /api answers problem+json
            from . import web

            return web.dispatch(self, request)
        try:
            route, values = router.match(path, request.method)
        except MethodNotAllowed as exc:
            raise Problem(405, f"{request.method} is not allowed here", headers={"Allow": ", ".join(exc.valid_methods or [])})
        except RouteNotFound:
            raise Problem(404, "no such resource")
        self.trace["route"] = route.template
        ctx = Context(self, request, self.trace)
        if route.auth and route.method != "GET" and self.require_confirmed:
            self._check_confirmed(ctx, route)
        args = dict(values)
        if route.body is not None:
            args["body"] = inputs.body(request, route.body, route.max_body or self.max_body)
        result = run_route(ctx, route, args)
        if isinstance(result, Response):
            return result, route.template
        return Response(json.dumps(result, ensure_ascii=False, default=str), status=route.status,
                        content_type="application/json"), route.template

    def form_limit(self, path):
        """The panel page's form carries a whole volunteer pool; other forms are small."""
        from .pools import POOL_MAX_BODY
        from .uploading import MAX_FORM_BODY

        if path.endswith("/attachments"):  # a picture or a PDF of up to 10 MB (api/attachments.py)
            return max(self.max_body, MAX_FORM_BODY)
        return max(self.max_body, POOL_MAX_BODY) if path.endswith("/panels") else self.max_body

    def _check_confirmed(self, ctx, route):
        """Acting publicly (proposing, supporting, registering, asking …) needs a
        confirmed e-mail address; managing one's own account does not."""
        if route.path.startswith(("/me", "/auth")):
            return
        account = ctx.require_account()
        if account.email_confirmed_at is None:
            raise Problem(403, "confirm your e-mail address first: follow the link we sent you "
                               "(POST /api/v1/auth/confirm/resend sends it again)")

    def _backend_checks(self):
        """Ping every backend at once, each given two seconds."""

        def ping(service):
            try:
                with eventlet.Timeout(2):
                    getattr(self, service).ping()
                return service, "ok"
            except BaseException as exc:  # eventlet.Timeout is not an Exception
                return service, f"unavailable: {type(exc).__name__}"

        return dict(eventlet.GreenPool().imap(ping, BACKENDS))
