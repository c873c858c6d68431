"""What every nameko service of Samskab has.

* ``rpc``: nameko's RPC entrypoint, with the domain errors declared expected,
  so a 404 or a 409 is logged as one warning line, not an error with a traceback;
* ``ServiceBase``: a ``ping`` for the gateway's readiness check.
"""
from nameko.rpc import rpc as _nameko_rpc

from .errors import DomainError


def rpc(fn=None, *, expected_exceptions=()):
    """``@rpc`` as in nameko; domain errors are always expected."""
    expected = (DomainError,) + tuple(
        expected_exceptions if isinstance(expected_exceptions, (tuple, list)) else (expected_exceptions,))
    decorator = _nameko_rpc(expected_exceptions=expected)
    return decorator(fn) if fn is not None else decorator


class ServiceBase:
    @rpc
    def ping(self):
        return "pong"
