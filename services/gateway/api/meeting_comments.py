"""Comment threads under meetings (issue 21): read by anyone, written by anyone signed
in; the meetings service decides the rest (a cancelled meeting, the edit window, who
may hide).  Create takes an ``Idempotency-Key`` (the router keeps the first answer)."""
from samskab.contracts.meetings import (
    MeetingCommentEdit, MeetingCommentHide, MeetingCommentOut, MeetingCommentReport, MeetingCommentReportOut,
    NewMeetingComment,
)
from samskab.contracts.rpc import plain as _json

from .router import route

TAGS = ["meeting comments"]
THREAD = "/municipalities/<m>/meetings/<uuid:meeting_id>/comments"
ONE = THREAD + "/<uuid:comment_id>"


@route("GET", THREAD, response=[MeetingCommentOut], tags=TAGS,
       summary="The meeting's comments, oldest first, each with its replies (hidden ones without their text)")
def list_meeting_comments(ctx, m, meeting_id):
    municipality = ctx.municipality(m)
    return _json(ctx.meetings.comments(municipality.id, ctx.actor, meeting_id))


@route("POST", THREAD, body=NewMeetingComment, response=MeetingCommentOut, status=201, auth=True, tags=TAGS,
       summary="Comment on a meeting (optionally for, against or neutral), or reply with parent_id")
def post_meeting_comment(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.meetings.post_comment(municipality.id, ctx.actor, meeting_id, body))


@route("PATCH", ONE, body=MeetingCommentEdit, response=MeetingCommentOut, auth=True, tags=TAGS,
       summary="Correct one's own comment within 15 minutes of posting it")
def edit_meeting_comment(ctx, m, meeting_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.meetings.edit_comment(municipality.id, ctx.actor, meeting_id, comment_id, body))


@route("POST", ONE + "/reports", body=MeetingCommentReport, response=MeetingCommentReportOut, status=201,
       auth=True, tags=TAGS, summary="Report a comment to the municipality's staff")
def report_meeting_comment(ctx, m, meeting_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.meetings.report_comment(municipality.id, ctx.actor, meeting_id, comment_id, body))


@route("POST", ONE + "/hide", body=MeetingCommentHide, response=MeetingCommentOut, auth=True, tags=TAGS,
       summary="Hide a comment (the staff of the meeting's municipality)")
def hide_meeting_comment(ctx, m, meeting_id, comment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(ctx.meetings.hide_comment(municipality.id, ctx.actor, meeting_id, comment_id, body))
