"""The notifications made for people (their inbox, and what digests are made of)."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import notifications


def add(uow, rows):
    """Insert notifications; ``[(id, participant_id)]`` of those that were new
    (each event reaches each recipient once)."""
    # executemany with RETURNING: SQLAlchemy sends it in pages ("insertmanyvalues"),
    # far cheaper than compiling one statement with 10,000 VALUES rows.
    return uow.execute(
        pg.insert(notifications).on_conflict_do_nothing(constraint="notifications_once")
        .returning(notifications.c.id, notifications.c.participant_id, sort_by_parameter_order=True),
        rows,
    ).all()


def newest(uow, pid, limit, unread_only=False):
    query = sa.select(notifications).where(notifications.c.participant_id == pid, notifications.c.in_inbox)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    return uow.execute(query.order_by(notifications.c.created_at.desc()).limit(limit)).all()


def unread(uow, pid):
    return uow.execute(sa.select(sa.func.count()).select_from(notifications).where(
        notifications.c.participant_id == pid, notifications.c.in_inbox, notifications.c.read_at.is_(None))).scalar()


def mark_read(uow, pid, ids=None):
    """Mark these (or, with ``ids=None``, all) unread notifications read; how many."""
    query = notifications.update().where(notifications.c.participant_id == pid, notifications.c.read_at.is_(None))
    if ids is not None:
        query = query.where(notifications.c.id.in_(ids))
    return uow.execute(query.values(read_at=sa.func.now())).rowcount
