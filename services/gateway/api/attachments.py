"""Pictures and files on proposals, their updates and experiments (issue 21).

Uploads are ``multipart/form-data`` (the file and its text alternative, a caption and
what it is attached to); the gateway checks and stores the bytes and the proposals
service keeps the record (``gateway.uploading``).  The variants are served with their
own type, ``nosniff``, a sandboxing policy and validators; a hidden attachment is
gone from the list and its bytes for everyone but the municipality's staff.
"""
import json

from pydantic import BaseModel, ConfigDict, Field
from werkzeug.wrappers import Response

from samskab.contracts.proposals.attachments import (
    AttachedTo, AttachmentHide, AttachmentOut, AttachmentReport, AttachmentReportOut,
)
from samskab.contracts.rpc import plain as _json

from .. import uploading
from .problems import Problem
from .router import route

TAGS = ["attachments"]
LIST = "/municipalities/<m>/proposals/<proposal_id>/attachments"
ONE = LIST + "/<attachment_id>"


class AttachmentUpload(BaseModel):
    """The form of an upload (``multipart/form-data``)."""

    model_config = ConfigDict(extra="forbid")

    file: bytes = Field(json_schema_extra={"contentMediaType": "application/octet-stream"},
                        description="a JPEG, PNG, GIF or WebP picture or a PDF, at most 10 MB; checked by its content")
    alt: str = Field("", max_length=500, description="what the picture shows, for those who cannot see it "
                                                     "(required for pictures); a title for a document")
    caption: str = Field("", max_length=500)
    attached_to: AttachedTo = "proposal"
    target_id: str | None = Field(None, description="the update's or experiment's id, with attached_to")


def _form(ctx):
    request = ctx.request
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "send the file as multipart/form-data (fields file, alt, caption)")
    upload = request.files.get("file")
    attached_to = request.form.get("attached_to") or "proposal"
    if attached_to not in ("proposal", "update", "experiment"):
        raise Problem(422, "attached_to is proposal, update or experiment",
                      [{"field": "attached_to", "message": "proposal, update or experiment"}])
    return {"data": upload.read() if upload is not None and upload.filename is not None else None,
            "alt": request.form.get("alt", ""), "caption": request.form.get("caption", ""),
            "attached_to": attached_to, "target_id": request.form.get("target_id") or None}


@route("POST", LIST, form=AttachmentUpload, response=AttachmentOut, status=201, auth=True, tags=TAGS,
       max_body=uploading.MAX_FORM_BODY,
       summary="Attach a picture or a PDF (the initiator, the agreement's partners, the municipality's staff)")
def add_attachment(ctx, m, proposal_id):
    """The bytes are checked by their content: a picture is re-encoded (EXIF and GPS removed, a page and a
    thumbnail size); a PDF with scripts, SVG and anything that is not what it claims are refused (415), a file
    over 10 MB or a picture of too many pixels too (413), a picture without alt text (422).  Nothing is stored
    when anything is refused."""
    municipality = ctx.municipality(m)
    ctx.require_account()
    created = uploading.receive(ctx, municipality.id, proposal_id, **_form(ctx))
    body = _json(created)
    return _created(body, f"/api/v1/municipalities/{municipality.id}/proposals/{proposal_id}/attachments/{created.id}")


def _created(body, location):
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=201, content_type="application/json",
                    headers={"Location": location})


@route("GET", LIST, response=[AttachmentOut], tags=TAGS,
       summary="The proposal's pictures and files, oldest first (hidden ones only for the municipality's staff)")
def list_attachments(ctx, m, proposal_id):
    municipality = ctx.municipality(m)
    return _json(uploading.client(ctx).attachments(municipality.id, ctx.actor, proposal_id))


def _variant(name, what):
    def serve(ctx, m, proposal_id, attachment_id):
        municipality = ctx.municipality(m)
        return uploading.serve(ctx, municipality.id, proposal_id, attachment_id, name)

    serve.__name__ = f"attachment_{name}"
    serve.__doc__ = (f"{what} With Content-Disposition, X-Content-Type-Options: nosniff, ETag and Last-Modified "
                     "(304 on If-None-Match); 404 for a hidden attachment but to the municipality's staff.")
    route("GET", ONE + f"/{name}", media_type="application/octet-stream", tags=TAGS,
          summary=f"The attachment's {name} bytes")(serve)
    return serve


attachment_page = _variant("page", "A picture at page size (at most 1600 pixels wide or high).")
attachment_thumbnail = _variant("thumbnail", "A picture at thumbnail size (at most 400 pixels).")
attachment_original = _variant("original", "The largest kept version: a PDF as sent, a picture re-encoded "
                                            "without its metadata (the file as sent is never kept).")


@route("POST", ONE + "/report", body=AttachmentReport, response=AttachmentReportOut, status=201, auth=True,
       tags=TAGS, summary="Report a picture or a file to the municipality's staff")
def report_attachment(ctx, m, proposal_id, attachment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(uploading.client(ctx).report_attachment(municipality.id, ctx.actor, proposal_id, attachment_id, body))


@route("POST", ONE + "/hide", body=AttachmentHide, response=AttachmentOut, auth=True, tags=TAGS,
       summary="Hide a picture or a file (the municipality's staff): gone from the list, the pages and the bytes")
def hide_attachment(ctx, m, proposal_id, attachment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(uploading.client(ctx).hide_attachment(municipality.id, ctx.actor, proposal_id, attachment_id, body))

