"""A meeting's comment thread (issue 21) on a page of its own, linked from the meeting's
page: the comments, oldest first, each with its replies; for the signed-in a form to
comment (optionally for, against or neutral), to reply, to correct one's own comment
while the meetings service still allows it, and to report one; for the municipality's
staff a form to hide one."""
from samskab.comments import ALIGNMENTS
from samskab.contracts.rpc import plain as _plain
from samskab.errors import Conflict, Forbidden, Invalid

from .. import forms
from ..app import page_route

THREAD = "/municipalities/<m>/meetings/<uuid:meeting_id>/comments"


def _base(m, meeting_id):
    return f"/municipalities/{m}/meetings/{meeting_id}"


def thread(page, m, meeting_id, errors=None, values=None, status=200):
    municipality = page.in_municipality(m)
    meetings = page.ctx.meetings
    meeting = _plain(meetings.get(municipality.id, page.actor, meeting_id))
    comments = meetings.comments(municipality.id, page.actor, str(meeting_id))
    return page.render("meetings/comments.html", status=status,
                       title=page._("comments.title") + " · " + meeting["title"], meeting=meeting,
                       comments=comments, alignments=ALIGNMENTS, errors=errors or {}, values=values or {},
                       staff=page.is_staff(municipality.id), base=_base(m, meeting_id))


def _refused(page, exc):
    return forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]


def _done(page, m, meeting_id, name, call, field, body):
    """Send one change; back to the thread with ``done`` or the form's error in place."""
    if not body:
        return thread(page, m, meeting_id, errors={field: page._("form.required")}, status=422)
    try:
        call()
    except (Invalid, Conflict, Forbidden) as exc:
        return thread(page, m, meeting_id, errors={field: _refused(page, exc)}, values={field: body}, status=422)
    return page.redirect(f"{_base(m, meeting_id)}/comments", name)


@page_route(THREAD, methods=("GET", "POST"))
def meeting_comments(page, m, meeting_id):
    municipality = page.in_municipality(m)
    if page.request.method == "GET":
        return thread(page, m, meeting_id)
    page.require_account()
    body = page.field("comment")
    alignment = page.field("alignment")
    payload = {"body": body, **({"alignment": alignment} if alignment in ALIGNMENTS else {})}
    return _done(page, m, meeting_id, "commented", lambda: page.ctx.meetings.post_comment(
        municipality.id, page.actor, str(meeting_id), payload), "comment", body)


@page_route(THREAD + "/<uuid:comment_id>/replies", methods=("POST",))
def meeting_comment_reply(page, m, meeting_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    body = page.field("reply")
    return _done(page, m, meeting_id, "replied", lambda: page.ctx.meetings.post_comment(
        municipality.id, page.actor, str(meeting_id), {"body": body, "parent_id": str(comment_id)}),
        f"reply-{comment_id}", body)


@page_route(THREAD + "/<uuid:comment_id>/edit", methods=("POST",))
def meeting_comment_edit(page, m, meeting_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    body = page.field("body")
    return _done(page, m, meeting_id, "comment_edited", lambda: page.ctx.meetings.edit_comment(
        municipality.id, page.actor, str(meeting_id), str(comment_id), {"body": body}), f"edit-{comment_id}", body)


@page_route(THREAD + "/<uuid:comment_id>/report", methods=("POST",))
def meeting_comment_report(page, m, meeting_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    reason = page.field("reason")
    return _done(page, m, meeting_id, "comment_reported", lambda: page.ctx.meetings.report_comment(
        municipality.id, page.actor, str(meeting_id), str(comment_id), {"reason": reason}),
        f"report-{comment_id}", reason)


@page_route(THREAD + "/<uuid:comment_id>/hide", methods=("POST",))
def meeting_comment_hide(page, m, meeting_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    reason = page.field("reason")
    return _done(page, m, meeting_id, "comment_hidden", lambda: page.ctx.meetings.hide_comment(
        municipality.id, page.actor, str(meeting_id), str(comment_id), {"reason": reason}),
        f"hide-{comment_id}", reason)
