"""The CloudEvents 1.0 envelope and the registry of event types.

Every event type is registered once, with the pydantic model of its ``data``
and, when third parties may see it, the model of its public projection.  The
projection is a separate model listing exactly the fields that are public, so
personal data stays out of ``samskab.public`` by construction rather than by
remembering to delete fields.
"""
import datetime as dt
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from .config import MUNICIPALITY_RE

SPECVERSION = "1.0"
TYPE_PREFIX = "samskab."
TYPE_RE = re.compile(r"^samskab\.[a-z_]+\.[a-z_]+(\.v[0-9]+)?$")
EVENTS_EXCHANGE = "samskab.events"  # internal: full data, services only
PUBLIC_EXCHANGE = "samskab.public"  # third parties: public projections only
CONTENT_TYPE = "application/cloudevents+json"


class EventError(ValueError):
    """An envelope or its data does not match the contract."""


class Contract(BaseModel):
    """Base of event data and public projections: unknown fields are refused,
    so a producer cannot leak a field the contract does not name."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicProjection(BaseModel):
    """Base of public projections: built from the full data by taking the
    fields it declares and ignoring the rest."""

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True)
class EventType:
    name: str
    model: type
    public: type | None
    description: str

    @property
    def owner(self) -> str | None:
        """The service that alone may publish this type (declared with it in the
        contracts: the module's ``OWNER``, else ``samskab.contracts.OWNERS``);
        ``None`` for a type registered outside the contracts (tests' own)."""
        module = sys.modules.get(self.model.__module__)
        if getattr(module, "OWNER", None):
            return module.OWNER
        from . import contracts

        return contracts.owner_of_module(self.model.__module__)

    def project(self, data: dict) -> dict | None:
        if self.public is None:
            return None
        return self.public.model_validate(data).model_dump(mode="json")


_registry: dict[str, EventType] = {}


def event(name, *, public=None, description=""):
    """Class decorator registering a data model under an event type name.

    ``public`` is the :class:`PublicProjection` subclass third parties get,
    or ``None`` for an internal-only event.
    """
    if not TYPE_RE.match(name):
        raise ValueError(f"event type {name!r} must look like samskab.<entity>.<verb>")

    def register(model):
        if name in _registry and _registry[name].model is not model:
            raise ValueError(f"event type {name} registered twice")
        _registry[name] = EventType(name, model, public, description or (model.__doc__ or "").strip())
        model.event_type = name
        return model

    return register


def registry() -> dict[str, EventType]:
    """All registered event types (importing the contracts registers them)."""
    from . import contracts  # noqa: F401  (registers every type)

    return dict(_registry)


def get_type(name) -> EventType:
    # On the hot path (every emit, publish and receipt): a plain lookup, and
    # the contracts are imported only when a name is not registered yet.
    etype = _registry.get(name)
    if etype is None:
        registry()
        etype = _registry.get(name)
        if etype is None:
            raise EventError(f"unknown event type {name!r}")
    return etype


def routing_key(municipality, type_name):
    """``aalborg`` + ``samskab.proposal.published`` → ``aalborg.proposal.published``."""
    return f"{municipality}.{type_name[len(TYPE_PREFIX):]}"


def new_traceparent(parent=None):
    """A W3C traceparent: same trace as ``parent`` (if any), new span id."""
    trace_id = None
    if parent:
        parts = parent.split("-")
        if len(parts) == 4 and len(parts[1]) == 32:
            trace_id = parts[1]
    trace_id = trace_id or os.urandom(16).hex()
    return f"00-{trace_id}-{os.urandom(8).hex()}-01"


def _now():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def make(type_name, *, municipality, service, subject, data, traceparent=None, event_id=None, time=None):
    """Build a validated envelope (a plain dict, ready for JSON)."""
    etype = get_type(type_name)
    if not MUNICIPALITY_RE.match(municipality or ""):
        raise EventError(f"municipality {municipality!r} is not a municipality id")
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    try:
        data = etype.model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        raise EventError(f"{type_name}: data does not match its contract: {exc}") from exc
    envelope = {
        "specversion": SPECVERSION,
        "id": str(event_id or uuid.uuid4()),
        "source": f"/municipalities/{municipality}/{service}",
        "type": type_name,
        "time": time or _now(),
        "subject": subject,
        "datacontenttype": "application/json",
        "municipality": municipality,
        "traceparent": traceparent or new_traceparent(),
        "data": data,
    }
    return envelope


def public_envelope(envelope):
    """The envelope third parties see, or ``None`` if the type is internal."""
    etype = get_type(envelope["type"])
    data = etype.project(envelope["data"])
    if data is None:
        return None
    public = dict(envelope)
    public["data"] = data
    return public


REQUIRED = ("specversion", "id", "source", "type", "time", "subject", "municipality", "data")


def parse(body):
    """Validate a received envelope (bytes, str or dict) against the registry."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventError(f"not UTF-8: {exc}") from exc
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise EventError(f"not JSON: {exc}") from exc
        except RecursionError:
            raise EventError("JSON nested too deeply") from None
    if not isinstance(body, dict):
        raise EventError("envelope is not a JSON object")
    missing = [key for key in REQUIRED if key not in body]
    if missing:
        raise EventError(f"envelope lacks {', '.join(missing)}")
    if body["specversion"] != SPECVERSION:
        raise EventError(f"specversion {body['specversion']!r} is not 1.0")
    try:
        uuid.UUID(str(body["id"]))
    except ValueError:
        raise EventError(f"id {body['id']!r} is not a UUID")
    if not isinstance(body["municipality"], str) or not MUNICIPALITY_RE.match(body["municipality"]):
        raise EventError(f"municipality {body['municipality']!r} is not a municipality id")
    etype = get_type(body["type"])
    try:
        etype.model.model_validate(body["data"])
    except ValidationError as exc:
        raise EventError(f"{body['type']}: data does not match its contract: {exc}") from exc
    except RecursionError:
        raise EventError(f"{body['type']}: data nested too deeply") from None
    return body


def dumps(envelope) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
