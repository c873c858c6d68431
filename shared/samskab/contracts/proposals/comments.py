"""Comment threads under proposals (issue 21): what people send, what the service
answers, the events it emits and the typed client (``CommentsRpc(ctx.call)``).

A comment is a top-level comment or a reply to one (one level of replies, as in
Decidim: a reply to a reply hangs under the same top-level comment, so threads stay
readable).  The public projections carry the text and ids, never who wrote it.
"""
import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from ...comments import EDIT_WINDOW_SECONDS, Alignment, Body, Reason
from ...events import Contract, PublicProjection, event
from ..rpc import ServiceClient

__all__ = [
    "EDIT_WINDOW_SECONDS", "NewComment", "CommentEdit", "CommentReport", "CommentHide", "CommentOut", "ReplyOut",
    "CommentReportOut", "CommentPosted", "CommentEdited", "CommentHidden", "CommentReported", "CommentsRpc",
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewComment(_Input):
    body: Body
    parent_id: uuid.UUID | None = Field(None, description="the comment this replies to")
    alignment: Alignment | None = Field(None, description="for, against or neutral towards the proposal")


class CommentEdit(_Input):
    body: Body


class CommentReport(_Input):
    reason: Reason


class CommentHide(_Input):
    reason: Reason


class ReplyOut(BaseModel):
    """A reply: one level under a top-level comment (so the schema has no cycle)."""

    id: str
    proposal_id: str
    parent_id: str | None = None
    body: str | None = Field(None, description="none when hidden")
    alignment: str | None = None
    posted_at: dt.datetime
    edited_at: dt.datetime | None = None
    hidden: bool = False
    hidden_reason: str | None = None
    mine: bool = Field(False, description="the caller wrote it")
    editable_until: dt.datetime | None = Field(None, description="the caller's own comment, while it may be edited")
    replies: list[dict] = Field(default_factory=list, description="always empty: replies are one level deep")


class CommentOut(ReplyOut):
    replies: list[ReplyOut] = Field(default_factory=list)


class CommentReportOut(BaseModel):
    id: str
    status: str


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


class CommentsRpc(ServiceClient):
    service = "proposals"

    def comments(self, municipality, actor, proposal_id) -> list[CommentOut]:
        items = self._rpc("comments", municipality, actor, str(proposal_id))
        return [CommentOut.model_validate(item) for item in items]

    def post_comment(self, municipality, actor, proposal_id, comment) -> CommentOut:
        return CommentOut.model_validate(
            self._rpc("post_comment", municipality, actor, str(proposal_id), self._dump(comment)))

    def edit_comment(self, municipality, actor, proposal_id, comment_id, edit) -> CommentOut:
        return CommentOut.model_validate(
            self._rpc("edit_comment", municipality, actor, str(proposal_id), str(comment_id), self._dump(edit)))

    def report_comment(self, municipality, actor, proposal_id, comment_id, report) -> CommentReportOut:
        return CommentReportOut.model_validate(
            self._rpc("report_comment", municipality, actor, str(proposal_id), str(comment_id), self._dump(report)))

    def hide_comment(self, municipality, actor, proposal_id, comment_id, hide) -> CommentOut:
        return CommentOut.model_validate(
            self._rpc("hide_comment", municipality, actor, str(proposal_id), str(comment_id), self._dump(hide)))
