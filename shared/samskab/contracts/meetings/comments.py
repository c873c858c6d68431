"""Comment threads under meetings (issue 21): what people send, what the meetings
service answers and the events it emits.  The limits, the alignment and the edit
window are those of every thread (``samskab.comments``); the typed client's methods
are on ``MeetingsRpc``.

The public projections carry the text and ids, never who wrote it or who hid it.
"""
import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from ...comments import Alignment, Body, Reason
from ...events import Contract, PublicProjection, event

__all__ = [
    "NewMeetingComment", "MeetingCommentEdit", "MeetingCommentReport", "MeetingCommentHide", "MeetingReplyOut",
    "MeetingCommentOut", "MeetingCommentReportOut", "MeetingCommentPosted", "MeetingCommentEdited",
    "MeetingCommentHidden", "MeetingCommentReported",
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewMeetingComment(_Input):
    body: Body
    parent_id: uuid.UUID | None = Field(None, description="the comment this replies to")
    alignment: Alignment | None = Field(None, description="for, against or neutral towards what the meeting is about")


class MeetingCommentEdit(_Input):
    body: Body


class MeetingCommentReport(_Input):
    reason: Reason


class MeetingCommentHide(_Input):
    reason: Reason


class MeetingReplyOut(BaseModel):
    """A reply: one level under a top-level comment (so the schema has no cycle)."""

    id: str
    meeting_id: str
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


class MeetingCommentOut(MeetingReplyOut):
    replies: list[MeetingReplyOut] = Field(default_factory=list)


class MeetingCommentReportOut(BaseModel):
    id: str
    status: str


# -- events ------------------------------------------------------------------------


class PublicMeetingComment(PublicProjection):
    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    parent_id: uuid.UUID | None = None
    body: str
    alignment: Alignment | None = None
    posted_at: dt.datetime


@event("samskab.meeting.comment_posted", public=PublicMeetingComment)
class MeetingCommentPosted(Contract):
    """A comment or a reply under a meeting."""

    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    parent_id: uuid.UUID | None = None
    body: str
    alignment: Alignment | None = None
    posted_at: dt.datetime
    author_id: uuid.UUID
    # Who is told: the author of the comment replied to (internal only).
    parent_author_id: uuid.UUID | None = None


class PublicMeetingCommentEdit(PublicProjection):
    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    body: str
    edited_at: dt.datetime


@event("samskab.meeting.comment_edited", public=PublicMeetingCommentEdit)
class MeetingCommentEdited(Contract):
    """Its author corrected a comment under a meeting within the edit window."""

    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    body: str
    edited_at: dt.datetime
    author_id: uuid.UUID


class PublicMeetingCommentHidden(PublicProjection):
    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    reason: str


@event("samskab.meeting.comment_hidden", public=PublicMeetingCommentHidden)
class MeetingCommentHidden(Contract):
    """The municipality's staff hid a comment under a meeting: its text leaves public view.
    Subscribers blank ``body`` in the ``meeting.comment_posted`` and ``meeting.comment_edited``
    events with this ``comment_id`` in their own copies (the public log does so too)."""

    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    reason: str
    author_id: uuid.UUID
    hidden_by: uuid.UUID


@event("samskab.meeting.comment_reported", public=None)
class MeetingCommentReported(Contract):
    """Internal: someone reported a comment under a meeting to the municipality's staff."""

    comment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID
