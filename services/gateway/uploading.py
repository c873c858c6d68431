"""Pictures and files (issue 21), the gateway's part, used by the API and the pages alike,
for every owner of attachments (the proposals service: proposals, their updates and
experiments; the meetings service: meetings).

The bytes stay in the gateway: it checks them by content (``samskab.uploads``: images
re-encoded without EXIF or GPS, PDFs without scripts, SVG and renamed files refused),
asks the owning service whether the caller may attach before anything is decoded,
records a pending upload, puts the variants in the object store
(``samskab.objectstore``) and then sends the service only their keys and metadata.  If
that call is refused or fails, the variants are deleted again: a refusal leaves nothing
stored.  Once the service recorded the attachment, or its bytes were deleted, the
pending upload is cleared; one a stopped gateway left behind is swept
(``sweep_pending``, older than ``UPLOADS_PENDING_MAX_AGE_SECONDS``).  Serving reads the
metadata from the owning service (which decides who may see a hidden one) and the
bytes from the store.
"""
import datetime as dt
import logging
import uuid

import eventlet
import sqlalchemy as sa
from eventlet import tpool
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from samskab import objectstore, uploads
from samskab.contracts.attachments import NewAttachment, object_key
from samskab.contracts.meetings.attachments import MeetingAttachmentsRpc
from samskab.contracts.proposals.attachments import AttachmentsRpc, NewAttachment as NewProposalAttachment
from samskab.errors import Forbidden, Invalid, NotFound
from samskab.values import parse

from .accounts.storage import pending_uploads

log = logging.getLogger("gateway.uploads")

# A picture or a PDF of up to MAX_UPLOAD_BYTES and its few form fields.
MAX_FORM_BODY = uploads.MAX_UPLOAD_BYTES + 64 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
_stores = {}

# Each owner of attachments: its typed client, the record it takes and who may attach there.
OWNERS = {
    "proposals": (AttachmentsRpc, NewProposalAttachment,
                  "only the initiator, the partners of its agreement and the municipality's staff may "
                  "attach pictures and files, while the proposal is open"),
    "meetings": (MeetingAttachmentsRpc, NewAttachment,
                 "only the meeting's organiser and the municipality's staff may attach pictures and files, "
                 "unless it was cancelled"),
}
# How old a pending upload must be before the sweep deletes its bytes: far longer than an
# upload takes (the RPC timeout is seconds), so that only what a stopped gateway left is swept.
PENDING_MAX_AGE_SECONDS = "3600"


def store_of(config):
    """The object store the configuration names (one per setting, kept: an S3 client is not free)."""
    settings = {name: config.get(name) or default for name, default in objectstore.SETTINGS.items()}
    key = tuple(sorted(settings.items()))
    if key not in _stores:
        _stores[key] = objectstore.from_environment(settings)
    return _stores[key]


def client(ctx, owner="proposals"):
    return OWNERS[owner][0](ctx.call)


def receive(ctx, municipality, owner_id, data, alt="", caption="", owner="proposals", **where):
    """Check, store and record one upload under the owner's ``owner_id`` (``where`` says where
    within it, for a proposal: ``attached_to`` and ``target_id``); the new attachment or a 4xx."""
    if data is None:
        raise Invalid("choose a file to upload", [{"field": "file", "message": "required"}])
    caption = (caption or "").strip()
    if len(caption) > uploads.MAX_ALT_CHARS:
        raise Invalid(f"the caption is longer than {uploads.MAX_ALT_CHARS} characters",
                      [{"field": "caption", "message": "too long"}])
    rpc, record_model, refusal = client(ctx, owner), OWNERS[owner][1], OWNERS[owner][2]
    # Strangers are refused before their bytes are decoded, let alone stored.
    if not rpc.may_attach(municipality, ctx.actor, owner_id):
        raise Forbidden(refusal)
    checked = tpool.execute(uploads.check, data)  # decoding a photo blocks: off the hub
    alt = uploads.check_alt(checked.kind, alt)
    aid = uuid.uuid4()
    variants = dict(checked.files)
    if checked.kind == "image":
        # The original as sent is never kept (it carries EXIF); its largest re-encoding stands in.
        variants["original"] = variants["page"]
    largest = variants["original"]
    record = parse(record_model, {
        "id": str(aid), **where, "kind": checked.kind,
        "content_type": largest[0], "size": len(largest[1]), "width": checked.width, "height": checked.height,
        "alt": alt, "caption": caption, "keys": {v: object_key(municipality, aid, v) for v in variants}})
    store = store_of(ctx.config)
    _pending(ctx.db, aid, municipality, owner, owner_id, ctx.actor["id"])
    try:
        for variant, (content_type, blob) in variants.items():
            store.put(record.keys[variant], blob, content_type)
        added = rpc.add_attachment(municipality, ctx.actor, owner_id, record)
    except BaseException:
        store.delete_prefix(object_key(municipality, aid, ""))
        _settled(ctx.db, aid)
        raise
    _settled(ctx.db, aid)
    return added


