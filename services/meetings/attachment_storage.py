"""Pictures and files on meetings (issue 21): the tables (on storage.py's ``metadata``,
made by migration 0004) and their repository, as every owner's (``samskab.attachment_storage``)."""
from samskab.attachment_storage import Files, attachment_tables

from .storage import TS, UUID, metadata

__all__ = ["Attachments", "attachment_reports", "attachments"]

attachments, attachment_reports = attachment_tables(metadata, "meetings", UUID, TS)


class Attachments(Files):
    attachments, reports, subject = attachments, attachment_reports, "meeting_id"
