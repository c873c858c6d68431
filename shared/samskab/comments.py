"""What comment threads have in common wherever they hang (under a proposal, under a
meeting; issue 21): the text limits, the for/against/neutral alignment, the window in
which its author may still correct a comment, the answer for one comment, and the
thread built from its rows.

One level of replies (as in Decidim): a reply to a reply hangs under the same
top-level comment, so threads stay readable.  Rows are those of a comments table with
the columns ``id, parent_id, author_id, body, alignment, posted_at, edited_at,
hidden_at, hidden_reason`` plus the id of what they hang under.
"""
import datetime as dt
from typing import Annotated, Literal

from pydantic import StringConstraints

from .errors import Conflict, Invalid, NotFound
from .text import Visible

BODY_MAX = 4000
REASON_MAX = 2000
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BODY_MAX), Visible]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX)]
Alignment = Literal["for", "against", "neutral"]
ALIGNMENTS = ("for", "against", "neutral")

# How long its author may still correct a comment (after that, what others replied
# to stays what it was).
EDIT_WINDOW_SECONDS = 15 * 60

__all__ = ["ALIGNMENTS", "Alignment", "BODY_MAX", "Body", "EDIT_WINDOW_SECONDS", "REASON_MAX", "Reason",
           "check_editable", "comment_out", "editable_until", "replied_to", "thread", "top_of"]


def editable_until(row):
    return row.posted_at + dt.timedelta(seconds=EDIT_WINDOW_SECONDS)


def check_editable(row, at):
    """Refuse (409) an edit of a hidden comment, or one after the window."""
    if row.hidden_at is not None:
        raise Conflict("a hidden comment cannot be edited")
    if at > editable_until(row):
        raise Conflict(f"a comment can be edited only in the first {EDIT_WINDOW_SECONDS // 60} minutes")


def replied_to(comments, subject_id, parent_id, under):
    """The comment a new one replies to (None when it starts a thread): it must hang under
    the same ``subject_id`` (422 otherwise, naming ``parent_id``) and not be hidden (409).
    ``comments.get(subject_id, comment_id)`` raises NotFound for a comment not under it."""
    if parent_id is None:
        return None
    try:
        parent = comments.get(subject_id, parent_id)
    except NotFound:
        raise Invalid(f"the comment replied to is not under this {under}",
                      [{"field": "parent_id", "message": f"no such comment under this {under}"}])
    if parent.hidden_at is not None:
        raise Conflict("a hidden comment takes no replies")
    return parent


def top_of(parent):
    """The top-level comment a reply to ``parent`` hangs under (None for a new comment)."""
    return None if parent is None else (parent.parent_id or parent.id)


def comment_out(row, caller_id, at, owner_field):
    """One comment as the service answers it to ``caller_id`` (None: anonymous); the
    text of a hidden one is left out, and ``owner_field`` (``proposal_id``,
    ``meeting_id``) names what it hangs under."""
    mine = caller_id is not None and str(row.author_id) == str(caller_id)
    until = editable_until(row)
    hidden = row.hidden_at is not None
    return {
        "id": str(row.id), owner_field: str(getattr(row, owner_field)),
        "parent_id": str(row.parent_id) if row.parent_id else None,
        "body": None if hidden else row.body, "alignment": row.alignment,
        "posted_at": row.posted_at.isoformat(), "edited_at": row.edited_at.isoformat() if row.edited_at else None,
        "hidden": hidden, "hidden_reason": row.hidden_reason, "mine": mine,
        "editable_until": until.isoformat() if mine and not hidden and at < until else None,
        "replies": [],
    }


def thread(rows, caller_id, at, owner_field):
    """The thread from its rows (oldest first): top-level comments, each with its
    replies; a hidden comment keeps its place (so replies stay in context) without its text."""
    top, by_id = [], {}
    for row in rows:
        item = comment_out(row, caller_id, at, owner_field)
        by_id[item["id"]] = item
        if row.parent_id is None:
            top.append(item)
        else:
            by_id[str(row.parent_id)]["replies"].append(item)
    return top
