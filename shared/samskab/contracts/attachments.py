"""What every owner of pictures and files takes and answers (issue 21), whatever they hang
under (a proposal, a meeting): the gateway's record of bytes it checked and stored, a
report, a hiding, an attachment's fields and the typed client.  Each owner adds only the
id of what the files are under (``proposal_id``, ``meeting_id``), its own events and its
service's name, as the comment threads do (``contracts.threads``).

The bytes never travel over RPC: the gateway checks them (``samskab.uploads``), puts the
re-encoded variants in the object store (``samskab.objectstore``) and sends the owning
service their keys; the service keeps the metadata and decides who may attach, see,
report and hide.
"""
import datetime as dt
import uuid
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .rpc import ServiceClient

AttachmentKind = Literal["image", "document"]
Variant = Literal["original", "page", "thumbnail"]
VARIANTS = ("original", "page", "thumbnail")
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._/-]{0,400}$")]
Alt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Caption = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

__all__ = [
    "AttachmentKind", "Variant", "VARIANTS", "Key", "Alt", "Caption", "Reason", "NewAttachment",
    "AttachmentReport", "AttachmentHide", "AttachmentFields", "AttachmentReportOut", "AttachmentsClient",
    "object_key",
]


def object_key(municipality, attachment_id, variant):
    """Where a variant's bytes live: ``<municipality>/attachments/<id>/<variant>`` (the id is
    unique across owners, so one prefix holds one attachment's files wherever it hangs)."""
    return f"{municipality}/attachments/{attachment_id}/{variant}"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewAttachment(_Input):
    """The gateway's record of bytes it has checked and stored."""

    id: uuid.UUID = Field(description="chosen by the gateway, which stored the bytes under it")
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


class AttachmentFields(BaseModel):
    """A picture or a file as its reader sees it, without what it hangs under."""

    id: str
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


class AttachmentReportOut(BaseModel):
    id: str
    status: str


class AttachmentsClient(ServiceClient):
    """The typed client of an owner's attachments: every owner's service answers the same
    RPCs (``attachments``, ``attachment``, ``may_attach``, ``add_attachment``,
    ``report_attachment``, ``hide_attachment``) taking municipality, actor, the owner's id
    and then the attachment's id and payload.  A subclass names the service, its answer
    (``out``) and its answer with the object keys (``stored``)."""

    out: ClassVar[type] = AttachmentFields
    stored: ClassVar[type] = AttachmentFields

    def attachments(self, municipality, actor, owner_id):
        return [self.out.model_validate(item) for item in self._rpc("attachments", municipality, actor, str(owner_id))]

    def attachment(self, municipality, actor, owner_id, attachment_id):
        return self.stored.model_validate(
            self._rpc("attachment", municipality, actor, str(owner_id), str(attachment_id)))

    def may_attach(self, municipality, actor, owner_id) -> bool:
        return bool(self._rpc("may_attach", municipality, actor, str(owner_id)))

    def add_attachment(self, municipality, actor, owner_id, attachment):
        return self.out.model_validate(
            self._rpc("add_attachment", municipality, actor, str(owner_id), self._dump(attachment)))

    def report_attachment(self, municipality, actor, owner_id, attachment_id, report) -> AttachmentReportOut:
        return AttachmentReportOut.model_validate(self._rpc(
            "report_attachment", municipality, actor, str(owner_id), str(attachment_id), self._dump(report)))

    def hide_attachment(self, municipality, actor, owner_id, attachment_id, hide):
        return self.out.model_validate(self._rpc(
            "hide_attachment", municipality, actor, str(owner_id), str(attachment_id), self._dump(hide)))
