"""Presenters: stored rows as the caller may read them (the shapes of
``samskab.contracts.proposals.outputs``, as JSON-able dicts for the RPC reply),
and rows as the data of the events they cause."""
import datetime as dt
import uuid

from samskab.contracts import proposals as contracts
from samskab.values import iso

from . import domain, leadership

SNAPSHOT_FIELDS = set(contracts.ProposalSnapshot.model_fields)
_NOT_SHOWN = ("search", "threshold_reached_at", "hidden_at")
_TOMBSTONE = ("id", "municipality", "status", "created_at", "hidden", "hidden_reason")


def proposal_of(row):
    """The parts of a stored proposal the rules look at (its history is in status_history)."""
    return domain.Proposal(str(row.id), row.municipality, str(row.initiator_id), row.status,
                           hidden=row.hidden_at is not None)


def proposal(row, actor):
    """The proposal as ``actor`` may see it: hidden ones are a tombstone with the reason
    for everyone but their initiator and the municipality's staff."""
    d = {k: v for k, v in row._mapping.items() if k not in _NOT_SHOWN}
    d["hidden"] = row.hidden_at is not None
    rules = proposal_of(row)
    if d["hidden"] and not rules.shows_content_to(actor):
        d = {k: d[k] for k in _TOMBSTONE}
    elif not rules.capacities(actor) & {domain.INITIATOR, domain.STAFF}:
        # Who started it is for the initiator and the municipality: others see the role only.
        d["initiator_id"] = None
    for key in ("id", "initiator_id"):
        if d.get(key) is not None:
            d[key] = str(d[key])
    for key in ("created_at", "updated_at", "last_activity_at"):
        if key in d:
            d[key] = iso(d[key])
    return d


def content(row, actor, rules, **extra):
    """A question, answer or update: hidden ones keep their id and the reason, lose the body."""
    d = {"id": str(row.id), "created_at": iso(row.created_at), "hidden": row.hidden_at is not None,
         "hidden_reason": row.hidden_reason, **extra}
    shown = row.hidden_at is None or rules.capacities(actor) & {domain.STAFF} or str(row.author_id) == actor.id
    d["body"] = row.body if shown else None
    return d


def questions(question_rows, answer_rows, actor, rules, unanswered=False):
    """Questions with their answers; ``unanswered`` keeps those without a visible answer."""
    by_question = {}
    for a in answer_rows:
        by_question.setdefault(a.question_id, []).append(
            content(a, actor, rules, question_id=str(a.question_id), answered_by=a.capacity,
                    office=leadership.public_office(a.office) if a.office else None))
    result = []
    for q in question_rows:
        its = by_question.get(q.id, [])
        view = content(q, actor, rules, answers=its, answered=any(not a["hidden"] for a in its))
        if not (unanswered and view["answered"]):
            result.append(view)
    return result


def new_question(question_id, body, now):
    return {"id": str(question_id), "body": body, "created_at": iso(now), "hidden": False, "hidden_reason": None,
            "answers": [], "answered": False}


def new_answer(answer_id, question_id, body, capacity, now, office=None):
    return {"id": str(answer_id), "question_id": str(question_id), "body": body, "answered_by": capacity,
            "office": leadership.public_office(office) if office else None,
            "created_at": iso(now), "hidden": False, "hidden_reason": None}


def new_update(update_id, body, capacity, now):
    return {"id": str(update_id), "body": body, "posted_by": capacity, "created_at": iso(now), "hidden": False,
            "hidden_reason": None}


def history(rows, show_actor):
    """Who (in which capacity), when and why; the actor's id for the municipality's staff only."""
    return [{
        "from_status": h.from_status, "to_status": h.to_status, "capacity": h.capacity, "reason": h.reason,
        "outcome": h.outcome, "at": iso(h.at), **({"actor_id": str(h.actor_id)} if show_actor else {}),
    } for h in rows]


def agreement(row, latest, accepted, actor):
    if latest is None:
        return None
    data = agreement_data(row, latest, accepted)
    data["proposal_id"] = str(row.id)
    data["accepted_parties"] = accepted
    data["my_parties"] = sorted(domain.parties_of(actor, proposal_of(row), latest.content["parties"]))
    data["created_at"] = iso(latest.created_at)
    return data


def agreement_data(row, latest, accepted):
    content_ = latest.content
    return {"proposal_id": row.id, "municipality": row.municipality, "version": latest.version, **content_,
            "accepted_by": [k.split(":")[0] for k in accepted],
            "accepted": domain.agreement_accepted(content_["parties"], accepted)}


def experiment(e):
    return {"id": str(e.id), "hypothesis": e.hypothesis, "intervention": e.intervention,
            "starts_on": e.starts_on.isoformat(), "ends_on": e.ends_on.isoformat() if e.ends_on else None,
            "outcome": e.outcome, "learnings": e.learnings, "created_at": iso(e.created_at),
            "updated_at": iso(e.updated_at)}


def open_report(r):
    return {"id": str(r.id), "proposal_id": str(r.proposal_id), "target_type": r.target_type,
            "target_id": str(r.target_id), "reason": r.reason, "created_at": iso(r.created_at)}


def jsonable(value):
    """Rows as JSON: UUIDs and times as strings, recursively."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


# -- event data -------------------------------------------------------------------------

def snapshot(row):
    """The proposal as its events carry it (internal data: names the initiator)."""
    return {k: v for k, v in row._mapping.items() if k in SNAPSHOT_FIELDS}


def experiment_recorded(e, municipality):
    return contracts.ExperimentRecorded(
        proposal_id=e.proposal_id, municipality=municipality, experiment_id=e.id, hypothesis=e.hypothesis,
        intervention=e.intervention, starts_on=e.starts_on, ends_on=e.ends_on, outcome=e.outcome,
        learnings=e.learnings, recorded_by=e.recorded_by)
