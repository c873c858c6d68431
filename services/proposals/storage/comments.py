"""Comment threads under proposals (issue 21): the tables (declared on the proposals'
``metadata``, made by migration 0005) and their repository, as every thread's
(``samskab.comment_storage``)."""
from samskab.comment_storage import Thread, thread_tables

from .tables import TZ, UUID, metadata

__all__ = ["Comments", "comment_reports", "comments"]

comments, comment_reports = thread_tables(metadata, "proposals", UUID, TZ)


class Comments(Thread):
    comments, reports, subject = comments, comment_reports, "proposal_id"
