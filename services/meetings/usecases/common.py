"""What every use case checks first: who is asking, in which municipality, about which meeting."""
import hashlib
import uuid

from samskab.errors import Forbidden, NotFound, Unauthorized
from samskab.values import parse_id
from samskab.vocabulary import Role, values

from ..storage import Meetings

# The seat groups a person registers in (their account's role); an operator has none.
GROUPS = values(Role)


def require_staff(actor, municipality):
    if not actor:
        raise Unauthorized("sign in first")
    if not actor.get("staff") or actor.get("municipality") != municipality:
        raise Forbidden("only the municipality's staff may do this")


def require_actor(actor):
    if not actor or not actor.get("id"):
        raise Unauthorized("sign in first")
    return uuid.UUID(actor["id"])


def zone(catalogue, municipality):
    """The municipality's time zone, from the deployment's catalogue of municipalities."""
    found = catalogue.get(municipality)
    if found is None:
        raise NotFound(f"no municipality '{municipality}'")
    return found.time_zone


def meeting_or_404(uow, municipality, meeting_id, lock=False):
    row = Meetings(uow).get(municipality, parse_id(meeting_id, "meeting"), lock=lock)
    if row is None:
        raise NotFound("no such meeting")
    return row


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
