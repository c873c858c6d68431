"""Comment threads under proposals (issue 21): the table (declared on the proposals'
``metadata``, made by migration 0005) and its repository."""
import uuid

import sqlalchemy as sa

from samskab.errors import NotFound
from samskab.values import parse_id

from .tables import TZ, UUID, metadata

comments = sa.Table(
    "comments", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("proposal_id", UUID, sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("parent_id", UUID, sa.ForeignKey("comments.id")),
    # ERASED (the nil UUID) once its author is erased: the text stays, the name was never shown.
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("alignment", sa.Text),
    sa.Column("posted_at", TZ, nullable=False),
    sa.Column("edited_at", TZ),
    sa.Column("hidden_at", TZ),
    sa.Column("hidden_reason", sa.Text),
    sa.Column("hidden_by", UUID),
    sa.Index("comments_proposal", "proposal_id", "posted_at"),
    sa.Index("comments_author", "author_id"),
)

comment_reports = sa.Table(
    "comment_reports", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("comment_id", UUID, sa.ForeignKey("comments.id"), nullable=False),
    sa.Column("reporter_id", UUID),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reported_at", TZ, nullable=False),
    sa.Index("comment_reports_comment", "comment_id"),
)


class Comments:
    def __init__(self, uow):
        self.uow = uow

    def get(self, proposal_id, comment_id, lock=False):
        query = sa.select(comments).where(comments.c.id == parse_id(comment_id, "comment"),
                                          comments.c.proposal_id == proposal_id)
        if lock:
            query = query.with_for_update()
        row = self.uow.execute(query).first()
        if row is None:
            raise NotFound("no such comment")
        return row

    def add(self, comment_id, proposal_id, parent_id, author_id, body, alignment, at):
        self.uow.execute(comments.insert().values(
            id=comment_id, proposal_id=proposal_id, parent_id=parent_id, author_id=author_id, body=body,
            alignment=alignment, posted_at=at))

    def edit(self, comment_id, body, at):
        return self.uow.execute(comments.update().where(comments.c.id == comment_id)
                                .values(body=body, edited_at=at).returning(comments)).first()

    def hide(self, comment_id, reason, by, at):
        return self.uow.execute(comments.update().where(comments.c.id == comment_id)
                                .values(hidden_at=at, hidden_reason=reason, hidden_by=by).returning(comments)).first()

    def of(self, proposal_id):
        """Every comment of the proposal, oldest first."""
        return self.uow.execute(sa.select(comments).where(comments.c.proposal_id == proposal_id)
                                .order_by(comments.c.posted_at, comments.c.id)).all()

    def report(self, report_id, comment_id, reporter_id, reason, at):
        self.uow.execute(comment_reports.insert().values(
            id=report_id, comment_id=comment_id, reporter_id=reporter_id, reason=reason, reported_at=at))

    def erase_author(self, participant_id, erased):
        """A person's erasure: their comments lose their author (and reports their reporter)."""
        pid = uuid.UUID(str(participant_id))
        self.uow.execute(comments.update().where(comments.c.author_id == pid).values(author_id=erased))
        self.uow.execute(comment_reports.update().where(comment_reports.c.reporter_id == pid)
                         .values(reporter_id=None))

    def of_author(self, participant_id):
        return self.uow.execute(sa.select(comments).where(
            comments.c.author_id == uuid.UUID(str(participant_id))).order_by(comments.c.posted_at)).all()


