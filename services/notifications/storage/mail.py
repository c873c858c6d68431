"""E-mails waiting to be sent, sent, or given up on (``email_deliveries``)."""
import sqlalchemy as sa

from .tables import email_deliveries, participants


def queue(uow, rows):
    """Queue e-mails (dicts of ``email_deliveries`` columns), a thousand per statement."""
    for chunk in range(0, len(rows), 1000):
        uow.execute(email_deliveries.insert(), rows[chunk:chunk + 1000])


def queue_one(uow, **values):
    uow.execute(email_deliveries.insert().values(**values))


def mark_sent(uow, ids):
    uow.execute(email_deliveries.update().where(email_deliveries.c.id.in_(ids)).values(
        status="sent", sent_at=sa.func.now(), attempts=email_deliveries.c.attempts + 1, last_error=None))


def update(uow, delivery_id, **values):
    uow.execute(email_deliveries.update().where(email_deliveries.c.id == delivery_id).values(**values))


def of_municipality(uow, municipality, status, limit):
    """E-mails to a municipality's people in one status, newest first (no addresses)."""
    return uow.execute(
        sa.select(email_deliveries.c.id, email_deliveries.c.participant_id, email_deliveries.c.purpose,
                  email_deliveries.c.status, email_deliveries.c.attempts, email_deliveries.c.last_error,
                  email_deliveries.c.created_at, email_deliveries.c.sent_at)
        .join(participants, participants.c.id == email_deliveries.c.participant_id)
        .where(participants.c.municipality == municipality, email_deliveries.c.status == status)
        .order_by(email_deliveries.c.id.desc()).limit(limit)).all()
