"""Comment threads under proposals (issue 21): read by anyone who may read the
proposal, written by anyone signed in; the proposals service decides the rest
(the proposal's status, the edit window, who may hide)."""
from samskab.contracts.proposals.comments import (
    CommentEdit, CommentHide, CommentOut, CommentReport, CommentReportOut, CommentsRpc, NewComment,
)
from samskab.contracts.rpc import plain as _json

from .router import route

TAGS = ["comments"]
THREAD = "/municipalities/<m>/proposals/<proposal_id>/comments"


def _client(ctx):
    return CommentsRpc(ctx.call)


@route("GET", THREAD, response=[CommentOut], tags=TAGS,
       summary="The proposal's comments, oldest first, each with its replies (hidden ones without their text)")
def list_comments(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(_client(ctx).comments(municipality.id, ctx.actor, proposal_id))


@route("POST", THREAD, body=NewComment, response=CommentOut, status=201, auth=True, tags=TAGS,
       summary="Comment (optionally for, against or neutral), or reply with parent_id")
def post_comment(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_client(ctx).post_comment(municipality.id, ctx.actor, proposal_id, body))


@route("PATCH", THREAD + "/<comment_id>", body=CommentEdit, response=CommentOut, auth=True, tags=TAGS,
       summary="Correct one's own comment within 15 minutes of posting it")
def edit_comment(ctx, m, proposal_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_client(ctx).edit_comment(municipality.id, ctx.actor, proposal_id, comment_id, body))


@route("POST", THREAD + "/<comment_id>/reports", body=CommentReport, response=CommentReportOut, status=201,
       auth=True, tags=TAGS, summary="Report a comment to the municipality's staff")
def report_comment(ctx, m, proposal_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_client(ctx).report_comment(municipality.id, ctx.actor, proposal_id, comment_id, body))


@route("POST", THREAD + "/<comment_id>/hide", body=CommentHide, response=CommentOut, auth=True, tags=TAGS,
       summary="Hide a comment (the municipality's staff)")
def hide_comment(ctx, m, proposal_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_client(ctx).hide_comment(municipality.id, ctx.actor, proposal_id, comment_id, body))
