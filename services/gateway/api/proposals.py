"""Proposals: the mission-first start of every co-creation."""
from pydantic import BaseModel

from samskab.contracts.proposals import NewProposal

from .router import route


class ProposalOut(BaseModel):
    id: str
    municipality: str
    kind: str
    title: str
    problem: str
    goal: str
    description: str
    area: str | None
    topics: list[str]
    needs: list[str]
    language: str
    iap2_level: str | None
    status: str
    initiator_id: str
    initiator_role: str
    created_at: str
    updated_at: str


@route("POST", "/municipalities/<m>/proposals", body=NewProposal, status=201, response=ProposalOut, auth=True,
       summary="Submit a proposal (or save a draft)", tags=["proposals"])
def create_proposal(ctx, m, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return ctx.call("proposals", "submit", municipality.id, ctx.actor, body.model_dump(mode="json"))


@route("GET", "/municipalities/<m>/proposals", response=[ProposalOut], summary="List a municipality's proposals",
       tags=["proposals"])
def list_proposals(ctx, m):
    municipality = ctx.municipality(m)
    return ctx.call("proposals", "list", municipality.id, ctx.actor)


@route("GET", "/municipalities/<m>/proposals/<proposal_id>", response=ProposalOut, summary="One proposal",
       tags=["proposals"])
def get_proposal(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return ctx.call("proposals", "get", municipality.id, proposal_id, ctx.actor)
