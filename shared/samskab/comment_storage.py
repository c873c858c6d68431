"""A comment thread's tables and repository, for whichever service owns what the thread
hangs under (proposals, meetings; issue 21).  Each service declares them on its own
``metadata`` with the name of what they hang under, and its migration makes them; the
rules are in :mod:`samskab.comments`."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from .errors import NotFound
from .values import parse_id

# The nil UUID: the author of a comment once they are erased (the text stays; no name was ever shown).
ERASED = uuid.UUID(int=0)


def thread_tables(metadata, under, uuid_type, ts_type):
    """``(comments, comment_reports)`` for comments under the table ``under``
    (``"proposals"`` → a ``proposal_id`` column referring to ``proposals.id``)."""
    subject = under.removesuffix("s") + "_id"
    comments = sa.Table(
        "comments", metadata,
        sa.Column("id", uuid_type, primary_key=True),
        sa.Column(subject, uuid_type, sa.ForeignKey(f"{under}.id"), nullable=False),
        sa.Column("parent_id", uuid_type, sa.ForeignKey("comments.id")),
        sa.Column("author_id", uuid_type, nullable=False),  # ERASED once its author is erased
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("alignment", sa.Text),
        sa.Column("posted_at", ts_type, nullable=False),
        sa.Column("edited_at", ts_type),
        sa.Column("hidden_at", ts_type),
        sa.Column("hidden_reason", sa.Text),
        sa.Column("hidden_by", uuid_type),
        sa.Index(f"comments_{under.removesuffix('s')}", subject, "posted_at"),
        sa.Index("comments_author", "author_id"),
    )
    reports = sa.Table(
        "comment_reports", metadata,
        sa.Column("id", uuid_type, primary_key=True),
        sa.Column("comment_id", uuid_type, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("reporter_id", uuid_type),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", ts_type, nullable=False),
        sa.Index("comment_reports_comment", "comment_id"),
    )
    return comments, reports


class Thread:
    """The repository of one service's comment threads: ``comments`` and ``reports`` are its
    tables (:func:`thread_tables`), ``subject`` the column naming what they hang under."""

    comments = reports = subject = None

    def __init__(self, uow):
        self.uow = uow

    @property
    def _under(self):
        return self.comments.c[self.subject]

    def get(self, subject_id, comment_id, lock=False):
        t = self.comments
        query = sa.select(t).where(t.c.id == parse_id(comment_id, "comment"), self._under == subject_id)
        row = self.uow.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound("no such comment")
        return row

    def add(self, comment_id, subject_id, parent_id, author_id, body, alignment, at):
        return self.uow.execute(self.comments.insert().values(
            {"id": comment_id, self.subject: subject_id, "parent_id": parent_id, "author_id": author_id,
             "body": body, "alignment": alignment, "posted_at": at}).returning(self.comments)).first()

    def edit(self, comment_id, body, at):
        t = self.comments
        return self.uow.execute(t.update().where(t.c.id == comment_id)
                                .values(body=body, edited_at=at).returning(t)).first()

    def hide(self, comment_id, reason, by, at):
        t = self.comments
        return self.uow.execute(t.update().where(t.c.id == comment_id)
                                .values(hidden_at=at, hidden_reason=reason, hidden_by=by).returning(t)).first()

    def of(self, subject_id):
        """Every comment under it, oldest first."""
        t = self.comments
        return self.uow.execute(sa.select(t).where(self._under == subject_id).order_by(t.c.posted_at, t.c.id)).all()

    def report(self, report_id, comment_id, reporter_id, reason, at):
        self.uow.execute(self.reports.insert().values(
            id=report_id, comment_id=comment_id, reporter_id=reporter_id, reason=reason, reported_at=at))

    def reported(self, under, municipality, limit=200):
        """The open reports of the municipality's comments, one row per comment not hidden
        (its columns, ``title`` of what it hangs under, ``reports``, ``first_reported``,
        ``last_reported``, ``reasons`` newest first), the longest waiting first.  ``under``
        is the table the thread hangs under (with ``municipality`` and ``title``)."""
        t, r = self.comments, self.reports
        counted = (sa.select(r.c.comment_id, sa.func.count().label("reports"),
                             sa.func.min(r.c.reported_at).label("first_reported"),
                             sa.func.max(r.c.reported_at).label("last_reported"),
                             sa.func.array_agg(aggregate_order_by(r.c.reason, r.c.reported_at.desc()))
                             .label("reasons"))
                   .group_by(r.c.comment_id).subquery())
        query = (sa.select(t, under.c.title, counted.c.reports, counted.c.first_reported, counted.c.last_reported,
                           counted.c.reasons)
                 .join(counted, counted.c.comment_id == t.c.id).join(under, under.c.id == self._under)
                 .where(under.c.municipality == municipality, t.c.hidden_at.is_(None))
                 .order_by(counted.c.first_reported, t.c.id).limit(limit))
        return self.uow.execute(query).all()

    def dismiss_reports(self, comment_id, until):
        """Staff found nothing to hide: the comment's reports made until ``until`` (those
        they saw) go, so it leaves the list of open reports; a later report brings it back.
        How many went."""
        r = self.reports
        return self.uow.execute(r.delete().where(r.c.comment_id == comment_id, r.c.reported_at <= until)).rowcount

    def of_author(self, participant_id):
        t = self.comments
        return self.uow.execute(sa.select(t).where(t.c.author_id == uuid.UUID(str(participant_id)))
                                .order_by(t.c.posted_at)).all()

    def erase_author(self, participant_id):
        """A person's erasure: their comments lose their author, their reports their reporter,
        the comments they hid who hid them."""
        pid, t = uuid.UUID(str(participant_id)), self.comments
        self.uow.execute(t.update().where(t.c.author_id == pid).values(author_id=ERASED))
        self.uow.execute(self.reports.update().where(self.reports.c.reporter_id == pid).values(reporter_id=None))
        self.uow.execute(t.update().where(t.c.hidden_by == pid).values(hidden_by=None))
