"""One list of open reports for a municipality's staff (issues 15 and 21), whatever was
reported: a proposal, a question, an answer or an update, a comment or a picture or file
under a proposal (the proposals service answers for these), a comment or a picture or
file under a meeting (the meetings service).  Each service answers with the same shape, so the gateway merges
the two lists; staff hide with each kind's own hide, and dismiss with the owner's
``dismiss_reports``.  The excerpt is for staff only: this list is never public."""
import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..comments import Reason

__all__ = ["EXCERPT_CHARS", "KINDS", "ReportedKind", "ReportedItem", "ReportsDismissal", "DismissedOut", "excerpt"]

KINDS = ("proposal", "question", "answer", "update", "comment", "attachment", "meeting_comment",
         "meeting_attachment")
ReportedKind = Literal["proposal", "question", "answer", "update", "comment", "attachment", "meeting_comment",
                       "meeting_attachment"]
EXCERPT_CHARS = 240


def excerpt(text, limit=EXCERPT_CHARS):
    """The first ``limit`` characters of ``text`` on one line (an ellipsis when cut)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


class ReportedItem(BaseModel):
    """Something reported and not yet hidden or dismissed, with its reports counted."""

    kind: ReportedKind
    id: str = Field(description="the reported proposal, question, answer, update, comment or attachment")
    under: Literal["proposal", "meeting"]
    under_id: str
    under_title: str = ""
    excerpt: str = Field("", description="the start of its text (staff only)")
    reports: int = Field(description="how many reports wait")
    reasons: list[str] = Field(default_factory=list, description="the reporters' reasons, newest first")
    first_reported_at: dt.datetime
    last_reported_at: dt.datetime
    path: str = Field(description="its place, under /municipalities/<m>/ (with #c-<id> for a comment)")


class ReportsDismissal(BaseModel):
    """Staff found nothing to hide: the reports of one reported thing are dismissed."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportedKind
    id: uuid.UUID
    reason: Reason | None = None
    until: dt.datetime | None = Field(None, description="only the reports made until then (those staff saw)")


class DismissedOut(BaseModel):
    dismissed: int
