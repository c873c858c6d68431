"""The public log: every public event (its public projection only), per
municipality, in the order received, read by sequence number."""
import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import public_events


def append(uow, public):
    """Add a public envelope; its sequence number, or ``None`` if it was there already.

    Readers page by seq: a seq must never become visible after a higher one, or a
    reader could step past it.  Holding a per-municipality lock from taking the seq
    to the commit makes commit order seq order, so this is a transaction's last step."""
    uow.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtext("samskab-public-log:" + public["municipality"]))))
    row = uow.execute(pg.insert(public_events).values(
        municipality=public["municipality"], event_id=uuid.UUID(public["id"]), type=public["type"],
        subject=public["subject"], time=dt.datetime.fromisoformat(public["time"].replace("Z", "+00:00")),
        envelope=public,
    ).on_conflict_do_nothing().returning(public_events.c.seq)).first()
    return None if row is None else row.seq


def logged(uow, event_id):
    """Whether the public log holds this event (committed by another transaction)."""
    return uow.execute(sa.select(public_events.c.seq).where(public_events.c.event_id == event_id)).first() is not None


def after(uow, municipality, cursor, limit):
    """``[(seq, envelope)]`` after ``cursor``, oldest first."""
    return uow.execute(sa.select(public_events.c.seq, public_events.c.envelope).where(
        public_events.c.municipality == municipality, public_events.c.seq > cursor)
        .order_by(public_events.c.seq).limit(limit)).all()


def newest(uow, municipality, limit):
    return [r.envelope for r in uow.execute(
        sa.select(public_events.c.envelope).where(public_events.c.municipality == municipality)
        .order_by(public_events.c.seq.desc()).limit(limit))]


def page(uow, municipality, before, limit):
    """(seq, envelope) rows, newest first, older than ``before`` (a seq; None for the newest)."""
    query = sa.select(public_events.c.seq, public_events.c.envelope).where(public_events.c.municipality == municipality)
    if before is not None:
        query = query.where(public_events.c.seq < before)
    return uow.execute(query.order_by(public_events.c.seq.desc()).limit(limit)).all()


def everything(uow, municipality):
    return [r.envelope for r in uow.execute(
        sa.select(public_events.c.envelope).where(public_events.c.municipality == municipality)
        .order_by(public_events.c.seq))]


def latest_title(uow, subject):
    """The title of the latest public event about ``subject`` that has one, or ``""``."""
    envelope = uow.execute(sa.select(public_events.c.envelope).where(
        public_events.c.subject == subject, public_events.c.envelope["data"]["title"].isnot(None))
        .order_by(public_events.c.seq.desc()).limit(1)).scalar()
    return (envelope or {}).get("data", {}).get("title") or ""


def about(uow, municipality, proposal_id, target):
    """``[(seq, envelope)]`` of the events of ``target.types`` whose data names the target
    (``target.key`` = ``target.value``), of one proposal (if given: a comment under a
    meeting is named by its own id) of one municipality."""
    data = public_events.c.envelope["data"]
    query = sa.select(public_events.c.seq, public_events.c.envelope).where(
        public_events.c.municipality == municipality, public_events.c.type.in_(target.types),
        data[target.key].astext == target.value)
    if target.key != "id" and proposal_id is not None:
        query = query.where(data["proposal_id"].astext == str(proposal_id))
    return uow.execute(query.order_by(public_events.c.seq)).all()


def replace(uow, seq, envelope):
    """Overwrite one logged envelope (moderation blanking its content); its place stays."""
    uow.execute(public_events.update().where(public_events.c.seq == seq).values(envelope=envelope))


def committees_of_panels(uow, municipality, panel_ids):
    """``{panel id: committee id}`` of the panels that seated a committee's members."""
    data = public_events.c.envelope["data"]
    rows = uow.execute(sa.select(data["panel_id"].astext, data["committee_id"].astext).where(
        public_events.c.municipality == municipality, public_events.c.type == "samskab.committee.members_seated",
        data["panel_id"].astext.in_([str(p) for p in panel_ids]))).all()
    return {panel: committee for panel, committee in rows}
