"""What every nameko service of Samskab has.

* ``rpc``: an RPC entrypoint (:mod:`samskab.rpc`) answered only by the instance
  group that serves the call's municipality, and never after the caller's deadline;
  domain errors are declared expected, so a 404 or a 409 is logged as one warning
  line, not an error with a traceback;
* ``ServiceBase``: a ``ping`` for the gateway's readiness check, and what ``rpc``
  reads about each call (its deadline, the municipalities served here).

Each call's handling time is ``samskab_rpc_duration_seconds{service, method}`` on the
service's ``/metrics`` (refused calls too: a 404 takes time as well).
"""
import functools
import time

from nameko.exceptions import serialize

from . import metrics
from .errors import DomainError, Forbidden, Invalid, NotFound
from .rpc import CallInfo, GroupRpc, check_call


def rpc(fn=None, *, expected_exceptions=()):
    """``@rpc`` as in nameko; domain errors are always expected."""
    expected = (DomainError,) + tuple(
        expected_exceptions if isinstance(expected_exceptions, (tuple, list)) else (expected_exceptions,))

    def decorator(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            check_call(method, self, args, kwargs)
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                metrics.for_service(self.name).rpc_duration.labels(method=method.__name__).observe(
                    time.perf_counter() - started)

        return GroupRpc.decorator(expected_exceptions=expected)(guarded)

    return decorator(fn) if fn is not None else decorator


class ServiceBase:
    rpc_call = CallInfo()

    @rpc
    def ping(self):
        return "pong"


MAX_READS = 50  # reads in one ``answer_each`` call


def answer_each(service, municipality, actor, calls, allowed):
    """Several reads in one call, each answered by the service's own entrypoint of that name,
    as nobody in particular (``actor`` None): ``calls`` is ``[[method, [arguments after
    municipality and actor], {keywords}], …]`` with methods from ``allowed``.  One dict per
    call: ``{"result": …}``, ``{"missing": detail}`` for "not found", or ``{"error": …}``
    (nameko's serialised error), so one read that fails leaves the others answered."""
    if actor is not None:
        raise Forbidden("several reads in one call are for what anybody may read")
    if not isinstance(calls, list) or not 0 < len(calls) <= MAX_READS:
        raise Invalid(f"between 1 and {MAX_READS} reads in one call")
    answers = []
    with service.db:  # one transaction for them all (the reads' own units of work nest in it)
        for call in calls:
            try:
                if not (isinstance(call, list) and len(call) == 3 and call[0] in allowed
                        and isinstance(call[1], list) and isinstance(call[2], dict)):
                    raise Invalid(f"not a read this service answers with others: {str(call)[:100]}")
                method, args, kwargs = call
                answers.append({"result": getattr(service, method)(municipality, None, *args, **kwargs)})
            except NotFound as exc:
                answers.append({"missing": exc.detail or "not found"})
            except Exception as exc:
                answers.append({"error": serialize(exc)})
    return answers
