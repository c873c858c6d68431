"""Comment threads under meetings (issue 21): what people send, what the meetings
service answers and the events it emits.  The limits, the alignment and the edit
window are those of every thread (``samskab.comments``); the typed client's methods
are on ``MeetingsRpc``.

The public projections carry the text and ids, never who wrote it or who hid it.
"""
import datetime as dt
import uuid

from pydantic import Field

from ...comments import Alignment

from ...events import Contract, PublicProjection, event
from ..threads import CommentEdit, CommentFields, CommentHide, CommentReport, CommentReportOut, NewComment

__all__ = [
    "NewMeetingComment", "MeetingCommentEdit", "MeetingCommentReport", "MeetingCommentHide", "MeetingReplyOut",
    "MeetingCommentOut", "MeetingCommentReportOut", "MeetingCommentPosted", "MeetingCommentEdited",
    "MeetingCommentHidden", "MeetingCommentReported",
]


# The inputs and the report's answer are every thread's (``contracts.threads``).
NewMeetingComment, MeetingCommentEdit, MeetingCommentReport, MeetingCommentHide = (
    NewComment, CommentEdit, CommentReport, CommentHide)
MeetingCommentReportOut = CommentReportOut


class MeetingReplyOut(CommentFields):
    """A reply under a meeting's comment."""

    meeting_id: str


class MeetingCommentOut(MeetingReplyOut):
    replies: list[MeetingReplyOut] = Field(default_factory=list)


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
