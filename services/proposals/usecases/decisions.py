"""The council's answer: every proposal over its support threshold and every
recommendation delivered is a case; it is placed on a council or committee meeting,
then decided with reasons (adopted, adopted in part, rejected, sent on), by a
politician in their public office or staff on the council's behalf.  Each step is
an event, kept in ``council_events`` too: "what became of it" is computed from them."""
import uuid

from samskab import events
from samskab.contracts import proposals as contracts
from samskab.values import now, parse

from .. import council_views as views, leadership, storage
from .common import caller, emit, own_id


def _emit_and_log(uow, event, subject, case_id, at):
    emit(uow, event, subject)
    public = events.get_type(type(event).event_type).project(event.model_dump(mode="json"))
    storage.Cases(uow).log(event.municipality, type(event).event_type, case_id, at, public)


def open_case(uow, municipality, kind, title, at, proposal_id=None, committee_id=None):
    """A new case (once per proposal, once per committee); its id, or ``None`` if it was open already."""
    case_id = uuid.uuid4()
    if not storage.Cases(uow).open(id=case_id, municipality=municipality, kind=kind, title=title, opened_at=at,
                                   proposal_id=proposal_id, committee_id=committee_id):
        return None
    _emit_and_log(uow, contracts.CaseOpened(case_id=case_id, municipality=municipality, kind=kind,
                                            proposal_id=proposal_id, committee_id=committee_id, title=title,
                                            opened_at=at), _subject(kind, proposal_id, committee_id), case_id, at)
    return case_id


def _subject(kind, proposal_id, committee_id):
    return f"proposals/{proposal_id}" if kind == "proposal" else f"committees/{committee_id}"


def on_threshold_reached(uow, event):
    """The proposal reached its support threshold: the council owes it an answer."""
    municipality = event["municipality"]
    with uow:  # the consumer's own transaction (a nested block joins it)
        row = storage.Proposals(uow).get(municipality, event["data"]["proposal_id"])
        open_case(uow, municipality, "proposal", row.title, row.threshold_reached_at or now(), proposal_id=row.id)


def _told(uow, municipality, case):
    """Beyond the proposal's own people (notifications knows them by the proposal): the
    committee's members, the followers of the missions the case works towards, and for a
    committee on a mission the initiators and followers of the mission's proposals."""
    told, missions = [], []
    if case.committee_id is not None:
        committee = storage.Committees(uow).get(municipality, case.committee_id)
        told += [m.participant_id for m in storage.Committees(uow).members(committee.id)]
        if committee.mission_id:
            missions.append(committee.mission_id)
            told += storage.Missions(uow).people_of_proposals(committee.mission_id)
    if case.proposal_id is not None:
        missions += [m.id for m in storage.Missions(uow).of_proposal(case.proposal_id)]
    for mission_id in missions:
        told += storage.Missions(uow).followers(mission_id)
    return list(dict.fromkeys(told))


def _case_fields(case):
    return {"case_id": case.id, "municipality": case.municipality, "kind": case.kind,
            "proposal_id": case.proposal_id, "committee_id": case.committee_id, "title": case.title,
            "opened_at": case.opened_at}


def place_case(uow, municipality, actor, case_id, payload):
    new = parse(contracts.Placement, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "place a case on a meeting")
    with uow:
        repo = storage.Cases(uow)
        case = repo.get(municipality, case_id, lock=True)
        leadership.check_place(case)
        case = repo.change(case, status="placed", body=new.body, meeting_date=new.meeting_date,
                           meeting_id=new.meeting_id)
        _emit_and_log(uow, contracts.CasePlaced(
            **_case_fields(case), body=new.body, meeting_date=new.meeting_date, meeting_id=new.meeting_id,
            told_ids=_told(uow, municipality, case), actor_id=who.id),
            _subject(case.kind, case.proposal_id, case.committee_id), case.id, now())
        return views.case(case)


def decide(uow, municipality, actor, case_id, payload):
    new = parse(contracts.NewDecision, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "decide a case")
    with uow:
        repo = storage.Cases(uow)
        case = repo.get(municipality, case_id, lock=True)
        leadership.check_decide(case, new.decision, new.sent_to)
        office = leadership.office(who, storage.Offices(uow).get(municipality, who.id))
        at = now()
        case = repo.change(case, status="decided", decision=new.decision, reason=new.reasons, sent_to=new.sent_to,
                           decided_at=at, decided_by=own_id(who), office=office)
        _emit_and_log(uow, contracts.DecisionMade(
            **_case_fields(case), decision=new.decision, reason=new.reasons, sent_to=new.sent_to, body=case.body,
            decided_at=at, decided_by=office, told_ids=_told(uow, municipality, case), actor_id=who.id),
            _subject(case.kind, case.proposal_id, case.committee_id), case.id, at)
        return views.case(case)


def get_case(uow, municipality, actor, case_id):
    with uow:
        return views.case(storage.Cases(uow).get(municipality, case_id))


def agenda(uow, municipality, actor):
    """Every case of the municipality: awaiting a meeting, placed, decided (newest answers first)."""
    with uow:
        rows = storage.Cases(uow).of_municipality(municipality)
    shown = [views.case(r) for r in rows]
    decided = sorted((c for c in shown if c["status"] == "decided"), key=lambda c: c["decided_at"], reverse=True)
    return {"awaiting": [c for c in shown if c["status"] == "awaiting"],
            "placed": [c for c in shown if c["status"] == "placed"], "decided": decided}


def council_figures(uow, municipality, actor):
    with uow:
        log = storage.Cases(uow).events(municipality)
    return leadership.figures([{"type": e.type, "at": e.at, "data": e.data} for e in log], now())
