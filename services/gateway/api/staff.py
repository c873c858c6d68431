"""Roles only an operator grants: a municipality's staff (employee, politician)
and other operators.  Nobody assigns these to themselves.  And the staff's one list of
open reports, merged from the proposals and the meetings services, with the dismissals."""
from samskab.contracts.moderation import DismissedOut, ReportedItem, ReportsDismissal
from samskab.contracts.rpc import plain as _json

from ..accounts import roles
from ..accounts.models import AccountOut, RoleGrant, account_out
from .router import route


@route("POST", "/accounts/<account_id>/role", body=RoleGrant, response=AccountOut, auth=True,
       summary="Grant an account a role in a municipality (operators only)", tags=["accounts"])
def grant_role(ctx, account_id, body):
    operator = ctx.require_operator()
    return account_out(roles.grant(ctx, operator, account_id, body.role, body.municipality))


# -- one list of open reports (issues 15 and 21) ---------------------------------------------------------------
# Hiding is each kind's own endpoint (…/hidden, …/comments/<id>/hide, …/attachments/<id>/hide,
# …/meetings/<id>/comments/<id>/hide); dismissing is the owner's, below.


@route("GET", "/municipalities/<m>/staff/reports", response=[ReportedItem], auth=True, tags=["moderation"],
       summary="Everything reported and still open: proposals, questions, answers, updates, comments, "
               "pictures and files, comments under meetings; the longest waiting first (the municipality's staff)")
def open_reports(ctx, m):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    items = (ctx.proposals.reported(municipality.id, ctx.actor)
             + ctx.meetings.reported(municipality.id, ctx.actor))
    return _json(sorted(items, key=lambda i: (i.first_reported_at, i.id)))


@route("POST", "/municipalities/<m>/proposals/<proposal_id>/reports/dismissal", body=ReportsDismissal,
       response=DismissedOut, auth=True, tags=["moderation"],
       summary="Dismiss the open reports of something under a proposal: nothing to hide (the municipality's staff)")
def dismiss_proposal_reports(ctx, m, proposal_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.proposals.dismiss_reports(municipality.id, ctx.actor, proposal_id, body))


@route("POST", "/municipalities/<m>/meetings/<meeting_id>/reports/dismissal", body=ReportsDismissal,
       response=DismissedOut, auth=True, tags=["moderation"],
       summary="Dismiss the open reports of a comment under a meeting: nothing to hide (the municipality's staff)")
def dismiss_meeting_reports(ctx, m, meeting_id, body):
    municipality = ctx.municipality(m)
    ctx.require_staff(municipality.id)
    return _json(ctx.meetings.dismiss_reports(municipality.id, ctx.actor, meeting_id, body))
