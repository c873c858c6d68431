"""What is reported under the municipality's meetings and still open, for its staff's one
list of reports (issues 15 and 21): comments (``comments.open_reports``) and pictures and
files; and dismissing the reports of one of them (staff found nothing to hide).  Hiding is
each kind's own (``hide_comment``, ``hide_attachment``)."""
from samskab.contracts import moderation
from samskab.errors import NotFound
from samskab.values import now, parse

from ..attachment_storage import Attachments
from ..storage import meetings as meeting_table
from .comments import dismiss_reports as dismiss_comment_reports, open_reports as reported_comments
from .common import meeting_or_404, require_staff


def reported(uow, municipality, actor):
    """Reported comments and attachments under the municipality's meetings, the longest
    waiting first; the excerpts are for staff only."""
    items = reported_comments(uow, municipality, actor)  # checks that the caller is its staff
    with uow:
        files = Attachments(uow).reported(meeting_table, municipality)
    items += [{"kind": "meeting_attachment", "id": str(a.id), "under": "meeting", "under_id": str(a.meeting_id),
               "under_title": a.title, "excerpt": moderation.excerpt(a.caption or a.alt), "reports": a.reports,
               "reasons": list(a.reasons or [])[:5], "first_reported_at": a.first_reported.isoformat(),
               "last_reported_at": a.last_reported.isoformat(), "path": f"meetings/{a.meeting_id}#attachments"}
              for a in files]
    return sorted(items, key=lambda i: (i["first_reported_at"], i["id"]))


def dismiss_reports(uow, municipality, actor, meeting_id, payload):
    """Dismiss the reports (made until ``until``: those staff saw) of a comment or an attachment."""
    dismissal = parse(moderation.ReportsDismissal, payload)
    if dismissal.kind == "meeting_comment":
        return dismiss_comment_reports(uow, municipality, actor, meeting_id, payload)
    require_staff(actor, municipality)
    if dismissal.kind != "meeting_attachment":
        raise NotFound("only a meeting's comments and attachments are the meetings service's")
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        files = Attachments(uow)
        found = files.get(meeting.id, dismissal.id, lock=True)
        at = now()
        count = files.dismiss_reports(found.id, min(dismissal.until, at) if dismissal.until else at)
    return {"dismissed": count}
