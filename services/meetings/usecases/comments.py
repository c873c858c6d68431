"""Comment threads under meetings (issue 21): anyone signed in comments (optionally
for, against or neutral) or replies under a meeting that is not cancelled; its author
corrects a comment within the edit window; anyone signed in reports one and the
staff of the meeting's municipality hide it.  What every thread shares (limits,
alignment, edit window, the thread's shape) is ``samskab.comments``."""
import uuid

from samskab import comments as shared
from samskab.contracts import meetings as contract, moderation
from samskab.errors import Conflict, Forbidden, NotFound
from samskab.values import now, parse

from .. import events
from ..comment_storage import Comments
from ..storage import meetings as meeting_table
from .common import meeting_or_404, require_actor, require_staff

OWNER = "meeting_id"


def _subject(meeting, comment_id):
    return f"{events.subject(meeting.id)}/comments/{comment_id}"


def _emit(uow, meeting, event, comment_id):
    uow.emit(type(event).event_type, municipality=meeting.municipality, subject=_subject(meeting, comment_id),
             data=event)


def _writer(actor, municipality):
    """The caller's id, if they may write here: signed in, and not staff of another municipality."""
    pid = require_actor(actor)
    if actor.get("staff") and actor.get("municipality") != municipality:
        raise Forbidden("staff of another municipality cannot comment here")
    return pid


def _open(uow, municipality, meeting_id):
    meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
    if meeting.status == "cancelled":
        raise Conflict("a cancelled meeting takes no comments")
    return meeting


def _caller_id(actor):
    return actor.get("id") if actor else None


def comments(uow, municipality, actor, meeting_id):
    """The thread: top-level comments oldest first, each with its replies oldest first;
    a hidden comment keeps its place without its text."""
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        rows = Comments(uow).of(meeting.id)
    return shared.thread(rows, _caller_id(actor), now(), OWNER)


def post_comment(uow, municipality, actor, meeting_id, payload):
    new = parse(contract.NewMeetingComment, payload)
    author = _writer(actor, municipality)
    with uow:
        meeting = _open(uow, municipality, meeting_id)
        thread = Comments(uow)
        parent = shared.replied_to(thread, meeting.id, new.parent_id, "meeting")
        at, cid = now(), uuid.uuid4()
        row = thread.add(cid, meeting.id, shared.top_of(parent), author, new.body, new.alignment, at)
        _emit(uow, meeting, contract.MeetingCommentPosted(
            comment_id=cid, meeting_id=meeting.id, municipality=municipality, parent_id=row.parent_id,
            body=new.body, alignment=new.alignment, posted_at=at, author_id=author,
            parent_author_id=parent.author_id if parent is not None else None), cid)
    return shared.comment_out(row, author, at, OWNER)


def edit_comment(uow, municipality, actor, meeting_id, comment_id, payload):
    edit = parse(contract.MeetingCommentEdit, payload)
    author = _writer(actor, municipality)
    with uow:
        meeting = _open(uow, municipality, meeting_id)
        thread = Comments(uow)
        found = thread.get(meeting.id, comment_id, lock=True)
        if found.author_id != author:
            raise Forbidden("only its author edits a comment")
        at = now()
        shared.check_editable(found, at)
        changed = thread.edit(found.id, edit.body, at)
        _emit(uow, meeting, contract.MeetingCommentEdited(
            comment_id=found.id, meeting_id=meeting.id, municipality=municipality, body=edit.body, edited_at=at,
            author_id=author), found.id)
    return shared.comment_out(changed, author, at, OWNER)


def report_comment(uow, municipality, actor, meeting_id, comment_id, payload):
    report = parse(contract.MeetingCommentReport, payload)
    reporter = _writer(actor, municipality)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        thread = Comments(uow)
        found = thread.get(meeting.id, comment_id)
        rid = uuid.uuid4()
        thread.report(rid, found.id, reporter, report.reason, now())
        _emit(uow, meeting, contract.MeetingCommentReported(
            comment_id=found.id, meeting_id=meeting.id, municipality=municipality, report_id=rid), found.id)
    return {"id": str(rid), "status": "open"}


def hide_comment(uow, municipality, actor, meeting_id, comment_id, payload):
    request = parse(contract.MeetingCommentHide, payload)
    require_staff(actor, municipality)
    staff = require_actor(actor)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        thread = Comments(uow)
        found = thread.get(meeting.id, comment_id, lock=True)
        at = now()
        if found.hidden_at is None:
            found = thread.hide(found.id, request.reason, staff, at)
            _emit(uow, meeting, contract.MeetingCommentHidden(
                comment_id=found.id, meeting_id=meeting.id, municipality=municipality, reason=request.reason,
                author_id=found.author_id, hidden_by=staff), found.id)
    return shared.comment_out(found, staff, at, OWNER)


def open_reports(uow, municipality, actor):
    """Reported comments under the municipality's meetings, not hidden and not dismissed,
    the longest waiting first, for its staff's one list of reports (issues 15 and 21); the
    excerpt is for them only."""
    require_staff(actor, municipality)
    with uow:
        rows = Comments(uow).reported(meeting_table, municipality)
    return [{"kind": "meeting_comment", "id": str(r.id), "under": "meeting", "under_id": str(r.meeting_id),
             "under_title": r.title, "excerpt": moderation.excerpt(r.body), "reports": r.reports,
             "reasons": list(r.reasons or [])[:5], "first_reported_at": r.first_reported.isoformat(),
             "last_reported_at": r.last_reported.isoformat(),
             "path": f"meetings/{r.meeting_id}/comments#c-{r.id}"} for r in rows]


def dismiss_reports(uow, municipality, actor, meeting_id, payload):
    """Staff found nothing to hide in a reported comment: its reports made until ``until``
    (those staff saw; all when not given) are dismissed, and it leaves the list."""
    dismissal = parse(moderation.ReportsDismissal, payload)
    require_staff(actor, municipality)
    if dismissal.kind != "meeting_comment":
        raise NotFound("only a meeting's comments are the meetings service's")
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        thread = Comments(uow)
        found = thread.get(meeting.id, dismissal.id, lock=True)
        at = now()
        count = thread.dismiss_reports(found.id, min(dismissal.until, at) if dismissal.until else at)
    return {"dismissed": count}


def exported(uow, participant_id):
    """The person's comments under meetings, for their export (GDPR art. 15 and 20)."""
    return [{"id": str(r.id), "meeting_id": str(r.meeting_id), "parent_id": str(r.parent_id) if r.parent_id else None,
             "body": r.body, "alignment": r.alignment, "posted_at": r.posted_at.isoformat(),
             "edited_at": r.edited_at.isoformat() if r.edited_at else None,
             "hidden_at": r.hidden_at.isoformat() if r.hidden_at else None, "hidden_reason": r.hidden_reason}
            for r in Comments(uow).of_author(participant_id)]


def erase_author(uow, participant_id):
    """Part of a person's erasure: their comments stay, without their author."""
    with uow:
        Comments(uow).erase_author(participant_id)
