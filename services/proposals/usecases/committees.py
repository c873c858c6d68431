"""Task committees: formed with a mandate and a composition, members by application
or drawn by a panel (the draw itself is the matching service's; the gateway brings
its result), meetings (the meetings service's) and documents, and the recommendation
delivered to the council, which opens a case for its answer."""
import uuid

from samskab.contracts import proposals as contracts
from samskab.errors import Conflict, Forbidden, Invalid
from samskab.values import now, parse

from .. import council_views as views, leadership, storage
from .common import caller, emit, own_id, require_signed_in
from .decisions import open_case


def form_committee(uow, municipality, actor, payload):
    new = parse(contracts.NewCommittee, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "form a task committee")
    if sum(new.seats.values()) == 0:
        raise Invalid("a committee needs seats", [{"field": "seats", "message": "at least one seat"}])
    with uow:
        office = leadership.office(who, storage.Offices(uow).get(municipality, who.id))
        if new.mission_id is not None:
            leadership.check_mission_open(storage.Missions(uow).get(municipality, new.mission_id), "take committees")
        committee_id, at = uuid.uuid4(), now()
        mandate = new.mandate.model_dump(mode="json")
        storage.Committees(uow).add(
            id=committee_id, municipality=municipality, title=new.title, mission_id=new.mission_id,
            task=new.mandate.task, questions=new.mandate.questions, frame=new.mandate.frame,
            deadline=new.mandate.deadline, seats=dict(new.seats), recruitment=new.recruitment,
            language=new.language, created_by=own_id(who), office=office, created_at=at)
        emit(uow, contracts.CommitteeFormed(
            id=committee_id, municipality=municipality, title=new.title, mission_id=new.mission_id, mandate=mandate,
            seats=dict(new.seats), recruitment=new.recruitment, formed_by=office, actor_id=who.id),
            f"committees/{committee_id}")
        return _committee(uow, who, municipality, committee_id)


def _committee(uow, who, municipality, committee_id):
    repo = storage.Committees(uow)
    row = repo.get(municipality, committee_id)
    members = repo.members(row.id)
    offices = storage.Offices(uow).of(municipality, [m.participant_id for m in members])
    mission_title = storage.Missions(uow).get(municipality, row.mission_id).title if row.mission_id else None
    return views.committee(row, who, members, offices, repo.meetings(row.id), repo.documents(row.id),
                           storage.Cases(uow).of_committee(row.id), repo.applications(row.id), mission_title)


def get_committee(uow, municipality, actor, committee_id):
    who = caller(actor)
    with uow:
        return _committee(uow, who, municipality, committee_id)


def committees(uow, municipality, actor):
    who = caller(actor)
    with uow:
        return [_committee(uow, who, municipality, row.id)
                for row in storage.Committees(uow).of_municipality(municipality)]


def _status(uow, row):
    repo = storage.Committees(uow)
    return leadership.committee_status(row, repo.members(row.id), storage.Cases(uow).of_committee(row.id))


def apply_to_committee(uow, municipality, actor, committee_id, payload):
    new = parse(contracts.CommitteeApplication, payload)
    who = caller(actor)
    require_signed_in(who, "applying")
    if new.group == leadership.POLITICIAN and not (who.role == leadership.POLITICIAN
                                                  and who.municipality == municipality):
        raise Forbidden("only the municipality's politicians take politicians' seats")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        if _status(uow, row) != "recruiting":
            raise Conflict("the committee has its members")
        application_id, at = uuid.uuid4(), now()
        if not repo.apply(id=application_id, committee_id=row.id, participant_id=own_id(who), seat_group=new.group,
                          features=dict(new.features), motivation=new.motivation, status="applied", applied_at=at):
            raise Conflict("you have applied already")
        return views.application(next(a for a in repo.applications(row.id) if a.id == application_id))


