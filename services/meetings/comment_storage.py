"""Comment threads under meetings (issue 21): the tables (on storage.py's ``metadata``,
made by migration 0003) and their repository, as every thread's (``samskab.comment_storage``)."""
from samskab.comment_storage import ERASED, Thread, thread_tables

from .storage import TS, UUID, metadata

__all__ = ["ERASED", "Comments", "comment_reports", "comments"]

comments, comment_reports = thread_tables(metadata, "meetings", UUID, TS)


class Comments(Thread):
    comments, reports, subject = comments, comment_reports, "meeting_id"
