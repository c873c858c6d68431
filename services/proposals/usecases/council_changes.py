"""Missions and task committees after they are made: the council (its politicians,
and staff on its behalf) edits a mission's texts, goal and horizon and closes it,
achieved or ended, with a note; it edits a committee's mandate until its members
are seated, and closes the committee once its recommendation is delivered."""
from samskab.contracts import proposals as contracts
from samskab.errors import Invalid
from samskab.values import now, parse

from .. import leadership, storage
from .common import caller, emit
from .committees import _committee, _status
from .missions import _mission

_MISSION_TEXTS = ("title", "challenge", "goal", "horizon", "owner_committee")
_MANDATE = ("task", "questions", "frame", "deadline")


def _changed(row, values):
    return [k for k, v in values.items() if getattr(row, k) != v]


def _office(uow, who, municipality):
    return leadership.office(who, storage.Offices(uow).get(municipality, who.id))


def update_mission(uow, municipality, actor, mission_id, payload):
    new = parse(contracts.MissionChange, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "change a mission")
    with uow:
        repo = storage.Missions(uow)
        row = repo.get(municipality, mission_id, lock=True)
        leadership.check_mission_open(row, "change")
        values = new.model_dump(include=new.model_fields_set)
        changed = _changed(row, values)
        if changed:
            office, at = _office(uow, who, municipality), now()
            row = repo.change(row, updated_at=at, **{k: values[k] for k in changed})
            emit(uow, contracts.MissionUpdated(
                mission_id=row.id, municipality=municipality, **{k: getattr(row, k) for k in _MISSION_TEXTS},
                changed=changed, updated_at=at, updated_by=office, actor_id=who.id), f"missions/{row.id}")
        return _mission(uow, who, row)


def close_mission(uow, municipality, actor, mission_id, payload):
    new = parse(contracts.MissionClosing, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "close a mission")
    with uow:
        repo = storage.Missions(uow)
        row = repo.get(municipality, mission_id, lock=True)
        leadership.check_mission_open(row, "be closed again")
        office, at = _office(uow, who, municipality), now()
        row = repo.change(row, closed_as=new.closed_as, closing_note=new.note, closed_at=at)
        emit(uow, contracts.MissionClosed(
            mission_id=row.id, municipality=municipality, title=row.title, closed_as=new.closed_as, note=new.note,
            closed_at=at, closed_by=office, follower_ids=repo.followers(row.id), actor_id=who.id),
            f"missions/{row.id}")
        return _mission(uow, who, row)


def update_committee(uow, municipality, actor, committee_id, payload):
    new = parse(contracts.MandateChange, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "change a committee's mandate")
    if new.seats is not None and sum(new.seats.values()) == 0:
        raise Invalid("a committee needs seats", [{"field": "seats", "message": "at least one seat"}])
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        leadership.check_edit_committee(_status(uow, row), repo.members(row.id))
        values = new.model_dump(include=new.model_fields_set)
        if "seats" in values:
            values["seats"] = dict(values["seats"])
        changed = _changed(row, {k: (list(v) if k == "questions" else v) for k, v in values.items()})
        if changed:
            office, at = _office(uow, who, municipality), now()
            row = repo.change(row, updated_at=at, **{k: values[k] for k in changed})
            mandate = {k: getattr(row, k) for k in _MANDATE}
            emit(uow, contracts.CommitteeUpdated(
                committee_id=row.id, municipality=municipality, title=row.title, mandate=mandate,
                seats=dict(row.seats), changed=changed, updated_at=at, updated_by=office,
                applicant_ids=[a.participant_id for a in repo.applications(row.id)], actor_id=who.id),
                f"committees/{row.id}")
        return _committee(uow, who, municipality, row.id)


def close_committee(uow, municipality, actor, committee_id, payload):
    new = parse(contracts.CommitteeClosing, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "close a committee")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        leadership.check_close_committee(_status(uow, row))
        office, at = _office(uow, who, municipality), now()
        row = repo.change(row, closing_note=new.note, closed_at=at)
        emit(uow, contracts.CommitteeClosed(
            committee_id=row.id, municipality=municipality, title=row.title, note=new.note, closed_at=at,
            closed_by=office, member_ids=[m.participant_id for m in repo.members(row.id)], actor_id=who.id),
            f"committees/{row.id}")
        return _committee(uow, who, municipality, row.id)
