"""What every comment thread takes and answers, whatever it hangs under (a proposal, a
meeting): the inputs, a comment's shape and a report's answer.  Each owner adds only the
id of what the thread is under (``proposal_id``, ``meeting_id``) and its own events.

A comment is a top-level comment or a reply to one (one level of replies, as in Decidim:
a reply to a reply hangs under the same top-level comment, so threads stay readable)."""
import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from ..comments import Alignment, Body, Reason

__all__ = ["NewComment", "CommentEdit", "CommentReport", "CommentHide", "CommentFields", "CommentReportOut"]


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
