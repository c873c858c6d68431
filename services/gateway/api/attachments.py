"""Pictures and files on proposals, their updates and experiments, and on meetings (issue 21).

Uploads are ``multipart/form-data`` (the file and its text alternative, a caption and,
on a proposal, what it is attached to); the gateway checks and stores the bytes and the
owning service (proposals, meetings) keeps the record (``gateway.uploading``).  The variants are served with their
own type, ``nosniff``, a sandboxing policy and validators; a hidden attachment is
gone from the list and its bytes for everyone but the municipality's staff.
"""
import json

from pydantic import BaseModel, ConfigDict, Field
from werkzeug.wrappers import Response

from samskab.contracts.attachments import AttachmentHide, AttachmentReport, AttachmentReportOut
from samskab.contracts.meetings.attachments import MeetingAttachmentOut
from samskab.contracts.proposals.attachments import AttachedTo, AttachmentOut
from samskab.contracts.rpc import plain as _json

from .. import uploading
from .problems import Problem
from .router import route

TAGS = ["attachments"]
LIST = "/municipalities/<m>/proposals/<proposal_id>/attachments"
ONE = LIST + "/<attachment_id>"


class MeetingAttachmentUpload(BaseModel):
    """The form of an upload to a meeting (``multipart/form-data``)."""

    model_config = ConfigDict(extra="forbid")

    file: bytes = Field(json_schema_extra={"contentMediaType": "application/octet-stream"},
                        description="a JPEG, PNG, GIF or WebP picture or a PDF, at most 10 MB; checked by its content")
    alt: str = Field("", max_length=500, description="what the picture shows, for those who cannot see it "
                                                     "(required for pictures); a title for a document")
    caption: str = Field("", max_length=500)


class AttachmentUpload(MeetingAttachmentUpload):
    """The form of an upload (``multipart/form-data``)."""

    attached_to: AttachedTo = "proposal"
    target_id: str | None = Field(None, description="the update's or experiment's id, with attached_to")


def _file(ctx):
    request = ctx.request
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "send the file as multipart/form-data (fields file, alt, caption)")
    upload = request.files.get("file")
    return {"data": upload.read() if upload is not None and upload.filename is not None else None,
            "alt": request.form.get("alt", ""), "caption": request.form.get("caption", "")}


def _form(ctx):
    found = _file(ctx)
    attached_to = ctx.request.form.get("attached_to") or "proposal"
    if attached_to not in ("proposal", "update", "experiment"):
        raise Problem(422, "attached_to is proposal, update or experiment",
                      [{"field": "attached_to", "message": "proposal, update or experiment"}])
    return {**found, "attached_to": attached_to, "target_id": ctx.request.form.get("target_id") or None}


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


def _variant(name, what, owner="proposals", path=ONE, prefix=""):
    def serve(ctx, m, attachment_id, **owner_id):
        municipality = ctx.municipality(m)
        return uploading.serve(ctx, municipality.id, *owner_id.values(), attachment_id, name, owner)

    serve.__name__ = f"{prefix}attachment_{name}"
    serve.__doc__ = (f"{what} With Content-Disposition, X-Content-Type-Options: nosniff, ETag and Last-Modified "
                     "(304 on If-None-Match); 404 for a hidden attachment but to the municipality's staff.")
    route("GET", path + f"/{name}", media_type="application/octet-stream", tags=TAGS,
          summary=f"The attachment's {name} bytes")(serve)
    return serve


PAGE = "A picture at page size (at most 1600 pixels wide or high)."
THUMBNAIL = "A picture at thumbnail size (at most 400 pixels)."
ORIGINAL = "The largest kept version: a PDF as sent, a picture re-encoded without its metadata (the file as sent " \
           "is never kept)."
attachment_page = _variant("page", PAGE)
attachment_thumbnail = _variant("thumbnail", THUMBNAIL)
attachment_original = _variant("original", ORIGINAL)


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



# -- on meetings: the meeting's organiser and the municipality's staff attach ---------------

MEETING_LIST = "/municipalities/<m>/meetings/<meeting_id>/attachments"
MEETING_ONE = MEETING_LIST + "/<attachment_id>"


def _meetings(ctx):
    return uploading.client(ctx, "meetings")


@route("POST", MEETING_LIST, form=MeetingAttachmentUpload, response=MeetingAttachmentOut, status=201, auth=True,
       tags=TAGS, max_body=uploading.MAX_FORM_BODY,
       summary="Attach a picture or a PDF to a meeting (its organiser, the municipality's staff)")
def meeting_add_attachment(ctx, m, meeting_id):
    """Checked as on a proposal: a picture re-encoded without EXIF or GPS (415 for what is not what it claims,
    413 too large, 422 a picture without alt text); anyone else is refused (403) before the file is read.
    Nothing is stored when anything is refused."""
    municipality = ctx.municipality(m)
    ctx.require_account()
    created = uploading.receive(ctx, municipality.id, meeting_id, owner="meetings", **_file(ctx))
    return _created(_json(created),
                    f"/api/v1/municipalities/{municipality.id}/meetings/{meeting_id}/attachments/{created.id}")


@route("GET", MEETING_LIST, response=[MeetingAttachmentOut], tags=TAGS,
       summary="The meeting's pictures and files, oldest first (hidden ones only for the municipality's staff)")
def meeting_attachments(ctx, m, meeting_id):
    municipality = ctx.municipality(m)
    return _json(_meetings(ctx).attachments(municipality.id, ctx.actor, meeting_id))


meeting_attachment_page = _variant("page", PAGE, "meetings", MEETING_ONE, "meeting_")
meeting_attachment_thumbnail = _variant("thumbnail", THUMBNAIL, "meetings", MEETING_ONE, "meeting_")
meeting_attachment_original = _variant("original", ORIGINAL, "meetings", MEETING_ONE, "meeting_")


@route("POST", MEETING_ONE + "/report", body=AttachmentReport, response=AttachmentReportOut, status=201, auth=True,
       tags=TAGS, summary="Report a meeting's picture or file to the municipality's staff")
def meeting_report_attachment(ctx, m, meeting_id, attachment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_meetings(ctx).report_attachment(municipality.id, ctx.actor, meeting_id, attachment_id, body))


@route("POST", MEETING_ONE + "/hide", body=AttachmentHide, response=MeetingAttachmentOut, auth=True, tags=TAGS,
       summary="Hide a meeting's picture or file (the municipality's staff): gone from the list, page and bytes")
def meeting_hide_attachment(ctx, m, meeting_id, attachment_id, body):
    municipality = ctx.municipality(m)
    ctx.require_account()
    return _json(_meetings(ctx).hide_attachment(municipality.id, ctx.actor, meeting_id, attachment_id, body))
