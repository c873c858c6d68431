"""Pictures and files on meetings (issue 21): what the gateway sends once it checked and
stored the bytes, what the meetings service answers, the events it emits and the typed
client (``MeetingAttachmentsRpc(ctx.call)``).  The inputs, an attachment's fields and the
client are every owner's (``contracts.attachments``); a meeting's add its ``meeting_id``.

The public projections carry the description and the caption a person chose to
publish, never who uploaded or hid it.
"""
import datetime as dt
import uuid

from pydantic import Field

from ...events import Contract, PublicProjection, event
from ..attachments import AttachmentFields, AttachmentKind, AttachmentsClient, NewAttachment, Variant

__all__ = [
    "NewMeetingAttachment", "MeetingAttachmentOut", "MeetingAttachmentStored", "MeetingAttachmentAdded",
    "MeetingAttachmentHidden", "MeetingAttachmentReported", "MeetingAttachmentsRpc",
]

NewMeetingAttachment = NewAttachment


class MeetingAttachmentOut(AttachmentFields):
    """A picture or a file on a meeting."""

    meeting_id: str


class MeetingAttachmentStored(MeetingAttachmentOut):
    """For the gateway that serves the bytes: the object keys too (never sent to a client)."""

    keys: dict[Variant, str] = Field(default_factory=dict)


# -- events ------------------------------------------------------------------------


class PublicMeetingAttachmentAdded(PublicProjection):
    attachment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    kind: AttachmentKind
    content_type: str
    size: int
    alt: str = ""
    caption: str = ""
    created_at: dt.datetime


@event("samskab.meeting.attachment_added", public=PublicMeetingAttachmentAdded)
class MeetingAttachmentAdded(Contract):
    """A picture or a document attached to a meeting (its organiser or the municipality's staff)."""

    attachment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    kind: AttachmentKind
    content_type: str
    size: int
    alt: str = ""
    caption: str = ""
    created_at: dt.datetime
    uploader_id: uuid.UUID


class PublicMeetingAttachmentHidden(PublicProjection):
    """Staff hid a meeting's attachment: redact your copies.  Blank the ``alt`` and ``caption``
    of the ``samskab.meeting.attachment_added`` event with this ``attachment_id``; its files are
    no longer served."""

    attachment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    reason: str


@event("samskab.meeting.attachment_hidden", public=PublicMeetingAttachmentHidden)
class MeetingAttachmentHidden(Contract):
    """The municipality's staff hid a meeting's attachment (it leaves the page and the API)."""

    attachment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    reason: str
    uploader_id: uuid.UUID
    hidden_by: uuid.UUID


@event("samskab.meeting.attachment_reported", public=None)
class MeetingAttachmentReported(Contract):
    """Internal: someone reported a meeting's attachment to the municipality's staff."""

    attachment_id: uuid.UUID
    meeting_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID


# -- the typed client --------------------------------------------------------------


class MeetingAttachmentsRpc(AttachmentsClient):
    service = "meetings"
    out, stored = MeetingAttachmentOut, MeetingAttachmentStored
