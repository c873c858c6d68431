"""Proposals: the mission-first start of every co-creation, and everything
people do with one (transitions, supports, follows, questions, the agreement,
experiments, updates, reports and moderation).

The gateway only translates: it checks that the municipality is served and
that someone is signed in where a change needs it; the proposals service
decides what the caller's role may do (403), what the state allows (409) and
what is visible (drafts only to their initiator: 404 for anyone else).
"""
import json
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from samskab.contracts.proposals import (
    AgreementAcceptance, AgreementDraft, AgreementOut, AnswerOut, ExperimentOut, ExperimentPatch, FollowOut,
    HiddenOut, HideRequest, HistoryEntry, Kind, ModerationDecision, NewAnswer, NewExperiment, NewProposal,
    NewQuestion, NewReport, NewUpdate, OpenReportOut, ProposalOut, ProposalPatch, QuestionOut, ReportOut, Sort,
    SupportOut, TransitionRequest, UpdateOut, values,
)
from samskab.contracts.rpc import plain as _json

from ..accounts import verification
from ..readmodel import own as own_reads
from .router import API_PREFIX, route

TAGS = ["proposals"]
ONE = "/municipalities/<m>/proposals/<proposal_id>"


LIST_QUERY = {
    "status": ({"type": "array", "items": {"type": "string"}}, "repeat to list several statuses"),
    "kind": ({"type": "string", "enum": list(values(Kind))}, "what is co-created"),
    "topic": ({"type": "string"}, "one topic"),
    "area": ({"type": "string"}, "neighbourhood or postcode"),
    "bbox": ({"type": "string"}, "near me / in this area: west,south,east,north in WGS 84 degrees"),
    "q": ({"type": "string", "maxLength": 200}, "full-text search in the proposal's own language"),
    "sort": ({"type": "string", "enum": list(values(Sort))}, "default newest"),
    "cursor": ({"type": "string"}, "from the previous page's X-Next-Cursor header or Link rel=next"),
    "limit": ({"type": "integer", "minimum": 1, "maximum": 100}, "default 20"),
    "mine": ({"type": "boolean"}, "the caller's own proposals, drafts included"),
}


# -- proposals ------------------------------------------------------------------------------


IDEMPOTENCY_KEY = {"Idempotency-Key": (
    {"type": "string", "minLength": 1, "maxLength": 255},
    "Any unique string per proposal (a UUID): a retry with the same key and body returns the first result "
    "instead of making a second proposal; the same key with another body is refused (422)")}


@route("POST", "/municipalities/<m>/proposals", body=NewProposal, status=201, response=ProposalOut, auth=True,
       summary="Submit a proposal (or save a draft)", tags=TAGS, headers=IDEMPOTENCY_KEY, idempotent_replay=True)
def create_proposal(ctx, m, body):
    """With an ``Idempotency-Key`` header, a retry (after a timeout, a 503, a lost
    connection) gets the proposal the first request made, with status 200 and
    ``Idempotent-Replayed: true``, instead of making a second one."""
    municipality = ctx.municipality(m)
    ctx.require_account()
    key = ctx.request.headers.get("Idempotency-Key")
    if key is None:
        return _json(ctx.proposals.submit(municipality.id, ctx.actor, body))
    view = _json(ctx.proposals.submit(municipality.id, ctx.actor, body, key))
    replayed = view.pop("replayed", False)
    response = Response(json.dumps(view, ensure_ascii=False, default=str), status=200 if replayed else 201,
                        content_type="application/json")
    response.headers["Location"] = f"{API_PREFIX}/municipalities/{municipality.id}/proposals/{view['id']}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@route("GET", "/municipalities/<m>/proposals", response=[ProposalOut], query=LIST_QUERY,
       summary="List a municipality's proposals (keyset pages: follow the Link header)", tags=TAGS)
