"""What every use case needs: the caller as the rules see them, and events
emitted from their contract models."""
import uuid

from samskab.errors import Invalid, NotFound

from .. import views
from ..domain import Actor


def caller(actor):
    """The RPC ``actor`` dict (``None`` for anonymous) as the rules see it."""
    return Actor.of(actor)


def own_id(who):
    return uuid.UUID(who.id)


def emit(uow, event, subject):
    """Queue ``event`` (a contract model) in the unit's transaction: it goes out with the commit."""
    uow.emit(type(event).event_type, municipality=event.municipality, subject=subject, data=event)


def require_signed_in(who, what):
    if who.id is None:
        raise Invalid(f"{what} needs an initiator", [{"field": "actor", "message": "sign in first"}])


def readable(row, who):
    """The proposal's rules, if ``who`` may read what hangs under it: a hidden
    proposal's questions, agreement, experiments and updates leave public view with it."""
    rules = views.proposal_of(row)
    rules.require_visible(who)
    if not rules.shows_content_to(who):
        raise NotFound(f"the municipality hid this proposal: {row.hidden_reason}")
    return rules
