"""A person's inbox: what they were told, newest first, and marking it read."""
import uuid

from samskab.errors import Invalid

from .. import views
from ..storage import inbox as notifications
from .access import person


def inbox(uow, actor, limit=50, unread_only=False):
    pid = person(actor)
    limit = max(1, min(int(limit), 200))
    with uow:
        rows = notifications.newest(uow, pid, limit, unread_only)
        unread = notifications.unread(uow, pid)
    return {"unread": unread, "items": [views.inbox_item(r) for r in rows]}


def mark_read(uow, actor, ids=None, everything=False):
    pid = person(actor)
    if not everything and not ids:
        raise Invalid("say which notifications", [{"field": "ids", "message": "give ids or all: true"}])
    wanted = None
    if not everything:
        wanted = []
        for i, value in enumerate(ids):
            try:
                wanted.append(uuid.UUID(str(value)))
            except ValueError:
                raise Invalid("not a notification id", [{"field": f"ids.{i}", "message": "not a UUID"}])
    with uow:
        return {"marked": notifications.mark_read(uow, pid, wanted)}
