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
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...events import Contract, PublicProjection, event
from ..rpc import ServiceClient

AttachedTo = Literal["proposal", "update", "experiment"]
AttachmentKind = Literal["image", "document"]
Variant = Literal["original", "page", "thumbnail"]
VARIANTS = ("original", "page", "thumbnail")
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._/-]{0,400}$")]
Alt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Caption = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

__all__ = [
    "AttachedTo", "AttachmentKind", "VARIANTS", "NewAttachment", "AttachmentReport", "AttachmentHide",
    "AttachmentOut", "AttachmentStored", "AttachmentReportOut", "AttachmentAdded", "AttachmentHidden",
    "AttachmentReported", "AttachmentsRpc", "object_key",
]


def object_key(municipality, attachment_id, variant):
    """Where a variant's bytes live: ``<municipality>/attachments/<id>/<variant>``."""
    return f"{municipality}/attachments/{attachment_id}/{variant}"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewAttachment(_Input):
    """The gateway's record of bytes it has checked and stored."""

    id: uuid.UUID = Field(description="chosen by the gateway, which stored the bytes under it")
    attached_to: AttachedTo = "proposal"
    target_id: uuid.UUID | None = Field(None, description="the update or experiment; none for the proposal itself")
    kind: AttachmentKind
    content_type: str = Field(max_length=100)
    size: int = Field(ge=1, description="bytes of the largest kept variant")
    width: int | None = Field(None, ge=1)
    height: int | None = Field(None, ge=1)
    alt: Alt = Field("", description="the text alternative (required for images)")
    caption: Caption = ""
    keys: dict[Variant, Key] = Field(description="object keys of the stored variants")


class AttachmentReport(_Input):
    reason: Reason


class AttachmentHide(_Input):
    reason: Reason


class AttachmentOut(BaseModel):
    id: str
    proposal_id: str
    attached_to: AttachedTo
    target_id: str | None = None
    kind: AttachmentKind
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    alt: str = ""
    caption: str = ""
    variants: list[Variant] = Field(default_factory=list, description="the variants that can be fetched")
    created_at: dt.datetime
    hidden: bool = False
    hidden_reason: str | None = None


class AttachmentStored(AttachmentOut):
    """For the gateway that serves the bytes: the object keys too (never sent to a client)."""

    keys: dict[Variant, str] = Field(default_factory=dict)


class AttachmentReportOut(BaseModel):
    id: str
    status: str


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


class AttachmentsRpc(ServiceClient):
    service = "proposals"

    def attachments(self, municipality, actor, proposal_id) -> list[AttachmentOut]:
        items = self._rpc("attachments", municipality, actor, str(proposal_id))
        return [AttachmentOut.model_validate(item) for item in items]

    def attachment(self, municipality, actor, proposal_id, attachment_id) -> AttachmentStored:
        return AttachmentStored.model_validate(
            self._rpc("attachment", municipality, actor, str(proposal_id), str(attachment_id)))

    def may_attach(self, municipality, actor, proposal_id) -> bool:
        return bool(self._rpc("may_attach", municipality, actor, str(proposal_id)))

    def add_attachment(self, municipality, actor, proposal_id, attachment) -> AttachmentOut:
        return AttachmentOut.model_validate(
            self._rpc("add_attachment", municipality, actor, str(proposal_id), self._dump(attachment)))

    def report_attachment(self, municipality, actor, proposal_id, attachment_id, report) -> AttachmentReportOut:
        return AttachmentReportOut.model_validate(self._rpc(
            "report_attachment", municipality, actor, str(proposal_id), str(attachment_id), self._dump(report)))

    def hide_attachment(self, municipality, actor, proposal_id, attachment_id, hide) -> AttachmentOut:
        return AttachmentOut.model_validate(self._rpc(
            "hide_attachment", municipality, actor, str(proposal_id), str(attachment_id), self._dump(hide)))
