"""The RPCs a service answers for the comment threads and the pictures and files under
its subjects (a proposal, a meeting): the same entrypoints, in the same argument order
(municipality, actor, the subject's id, then the comment's or file's id and payload),
whatever the subject is.  The gateway's typed clients for them are
:class:`samskab.contracts.threads.ThreadsClient` and
:class:`samskab.contracts.attachments.AttachmentsClient`.

A service mixes these in beside :class:`samskab.service.ServiceBase` and names the
module of its own use cases, which take the service's database first::

    class Service(CommentThreadRpc, AttachmentRpc, ReportsRpc, ServiceBase):
        subject_cases = usecases
"""
from .service import rpc


class CommentThreadRpc:
    """``comments``, ``post_comment``, ``edit_comment``, ``report_comment``, ``hide_comment``."""

    subject_cases = None  # the service's use-case module

    @rpc
    def comments(self, municipality, actor, subject_id):
        return self.subject_cases.comments(self.db, municipality, actor, subject_id)

    @rpc
    def post_comment(self, municipality, actor, subject_id, payload):
        return self.subject_cases.post_comment(self.db, municipality, actor, subject_id, payload)

    @rpc
    def edit_comment(self, municipality, actor, subject_id, comment_id, payload):
        return self.subject_cases.edit_comment(self.db, municipality, actor, subject_id, comment_id, payload)

    @rpc
    def report_comment(self, municipality, actor, subject_id, comment_id, payload):
        return self.subject_cases.report_comment(self.db, municipality, actor, subject_id, comment_id, payload)

    @rpc
    def hide_comment(self, municipality, actor, subject_id, comment_id, payload):
        return self.subject_cases.hide_comment(self.db, municipality, actor, subject_id, comment_id, payload)


class AttachmentRpc:
    """``attachments``, ``attachment``, ``may_attach``, ``add_attachment``,
    ``report_attachment``, ``hide_attachment``: the gateway checks and stores the bytes
    (:mod:`samskab.uploads`), the service records them and says who may do what."""

    subject_cases = None  # the service's use-case module

    @rpc
    def attachments(self, municipality, actor, subject_id):
        return self.subject_cases.attachments(self.db, municipality, actor, subject_id)

    @rpc
    def attachment(self, municipality, actor, subject_id, attachment_id):
        return self.subject_cases.attachment(self.db, municipality, actor, subject_id, attachment_id)

    @rpc
    def may_attach(self, municipality, actor, subject_id):
        return self.subject_cases.may_attach(self.db, municipality, actor, subject_id)

    @rpc
    def add_attachment(self, municipality, actor, subject_id, payload):
        return self.subject_cases.add_attachment(self.db, municipality, actor, subject_id, payload)

    @rpc
    def report_attachment(self, municipality, actor, subject_id, attachment_id, payload):
        return self.subject_cases.report_attachment(self.db, municipality, actor, subject_id, attachment_id, payload)

    @rpc
    def hide_attachment(self, municipality, actor, subject_id, attachment_id, payload):
        return self.subject_cases.hide_attachment(self.db, municipality, actor, subject_id, attachment_id, payload)


class ReportsRpc:
    """``reported`` and ``dismiss_reports``: what is reported under the service's subjects
    and still open, for the staff's one list of reports (:mod:`samskab.contracts.moderation`),
    and the staff's dismissal of the reports they saw."""

    subject_cases = None  # the service's use-case module

    @rpc
    def reported(self, municipality, actor):
        return self.subject_cases.reported(self.db, municipality, actor)

    @rpc
    def dismiss_reports(self, municipality, actor, subject_id, payload):
        return self.subject_cases.dismiss_reports(self.db, municipality, actor, subject_id, payload)
