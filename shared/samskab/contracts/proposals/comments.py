"""Comment threads under proposals (issue 21): the service's answers, the events it
emits and the typed client (``CommentsRpc(ctx.call)``); the inputs and a comment's shape
are every thread's (``contracts.threads``).  The public projections carry the text and
ids, never who wrote it.
"""
import datetime as dt
import uuid

from pydantic import Field

from ...comments import EDIT_WINDOW_SECONDS, Alignment
from ...events import Contract, PublicProjection, event
from ..threads import (
    CommentEdit, CommentFields, CommentHide, CommentReport, CommentReportOut, NewComment, ThreadsClient,
)

__all__ = [
    "EDIT_WINDOW_SECONDS", "NewComment", "CommentEdit", "CommentReport", "CommentHide", "CommentOut", "ReplyOut",
    "CommentReportOut", "CommentPosted", "CommentEdited", "CommentHidden", "CommentReported", "CommentsRpc",
]


class ReplyOut(CommentFields):
    """A reply under a proposal's comment."""

    proposal_id: str


class CommentOut(ReplyOut):
    replies: list[ReplyOut] = Field(default_factory=list)


# -- events ------------------------------------------------------------------------


class PublicComment(PublicProjection):
    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    parent_id: uuid.UUID | None = None
    body: str
    alignment: Alignment | None = None
    posted_at: dt.datetime


@event("samskab.comment.posted", public=PublicComment)
class CommentPosted(Contract):
    """A comment or a reply under a proposal."""

    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    parent_id: uuid.UUID | None = None
    body: str
    alignment: Alignment | None = None
    posted_at: dt.datetime
    author_id: uuid.UUID
    # Who is told: the parent's author for a reply (internal only).
    parent_author_id: uuid.UUID | None = None
    initiator_id: uuid.UUID


class PublicCommentEdit(PublicProjection):
    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    body: str
    edited_at: dt.datetime


@event("samskab.comment.edited", public=PublicCommentEdit)
class CommentEdited(Contract):
    """Its author corrected a comment within the edit window."""

    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    body: str
    edited_at: dt.datetime
    author_id: uuid.UUID


class PublicCommentHidden(PublicProjection):
    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    reason: str


@event("samskab.comment.hidden", public=PublicCommentHidden)
class CommentHidden(Contract):
    """The municipality's staff hid a comment (its text leaves public view)."""

    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    reason: str
    author_id: uuid.UUID
    hidden_by: uuid.UUID


@event("samskab.comment.reported", public=None)
class CommentReported(Contract):
    """Someone reported a comment to the municipality's staff (internal)."""

    comment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID


# -- the typed client --------------------------------------------------------------


class CommentsRpc(ThreadsClient):
    service = "proposals"
    comment_out = CommentOut
