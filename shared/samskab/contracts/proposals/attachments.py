"""Pictures and files on proposals, their progress updates and experiments (issue 21):
what the gateway sends once it has checked and stored the bytes, what the service
answers, the events it emits and the typed client (``AttachmentsRpc(ctx.call)``).

The bytes never travel over RPC: the gateway checks them (``samskab.uploads``), puts
the re-encoded variants in the object store (``samskab.objectstore``) and sends the
proposals service their keys; the service keeps the metadata and decides who may
attach, see, report and hide.  The public projections carry the description and the
caption a person chose to publish, never who uploaded it.
"""
import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from ...events import Contract, PublicProjection, event
from ..attachments import (
    VARIANTS, AttachmentFields, AttachmentHide, AttachmentKind, AttachmentReport, AttachmentReportOut,
    AttachmentsClient, NewAttachment as _NewAttachment, Variant, object_key,
)

AttachedTo = Literal["proposal", "update", "experiment"]

__all__ = [
    "AttachedTo", "AttachmentKind", "VARIANTS", "NewAttachment", "AttachmentReport", "AttachmentHide",
    "AttachmentOut", "AttachmentStored", "AttachmentReportOut", "AttachmentAdded", "AttachmentHidden",
    "AttachmentReported", "AttachmentsRpc", "object_key",
]


# What every owner's files take and answer is ``contracts.attachments``; a proposal's add
# what they hang under: the proposal itself, one of its updates or experiments.
class NewAttachment(_NewAttachment):
    """The gateway's record of bytes it has checked and stored."""

    attached_to: AttachedTo = "proposal"
    target_id: uuid.UUID | None = Field(None, description="the update or experiment; none for the proposal itself")


class AttachmentOut(AttachmentFields):
    proposal_id: str
    attached_to: AttachedTo
    target_id: str | None = None


class AttachmentStored(AttachmentOut):
    """For the gateway that serves the bytes: the object keys too (never sent to a client)."""

    keys: dict[Variant, str] = Field(default_factory=dict)


# -- events ------------------------------------------------------------------------


class PublicAttachmentAdded(PublicProjection):
    attachment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    attached_to: AttachedTo
    target_id: uuid.UUID | None = None
    kind: AttachmentKind
    content_type: str
    size: int
    alt: str = ""
    caption: str = ""
    created_at: dt.datetime


@event("samskab.proposal.attachment_added", public=PublicAttachmentAdded)
class AttachmentAdded(Contract):
    """A picture or a document attached to a proposal, one of its updates or experiments."""

    attachment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    attached_to: AttachedTo
    target_id: uuid.UUID | None = None
    kind: AttachmentKind
    content_type: str
    size: int
    alt: str = ""
    caption: str = ""
    created_at: dt.datetime
    uploader_id: uuid.UUID


class PublicAttachmentHidden(PublicProjection):
    """Staff hid an attachment: redact your copies.  Blank the ``alt`` and ``caption`` of the
    ``samskab.proposal.attachment_added`` event with this ``attachment_id``; its files are no
    longer served.  Samskab's own catch-up log, Atom feed and open data already show it
    blanked, marked with ``redactedby`` (this event's id)."""

    attachment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    reason: str


@event("samskab.proposal.attachment_hidden", public=PublicAttachmentHidden)
class AttachmentHidden(Contract):
    """The municipality's staff hid an attachment (it leaves pages, the API and feeds)."""

    attachment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    reason: str
    uploader_id: uuid.UUID
    hidden_by: uuid.UUID


@event("samskab.proposal.attachment_reported", public=None)
class AttachmentReported(Contract):
    """Someone reported an attachment to the municipality's staff (internal)."""

    attachment_id: uuid.UUID
    proposal_id: uuid.UUID
    municipality: str
    report_id: uuid.UUID


# -- the typed client --------------------------------------------------------------


class AttachmentsRpc(AttachmentsClient):
    service = "proposals"
    out, stored = AttachmentOut, AttachmentStored
