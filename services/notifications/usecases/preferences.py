"""How often a person hears about each kind of notification, and one-click unsubscribe."""
import uuid

from samskab.errors import NotFound

from .. import messages, preferences
from ..storage import people
from .access import person


def _answer(uow, pid):
    return {"preferences": preferences.effective(people.preferences_of(uow, pid)),
            "frequencies": preferences.FREQUENCIES}


def get_preferences(uow, actor):
    pid = person(actor)
    with uow:
        return _answer(uow, pid)


def set_preferences(uow, actor, update):
    pid = person(actor)
    pairs = preferences.validate(update)
    with uow:
        people.store_preferences(uow, pid, pairs)
        return _answer(uow, pid)


def unsubscribe(uow, settings, token):
    """RFC 8058 one-click: e-mail off for the kind the link names (or for all)."""
    found = messages.read_unsubscribe_token(settings.NOTIFICATIONS_SECRET, token)
    if found is None:
        raise NotFound("this unsubscribe link is not valid")
    participant_id, kind = found
    with uow:
        people.store_preferences(uow, uuid.UUID(participant_id), preferences.unsubscribe_all(kind))
    return {"unsubscribed": kind if kind in preferences.DEFAULTS else "all"}
