"""Pictures and files (issue 21), the gateway's part, used by the API and the pages alike.

The bytes stay in the gateway: it checks them by content (``samskab.uploads``: images
re-encoded without EXIF or GPS, PDFs without scripts, SVG and renamed files refused),
asks the proposals service whether the caller may attach before anything is written,
puts the variants in the object store (``samskab.objectstore``) and then sends the
proposals service only their keys and metadata.  If that call is refused or fails,
the variants are deleted again: a refusal leaves nothing stored.  Serving reads the
metadata from the proposals service (which decides who may see a hidden one) and
the bytes from the store.
"""
import uuid

from eventlet import tpool
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from samskab import objectstore, uploads
from samskab.contracts.proposals.attachments import AttachmentsRpc, NewAttachment, object_key
from samskab.errors import Forbidden, Invalid, NotFound
from samskab.values import parse

# A picture or a PDF of up to MAX_UPLOAD_BYTES and its few form fields.
MAX_FORM_BODY = uploads.MAX_UPLOAD_BYTES + 64 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
_stores = {}


def store_of(config):
    """The object store the configuration names (one per setting, kept: an S3 client is not free)."""
    settings = {name: config.get(name) or default for name, default in objectstore.SETTINGS.items()}
    key = tuple(sorted(settings.items()))
    if key not in _stores:
        _stores[key] = objectstore.from_environment(settings)
    return _stores[key]


def client(ctx):
    return AttachmentsRpc(ctx.call)


def receive(ctx, municipality, proposal_id, data, alt="", caption="", attached_to="proposal", target_id=None):
    """Check, store and record one upload; the new attachment (``AttachmentOut``) or a 4xx."""
    if data is None:
        raise Invalid("choose a file to upload", [{"field": "file", "message": "required"}])
    caption = (caption or "").strip()
    if len(caption) > uploads.MAX_ALT_CHARS:
        raise Invalid(f"the caption is longer than {uploads.MAX_ALT_CHARS} characters",
                      [{"field": "caption", "message": "too long"}])
    rpc = client(ctx)
    # Strangers are refused before their bytes are decoded, let alone stored.
    if not rpc.may_attach(municipality, ctx.actor, proposal_id):
        raise Forbidden("only the initiator, the partners of its agreement and the municipality's staff may "
                        "attach pictures and files, while the proposal is open")
    checked = tpool.execute(uploads.check, data)  # decoding a photo blocks: off the hub
    alt = uploads.check_alt(checked.kind, alt)
    aid = uuid.uuid4()
    variants = dict(checked.files)
    if checked.kind == "image":
        # The original as sent is never kept (it carries EXIF); its largest re-encoding stands in.
        variants["original"] = variants["page"]
    largest = variants["original"]
    record = parse(NewAttachment, {
        "id": str(aid), "attached_to": attached_to, "target_id": target_id, "kind": checked.kind,
        "content_type": largest[0], "size": len(largest[1]), "width": checked.width, "height": checked.height,
        "alt": alt, "caption": caption, "keys": {v: object_key(municipality, aid, v) for v in variants}})
    store = store_of(ctx.config)
    try:
        for variant, (content_type, blob) in variants.items():
            store.put(record.keys[variant], blob, content_type)
        return rpc.add_attachment(municipality, ctx.actor, proposal_id, record)
    except BaseException:
        store.delete_prefix(object_key(municipality, aid, ""))
        raise


def serve(ctx, municipality, proposal_id, attachment_id, variant):
    """One variant's bytes, with its type, a safe disposition and validators (the id and
    variant name the bytes for ever: they never change under the same URL)."""
    if variant not in ("original", "page", "thumbnail"):
        raise NotFound("no such variant: original, page or thumbnail")
    found = client(ctx).attachment(municipality, ctx.actor, proposal_id, attachment_id)
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
