"""The open reports of pictures and files, wherever they hang (a proposal, a meeting), for
the staff's one list of reports (issues 15 and 21).  ``repo`` is an owner's repository on
the shared attachment tables (``samskab.attachment_storage.Files``).  A report of an
attachment has no decision of its own: a hidden attachment is no longer open, and
dismissing removes the reports staff saw (a later report brings it back)."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by


def reported(repo, under, municipality, limit=200):
    """One row per reported attachment of the municipality, not hidden: its columns,
    ``title`` of what it hangs under (the table ``under``), ``reports``, ``first_reported``,
    ``last_reported`` and ``reasons`` (newest first), the longest waiting first."""
    t, r = repo.attachments, repo.reports
    grouped = (sa.select(r.c.attachment_id, sa.func.count().label("reports"),
                         sa.func.min(r.c.reported_at).label("first_reported"),
                         sa.func.max(r.c.reported_at).label("last_reported"),
                         sa.func.array_agg(aggregate_order_by(r.c.reason, r.c.reported_at.desc())).label("reasons"))
               .group_by(r.c.attachment_id).subquery())
    return repo.uow.execute(
        sa.select(t, under.c.title, grouped.c.reports, grouped.c.first_reported, grouped.c.last_reported,
                  grouped.c.reasons)
        .join(grouped, grouped.c.attachment_id == t.c.id).join(under, under.c.id == t.c[repo.subject])
        .where(t.c.municipality == municipality, t.c.hidden.is_(False))
        .order_by(grouped.c.first_reported, t.c.id).limit(limit)).all()


def dismiss(repo, attachment_id, until):
    """Remove the attachment's reports made until ``until``; how many went."""
    r = repo.reports
    return repo.uow.execute(r.delete().where(r.c.attachment_id == attachment_id, r.c.reported_at <= until)).rowcount
