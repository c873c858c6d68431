"""The JSON API under /api/v1: importing this package registers every route."""
from . import auth, municipalities, proposals  # noqa: F401
