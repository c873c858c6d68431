"""Profiles, matches, similar proposals, stakeholder maps and citizen panels.

The shapes are the matching service's own (``samskab.contracts.matching``); these
handlers decide who may see what and call the service through ``ctx.matching``."""
from pydantic import ValidationError

from samskab.contracts.matching import (
    Draft, DraftSimilarOut, DuplicateMark, MatchesOut, PanelOut, PanelRequest, Profile, ProfileOut,
    RecommendationsOut, SimilarListOut, StakeholderMapOut,
)
from samskab.contracts.rpc import plain as _json
from samskab.errors import Forbidden

from .. import pools
from .problems import Problem, validation_errors
from .router import route

ACROSS = {"across": ({"type": "string", "enum": ["municipalities"]},
                     "`municipalities`: similar public proposals from every municipality, in any language")}


def _across(ctx):
    return ctx.request.args.get("across") == "municipalities"


def _staff_or_initiator(ctx, municipality, proposal_id):
    """People are shown to the municipality's staff and to the proposal's initiator only."""
    account = ctx.require_account()
    proposal = ctx.proposals.get(municipality, ctx.actor, proposal_id)
    staff = ctx.actor["staff"] and account.municipality == municipality
    if not staff and proposal.initiator_id != ctx.actor["id"]:
        raise Forbidden("only the municipality's staff and the proposal's initiator see who could help")


@route("GET", "/me/profile", response=ProfileOut, auth=True, summary="My matching profile", tags=["matching"])
def get_profile(ctx):
    ctx.require_account()
    return _json(ctx.matching.get_profile(ctx.actor))


@route("PUT", "/me/profile", body=Profile, response=ProfileOut, auth=True,
       summary="Set my skills, interests, areas, resources and whether I may be suggested", tags=["matching"])
def put_profile(ctx, body):
    ctx.require_account()
    return _json(ctx.matching.put_profile(ctx.actor, body.model_dump(mode="json")))


@route("GET", "/me/recommendations", response=RecommendationsOut, auth=True,
       summary="Proposals I could help with", tags=["matching"])
def recommendations(ctx):
    ctx.require_account()
    return _json(ctx.matching.recommendations(ctx.actor))


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/matches", response=MatchesOut, auth=True,
       summary="Who could help with a proposal, and why", tags=["matching"])
def proposal_matches(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    _staff_or_initiator(ctx, municipality.id, proposal_id)
    return _json(ctx.matching.matches(municipality.id, ctx.actor, proposal_id))


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/similar", response=SimilarListOut, query=ACROSS,
       summary="Existing proposals that look like the same idea (here, or in every municipality)",
       tags=["matching"])
def proposal_similar(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    ctx.proposals.get(municipality.id, ctx.actor, proposal_id)  # 404 unless visible to the caller
    return _json(ctx.matching.similar(municipality.id, ctx.actor, proposal_id, across=_across(ctx)))


@route("POST", "/municipalities/<m>/proposals/<proposal_id>/duplicate-of", body=DuplicateMark,
       response=SimilarListOut, auth=True,
       summary="Staff: mark this proposal a duplicate of another of the municipality's proposals",
       tags=["matching"])
def proposal_duplicate_of(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    ctx.proposals.get(municipality.id, ctx.actor, proposal_id)
    ctx.proposals.get(municipality.id, ctx.actor, body.of)
    return _json(ctx.matching.mark_duplicate(municipality.id, ctx.actor, proposal_id, body))


@route("POST", "/municipalities/<m>/similar-proposals", body=Draft, response=[DraftSimilarOut], query=ACROSS,
       summary="Existing proposals like a draft, before it is submitted", tags=["matching"])
def draft_similar(ctx, m, body):
    municipality = ctx.municipality(m)
    return _json(ctx.matching.similar_to_draft(municipality.id, ctx.actor, body, across=_across(ctx)))


@route("GET", "/municipalities/<m>/proposals/<proposal_id>/stakeholders", response=StakeholderMapOut, auth=True,
       summary="The stakeholder map on a power/interest grid, with the gaps", tags=["matching"])
def proposal_stakeholders(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    _staff_or_initiator(ctx, municipality.id, proposal_id)
    return _json(ctx.matching.stakeholders(municipality.id, ctx.actor, proposal_id))


@route("POST", "/municipalities/<m>/panels", body=PanelRequest, status=201, response=PanelOut, auth=True,
       max_body=pools.POOL_MAX_BODY,
       summary="Draw a citizen panel by stratified random selection (maximin or leximin)", tags=["matching"])
def select_panel(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.matching.select_panel(municipality.id, ctx.actor, body.model_dump(mode="json")))


@route("POST", "/municipalities/<m>/panels/csv", body=pools.PanelCsvRequest, status=201, response=PanelOut,
       auth=True, max_body=pools.POOL_MAX_BODY,
       summary="Draw a citizen panel from a volunteer pool and quotas given as CSV (id, household, features)",
       tags=["matching"])
def select_panel_csv(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    payload = pools.panel_request(body)
    try:  # the same limits as a JSON pool, named by field
        PanelRequest.model_validate(payload)
    except ValidationError as exc:
        raise Problem(422, "the pool or the quotas break a limit", validation_errors(exc))
    return _json(ctx.matching.select_panel(municipality.id, ctx.actor, payload))
