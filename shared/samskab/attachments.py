"""What pictures and files have in common wherever they hang (under a proposal, under a
meeting; issue 21): the checks of the gateway's record, the row it becomes, the answer
for one attachment, reporting, hiding, what a hidden one is to whom and deleting the
bytes of rows gone.  Who may attach is each owner's rule; the tables and the repository
are :mod:`samskab.attachment_storage`, the contract :mod:`samskab.contracts.attachments`."""
import uuid

from .attachment_storage import keys_of
from .contracts.attachments import object_key
from .errors import Conflict, Invalid, NotFound
from .values import now

__all__ = ["attachment_out", "check_new", "delete_files", "hide", "new_row", "report", "visible"]


def attachment_out(row, subject, keys=False, **extra):
    """The answer for one row: its fields, the id of what it hangs under (the column
    ``subject``), ``extra`` fields of the owner's, and the object keys only ``keys``."""
    stored = keys_of(row)
    out = {
        "id": str(row.id), subject: str(row._mapping[subject]), **extra, "kind": row.kind,
        "content_type": row.content_type, "size": row.size, "width": row.width, "height": row.height,
        "alt": row.alt, "caption": row.caption, "variants": sorted(stored), "created_at": row.created_at.isoformat(),
        "hidden": row.hidden, "hidden_reason": row.hidden_reason,
    }
    if keys:
        out["keys"] = stored
    return out


def check_new(new, municipality):
    """Refuse (422) a picture without its text alternative, and keys that are not this
    attachment's (the gateway chose them; nothing else may be recorded)."""
    if new.kind == "image" and not new.alt:
        raise Invalid("describe the picture for those who cannot see it",
                      [{"field": "alt", "message": "required for images"}])
    prefix = object_key(municipality, new.id, "")
    if "original" not in new.keys or any(not key.startswith(prefix) for key in new.keys.values()):
        raise Invalid("the object keys are not this attachment's", [{"field": "keys", "message": f"under {prefix}"}])


def new_row(new, municipality, uploader_id, at, **owner):
    """The row's values for a checked record; ``owner`` names what it hangs under."""
    return dict(
        id=new.id, municipality=municipality, **owner, kind=new.kind, original_key=new.keys["original"],
        page_key=new.keys.get("page"), thumbnail_key=new.keys.get("thumbnail"), content_type=new.content_type,
        size=new.size, width=new.width, height=new.height, alt=new.alt, caption=new.caption,
        uploader_id=uploader_id, created_at=at)


def visible(found, sees_hidden):
    """A hidden attachment is not found but by those who see hidden ones (the staff)."""
    if found.hidden and not sees_hidden:
        raise NotFound(f"the municipality hid this attachment: {found.hidden_reason}")
    return found


def report(files, subject_id, attachment_id, reporter_id, reason):
    """Keep a report of an attachment that is still shown; ``(row, report id)``."""
    found = files.get(subject_id, attachment_id)
    if found.hidden:
        raise Conflict("the municipality has already hidden this attachment")
    rid = uuid.uuid4()
    files.report(rid, found.id, reporter_id, reason, now())
    return found, rid


def hide(files, subject_id, attachment_id, reason, by):
    """Hide an attachment; ``(row, whether it was hidden now)`` (hiding twice changes nothing)."""
    found = files.get(subject_id, attachment_id, lock=True)
    if found.hidden:
        return found, False
    return files.hide(found.id, reason, by, now()), True


def delete_files(store, rows):
    """Delete the bytes of attachments whose rows went.  Deleting an object twice is
    harmless, so a handler run again after a rollback deletes nothing it should not."""
    for row in rows:
        store.delete_prefix(object_key(row.municipality, row.id, ""))
