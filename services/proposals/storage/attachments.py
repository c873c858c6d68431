"""Pictures and files (issue 21): the attachments' metadata and their reports (declared
on the proposals' ``metadata``, made by migration 0008) and their repository, as every
owner's (``samskab.attachment_storage``) with what a proposal's add: a file hangs under
the proposal itself, one of its updates or one of its experiments.  The bytes are in the
object store under the keys kept here."""
import sqlalchemy as sa

from samskab.attachment_storage import Files, attachment_tables, keys_of

from .tables import TZ, UUID, agreement_acceptances, agreement_versions, experiments, metadata, updates

__all__ = ["Attachments", "attachment_reports", "attachments", "keys_of"]

attachments, attachment_reports = attachment_tables(
    metadata, "proposals", UUID, TZ,
    columns=(
        # proposal | update | experiment; target_id is the update's or experiment's id
        sa.Column("attached_to", sa.Text, nullable=False),
        sa.Column("target_id", UUID),
    ),
    constraints=(
        sa.CheckConstraint("attached_to IN ('proposal', 'update', 'experiment')", name="attachments_attached_to"),
    ),
)


class Attachments(Files):
    attachments, reports, subject = attachments, attachment_reports, "proposal_id"

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

    def erase_of_proposals(self, proposal_ids):
        return self.erase_under(proposal_ids)
