"""Comment threads under proposals (issue 21): anyone signed in comments (optionally
for, against or neutral) or replies while the proposal is in dialogue; its author
corrects a comment within ``samskab.comments.EDIT_WINDOW_SECONDS``; anyone signed in reports one and
the municipality's staff hide it.  A reply to a reply hangs under the same top-level
comment: one level of replies keeps a thread readable."""
import uuid

from samskab import comments as shared
from samskab.contracts.proposals import comments as contracts
from samskab.errors import Conflict, Forbidden
from samskab.values import now, parse

from .. import storage
from ..domain import DIALOGUE
from .common import caller, emit, own_id, readable


def _check_comment(rules, who):
    rules.require_visible(who)
    if who.id is None:
        raise Forbidden("sign in to comment")
    if rules.status not in DIALOGUE:
        raise Conflict(f"a {rules.status} proposal takes no comments")
    if rules.hidden:
        raise Conflict("a hidden proposal takes no comments")


def _out(row, who, at=None):
    return shared.comment_out(row, who.id, at or now(), "proposal_id")


def post_comment(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewComment, payload)
    who = caller(actor)
    with uow:
        repo, thread = storage.Proposals(uow), storage.Comments(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        rules = readable(row, who)
        _check_comment(rules, who)
        parent = shared.replied_to(thread, row.id, new.parent_id, "proposal")
        top = shared.top_of(parent)
        at, cid = now(), uuid.uuid4()
        thread.add(cid, row.id, top, own_id(who), new.body, new.alignment, at)
        repo.touch(row, at)
        emit(uow, contracts.CommentPosted(
            comment_id=cid, proposal_id=row.id, municipality=municipality, parent_id=top, body=new.body,
            alignment=new.alignment, posted_at=at, author_id=who.id,
            parent_author_id=parent.author_id if parent is not None else None, initiator_id=row.initiator_id,
        ), f"proposals/{row.id}/comments/{cid}")
        created = thread.get(row.id, cid)
    return _out(created, who, at)


def edit_comment(uow, municipality, actor, proposal_id, comment_id, payload):
    edit = parse(contracts.CommentEdit, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id, lock=True)
        _check_comment(readable(row, who), who)
        thread = storage.Comments(uow)
        found = thread.get(row.id, comment_id, lock=True)
        if str(found.author_id) != who.id:
            raise Forbidden("only its author edits a comment")
        at = now()
        shared.check_editable(found, at)
        changed = thread.edit(found.id, edit.body, at)
        emit(uow, contracts.CommentEdited(comment_id=found.id, proposal_id=row.id, municipality=municipality,
                                          body=edit.body, edited_at=at, author_id=who.id),
             f"proposals/{row.id}/comments/{found.id}")
    return _out(changed, who, at)


def comments(uow, municipality, actor, proposal_id):
    """The thread: top-level comments oldest first, each with its replies oldest first;
    a hidden comment keeps its place (so replies stay in context) without its text."""
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        readable(row, who)
        rows = storage.Comments(uow).of(row.id)
    return shared.thread(rows, who.id, now(), "proposal_id")


def report_comment(uow, municipality, actor, proposal_id, comment_id, payload):
    report = parse(contracts.CommentReport, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        if who.id is None:
            raise Forbidden("sign in to report content")
        rules.require_visible(who)
        thread = storage.Comments(uow)
        found = thread.get(row.id, comment_id)
        rid = uuid.uuid4()
        thread.report(rid, found.id, own_id(who), report.reason, now())
        emit(uow, contracts.CommentReported(comment_id=found.id, proposal_id=row.id, municipality=municipality,
                                            report_id=rid), f"proposals/{row.id}/comments/{found.id}")
    return {"id": str(rid), "status": "open"}


def hide_comment(uow, municipality, actor, proposal_id, comment_id, payload):
    request = parse(contracts.CommentHide, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id, lock=True)
        rules = readable(row, who)
        rules.check_moderate(who)
        thread = storage.Comments(uow)
        found = thread.get(row.id, comment_id, lock=True)
        at = now()
        if found.hidden_at is None:
            found = thread.hide(found.id, request.reason, own_id(who), at)
            emit(uow, contracts.CommentHidden(
                comment_id=found.id, proposal_id=row.id, municipality=municipality, reason=request.reason,
                author_id=found.author_id, hidden_by=who.id,
            ), f"proposals/{row.id}/comments/{found.id}")
    return _out(found, who, at)


def erase_author(uow, participant_id):
    """Part of a person's erasure (called inside the consumer's transaction)."""
    with uow:
        storage.Comments(uow).erase_author(participant_id)
