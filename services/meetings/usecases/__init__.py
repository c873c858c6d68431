"""The meetings service's use cases: one function each, taking the unit of work
(``samskab.db.UnitOfWork``; ``with uow:`` is one transaction, nested blocks share it)
and plain arguments, returning JSON-able answers.  service.py only calls them."""
from .attachments import (  # noqa: F401  (pictures and files: issue 21)
    add_attachment, attachment, attachments, hide_attachment, may_attach, report_attachment,
)
from .attachments import erase_uploader  # noqa: F401
from .calendars import meeting_ics, municipality_calendar, new_calendar_token, participant_calendar, send_due_reminders
from .comments import comments, edit_comment, hide_comment, post_comment, report_comment
from .comments import erase_author as erase_comment_author
from .common import GROUPS
from .meetings import (
    add_agenda_question, cancel, conclude, create_place, formats, get, list_places, listing, record_outcome,
    schedule, set_minutes, suggest_formats, update,
)
from .people import erase, export, matches_suggested
from .registrations import cancel_registration, register_batch, registrations
from .reports import dismiss_reports, reported

__all__ = [
    "GROUPS", "add_agenda_question", "cancel", "cancel_registration", "conclude", "create_place", "erase", "export",
    "formats", "get", "list_places", "listing", "matches_suggested", "meeting_ics", "municipality_calendar",
    "new_calendar_token", "participant_calendar", "record_outcome", "register_batch", "registrations", "schedule",
    "send_due_reminders", "set_minutes", "suggest_formats", "update",
    # issue 21: comment threads
    "comments", "edit_comment", "erase_comment_author", "hide_comment", "post_comment", "report_comment",
    # issue 21: the staff's one list of reports
    "dismiss_reports", "reported",
]
