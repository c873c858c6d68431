"""Pictures and files on meetings (issue 21).

The gateway has checked the bytes and stored them before it calls ``add_attachment``;
here the service decides whether the caller may attach (the meeting's organiser and the
staff of its municipality, while it is not cancelled), keeps the metadata and emits
``meeting.attachment_added``.  Anyone signed in reports an attachment; the
municipality's staff hide it: it leaves the list, the page and the bytes' routes for
everyone but staff.  A person's erasure deletes their files and their rows.  What every
owner's files share (checks, rows, answers, reports, hiding) is ``samskab.attachments``.
"""
from samskab import attachments as shared
from samskab.contracts import meetings as contract
from samskab.contracts.attachments import AttachmentHide, AttachmentReport
from samskab.errors import Conflict, Forbidden
from samskab.values import now, parse

from .. import events
from ..attachment_storage import Attachments
from .common import meeting_or_404, require_actor, require_staff

OWNER = "meeting_id"


def _out(row, keys=False):
    return shared.attachment_out(row, OWNER, keys)


def _emit(uow, meeting, event, attachment_id):
    uow.emit(type(event).event_type, municipality=meeting.municipality,
             subject=f"{events.subject(meeting.id)}/attachments/{attachment_id}", data=event)


def _staff(actor, meeting):
    return bool(actor and actor.get("staff") and actor.get("municipality") == meeting.municipality)


def _refusal(actor, meeting):
    """None if the caller may attach to the meeting now, else the refusal to raise."""
    if not actor or not actor.get("id"):
        return Forbidden("sign in to attach pictures and files")
    organiser = meeting.organiser_id is not None and str(meeting.organiser_id) == actor["id"]
    if not organiser and not _staff(actor, meeting):
        return Forbidden("only the meeting's organiser and the municipality's staff may attach pictures and files")
    if meeting.status == "cancelled":
        return Conflict("a cancelled meeting takes no attachments")
    return None


def may_attach(uow, municipality, actor, meeting_id):
    with uow:
        return _refusal(actor, meeting_or_404(uow, municipality, meeting_id)) is None


def add_attachment(uow, municipality, actor, meeting_id, payload):
    new = parse(contract.NewMeetingAttachment, payload)
    shared.check_new(new, municipality)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        refusal = _refusal(actor, meeting)
        if refusal is not None:
            raise refusal
        at, uploader = now(), require_actor(actor)
        added = Attachments(uow).add(**shared.new_row(new, municipality, uploader, at, meeting_id=meeting.id))
        _emit(uow, meeting, contract.MeetingAttachmentAdded(
            attachment_id=new.id, meeting_id=meeting.id, municipality=municipality, kind=new.kind,
            content_type=new.content_type, size=new.size, alt=new.alt, caption=new.caption, created_at=at,
            uploader_id=uploader), new.id)
    return _out(added)


def attachments(uow, municipality, actor, meeting_id):
    """The meeting's attachments, oldest first; hidden ones only for the municipality's staff."""
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        rows = Attachments(uow).of(meeting.id, with_hidden=_staff(actor, meeting))
    return [_out(r) for r in rows]


def attachment(uow, municipality, actor, meeting_id, attachment_id):
    """One attachment with its object keys (the gateway serves the bytes); a hidden one
    is not found but by the municipality's staff."""
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        found = Attachments(uow).get(meeting.id, attachment_id)
    return _out(shared.visible(found, _staff(actor, meeting)), keys=True)


def report_attachment(uow, municipality, actor, meeting_id, attachment_id, payload):
    report = parse(AttachmentReport, payload)
    reporter = require_actor(actor)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id)
        found, rid = shared.report(Attachments(uow), meeting.id, attachment_id, reporter, report.reason)
        _emit(uow, meeting, contract.MeetingAttachmentReported(
            attachment_id=found.id, meeting_id=meeting.id, municipality=municipality, report_id=rid), found.id)
    return {"id": str(rid), "status": "open"}


def hide_attachment(uow, municipality, actor, meeting_id, attachment_id, payload):
    request = parse(AttachmentHide, payload)
    require_staff(actor, municipality)
    staff = require_actor(actor)
    with uow:
        meeting = meeting_or_404(uow, municipality, meeting_id, lock=True)
        found, hidden_now = shared.hide(Attachments(uow), meeting.id, attachment_id, request.reason, staff)
        if hidden_now:
            _emit(uow, meeting, contract.MeetingAttachmentHidden(
                attachment_id=found.id, meeting_id=meeting.id, municipality=municipality, reason=request.reason,
                uploader_id=found.uploader_id, hidden_by=staff), found.id)
    return _out(found)


def exported(uow, participant_id):
    """What a person attached to meetings, for their export (GDPR art. 15 and 20)."""
    return [_out(r) for r in Attachments(uow).of_uploader(participant_id)]


def erase_uploader(uow, store, participant_id):
    """Part of a person's erasure: their attachments' rows go and so do their bytes."""
    with uow:
        gone = Attachments(uow).erase_uploader(participant_id)
    shared.delete_files(store, gone)
