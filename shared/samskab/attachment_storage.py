"""Pictures and files' tables and repository (issue 21), for whichever service owns what
they hang under (proposals, meetings).  Each service declares them on its own ``metadata``
with the name of what they hang under and its migration makes them; the bytes are in the
object store under the keys kept here, and the rules every owner shares are in
:mod:`samskab.attachments`."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from .errors import NotFound
from .values import parse_id

KEY_COLUMNS = {"original": "original_key", "page": "page_key", "thumbnail": "thumbnail_key"}


def attachment_tables(metadata, under, uuid_type, ts_type, columns=(), constraints=()):
    """``(attachments, attachment_reports)`` for files under the table ``under``
    (``"meetings"`` → a ``meeting_id`` column referring to ``meetings.id``); ``columns``
    and ``constraints`` are the owner's own (what within it a file hangs under)."""
    singular = under.removesuffix("s")
    attachments = sa.Table(
        "attachments", metadata,
        sa.Column("id", uuid_type, primary_key=True),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column(f"{singular}_id", uuid_type, sa.ForeignKey(f"{under}.id"), nullable=False),
        *columns,
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
        sa.Column("uploader_id", uuid_type, nullable=False),
        sa.Column("created_at", ts_type, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hidden_reason", sa.Text),
        sa.Column("hidden_by", uuid_type),
        sa.Column("hidden_at", ts_type),
        *constraints,
        sa.CheckConstraint("kind IN ('image', 'document')", name="attachments_kind"),
        sa.CheckConstraint("kind <> 'image' OR alt <> ''", name="attachments_image_alt"),
        sa.Index(f"attachments_{singular}", f"{singular}_id", "created_at"),
        sa.Index("attachments_uploader", "uploader_id"),
    )
    reports = sa.Table(
        "attachment_reports", metadata,
        sa.Column("id", uuid_type, primary_key=True),
        sa.Column("attachment_id", uuid_type, sa.ForeignKey("attachments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reporter_id", uuid_type),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reported_at", ts_type, nullable=False),
        sa.Index("attachment_reports_attachment", "attachment_id"),
    )
    return attachments, reports


def keys_of(row):
    """The object keys of a row's stored variants, by variant."""
    return {variant: row._mapping[column] for variant, column in KEY_COLUMNS.items() if row._mapping[column]}


class Files:
    """The repository of one service's attachments: ``attachments`` and ``reports`` are its
    tables (:func:`attachment_tables`), ``subject`` the column naming what they hang under."""

    attachments = reports = subject = None

    def __init__(self, uow):
        self.uow = uow

    @property
    def _under(self):
        return self.attachments.c[self.subject]

    def get(self, subject_id, attachment_id, lock=False):
        t = self.attachments
        query = sa.select(t).where(t.c.id == parse_id(attachment_id, "attachment"), self._under == subject_id)
        row = self.uow.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound("no such attachment")
        return row

    def add(self, **values):
        return self.uow.execute(self.attachments.insert().values(**values).returning(self.attachments)).first()

    def of(self, subject_id, with_hidden=False):
        """The attachments under it, oldest first; the hidden ones only ``with_hidden``."""
        t = self.attachments
        query = sa.select(t).where(self._under == subject_id)
        if not with_hidden:
            query = query.where(t.c.hidden.is_(False))
        return self.uow.execute(query.order_by(t.c.created_at, t.c.id)).all()

    def hide(self, attachment_id, reason, by, at):
        t = self.attachments
        return self.uow.execute(t.update().where(t.c.id == attachment_id).values(
            hidden=True, hidden_reason=reason, hidden_by=by, hidden_at=at).returning(t)).first()

    def report(self, report_id, attachment_id, reporter_id, reason, at):
        self.uow.execute(self.reports.insert().values(
            id=report_id, attachment_id=attachment_id, reporter_id=reporter_id, reason=reason, reported_at=at))

    def of_uploader(self, participant_id):
        t = self.attachments
        return self.uow.execute(sa.select(t).where(t.c.uploader_id == uuid.UUID(str(participant_id)))
                                .order_by(t.c.created_at)).all()

    def erase_uploader(self, participant_id):
        """A person's erasure: their attachments' rows go (the caller deletes the bytes);
        their reports of others' attachments lose the reporter.  Returns the rows gone."""
        pid, t = uuid.UUID(str(participant_id)), self.attachments
        gone = self.uow.execute(t.delete().where(t.c.uploader_id == pid).returning(t)).all()
        self.uow.execute(self.reports.update().where(self.reports.c.reporter_id == pid).values(reporter_id=None))
        return gone

    def erase_under(self, subject_ids):
        """Every attachment under these (the caller deletes the bytes); the rows gone."""
        if not subject_ids:
            return []
        t = self.attachments
        return self.uow.execute(t.delete().where(self._under.in_(subject_ids)).returning(t)).all()

    def reported(self, under, municipality, limit=200):
        """For the staff's one list of reports: one row per reported attachment of the
        municipality, not hidden, with ``title`` of what it hangs under (the table ``under``),
        ``reports``, ``first_reported``, ``last_reported`` and ``reasons`` (newest first), the
        longest waiting first.  A report of an attachment has no decision of its own: a hidden
        attachment is no longer open, and dismissing removes the reports staff saw."""
        t, r = self.attachments, self.reports
        grouped = (sa.select(r.c.attachment_id, sa.func.count().label("reports"),
                             sa.func.min(r.c.reported_at).label("first_reported"),
                             sa.func.max(r.c.reported_at).label("last_reported"),
                             sa.func.array_agg(aggregate_order_by(r.c.reason, r.c.reported_at.desc())).label("reasons"))
                   .group_by(r.c.attachment_id).subquery())
        return self.uow.execute(
            sa.select(t, under.c.title, grouped.c.reports, grouped.c.first_reported, grouped.c.last_reported,
                      grouped.c.reasons)
            .join(grouped, grouped.c.attachment_id == t.c.id).join(under, under.c.id == self._under)
            .where(t.c.municipality == municipality, t.c.hidden.is_(False))
            .order_by(grouped.c.first_reported, t.c.id).limit(limit)).all()

    def dismiss_reports(self, attachment_id, until):
        """Remove the attachment's reports made until ``until``; how many went (a later report
        brings it back to the list)."""
        r = self.reports
        return self.uow.execute(r.delete().where(r.c.attachment_id == attachment_id, r.c.reported_at <= until)).rowcount
