"""Open data's projection: each public event upserts the row of the entity it is about
(by id) in its dataset's table, in the transaction that logs the event; the datasets
are read from these tables, never folded from the log at request time.

Moderation applies here too: a hidden proposal's title, problem, goal and area are
blanked and stay blank, and the cases, experiments and agreement that belong to it
leave the datasets with it (as they leave its page).  Questions, answers, updates and
comments are only counted: their text is in no dataset.
"""
import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .open_data_tables import DATASETS, TABLES
from .tables import public_events

P, M, O, E, A = (TABLES[n] for n in ("proposals", "meetings", "outcomes", "experiments", "agreements"))
MI, CO, D = TABLES["missions"], TABLES["committees"], TABLES["decisions"]
BLANKED = {"title": "", "problem": "", "goal": "", "area": None}


def _time(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _convert(kind, value):
    if value is None:
        return None
    if kind == "uuid":
        return uuid.UUID(str(value))
    if kind == "datetime":
        return _time(value)
    if kind == "date":
        return dt.date.fromisoformat(str(value)[:10])
    return value


def _pick(dataset, data, **renamed):
    """The stored columns of ``dataset`` found in ``data`` (``renamed``: column=data key)."""
    values = {}
    for column in DATASETS[dataset]:
        if not column.stored or column.name in ("municipality", "created_at", "updated_at"):
            continue
        key = renamed.get(column.name, column.name)
        if key in data:
            values[column.name] = _convert(column.kind, data[key])
    return values


def _upsert(uow, table, municipality, at, values, keep=()):
    """Insert the row, or update it with ``values`` (except the columns in ``keep``, kept
    as they are once set); ``updated_at`` never goes back."""
    row = {**values, "municipality": municipality, "created_at": at, "updated_at": at}
    statement = pg.insert(table).values(**row)
    changes = {name: statement.excluded[name] for name in values if name != "id" and name not in keep}
    changes["updated_at"] = sa.func.greatest(table.c.updated_at, statement.excluded.updated_at)
    uow.execute(statement.on_conflict_do_update(index_elements=[table.c.id], set_=changes))


def _update(uow, table, entity_id, at, **values):
    uow.execute(table.update().where(table.c.id == uuid.UUID(str(entity_id))).values(
        updated_at=sa.func.greatest(table.c.updated_at, at), **values))


def _count(table, name):
    return {name: table.c[name] + 1}


# -- what each public event changes -------------------------------------------------------

def _proposal(uow, m, data, at):
    values = _pick("proposals", data)
    hidden = uow.execute(sa.select(P.c.hidden).where(P.c.id == values["id"])).scalar()
    if hidden:
        values.update(BLANKED, status="hidden")
    _upsert(uow, P, m, at, values)


def _hidden(uow, m, data, at):
    if data.get("target_type") == "proposal":
        _update(uow, P, data["target_id"], at, hidden=True, status="hidden", hidden_reason=data.get("reason"),
                **BLANKED)


def _meeting(uow, m, data, at):
    _upsert(uow, M, m, at, _pick("meetings", data))


def _registration(uow, m, data, at):
    _update(uow, M, data["meeting_id"], at, **{k: data[k] for k in ("confirmed_count", "waitlist_count",
                                                                  "seats_left") if k in data})


def _outcome(uow, m, data, at):
    _upsert(uow, O, m, at, _pick("outcomes", data, title="text"))


def _experiment(uow, m, data, at):
    values = _pick("experiments", data, id="experiment_id", title="hypothesis")
    values["status"] = "concluded" if data.get("outcome") else "running"
    _upsert(uow, E, m, at, values)


def _agreement(uow, m, data, at):
    values = _pick("agreements", data, id="proposal_id")
    values["status"] = "accepted" if data.get("accepted") else "draft"
    _upsert(uow, A, m, at, values)


def _mission(uow, m, data, at):
    _upsert(uow, MI, m, at, {**_pick("missions", data), "status": "published"})


def _attached(uow, m, data, at):
    _update(uow, P, data["proposal_id"], at, mission_id=uuid.UUID(str(data["mission_id"])))
    _update(uow, MI, data["mission_id"], at, **_count(MI, "proposal_count"))


def _mission_updated(uow, m, data, at):
    values = _pick("missions", data, id="mission_id")
    values.pop("id", None)
    _update(uow, MI, data["mission_id"], at, **values)


def _mission_closed(uow, m, data, at):
    _update(uow, MI, data["mission_id"], at, status=data.get("closed_as") or "closed")


def _committee_updated(uow, m, data, at):
    values = {**_pick("committees", data, id="committee_id"), **_pick("committees", data.get("mandate") or {})}
    values.pop("id", None)
    _update(uow, CO, data["committee_id"], at, **values)


def _committee(uow, m, data, at):
    mandate = data.get("mandate") or {}
    values = {**_pick("committees", data), **_pick("committees", mandate), "status": "formed"}
    _upsert(uow, CO, m, at, values, keep=("status",))


def _seated(uow, m, data, at):
    values = _pick("committees", data, id="committee_id")
    values.pop("id", None)
    _update(uow, CO, data["committee_id"], at, status=sa.case((CO.c.status == "delivered", CO.c.status),
                                                              else_="seated"), **values)


def _committee_counted(name):
    return lambda uow, m, data, at: _update(uow, CO, data["committee_id"], at, **_count(CO, name))


def _recommendation(uow, m, data, at):
    _update(uow, CO, data["committee_id"], at, status="delivered", recommendation=data.get("recommendation"),
            recommended_at=_time(data.get("delivered_at")))


CASE_STEPS = ("open", "placed", "decided")


def _case(status):
    """A case moves open → placed → decided and never back (a late event does not undo a step)."""
    later = CASE_STEPS[CASE_STEPS.index(status) + 1:]

    def project(uow, m, data, at):
        values = _pick("decisions", data, id="case_id")
        statement = pg.insert(D).values(**values, status=status, municipality=m, created_at=at, updated_at=at)
        changes = {name: statement.excluded[name] for name in values if name != "id"}
        changes["status"] = sa.case((D.c.status.in_(later), D.c.status), else_=status) if later else status
        changes["updated_at"] = sa.func.greatest(D.c.updated_at, statement.excluded.updated_at)
        uow.execute(statement.on_conflict_do_update(index_elements=[D.c.id], set_=changes))
    return project


def _counted(table, name, key="proposal_id"):
    return lambda uow, m, data, at: _update(uow, table, data[key], at, **_count(table, name))


def _support(uow, m, data, at):
    _update(uow, P, data["proposal_id"], at, support_count=data["support_count"])


HANDLERS = {
    "samskab.proposal.submitted": _proposal, "samskab.proposal.published": _proposal,
    "samskab.proposal.updated": _proposal, "samskab.proposal.status_changed": _proposal,
    "samskab.proposal.supported": _support, "samskab.proposal.support_withdrawn": _support,
    "samskab.proposal.support_threshold_reached": _support,
    "samskab.proposal.question_asked": _counted(P, "question_count"),
    "samskab.proposal.question_answered": _counted(P, "answer_count"),
    "samskab.proposal.progress_posted": _counted(P, "update_count"),
    "samskab.comment.posted": _counted(P, "comment_count"),
    "samskab.proposal.hidden": _hidden,
    "samskab.proposal.agreement_updated": _agreement,
    "samskab.proposal.experiment_recorded": _experiment,
    "samskab.meeting.scheduled": _meeting, "samskab.meeting.updated": _meeting,
    "samskab.meeting.cancelled": _meeting, "samskab.meeting.concluded": _meeting,
    "samskab.registration.confirmed": _registration, "samskab.registration.waitlisted": _registration,
    "samskab.registration.promoted": _registration, "samskab.registration.cancelled": _registration,
    "samskab.meeting.outcome_recorded": _outcome,
    "samskab.mission.published": _mission, "samskab.mission.proposal_attached": _attached,
    "samskab.committee.formed": _committee, "samskab.committee.members_seated": _seated,
    "samskab.committee.meeting_planned": _committee_counted("meeting_count"),
    "samskab.committee.document_added": _committee_counted("document_count"),
    "samskab.committee.recommendation_delivered": _recommendation,
    "samskab.mission.updated": _mission_updated, "samskab.mission.closed": _mission_closed,
    "samskab.committee.updated": _committee_updated,
    "samskab.committee.closed": lambda uow, m, data, at: _update(uow, CO, data["committee_id"], at, status="closed"),
    "samskab.case.opened": _case("open"), "samskab.case.placed": _case("placed"),
    "samskab.decision.made": _case("decided"),
}


def project(uow, public):
    """What one public envelope (logged for the first time) changes in the datasets."""
    handler = HANDLERS.get(public["type"])
    if handler is not None:
        handler(uow, public["municipality"], public.get("data") or {}, _time(public["time"]))


def rebuild(uow, batch=1000):
    """Empty the datasets and project the whole public log again, in log order (the
    migration that made these tables fills them so; also for a projection changed later)."""
    for table in TABLES.values():
        uow.execute(table.delete())
    after = 0
    while True:
        rows = uow.execute(sa.select(public_events.c.seq, public_events.c.envelope)
                           .where(public_events.c.seq > after).order_by(public_events.c.seq).limit(batch)).all()
        for row in rows:
            project(uow, row.envelope)
        if len(rows) < batch:
            return
        after = rows[-1].seq


# -- reading the datasets -------------------------------------------------------------------

def _visible_proposal(proposal_id):
    """Not about a hidden proposal (a case, experiment or agreement leaves with it)."""
    return ~sa.exists().where(P.c.id == proposal_id, P.c.hidden)


def _read_columns(dataset):
    table = TABLES[dataset]
    if dataset == "proposals":
        read = {"experiment_count": sa.select(sa.func.count()).where(E.c.proposal_id == P.c.id).scalar_subquery(),
                "meeting_count": sa.select(sa.func.count()).where(M.c.proposal_id == P.c.id).scalar_subquery()}
    elif dataset == "meetings":
        read = {"outcome_count": sa.select(sa.func.count()).where(O.c.meeting_id == M.c.id).scalar_subquery()}
    elif dataset == "outcomes":
        read = {"status": sa.func.coalesce(
            sa.select(M.c.status).where(M.c.id == O.c.meeting_id).scalar_subquery(), "recorded")}
    elif dataset == "agreements":
        read = {"title": sa.func.coalesce(sa.select(P.c.title).where(P.c.id == A.c.proposal_id).scalar_subquery(), "")}
    else:
        read = {}
    return [read[c.name].label(c.name) if c.name in read else table.c[c.name] for c in DATASETS[dataset]]


def records(uow, municipality, dataset):
    """The rows of one dataset, oldest entity first, as ``{column: value}`` in column order."""
    table = TABLES[dataset]
    query = sa.select(*_read_columns(dataset)).where(table.c.municipality == municipality)
    if dataset in ("experiments", "agreements", "decisions"):
        query = query.where(_visible_proposal(table.c.proposal_id))
    rows = uow.execute(query.order_by(table.c.created_at, table.c.id)).mappings().all()
    return [dict(row) for row in rows]


def modified(uow, municipality):
    """``{dataset: newest updated_at or None}``."""
    return {name: uow.execute(sa.select(sa.func.max(table.c.updated_at))
                              .where(table.c.municipality == municipality)).scalar()
            for name, table in TABLES.items()}
