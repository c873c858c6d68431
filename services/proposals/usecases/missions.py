"""The council's missions: publish, read, attach proposals, follow; and a
politician's public office (the name and party they act under)."""
import uuid

from samskab.contracts import proposals as contracts
from samskab.errors import Conflict, Forbidden, NotFound
from samskab.values import now, parse

from .. import council_views as views, leadership, storage
from ..views import proposal_of
from .common import caller, emit, own_id, require_signed_in


def publish_mission(uow, municipality, actor, payload):
    new = parse(contracts.NewMission, payload)
    who = caller(actor)
    leadership.require_lead(who, municipality, "publish a mission")
    with uow:
        office = leadership.office(who, storage.Offices(uow).get(municipality, who.id))
        mission_id, at = uuid.uuid4(), now()
        repo = storage.Missions(uow)
        repo.add(id=mission_id, municipality=municipality, title=new.title, challenge=new.challenge, goal=new.goal,
                 horizon=new.horizon, owner_committee=new.owner_committee, language=new.language,
                 created_by=own_id(who), office=office, created_at=at)
        emit(uow, contracts.MissionPublished(
            id=mission_id, municipality=municipality, title=new.title, challenge=new.challenge, goal=new.goal,
            horizon=new.horizon, owner_committee=new.owner_committee, language=new.language,
            published_by=office, actor_id=who.id), f"missions/{mission_id}")
        return _mission(uow, who, repo.get(municipality, mission_id))


def _mission(uow, who, row):
    repo = storage.Missions(uow)
    attached = repo.proposals_of(row.id)
    followers = repo.followers(row.id)
    return views.mission(row, who, attached, repo.with_agreement([p.id for p in attached]),
                         storage.Committees(uow).of_mission(row.id), len(followers),
                         who.id is not None and any(str(f) == who.id for f in followers))


def get_mission(uow, municipality, actor, mission_id):
    who = caller(actor)
    with uow:
        return _mission(uow, who, storage.Missions(uow).get(municipality, mission_id))


def missions(uow, municipality, actor):
    who = caller(actor)
    with uow:
        return [_mission(uow, who, row) for row in storage.Missions(uow).of_municipality(municipality)]


def case_of_proposal(uow, municipality, actor, proposal_id):
    """The council's case on a proposal (placed, decided), or ``None``: shown on the proposal's page."""
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        proposal_of(row).require_visible(who)
        found = storage.Cases(uow).of_proposals([row.id])
        return views.case(found[0]) if found else None


def missions_of_proposal(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        proposal_of(row).require_visible(who)
        return [views.mission(m, who) for m in storage.Missions(uow).of_proposal(row.id)]


def attach_to_mission(uow, municipality, actor, mission_id, payload):
    """A proposal works towards a mission: its initiator or the municipality's staff say so."""
    new = parse(contracts.MissionAttachment, payload)
    who = caller(actor)
    require_signed_in(who, "attaching a proposal")
    with uow:
        mission = storage.Missions(uow).get(municipality, mission_id)
        leadership.check_mission_open(mission, "take new proposals")
        proposal = storage.Proposals(uow).get(municipality, new.proposal_id)
        rules = proposal_of(proposal)
        rules.require_visible(who)
        capacities = rules.capacities(who) & {"initiator", "staff"}
        if not capacities:
            raise Forbidden("only the proposal's initiator or the municipality's staff may attach it to a mission")
        if proposal.status == "draft" or proposal.hidden_at is not None:
            raise Conflict("only a proposal the public can see may work towards a mission")
        capacity = "staff" if "staff" in capacities else "initiator"
        if storage.Missions(uow).attach(mission.id, proposal.id, capacity, own_id(who), now()):
            emit(uow, contracts.ProposalAttached(mission_id=mission.id, municipality=municipality,
                                                 proposal_id=proposal.id, attached_by=capacity,
                                                 title=proposal.title, actor_id=who.id),
                 f"missions/{mission.id}")
    return {"mission_id": str(mission.id), "proposal_id": str(proposal.id), "attached_by": capacity}


def follow_mission(uow, municipality, actor, mission_id, following=True):
    who = caller(actor)
    require_signed_in(who, "following")
    with uow:
        mission = storage.Missions(uow).get(municipality, mission_id)
        if storage.Missions(uow).follow(mission.id, own_id(who), following):
            emit(uow, contracts.MissionFollowed(mission_id=mission.id, municipality=municipality,
                                                participant_id=who.id, following=following),
                 f"missions/{mission.id}")
    return {"followed_by_me": following}


# -- politicians as themselves -------------------------------------------------------------


def register_office(uow, municipality, actor, payload):
    new = parse(contracts.PublicOffice, payload)
    who = caller(actor)
    if who.role != leadership.POLITICIAN or who.municipality != municipality:
        raise Forbidden("only the municipality's politicians hold a public office here")
    with uow:
        row = storage.Offices(uow).put(municipality, own_id(who), new.name, new.party, new.title, now())
        emit(uow, contracts.OfficeRegistered(participant_id=who.id, municipality=municipality, name=new.name,
                                             party=new.party, title=new.title), f"politicians/{who.id}")
    return views.office_held(row)


def politician(uow, municipality, actor, participant_id):
    """A politician's page: their office, the missions they published, their committees
    and the decisions they took."""
    who = caller(actor)
    with uow:
        try:
            pid = uuid.UUID(str(participant_id))
        except ValueError:
            raise NotFound("no such politician")
        held = storage.Offices(uow).get(municipality, pid)
        if held is None:
            raise NotFound("no such politician")
        return {"office": views.office_held(held),
                "missions": [views.mission(m, who) for m in storage.Missions(uow).by(municipality, pid)],
                "committees": [{"id": str(c.id), "title": c.title, "deadline": c.deadline.isoformat()}
                               for c in storage.Committees(uow).of_member(municipality, pid)],
                "decisions": [views.case(c) for c in storage.Cases(uow).decided_by(municipality, pid)],
                "answers": [views.politician_answer(a) for a in storage.Offices(uow).answers_by(municipality, pid)]}


def erase_participant(uow, participant_id):
    """On erasure: follows, applications and the public office go; seats and what they
    published or decided stay, no longer naming them (``storage.council.erase``)."""
    with uow:
        storage.council.erase(uow, participant_id, storage.ERASED)