def _pending(db, aid, municipality, owner, owner_id, uploader_id):
    """Announce the upload's bytes before they are written (committed at once)."""
    with db as uow:
        uow.execute(pending_uploads.insert().values(
            attachment_id=aid, municipality=municipality, owner=owner, owner_id=uuid.UUID(str(owner_id)),
            uploader_id=uuid.UUID(str(uploader_id))))


def _settled(db, aid):
    """The service recorded the attachment, or its bytes were deleted: nothing left to sweep."""
    with db as uow:
        uow.execute(pending_uploads.delete().where(pending_uploads.c.attachment_id == aid))


def sweep_pending(db, config, call, max_age=None, now=None, batch=100):
    """Delete the bytes of uploads a stopped gateway left pending for longer than ``max_age``
    seconds (``UPLOADS_PENDING_MAX_AGE_SECONDS``), unless the owning service did record
    them (it stopped after the service answered): those keep their bytes.  ``call`` is an
    RPC function (service, method, *args).  Returns the ids whose bytes were deleted; an
    owner that does not answer now is asked again at the next sweep."""
    max_age = float(max_age if max_age is not None else config.get("UPLOADS_PENDING_MAX_AGE_SECONDS")
                    or PENDING_MAX_AGE_SECONDS)
    before = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(seconds=max_age)
    with db as uow:
        rows = uow.execute(sa.select(pending_uploads).where(pending_uploads.c.created_at < before)
                           .order_by(pending_uploads.c.created_at).limit(batch)).all()
    store, deleted = store_of(config), []
    for row in rows:
        if OWNERS.get(row.owner) is None:
            continue
        # Asked as the uploader with the municipality's staff's sight: their own draft and a hidden file count.
        actor = {"id": str(row.uploader_id), "role": "employee", "municipality": row.municipality, "staff": True,
                 "operator": False, "confirmed": True}
        try:
            OWNERS[row.owner][0](call).attachment(row.municipality, actor, row.owner_id, row.attachment_id)
        except NotFound:
            store.delete_prefix(object_key(row.municipality, row.attachment_id, ""))
            deleted.append(row.attachment_id)
        except (Exception, eventlet.Timeout) as exc:  # a 503, a timeout: asked again at the next sweep
            log.warning("pending upload %s: its owner did not answer (%s)", row.attachment_id, type(exc).__name__)
            continue
        _settled(db, row.attachment_id)
    if deleted:
        log.info("swept %d pending uploads", len(deleted))
    return deleted


def serve(ctx, municipality, owner_id, attachment_id, variant, owner="proposals"):
    """One variant's bytes, with its type, a safe disposition and validators (the id and
    variant name the bytes for ever: they never change under the same URL)."""
    if variant not in ("original", "page", "thumbnail"):
        raise NotFound("no such variant: original, page or thumbnail")
    found = client(ctx, owner).attachment(municipality, ctx.actor, owner_id, attachment_id)
    key = found.keys.get(variant)
    data = store_of(ctx.config).get(key) if key else None
    if data is None:
        raise NotFound(f"this attachment has no {variant}")
    content_type = "image/png" if data.startswith(b"\x89PNG") else found.content_type
    name = f"{found.id}-{variant}.{EXTENSIONS.get(content_type, 'bin')}"
    disposition = "inline" if found.kind == "image" else "attachment"
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Last-Modified"] = http_date(found.created_at)
    # Revalidated each time (304 while unchanged), so that a hidden file stops being served at once.
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(f"{found.id}-{variant}")
    return response
