"""Domain errors, shared so they cross RPC as themselves.

A service raises them; nameko carries them to the gateway, which maps each to
its HTTP status and a problem+json body in one place (``gateway.api.problems``).
"""
from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail="", errors=None):
        # The args cross RPC as JSON (nameko turns anything but str, dict and
        # lists into strings), so ``errors`` travels as a list, never None.
        errors = list(errors or [])
        super().__init__(detail, errors)
        self.detail = detail
        self.errors = errors

    def __str__(self):
        return self.detail


@deserialize_to_instance
class Invalid(DomainError):
    """Input that breaks a rule; ``errors`` name the fields."""

    status = 422
    title = "Invalid input"


@deserialize_to_instance
class NotFound(DomainError):
    status = 404
    title = "Not found"


@deserialize_to_instance
class Forbidden(DomainError):
    """The caller's role may not do this."""

    status = 403
    title = "Forbidden"


@deserialize_to_instance
class Conflict(DomainError):
    """Not allowed from the current state (e.g. a transition, a duplicate)."""

    status = 409
    title = "Conflict"


@deserialize_to_instance
class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


@deserialize_to_instance
class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