def seat_members(uow, municipality, actor, committee_id, payload):
    """Seat the applications drawn by a panel (its id and seed are published with them) or
    accepted as they came; with a draw, the applicants not drawn are told so by their status."""
    new = parse(contracts.Seating, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "seat a committee's members")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        leadership.check_can_change(_status(uow, row), "take new members")
        applications = {a.id: a for a in repo.applications(row.id)}
        chosen = [(a, "panel") for a in new.drawn] + [(a, "application") for a in new.accepted]
        unknown = [str(a) for a, _ in chosen if a not in applications or applications[a].status != "applied"]
        if unknown:
            raise Invalid("not an open application to this committee",
                          [{"field": "drawn", "message": ", ".join(unknown)}])
        members = repo.members(row.id)
        have, adding = {}, {}
        for m in members:
            have[m.seat_group] = have.get(m.seat_group, 0) + 1
        for a, _ in chosen:
            group = applications[a].seat_group
            adding[group] = adding.get(group, 0) + 1
        leadership.check_seating(row.seats, have, adding)
        at, seated = now(), []
        for a, how in chosen:
            application = applications[a]
            if repo.seat(row.id, application.participant_id, application.seat_group, how, at):
                seated.append(application.participant_id)
        repo.set_application_status([a for a, _ in chosen], "seated")
        if new.panel_id is not None:
            # the rest of the pool the panel drew from (its groups) were not drawn
            taken, pooled = {a for a, _ in chosen}, {applications[a].seat_group for a in new.drawn}
            repo.set_application_status([a for a, x in applications.items() if x.status == "applied"
                                         and x.seat_group in pooled and a not in taken], "not_drawn")
            row = repo.change(row, panel_id=new.panel_id, seed=new.seed)
        members = repo.members(row.id)
        by_group = {}
        for m in members:
            by_group[m.seat_group] = by_group.get(m.seat_group, 0) + 1
        offices = storage.Offices(uow).of(municipality, [m.participant_id for m in members
                                                         if m.seat_group == leadership.POLITICIAN])
        emit(uow, contracts.MembersSeated(
            committee_id=row.id, municipality=municipality, title=row.title, members_by_group=by_group,
            politicians=[{"role": leadership.POLITICIAN, "name": o.name, "party": o.party} for o in offices.values()],
            panel_id=new.panel_id, seed=new.seed, new_member_ids=seated, actor_id=who.id), f"committees/{row.id}")
        return _committee(uow, who, municipality, row.id)


def add_committee_meeting(uow, municipality, actor, committee_id, payload):
    new = parse(contracts.CommitteeMeeting, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "plan a committee's meetings")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        leadership.check_can_change(_status(uow, row), "plan meetings")
        number = repo.add_meeting(row.id, new.meeting_id, new.starts_at)
        emit(uow, contracts.CommitteeMeetingPlanned(committee_id=row.id, municipality=municipality,
                                                    meeting_id=new.meeting_id, number=number,
                                                    starts_at=new.starts_at), f"committees/{row.id}")
        return _committee(uow, who, municipality, row.id)


def add_document(uow, municipality, actor, committee_id, payload):
    new = parse(contracts.NewDocument, payload)
    who = caller(actor)
    require_signed_in(who, "adding a document")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        member = any(str(m.participant_id) == who.id for m in repo.members(row.id))
        if not (member or leadership.leads(who, municipality)):
            raise Forbidden("only the committee's members and the municipality's staff may add its documents")
        leadership.check_can_change(_status(uow, row), "take documents")
        document_id, at = uuid.uuid4(), now()
        repo.add_document(id=document_id, committee_id=row.id, kind=new.kind, title=new.title, body=new.body,
                          meeting_id=new.meeting_id, author_id=own_id(who), added_at=at)
        emit(uow, contracts.DocumentAdded(committee_id=row.id, municipality=municipality, document_id=document_id,
                                          kind=new.kind, title=new.title, body=new.body, meeting_id=new.meeting_id,
                                          author_id=who.id), f"committees/{row.id}/documents/{document_id}")
        return views.document(next(d for d in repo.documents(row.id) if d.id == document_id))


def deliver_recommendation(uow, municipality, actor, committee_id, payload):
    """The committee's recommendation reaches the council, with the date: a case opens."""
    new = parse(contracts.NewRecommendation, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "deliver a committee's recommendation")
    with uow:
        repo = storage.Committees(uow)
        row = repo.get(municipality, committee_id, lock=True)
        status = _status(uow, row)
        if status != "working":
            raise Conflict("a committee delivers once, when its members are seated"
                           if status != "recruiting" else "seat the committee's members first")
        at = now()
        row = repo.change(row, recommendation=new.recommendation, delivered_at=at)
        case_id = open_case(uow, municipality, "recommendation", row.title, at, committee_id=row.id)
        emit(uow, contracts.RecommendationDelivered(
            committee_id=row.id, municipality=municipality, case_id=case_id, title=row.title,
            recommendation=new.recommendation, delivered_at=at,
            member_ids=[m.participant_id for m in repo.members(row.id)], actor_id=who.id), f"committees/{row.id}")
        return _committee(uow, who, municipality, row.id)
