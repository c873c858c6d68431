"""The web pages: server-rendered (Jinja2), in Danish, Norwegian bokmål and
nynorsk and English, working without JavaScript.  ``dispatch(gateway, request)``
is called by the gateway for every path outside the API."""
from . import views  # noqa: F401  (registers the pages)
from .app import dispatch

__all__ = ["dispatch"]
