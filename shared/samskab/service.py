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

from . import metrics
from .errors import DomainError
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
