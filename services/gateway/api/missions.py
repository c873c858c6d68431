"""Political leadership (issue 22): the council's missions, task committees with a
mandate, the council's answer to recommendations and to proposals over their
threshold, and politicians' public offices.

The proposals service keeps all of it and decides who may do what; the gateway
brings the other services in where a step is theirs: a committee's members are
drawn by the matching service's panel draw (the open applications are the pool),
its meetings are planned in the meetings service (format ``task_committee``).
"""
from pydantic import BaseModel, ConfigDict, Field

from samskab.contracts.proposals import (
    AgendaOut, ApplicationOut, AttachedOut, CommitteeApplication, CommitteeClosing, CommitteeOut, CouncilRpc,
    DecisionOut, DocumentOut, FiguresOut, FollowedOut, MandateChange, MissionAttachment, MissionChange,
    MissionClosing, MissionOut, NewCommittee, NewDecision, NewDocument, NewMission, NewRecommendation,
    OfficeHeldOut, Placement, PoliticianOut, PublicOffice, Seating,
)
from samskab.contracts.rpc import plain as _json
from samskab.errors import NotFound

from .. import council as council_steps
from .router import route

TAGS = ["missions and the council"]
MISSION = "/municipalities/<m>/missions/<mission_id>"
COMMITTEE = "/municipalities/<m>/committees/<committee_id>"
CASE = "/municipalities/<m>/cases/<case_id>"


def council(ctx):
    return council_steps.council(ctx)


# -- missions ------------------------------------------------------------------------------


@route("GET", "/municipalities/<m>/missions", response=[MissionOut], summary="The council's missions", tags=TAGS)
def list_missions(ctx, m):
    return _json(council(ctx).missions(ctx.municipality(m).id, ctx.actor))


@route("POST", "/municipalities/<m>/missions", body=NewMission, response=MissionOut, status=201, auth=True,
       summary="Publish a mission (the municipality's politicians, or staff on the council's behalf)", tags=TAGS)
def publish_mission(ctx, m, body):
    ctx.require_account()
    return _json(council(ctx).publish_mission(ctx.municipality(m).id, ctx.actor, body))


@route("GET", MISSION, response=MissionOut,
       summary="A mission with its proposals, experiments, agreements, outcomes and progress", tags=TAGS)
def get_mission(ctx, m, mission_id):
    return _json(council(ctx).get_mission(ctx.municipality(m).id, ctx.actor, mission_id))


@route("PATCH", MISSION, body=MissionChange, response=MissionOut, auth=True,
       summary="Change a mission's texts, goal or horizon (the municipality's politicians and staff; "
               "only the fields sent change; 409 once it is closed)", tags=TAGS)
def update_mission(ctx, m, mission_id, body):
    ctx.require_account()
    return _json(council(ctx).update_mission(ctx.municipality(m).id, ctx.actor, mission_id, body))


@route("POST", MISSION + "/closing", body=MissionClosing, response=MissionOut, auth=True,
       summary="Close the mission: achieved or ended, with a note for the public (409 if closed already)",
       tags=TAGS)
def close_mission(ctx, m, mission_id, body):
    ctx.require_account()
    return _json(council(ctx).close_mission(ctx.municipality(m).id, ctx.actor, mission_id, body))


@route("POST", MISSION + "/proposals", body=MissionAttachment, response=AttachedOut, status=201, auth=True,
       summary="Attach a proposal to the mission (its initiator or the municipality's staff)", tags=TAGS)
def attach(ctx, m, mission_id, body):
    ctx.require_account()
    return _json(council(ctx).attach_to_mission(ctx.municipality(m).id, ctx.actor, mission_id, body))


@route("POST", MISSION + "/follows", response=FollowedOut, auth=True, summary="Follow the mission", tags=TAGS)
def follow(ctx, m, mission_id):
    ctx.require_account()
    return _json(council(ctx).follow_mission(ctx.municipality(m).id, ctx.actor, mission_id, True))


@route("DELETE", MISSION + "/follows", response=FollowedOut, auth=True, summary="Stop following the mission",
       tags=TAGS)
def unfollow(ctx, m, mission_id):
    ctx.require_account()
    return _json(council(ctx).follow_mission(ctx.municipality(m).id, ctx.actor, mission_id, False))


# -- task committees -----------------------------------------------------------------------


@route("GET", "/municipalities/<m>/committees", response=[CommitteeOut], summary="Task committees", tags=TAGS)
def list_committees(ctx, m):
    return _json(council(ctx).committees(ctx.municipality(m).id, ctx.actor))


@route("POST", "/municipalities/<m>/committees", body=NewCommittee, response=CommitteeOut, status=201, auth=True,
       summary="Form a task committee with its mandate and composition", tags=TAGS)
def form_committee(ctx, m, body):
    ctx.require_account()
    return _json(council(ctx).form_committee(ctx.municipality(m).id, ctx.actor, body))


@route("GET", COMMITTEE, response=CommitteeOut,
       summary="A committee: mandate, members (politicians named, residents counted), meetings, documents, "
               "recommendation and the council's answer", tags=TAGS)
def get_committee(ctx, m, committee_id):
    return _json(council(ctx).get_committee(ctx.municipality(m).id, ctx.actor, committee_id))


@route("PATCH", COMMITTEE, body=MandateChange, response=CommitteeOut, auth=True,
       summary="Change the committee's mandate or composition before its members are seated (409 after)",
       tags=TAGS)
