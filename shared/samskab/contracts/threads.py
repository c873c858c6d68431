"""What every comment thread takes and answers, whatever it hangs under (a proposal, a
meeting): the inputs, a comment's shape and a report's answer.  Each owner adds only the
id of what the thread is under (``proposal_id``, ``meeting_id``) and its own events.

A comment is a top-level comment or a reply to one (one level of replies, as in Decidim:
a reply to a reply hangs under the same top-level comment, so threads stay readable)."""
import datetime as dt
import uuid

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..comments import Alignment, Body, Reason
from .rpc import ServiceClient

__all__ = ["NewComment", "CommentEdit", "CommentReport", "CommentHide", "CommentFields", "CommentReportOut",
           "ThreadsClient"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewComment(_Input):
    body: Body
    parent_id: uuid.UUID | None = Field(None, description="the comment this replies to")
    alignment: Alignment | None = Field(None, description="for, against or neutral towards what the thread is under")


class CommentEdit(_Input):
    body: Body


class CommentReport(_Input):
    reason: Reason


class CommentHide(_Input):
    reason: Reason


class CommentFields(BaseModel):
    """A comment or a reply as its reader sees it (replies: one level under a top-level
    comment, so the schema has no cycle)."""

    id: str
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


class CommentReportOut(BaseModel):
    id: str
    status: str


class ThreadsClient(ServiceClient):
    """The typed client of the comment threads under a service's subjects: every such
    service answers the same RPCs (``comments``, ``post_comment``, ``edit_comment``,
    ``report_comment``, ``hide_comment``, served by :class:`samskab.subject_rpc.CommentThreadRpc`)
    taking municipality, actor, the subject's id and then the comment's id and payload.
    A subclass names the service and its comment's answer (``comment_out``)."""

    comment_out: ClassVar[type] = CommentFields

    def comments(self, municipality, actor, subject_id):
        return [self.comment_out.model_validate(item)
                for item in self._rpc("comments", municipality, actor, str(subject_id))]

    def post_comment(self, municipality, actor, subject_id, comment):
        return self.comment_out.model_validate(
            self._rpc("post_comment", municipality, actor, str(subject_id), self._dump(comment)))

    def edit_comment(self, municipality, actor, subject_id, comment_id, edit):
        return self.comment_out.model_validate(
            self._rpc("edit_comment", municipality, actor, str(subject_id), str(comment_id), self._dump(edit)))

    def report_comment(self, municipality, actor, subject_id, comment_id, report) -> CommentReportOut:
        return CommentReportOut.model_validate(
            self._rpc("report_comment", municipality, actor, str(subject_id), str(comment_id), self._dump(report)))

    def hide_comment(self, municipality, actor, subject_id, comment_id, hide):
        return self.comment_out.model_validate(
            self._rpc("hide_comment", municipality, actor, str(subject_id), str(comment_id), self._dump(hide)))
