"""Pictures and files on the proposal page and the meeting page (issue 21): the section's
data (``parts_for``, fetched with the rest of the page) and its forms: upload (a file,
its text alternative and a caption), report and, for the municipality's staff, hide.  The checks are the
API's (``gateway.uploading``); a refusal is shown in the page's error summary and at
its field, in the reader's language."""
from samskab import uploads
from samskab.errors import Conflict, Forbidden, Invalid, NotFound

from ... import uploading
from ..app import page_route
from . import proposals as proposal_page

ONE = "/municipalities/<m>/proposals/<uuid:proposal_id>/attachments"
MEETING = "/municipalities/<m>/meetings/<uuid:meeting_id>/attachments"

# The checks' field messages (samskab.uploads, gateway.uploading), as catalogue keys.
MESSAGES = {
    ("file", "required"): "attachments.error.file",
    ("file", "empty"): "attachments.error.file",
    ("file", "too large"): "attachments.error.too_large",
    ("file", "too many pixels"): "attachments.error.pixels",
    ("file", "markup is not accepted"): "attachments.error.markup",
    ("file", "active PDF content"): "attachments.error.active_pdf",
    ("file", "damaged image"): "attachments.error.damaged",
    ("file", "damaged PDF"): "attachments.error.damaged",
    ("alt", "required for images"): "attachments.error.alt",
    ("alt", "too long"): "attachments.error.too_long",
    ("caption", "too long"): "attachments.error.too_long",
}


def parts_for(page, municipality_id, owner_id, owner="proposals"):
    """The page's fetches (``views.proposals.detail``, ``views.meetings.detail``): the
    attachments, and whether the reader may add one (asked of the owning service, which
    keeps the rule)."""
    rpc, actor = uploading.client(page.ctx, owner), page.actor
    return {
        "attachments": (lambda: rpc.attachments(municipality_id, actor, owner_id), []),
        "may_attach": (lambda: actor is not None and rpc.may_attach(municipality_id, actor, owner_id), False),
    }


def _errors(page, exc, refusals="attachments"):
    """A refusal as {field: message in the reader's language}; who may attach, and when,
    is said in the owner's words (``attachments.error.*``, ``meeting_attachments.error.*``)."""
    if isinstance(exc, Forbidden):
        return {"file": page._(f"{refusals}.error.forbidden")}
    if isinstance(exc, Conflict):
        return {"file": page._(f"{refusals}.error.closed")}
    errors = {}
    for err in exc.errors or []:
        field = str(err.get("field", "file"))
        key = MESSAGES.get((field, err.get("message")), "attachments.error.type")
        if field == "target_id":
            errors.setdefault("attach_to", page._("attachments.error.target"))
            continue
        errors.setdefault(field if field in ("file", "alt", "caption") else "file", page._(key))
    return errors or {"file": page._("attachments.error.type")}


@page_route(ONE, methods=("POST",))
def upload(page, m, proposal_id):
    municipality = page.in_municipality(m)
    page.require_account()
    upload = page.request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else None
    values = {"alt": page.field("alt"), "caption": page.field("caption"), "attach_to": page.field("attach_to")}
    # "proposal", or "update:<id>" / "experiment:<id>" from the form's list
    attached_to, _, target_id = (values["attach_to"] or "proposal").partition(":")
    if attached_to not in ("proposal", "update", "experiment"):
        attached_to, target_id = "proposal", ""
    try:
        uploading.receive(page.ctx, municipality.id, str(proposal_id), data, values["alt"], values["caption"],
                          attached_to=attached_to, target_id=target_id or None)
    except (Invalid, Forbidden, Conflict, uploads.TooLarge, uploads.UnsupportedMedia) as exc:
        status = exc.status if exc.status in (403, 409, 413, 415) else 422
        return proposal_page.detail(page, m, proposal_id, errors=_errors(page, exc), values=values, status=status)
    return _back(page, m, proposal_id, "attachment_added")


def _back(page, m, owner_id, done, owner="proposals"):
    """To the proposal's or meeting's page, at its pictures and files, with the confirmation."""
    response = page.redirect(f"/municipalities/{m}/{owner}/{owner_id}", done)
    response.headers["Location"] += "#attachments"
    return response


def _meeting_detail():
    from .meetings import detail  # the meeting page imports this module's parts_for

    return detail


# The page each owner's forms come back to with their errors.
PAGES = {"proposals": lambda: proposal_page.detail, "meetings": _meeting_detail}


def _moderate(page, m, owner_id, attachment_id, method, done, owner="proposals"):
    municipality = page.in_municipality(m)
    page.require_account()
    reason = page.field("reason")
    field = f"areason-{attachment_id}"
    detail = PAGES[owner]()
    if not reason:
        return detail(page, m, owner_id, errors={field: page._("form.required")}, status=422)
    try:
        getattr(uploading.client(page.ctx, owner), method)(municipality.id, page.actor, str(owner_id),
                                                           str(attachment_id), {"reason": reason})
    except (Invalid, Conflict, NotFound) as exc:
        return detail(page, m, owner_id, errors={field: exc.detail}, status=exc.status)
    return _back(page, m, owner_id, done, owner)


@page_route(ONE + "/<uuid:attachment_id>/report", methods=("POST",))
def report(page, m, proposal_id, attachment_id):
    return _moderate(page, m, proposal_id, attachment_id, "report_attachment", "reported")


@page_route(ONE + "/<uuid:attachment_id>/hide", methods=("POST",))
def hide(page, m, proposal_id, attachment_id):
    return _moderate(page, m, proposal_id, attachment_id, "hide_attachment", "attachment_hidden")


# -- the meeting page: its organiser and the municipality's staff attach --------------------


@page_route(MEETING, methods=("POST",))
def meeting_upload(page, m, meeting_id):
    municipality = page.in_municipality(m)
    page.require_account()
    upload = page.request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else None
    values = {"alt": page.field("alt"), "caption": page.field("caption")}
    try:
        uploading.receive(page.ctx, municipality.id, str(meeting_id), data, values["alt"], values["caption"],
                          owner="meetings")
    except (Invalid, Forbidden, Conflict, uploads.TooLarge, uploads.UnsupportedMedia) as exc:
        status = exc.status if exc.status in (403, 409, 413, 415) else 422
        return _meeting_detail()(page, m, meeting_id, errors=_errors(page, exc, "meeting_attachments"), values=values,
                                   status=status)
    return _back(page, m, meeting_id, "attachment_added", "meetings")


@page_route(MEETING + "/<uuid:attachment_id>/report", methods=("POST",))
def meeting_report(page, m, meeting_id, attachment_id):
    return _moderate(page, m, meeting_id, attachment_id, "report_attachment", "reported", "meetings")


@page_route(MEETING + "/<uuid:attachment_id>/hide", methods=("POST",))
def meeting_hide(page, m, meeting_id, attachment_id):
    return _moderate(page, m, meeting_id, attachment_id, "hide_attachment", "attachment_hidden", "meetings")
