"""Every error the HTTP API returns, as RFC 9457 problem+json, mapped in one place."""
import json

import kombu.exceptions
import psycopg2
import sqlalchemy as sa
from nameko.exceptions import RemoteError, UnknownService
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from samskab.errors import DomainError

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


# A backend's errors that mean "away for now", not "a bug" (its database restarting or full).
BACKEND_AWAY = ("OperationalError", "InterfaceError")


class Problem(Exception):
    """Raised by gateway code for an error with no domain exception behind it."""

    def __init__(self, status, detail="", errors=None, headers=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


class BackendUnavailable(Problem):
    def __init__(self, service):
        super().__init__(503, f"the {service} service is not answering; try again shortly", headers={"Retry-After": "5"})


def problem_response(status, detail="", errors=None, instance=None, headers=None):
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    if instance:
        body["instance"] = instance
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers or {}, content_type=PROBLEM_TYPE)


def from_exception(exc, instance=None):
    """The response for ``exc``, or ``None`` if it is a bug (answered as 500 by the caller)."""
    if isinstance(exc, Problem):
        return problem_response(exc.status, exc.detail, exc.errors, instance, exc.headers)
    if isinstance(exc, DomainError):
        # a throttle's refusal carries Retry-After
        return problem_response(exc.status, exc.detail, exc.errors, instance, getattr(exc, "headers", None))
    if isinstance(exc, HTTPException) and exc.code and 400 <= exc.code < 500:
        # werkzeug's own refusals while parsing (a form with too many parts or bytes: 413)
        return problem_response(exc.code, exc.description or "", instance=instance)
    if isinstance(exc, UnknownService):
        return problem_response(503, "a backend service is not running", instance=instance, headers={"Retry-After": "5"})
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, psycopg2.OperationalError,
                        psycopg2.InterfaceError)):
        # the gateway's own database is away (restarting, failing over): try again shortly
        return problem_response(503, "the database is not answering; try again shortly", instance=instance,
                                headers={"Retry-After": "5"})
    if isinstance(exc, (kombu.exceptions.OperationalError, ConnectionError)):
        # RabbitMQ is away (restarting, failing over): a retry (with its Idempotency-Key) is safe
        return problem_response(503, "the message broker is not answering; try again shortly", instance=instance,
                                headers={"Retry-After": "5"})
    if isinstance(exc, RemoteError) and exc.exc_type in BACKEND_AWAY:
        # the backend's own database is away (or out of connections): not a bug, try again shortly
        return problem_response(503, "a backend's database is not answering; try again shortly", instance=instance,
                                headers={"Retry-After": "5"})
    if isinstance(exc, RemoteError):
        return None
    return None


def validation_errors(exc):
    """pydantic's errors, as ``[{field, message}]`` naming each field."""
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors()
    ]
