"""Pictures and files on a proposal, its progress updates and experiments (issue 21).

The gateway has checked the bytes and stored them before it calls ``add_attachment``;
here the service decides whether the caller may attach (the initiator, a partner who
accepted the collaboration agreement, the municipality's staff), keeps the metadata
and emits ``proposal.attachment_added``.  Anyone signed in reports an attachment; the
municipality's staff hide it: it leaves the list, the page and the bytes' routes for
everyone but staff.  A person's erasure deletes their files and their rows.
"""
import uuid

from samskab import attachments as shared
from samskab.contracts.proposals import attachments as contracts
from samskab.errors import Conflict, Forbidden, Invalid
from samskab.values import now, parse

from .. import storage
from ..domain import INITIATOR, STAFF
from .common import caller, emit, own_id, readable

# Where nothing more may be attached: the proposal ended without a result to document.
CLOSED = ("rejected", "withdrawn")


def _out(row, keys=False):
    target = str(row.target_id) if row.target_id else None
    return shared.attachment_out(row, "proposal_id", keys, attached_to=row.attached_to, target_id=target)


def _may_attach(uow, row, rules, who):
    """None if ``who`` may attach to the proposal now, else the refusal to raise."""
    if who.id is None:
        return Forbidden("sign in to attach pictures and files")
    caps = rules.capacities(who)
    if not caps & {INITIATOR, STAFF} and not storage.Attachments(uow).accepted_partner(row.id, who.id):
        return Forbidden("only the initiator, the partners of its agreement and the municipality's staff "
                         "may attach pictures and files")
    if rules.hidden:
        return Conflict("a hidden proposal takes no attachments")
    if rules.status in CLOSED:
        return Conflict(f"a {rules.status} proposal takes no attachments")
    return None


def may_attach(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        return _may_attach(uow, row, rules, who) is None


def add_attachment(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewAttachment, payload)
    who = caller(actor)
    shared.check_new(new, municipality)
    with uow:
        repo, files = storage.Proposals(uow), storage.Attachments(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        rules = readable(row, who)
        refusal = _may_attach(uow, row, rules, who)
        if refusal is not None:
            raise refusal
        if (new.attached_to == "proposal") != (new.target_id is None):
            raise Invalid("say which update or experiment, and only for those",
                          [{"field": "target_id", "message": "an update's or experiment's id, only with them"}])
        if new.target_id is not None and not files.target_exists(row.id, new.attached_to, new.target_id):
            raise Invalid(f"no such {new.attached_to} under this proposal",
                          [{"field": "target_id", "message": f"no such {new.attached_to}"}])
        at = now()
        added = files.add(**shared.new_row(new, municipality, own_id(who), at, proposal_id=row.id,
                                           attached_to=new.attached_to, target_id=new.target_id))
        repo.touch(row, at)
        if row.status == "draft":  # a draft is nobody else's business yet (as its edits)
            return _out(added)
        emit(uow, contracts.AttachmentAdded(
            attachment_id=new.id, proposal_id=row.id, municipality=municipality, attached_to=new.attached_to,
            target_id=new.target_id, kind=new.kind, content_type=new.content_type, size=new.size, alt=new.alt,
            caption=new.caption, created_at=at, uploader_id=who.id,
        ), f"proposals/{row.id}/attachments/{new.id}")
    return _out(added)


def _sees_hidden(rules, who):
    return STAFF in rules.capacities(who)


def attachments(uow, municipality, actor, proposal_id):
    """The proposal's attachments, oldest first; hidden ones only for the municipality's staff."""
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        rows = storage.Attachments(uow).of(row.id, with_hidden=_sees_hidden(rules, who))
    return [_out(r) for r in rows]


def attachment(uow, municipality, actor, proposal_id, attachment_id):
    """One attachment with its object keys (the gateway serves the bytes); a hidden one
    is not found but by the municipality's staff."""
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        found = storage.Attachments(uow).get(row.id, attachment_id)
    return _out(shared.visible(found, _sees_hidden(rules, who)), keys=True)


def report_attachment(uow, municipality, actor, proposal_id, attachment_id, payload):
    report = parse(contracts.AttachmentReport, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        if who.id is None:
            raise Forbidden("sign in to report content")
        found, rid = shared.report(storage.Attachments(uow), row.id, attachment_id, own_id(who), report.reason)
        emit(uow, contracts.AttachmentReported(attachment_id=found.id, proposal_id=row.id, municipality=municipality,
                                               report_id=rid), f"proposals/{row.id}/attachments/{found.id}")
    return {"id": str(rid), "status": "open"}


def hide_attachment(uow, municipality, actor, proposal_id, attachment_id, payload):
    request = parse(contracts.AttachmentHide, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id, lock=True)
        rules = readable(row, who)
        rules.check_moderate(who)
        found, hidden_now = shared.hide(storage.Attachments(uow), row.id, attachment_id, request.reason, own_id(who))
        if hidden_now:
            emit(uow, contracts.AttachmentHidden(
                attachment_id=found.id, proposal_id=row.id, municipality=municipality, reason=request.reason,
                uploader_id=found.uploader_id, hidden_by=who.id,
            ), f"proposals/{row.id}/attachments/{found.id}")
    return _out(found)


def erase_uploader(uow, store, participant_id):
    """Part of a person's erasure (inside the consumer's transaction): their attachments'
    rows go and so do their bytes (``shared.delete_files``)."""
    pid = uuid.UUID(str(participant_id))
    with uow:
        files = storage.Attachments(uow)
        # What others attached to their proposals that never went public goes with those proposals.
        gone = files.erase_uploader(pid) + files.erase_of_proposals(storage.Participants(uow).never_public(pid))
    shared.delete_files(store, gone)


def export_uploads(uow, participant_id):
    """What a person attached, for their export (GDPR art. 15 and 20)."""
    with uow:
        rows = storage.Attachments(uow).of_uploader(participant_id)
    return [_out(r) for r in rows]
