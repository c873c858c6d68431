"""A proposal's comment thread (issue 21) on a page of its own: the comments, oldest
first, each with its replies; for the signed-in a form to comment (optionally for,
against or neutral), to reply, to correct one's own comment while the proposals
service still allows it, and to report one."""
from samskab.contracts.proposals.comments import CommentsRpc
from samskab.errors import Conflict, Forbidden, Invalid

from .. import forms
from ..app import page_route
from .proposals import base, load

ALIGNMENTS = ("for", "against", "neutral")
THREAD = "/municipalities/<m>/proposals/<uuid:proposal_id>/comments"


def _client(page):
    return CommentsRpc(page.ctx.call)


def thread(page, m, proposal_id, errors=None, values=None, status=200):
    municipality, proposal = load(page, m, proposal_id)
    comments = _client(page).comments(municipality.id, page.actor, str(proposal_id))
    return page.render("proposals/comments.html", status=status, title=page._("comments.title") + " · " + proposal.title,
                       proposal=proposal, comments=comments, alignments=ALIGNMENTS, errors=errors or {},
                       values=values or {}, base=f"{base(m)}/{proposal_id}")


def _refused(page, exc):
    return forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]


def _done(page, m, proposal_id, name, call, field, body):
    """Send one change; back to the thread with ``done`` or the form's error in place."""
    if not body:
        return thread(page, m, proposal_id, errors={field: page._("form.required")}, status=422)
    try:
        call()
    except (Invalid, Conflict, Forbidden) as exc:
        return thread(page, m, proposal_id, errors={field: _refused(page, exc)}, values={field: body}, status=422)
    return page.redirect(f"{base(m)}/{proposal_id}/comments", name)


@page_route(THREAD, methods=("GET", "POST"))
def comments(page, m, proposal_id):
    municipality = page.in_municipality(m)
    if page.request.method == "GET":
        return thread(page, m, proposal_id)
    page.require_account()
    body = page.field("comment")
    alignment = page.field("alignment")
    payload = {"body": body, **({"alignment": alignment} if alignment in ALIGNMENTS else {})}
    return _done(page, m, proposal_id, "commented", lambda: _client(page).post_comment(
        municipality.id, page.actor, str(proposal_id), payload), "comment", body)


@page_route(THREAD + "/<uuid:comment_id>/replies", methods=("POST",))
def reply(page, m, proposal_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    body = page.field("reply")
    return _done(page, m, proposal_id, "replied", lambda: _client(page).post_comment(
        municipality.id, page.actor, str(proposal_id), {"body": body, "parent_id": str(comment_id)}),
        f"reply-{comment_id}", body)


@page_route(THREAD + "/<uuid:comment_id>/edit", methods=("POST",))
def edit(page, m, proposal_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    body = page.field("body")
    return _done(page, m, proposal_id, "comment_edited", lambda: _client(page).edit_comment(
        municipality.id, page.actor, str(proposal_id), str(comment_id), {"body": body}), f"edit-{comment_id}", body)


@page_route(THREAD + "/<uuid:comment_id>/report", methods=("POST",))
def report(page, m, proposal_id, comment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    reason = page.field("reason")
    return _done(page, m, proposal_id, "comment_reported", lambda: _client(page).report_comment(
        municipality.id, page.actor, str(proposal_id), str(comment_id), {"reason": reason}),
        f"report-{comment_id}", reason)