def list_proposals(ctx, m):
    municipality = ctx.municipality(m)
    args = ctx.request.args
    query = {name: args.get(name) for name in ("kind", "topic", "area", "bbox", "q", "sort", "cursor", "limit") if args.get(name)}
    if args.getlist("status"):
        query["status"] = [s for value in args.getlist("status") for s in value.split(",") if s]
    if args.get("mine", "").lower() in ("1", "true", "yes"):
        ctx.require_account()
        query["mine"] = True
    page = ctx.proposals.list_page(municipality.id, ctx.actor, query)
    response = Response(json.dumps(_json(page.items), ensure_ascii=False), content_type="application/json")
    if page.next_cursor:
        following = [(k, v) for k, v in args.items(multi=True) if k != "cursor"] + [("cursor", page.next_cursor)]
        response.headers["X-Next-Cursor"] = page.next_cursor
        response.headers["Link"] = f'<{API_PREFIX}/municipalities/{municipality.id}/proposals?{urlencode(following)}>; rel="next"'
    return response


@route("GET", ONE, response=ProposalOut, summary="One proposal", tags=TAGS)
def get_proposal(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(own_reads.proposal(ctx, municipality.id, proposal_id))  # the caller's own from memory


@route("PATCH", ONE, body=ProposalPatch, response=ProposalOut, auth=True,
       summary="Change a proposal's content (initiator) or IAP2 level (staff)", tags=TAGS)
def patch_proposal(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.update(municipality.id, ctx.actor, proposal_id, body))


@route("POST", ONE + "/transitions", body=TransitionRequest, response=ProposalOut, auth=True,
       summary="Move a proposal on: 409 if not from its current status, 403 if not by your role", tags=TAGS)
def transition(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.transition(municipality.id, ctx.actor, proposal_id, body))


@route("GET", ONE + "/transitions", response=[HistoryEntry], summary="The proposal's status history", tags=TAGS)
def history(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(ctx.proposals.history(municipality.id, ctx.actor, proposal_id))


# -- supports and follows ----------------------------------------------------------------------


@route("GET", ONE + "/supports", response=SupportOut, summary="How many support the proposal", tags=TAGS)
def support_count(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    p = ctx.proposals.get(municipality.id, ctx.actor, proposal_id)
    return {"support_count": p.support_count or 0, "supported_by_me": p.supported_by_me}


@route("POST", ONE + "/supports", response=SupportOut, status=201, auth=True,
       summary="Support the proposal (once per participant)", tags=TAGS)
def support(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    verification.require(ctx, municipality.id, "supports")  # 403 where the municipality asks for a verified account
    return _json(ctx.proposals.support(municipality.id, ctx.actor, proposal_id))


@route("DELETE", ONE + "/supports", response=SupportOut, auth=True, summary="Withdraw your support", tags=TAGS)
def unsupport(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.unsupport(municipality.id, ctx.actor, proposal_id))


@route("POST", ONE + "/follows", response=FollowOut, auth=True, summary="Follow the proposal", tags=TAGS)
def follow(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.follow(municipality.id, ctx.actor, proposal_id, True))


@route("DELETE", ONE + "/follows", response=FollowOut, auth=True, summary="Stop following the proposal", tags=TAGS)
def unfollow(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.follow(municipality.id, ctx.actor, proposal_id, False))


# -- questions and answers ---------------------------------------------------------------------------


@route("GET", ONE + "/questions", response=[QuestionOut], query={
    "unanswered": ({"type": "boolean"}, "only questions without an answer")},
    summary="Questions and their answers (unanswered ones stay visible)", tags=TAGS)
def list_questions(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    unanswered = ctx.request.args.get("unanswered", "").lower() in ("1", "true", "yes")
    return _json(ctx.proposals.questions(municipality.id, ctx.actor, proposal_id, unanswered))


@route("POST", ONE + "/questions", body=NewQuestion, response=QuestionOut, status=201, auth=True,
       summary="Ask a question", tags=TAGS)
def ask(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.ask(municipality.id, ctx.actor, proposal_id, body))


@route("POST", ONE + "/questions/<question_id>/answers", body=NewAnswer, response=AnswerOut, status=201, auth=True,
       summary="Answer a question (initiator or the municipality's staff; a politician answers in their "
               "public office, named with their party)", tags=TAGS)
def answer(ctx, m, proposal_id, question_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.answer(municipality.id, ctx.actor, proposal_id, question_id, body))


# -- the collaboration agreement --------------------------------------------------------------------


@route("GET", ONE + "/agreement", response=AgreementOut, summary="The current version of the collaboration agreement",
       tags=TAGS)
def get_agreement(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(ctx.proposals.agreement(municipality.id, ctx.actor, proposal_id))


@route("PUT", ONE + "/agreement", body=AgreementDraft, response=AgreementOut, auth=True,
       summary="Draft a new version of the agreement (initiator or staff); parties accept each version", tags=TAGS)
def put_agreement(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.draft_agreement(municipality.id, ctx.actor, proposal_id, body))


@route("POST", ONE + "/agreement/acceptances", body=AgreementAcceptance, response=AgreementOut, auth=True,
       summary="Accept a version of the agreement for the parties you stand for", tags=TAGS)
def accept_agreement(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.accept_agreement(municipality.id, ctx.actor, proposal_id, body))


# -- experiments and updates ----------------------------------------------------------------------------


@route("GET", ONE + "/experiments", response=[ExperimentOut], summary="Experiments tried", tags=TAGS)
def list_experiments(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(ctx.proposals.experiments(municipality.id, ctx.actor, proposal_id))


@route("POST", ONE + "/experiments", body=NewExperiment, response=ExperimentOut, status=201, auth=True,
       summary="Record an experiment (initiator or staff)", tags=TAGS)
def record_experiment(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.record_experiment(municipality.id, ctx.actor, proposal_id, body))


@route("PATCH", ONE + "/experiments/<experiment_id>", body=ExperimentPatch, response=ExperimentOut, auth=True,
       summary="Add an experiment's end, outcome and learnings", tags=TAGS)
def patch_experiment(ctx, m, proposal_id, experiment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.update_experiment(municipality.id, ctx.actor, proposal_id, experiment_id, body))


@route("GET", ONE + "/updates", response=[UpdateOut], summary="Progress updates, newest first", tags=TAGS)
def list_updates(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(ctx.proposals.updates(municipality.id, ctx.actor, proposal_id))


@route("POST", ONE + "/updates", body=NewUpdate, response=UpdateOut, status=201, auth=True,
       summary="Post a progress update (initiator or staff)", tags=TAGS)
def post_update(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.post_update(municipality.id, ctx.actor, proposal_id, body))


# -- reports and moderation ----------------------------------------------------------------------------------


@route("POST", ONE + "/reports", body=NewReport, response=ReportOut, status=201, auth=True,
       summary="Report the proposal, a question, an answer or an update to the municipality", tags=TAGS)
def report(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.proposals.report(municipality.id, ctx.actor, proposal_id, body))


@route("POST", ONE + "/hidden", body=HideRequest, response=HiddenOut, auth=True,
       summary="Hide content with a reason everyone sees (the municipality's staff)", tags=TAGS)
def hide(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.proposals.hide(municipality.id, ctx.actor, proposal_id, body))


@route("GET", "/municipalities/<m>/reports", response=[OpenReportOut], auth=True,
       summary="Open reports (the municipality's staff)", tags=TAGS)
def open_reports(ctx, m):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.proposals.reports(municipality.id, ctx.actor))


@route("POST", "/municipalities/<m>/reports/<report_id>/decision", body=ModerationDecision, response=ReportOut,
       auth=True, summary="Hide the reported content or dismiss the report (the municipality's staff)", tags=TAGS)
def decide_report(ctx, m, report_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.proposals.decide_report(municipality.id, ctx.actor, report_id, body))
