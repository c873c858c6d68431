"""Due work (e-mails, webhook deliveries) claimed by one sender at a time.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and a lease, so several instances
split the work, and nothing is held locked while talking to SMTP or HTTP."""
import datetime as dt

import sqlalchemy as sa

# Claimed rows are ours for this long; longer than a batch can take even with a slow server.
LEASE = dt.timedelta(minutes=10)


def claim(uow, table, batch, lease=LEASE):
    """Take up to ``batch`` due rows of ``table`` for ourselves for ``lease`` (a process that
    dies holding them leaves them to the others when it runs out)."""
    due = (sa.select(table.c.id).where(table.c.status == "pending", table.c.next_attempt_at <= sa.func.now())
           .order_by(table.c.next_attempt_at).limit(batch).with_for_update(skip_locked=True))
    return uow.execute(
        table.update().where(table.c.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=sa.func.now() + lease)
        .returning(*table.c)
    ).all()


def retry_in(seconds):
    """The ``next_attempt_at`` of a row to try again after ``seconds``."""
    return sa.func.now() + dt.timedelta(seconds=seconds)
