"""Pictures and files (issue 21): the attachments' metadata and their reports (declared
on the proposals' ``metadata``, made by migration 0008) and their repository.  The bytes
are in the object store under the keys kept here."""
import uuid

import sqlalchemy as sa

from samskab.errors import NotFound
from samskab.values import parse_id

from .tables import TZ, UUID, agreement_acceptances, agreement_versions, experiments, metadata, updates

attachments = sa.Table(
    "attachments", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
    # proposal | update | experiment; target_id is the update's or experiment's id
    sa.Column("attached_to", sa.Text, nullable=False),
    sa.Column("target_id", UUID),
    sa.Column("kind", sa.Text, nullable=False),  # image | document
    sa.Column("original_key", sa.Text, nullable=False),
    sa.Column("page_key", sa.Text),
    sa.Column("thumbnail_key", sa.Text),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    sa.Column("alt", sa.Text, nullable=False, server_default=""),
    sa.Column("caption", sa.Text, nullable=False, server_default=""),
    sa.Column("uploader_id", UUID, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("hidden_reason", sa.Text),
    sa.Column("hidden_by", UUID),
    sa.Column("hidden_at", TZ),
    sa.CheckConstraint("attached_to IN ('proposal', 'update', 'experiment')", name="attachments_attached_to"),
    sa.CheckConstraint("kind IN ('image', 'document')", name="attachments_kind"),
    sa.CheckConstraint("kind <> 'image' OR alt <> ''", name="attachments_image_alt"),
    sa.Index("attachments_proposal", "proposal_id", "created_at"),
    sa.Index("attachments_uploader", "uploader_id"),
)

attachment_reports = sa.Table(
    "attachment_reports", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("attachment_id", UUID, sa.ForeignKey("attachments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reporter_id", UUID),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reported_at", TZ, nullable=False),
    sa.Index("attachment_reports_attachment", "attachment_id"),
)

KEY_COLUMNS = {"original": "original_key", "page": "page_key", "thumbnail": "thumbnail_key"}


def keys_of(row):
    return {variant: row._mapping[column] for variant, column in KEY_COLUMNS.items() if row._mapping[column]}


class Attachments:
    def __init__(self, uow):
        self.uow = uow

    def get(self, proposal_id, attachment_id, lock=False):
        query = sa.select(attachments).where(attachments.c.id == parse_id(attachment_id, "attachment"),
                                             attachments.c.proposal_id == proposal_id)
        if lock:
            query = query.with_for_update()
        row = self.uow.execute(query).first()
        if row is None:
            raise NotFound("no such attachment")
        return row

    def add(self, **values):
        return self.uow.execute(attachments.insert().values(**values).returning(attachments)).first()

    def of(self, proposal_id, with_hidden=False):
        query = sa.select(attachments).where(attachments.c.proposal_id == proposal_id)
        if not with_hidden:
            query = query.where(attachments.c.hidden.is_(False))
        return self.uow.execute(query.order_by(attachments.c.created_at, attachments.c.id)).all()

    def target_exists(self, proposal_id, attached_to, target_id):
        table = {"update": updates, "experiment": experiments}[attached_to]
        return self.uow.execute(sa.select(table.c.id).where(
            table.c.id == target_id, table.c.proposal_id == proposal_id)).first() is not None

    def accepted_partner(self, proposal_id, participant_id):
        """Whether the person is a partner of the latest agreement and accepted it."""
        latest = sa.select(sa.func.max(agreement_versions.c.version)).where(
            agreement_versions.c.proposal_id == proposal_id).scalar_subquery()
        return self.uow.execute(sa.select(agreement_acceptances.c.party).where(
            agreement_acceptances.c.proposal_id == proposal_id, agreement_acceptances.c.version == latest,
            agreement_acceptances.c.party == f"partner:{participant_id}")).first() is not None

    def hide(self, attachment_id, reason, by, at):
        return self.uow.execute(attachments.update().where(attachments.c.id == attachment_id).values(
            hidden=True, hidden_reason=reason, hidden_by=by, hidden_at=at).returning(attachments)).first()

    def report(self, report_id, attachment_id, reporter_id, reason, at):
        self.uow.execute(attachment_reports.insert().values(
            id=report_id, attachment_id=attachment_id, reporter_id=reporter_id, reason=reason, reported_at=at))

    def of_uploader(self, participant_id):
        return self.uow.execute(sa.select(attachments).where(
            attachments.c.uploader_id == uuid.UUID(str(participant_id))).order_by(attachments.c.created_at)).all()

    def erase_uploader(self, participant_id):
        """A person's erasure: their attachments' rows go (the caller deletes the bytes);
        their reports of others' attachments lose the reporter.  Returns the rows gone."""
        pid = uuid.UUID(str(participant_id))
        gone = self.uow.execute(attachments.delete().where(attachments.c.uploader_id == pid)
                                .returning(attachments)).all()
        self.uow.execute(attachment_reports.update().where(attachment_reports.c.reporter_id == pid)
                         .values(reporter_id=None))
        return gone

    def erase_of_proposals(self, proposal_ids):
        if not proposal_ids:
            return []
        return self.uow.execute(attachments.delete().where(attachments.c.proposal_id.in_(proposal_ids))
                                .returning(attachments)).all()
