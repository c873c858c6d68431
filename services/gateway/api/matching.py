"""Profiles, matches, similar proposals, stakeholder maps and citizen panels."""
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from samskab.contracts.matching import PanelRequest, Profile, ProfileOut
from samskab.errors import Forbidden

from .router import route


class Reason(BaseModel):
    type: str
    value: Any = None
    need: str | None = None
    by: str | None = None
    strength: str | None = None


class MatchOut(BaseModel):
    participant_id: str
    kind: str
    score: float
    municipality: str
    reasons: list[Reason]


class MatchesOut(BaseModel):
    proposal_id: str
    computed_at: str | None
    matches: list[MatchOut]


class SimilarOut(BaseModel):
    id: str
    score: float
    title: str
    status: str


class SimilarListOut(BaseModel):
    proposal_id: str
    similar: list[SimilarOut]


class StakeholderOut(BaseModel):
    participant_id: str
    kind: str
    roles: list[str]
    power: str
    interest: str
    quadrant: str
    reasons: list[Reason]


class Gap(BaseModel):
    gap: str
    detail: str


class StakeholderMapOut(BaseModel):
    proposal_id: str
    grid: dict[str, list[StakeholderOut]]
    counts: dict[str, int]
    gaps: list[Gap]
    needs_unmet: list[str]


class RecommendationOut(BaseModel):
    proposal_id: str
    municipality: str
    title: str
    score: float
    reasons: list[Reason]


class RecommendationsOut(BaseModel):
    recommendations: list[RecommendationOut]


class PanelOut(BaseModel):
    id: str
    municipality: str
    proposal_id: str | None
    size: int
    pool_size: int
    seed: int
    members: list[str]
    alternates: list[str]
    probabilities: dict[str, float]
    lowest_probability: float
    counts: dict[str, dict[str, int]]
    panels_in_lottery: int
    maximin_proven: bool
    lowest_probability_bound: float


def _staff_or_initiator(ctx, municipality, proposal_id):
    """People are shown to the municipality's staff and to the proposal's initiator only."""
    account = ctx.require_account()
    proposal = ctx.call("proposals", "get", municipality, proposal_id, ctx.actor)
    staff = ctx.actor["staff"] and account.municipality == municipality
    if not staff and proposal.get("initiator_id") != ctx.actor["id"]:
        raise Forbidden("only the municipality's staff and the proposal's initiator see who could help")


@route("GET", "/me/profile", response=ProfileOut, auth=True, summary="My matching profile", tags=["matching"])
def get_profile(ctx):
    ctx.require_account()
    return ctx.call("matching", "get_profile", ctx.actor)


@route("PUT", "/me/profile", body=Profile, response=ProfileOut, auth=True,
       summary="Set my skills, interests, areas, resources and whether I may be suggested", tags=["matching"])
def put_profile(ctx, body):
    ctx.require_account()
    return ctx.call("matching", "put_profile", ctx.actor, body.model_dump(mode="json"))


@route("GET", "/me/recommendations", response=RecommendationsOut, auth=True,
       summary="Proposals I could help with", tags=["matching"])
def recommendations(ctx):
    ctx.require_account()
    return ctx.call("matching", "recommendations", ctx.actor)


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/matches", response=MatchesOut, auth=True,
       summary="Who could help with a proposal, and why", tags=["matching"])
def proposal_matches(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    _staff_or_initiator(ctx, municipality.id, proposal_id)
    return ctx.call("matching", "matches", municipality.id, proposal_id, ctx.actor)


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/similar", response=SimilarListOut,
       summary="Existing proposals that look like the same idea", tags=["matching"])
def proposal_similar(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    ctx.call("proposals", "get", municipality.id, proposal_id, ctx.actor)  # 404 unless visible to the caller
    return ctx.call("matching", "similar", municipality.id, proposal_id, ctx.actor)


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(max_length=200)] = ""
    problem: Annotated[str, StringConstraints(max_length=4000)] = ""
    goal: Annotated[str, StringConstraints(max_length=4000)] = ""
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    language: Literal["da", "nb", "nn", "en"] = "da"


class DraftSimilarOut(BaseModel):
    id: str
    score: float
    title: str | None


@route("POST", "/municipalities/<m>/similar-proposals", body=Draft, response=[DraftSimilarOut],
       summary="Existing proposals like a draft, before it is submitted", tags=["matching"])
def draft_similar(ctx, m, body):
    municipality = ctx.municipality(m)
    return ctx.call("matching", "similar_to_draft", municipality.id, body.model_dump())


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/stakeholders", response=StakeholderMapOut, auth=True,
       summary="The stakeholder map on a power/interest grid, with the gaps", tags=["matching"])
def proposal_stakeholders(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    _staff_or_initiator(ctx, municipality.id, proposal_id)
    return ctx.call("matching", "stakeholders", municipality.id, proposal_id, ctx.actor)


@route("POST", "/municipalities/<m>/panels", body=PanelRequest, status=201, response=PanelOut, auth=True,
       summary="Draw a citizen panel by stratified random selection", tags=["matching"])
def select_panel(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return ctx.call("matching", "select_panel", municipality.id, ctx.actor, body.model_dump(mode="json"))
