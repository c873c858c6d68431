"""Notifications held for a digest (``digest_items``) and the digests made (``digest_runs``)."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import digest_items, digest_runs, notifications


def hold(uow, rows):
    """Hold notifications for the digest of their period (each once per frequency)."""
    if rows:
        uow.execute(pg.insert(digest_items).on_conflict_do_nothing(), rows)


def ended_groups(uow, batch):
    """Up to ``batch`` (participant, frequency, period) groups whose period has ended
    and whose digest is not made yet."""
    return uow.execute(
        sa.select(digest_items.c.participant_id, digest_items.c.frequency, digest_items.c.period_start,
                  sa.func.max(digest_items.c.period_end).label("period_end"))
        .where(digest_items.c.digest_run_id.is_(None), digest_items.c.period_end <= sa.func.now())
        .group_by(digest_items.c.participant_id, digest_items.c.frequency, digest_items.c.period_start)
        .limit(batch)
    ).all()


def ended_items(uow, pids):
    """``{(participant, frequency, period start): [items]}`` of these people's held
    notifications whose period has ended, oldest first, with their title and link."""
    items = {}
    for item in uow.execute(
        sa.select(digest_items.c.id, digest_items.c.participant_id, digest_items.c.frequency,
                  digest_items.c.period_start, notifications.c.title, notifications.c.link)
        .join(notifications, notifications.c.id == digest_items.c.notification_id)
        .where(digest_items.c.digest_run_id.is_(None), digest_items.c.participant_id.in_(pids),
               digest_items.c.period_end <= sa.func.now())
        .order_by(notifications.c.created_at)
    ):
        items.setdefault((item.participant_id, item.frequency, item.period_start), []).append(item)
    return items


def add_runs(uow, runs):
    """Insert digest runs; ``{(participant, frequency, period start): run id}`` of the
    new ones.  The unique (participant, frequency, period) key makes a period's digest
    be made once, whichever instance or restart gets there first."""
    made = uow.execute(pg.insert(digest_runs).values(runs).on_conflict_do_nothing(constraint="digest_runs_once")
                       .returning(digest_runs.c.id, digest_runs.c.participant_id, digest_runs.c.frequency,
                                  digest_runs.c.period_start)).all()
    return {(r.participant_id, r.frequency, r.period_start): r.id for r in made}


def link_items(uow, run_ids):
    """Stamp the held items of these runs with their run."""
    uow.execute(sa.text(
        "UPDATE digest_items d SET digest_run_id = r.id FROM digest_runs r "
        "WHERE r.id = ANY(:ids) AND d.digest_run_id IS NULL AND d.participant_id = r.participant_id "
        "AND d.frequency = r.frequency AND d.period_start = r.period_start"),
        {"ids": list(run_ids)})


def move_to_period(uow, item_id, start, end):
    uow.execute(digest_items.update().where(digest_items.c.id == item_id).values(period_start=start, period_end=end))