def update_committee(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).update_committee(ctx.municipality(m).id, ctx.actor, committee_id, body))


@route("POST", COMMITTEE + "/closing", body=CommitteeClosing, response=CommitteeOut, auth=True,
       summary="Close the committee once its recommendation is delivered, with a note (409 before)", tags=TAGS)
def close_committee(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).close_committee(ctx.municipality(m).id, ctx.actor, committee_id, body))


@route("POST", COMMITTEE + "/applications", body=CommitteeApplication, response=ApplicationOut, status=201,
       auth=True, summary="Apply for a seat on the committee", tags=TAGS)
def apply(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).apply_to_committee(ctx.municipality(m).id, ctx.actor, committee_id, body))


@route("POST", COMMITTEE + "/members", body=Seating, response=CommitteeOut, auth=True,
       summary="Seat members from their applications (recruitment by application)", tags=TAGS)
def seat(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).seat_members(ctx.municipality(m).id, ctx.actor, committee_id, body))


class Draw(BaseModel):
    """A panel draw of the residents' seats from the open applications."""

    model_config = ConfigDict(extra="forbid")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="published before the draw; random if omitted")
    quotas: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict, description="feature -> value -> {min, max}, over the applicants' features")


@route("POST", COMMITTEE + "/draw", body=Draw, response=CommitteeOut, auth=True,
       summary="Draw the residents' seats by lot from the applications (a citizen panel)", tags=TAGS)
def draw(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council_steps.draw_members(ctx, ctx.municipality(m).id, committee_id, body.seed, body.quotas))


class NewCommitteeMeeting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: str
    ends_at: str
    place_id: str | None = None
    online_url: str | None = None
    title: str | None = None


@route("POST", COMMITTEE + "/meetings", body=NewCommitteeMeeting, response=CommitteeOut, status=201, auth=True,
       summary="Plan one of the committee's meetings (in the meetings service, format task_committee)", tags=TAGS)
def add_meeting(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council_steps.plan_meeting(ctx, ctx.municipality(m).id, committee_id, body.model_dump(exclude_none=True)))


@route("POST", COMMITTEE + "/documents", body=NewDocument, response=DocumentOut, status=201, auth=True,
       summary="Add a working document or minutes (members and staff)", tags=TAGS)
def add_document(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).add_document(ctx.municipality(m).id, ctx.actor, committee_id, body))


@route("POST", COMMITTEE + "/recommendation", body=NewRecommendation, response=CommitteeOut, auth=True,
       summary="Deliver the committee's recommendation to the council (opens a case for its answer)", tags=TAGS)
def deliver(ctx, m, committee_id, body):
    ctx.require_account()
    return _json(council(ctx).deliver_recommendation(ctx.municipality(m).id, ctx.actor, committee_id, body))


# -- the council's answer --------------------------------------------------------------------


@route("GET", "/municipalities/<m>/council", response=AgendaOut,
       summary="Cases awaiting the council, placed on a meeting, and decided", tags=TAGS)
def agenda(ctx, m):
    return _json(council(ctx).agenda(ctx.municipality(m).id, ctx.actor))


@route("GET", "/municipalities/<m>/council/figures", response=FiguresOut,
       summary="What became of it: how many were answered, how long it took, what was decided", tags=TAGS)
def figures(ctx, m):
    return _json(council(ctx).figures(ctx.municipality(m).id, ctx.actor))


@route("GET", CASE, response=DecisionOut, summary="One case and the council's answer", tags=TAGS)
def get_case(ctx, m, case_id):
    return _json(council(ctx).get_case(ctx.municipality(m).id, ctx.actor, case_id))


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/case", response=DecisionOut,
       summary="The council's case on a proposal over its threshold: placed on which meeting, then the decision "
               "(404 while it has none)", tags=TAGS)
def case_of_proposal(ctx, m, proposal_id):
    found = council(ctx).case_of_proposal(ctx.municipality(m).id, ctx.actor, proposal_id)
    if found is None:
        raise NotFound("the council has no case on this proposal")
    return _json(found)


@route("POST", CASE + "/placement", body=Placement, response=DecisionOut, auth=True,
       summary="Place the case on a council or committee meeting", tags=TAGS)
def place(ctx, m, case_id, body):
    ctx.require_account()
    return _json(council(ctx).place_case(ctx.municipality(m).id, ctx.actor, case_id, body))


@route("POST", CASE + "/decision", body=NewDecision, response=DecisionOut, auth=True,
       summary="Decide the case with reasons: adopted, adopted in part, rejected or sent on", tags=TAGS)
def decide(ctx, m, case_id, body):
    ctx.require_account()
    return _json(council(ctx).decide(ctx.municipality(m).id, ctx.actor, case_id, body))


# -- politicians as themselves ---------------------------------------------------------------


@route("PUT", "/municipalities/<m>/politicians/me", body=PublicOffice, response=OfficeHeldOut, auth=True,
       summary="A politician's public office here: the name and party they act under", tags=TAGS)
def register_office(ctx, m, body):
    ctx.require_account()
    return _json(council(ctx).register_office(ctx.municipality(m).id, ctx.actor, body))


@route("GET", "/municipalities/<m>/politicians/<participant_id>", response=PoliticianOut,
       summary="A politician's page: their office, missions, committees and decisions", tags=TAGS)
def politician(ctx, m, participant_id):
    return _json(council(ctx).politician(ctx.municipality(m).id, ctx.actor, participant_id))
