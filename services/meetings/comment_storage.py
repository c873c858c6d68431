"""Comment threads under meetings (issue 21): the tables (on storage.py's ``metadata``,
made by migration 0003) and their repository."""
import uuid

import sqlalchemy as sa

from samskab.errors import NotFound
from samskab.values import parse_id

from .storage import TS, UUID, metadata

# The nil UUID: the author of a comment once they are erased (the text stays; no name was ever shown).
ERASED = uuid.UUID(int=0)

comments = sa.Table(
    "comments", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("meeting_id", UUID, sa.ForeignKey("meetings.id"), nullable=False),
    sa.Column("parent_id", UUID, sa.ForeignKey("comments.id")),
    sa.Column("author_id", UUID, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("alignment", sa.Text),
    sa.Column("posted_at", TS, nullable=False),
    sa.Column("edited_at", TS),
    sa.Column("hidden_at", TS),
    sa.Column("hidden_reason", sa.Text),
    sa.Column("hidden_by", UUID),
    sa.Index("comments_meeting", "meeting_id", "posted_at"),
    sa.Index("comments_author", "author_id"),
)

comment_reports = sa.Table(
    "comment_reports", metadata,
    sa.Column("id", UUID, primary_key=True),
    sa.Column("comment_id", UUID, sa.ForeignKey("comments.id"), nullable=False),
    sa.Column("reporter_id", UUID),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reported_at", TS, nullable=False),
    sa.Index("comment_reports_comment", "comment_id"),
)


class Comments:
    def __init__(self, uow):
        self.uow = uow

    def get(self, meeting_id, comment_id, lock=False):
        query = sa.select(comments).where(comments.c.id == parse_id(comment_id, "comment"),
                                          comments.c.meeting_id == meeting_id)
        row = self.uow.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound("no such comment")
        return row

    def add(self, comment_id, meeting_id, parent_id, author_id, body, alignment, at):
        return self.uow.execute(comments.insert().values(
            id=comment_id, meeting_id=meeting_id, parent_id=parent_id, author_id=author_id, body=body,
            alignment=alignment, posted_at=at).returning(comments)).first()

    def edit(self, comment_id, body, at):
        return self.uow.execute(comments.update().where(comments.c.id == comment_id)
                                .values(body=body, edited_at=at).returning(comments)).first()

    def hide(self, comment_id, reason, by, at):
        return self.uow.execute(comments.update().where(comments.c.id == comment_id)
                                .values(hidden_at=at, hidden_reason=reason, hidden_by=by).returning(comments)).first()

    def of(self, meeting_id):
        """Every comment under the meeting, oldest first."""
        return self.uow.execute(sa.select(comments).where(comments.c.meeting_id == meeting_id)
                                .order_by(comments.c.posted_at, comments.c.id)).all()

    def report(self, report_id, comment_id, reporter_id, reason, at):
        self.uow.execute(comment_reports.insert().values(
            id=report_id, comment_id=comment_id, reporter_id=reporter_id, reason=reason, reported_at=at))

    def of_author(self, participant_id):
        return self.uow.execute(sa.select(comments).where(comments.c.author_id == participant_id)
                                .order_by(comments.c.posted_at)).all()

    def erase_author(self, participant_id):
        """A person's erasure: their comments lose their author, reports their reporter,
        hidden comments who hid them."""
        self.uow.execute(comments.update().where(comments.c.author_id == participant_id).values(author_id=ERASED))
        self.uow.execute(comment_reports.update().where(comment_reports.c.reporter_id == participant_id)
                         .values(reporter_id=None))
        self.uow.execute(comments.update().where(comments.c.hidden_by == participant_id).values(hidden_by=None))
