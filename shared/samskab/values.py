"""Small value helpers every service needs once: the time, ids from outside, ISO
timestamps, and payloads validated against a contract model."""
import datetime as dt
import uuid

from pydantic import ValidationError

from .errors import Invalid, NotFound


def now():
    """The current time, always in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def parse_id(value, what="id"):
    """An id from a URL or a payload; one that is not a UUID names nothing, so 404."""
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"no such {what}")


def iso(value):
    """A datetime or date as ISO 8601, ``None`` kept."""
    return value.isoformat() if value is not None else None


def field_errors(exc):
    """A pydantic ``ValidationError`` as the field list every 422 carries."""
    return [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()]


def parse(model, payload):
    """``payload`` validated as ``model``, or :class:`Invalid` naming the fields."""
    try:
        return model.model_validate(payload if payload is not None else {})
    except ValidationError as exc:
        raise Invalid("the request is not valid", field_errors(exc))
