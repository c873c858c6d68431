"""The open reports of a municipality, of every kind the proposals service owns, for its
staff's one list (issues 15 and 21): reports of a proposal, question, answer or update
(``reports``, decided one by one), of a comment (``comment_reports``) and of a picture or
file (``attachment_reports``).  The last two have no decision of their own: a hidden
comment or attachment is no longer open, and dismissing removes the reports staff saw."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from .attachments import Attachments
from .comments import Comments
from .tables import CONTENT_TABLES, proposals, reports

LIMIT = 200


def _reasons(column, at):
    return sa.func.array_agg(aggregate_order_by(column, at.desc())).label("reasons")


def content(uow, municipality):
    """Open reports of proposals, questions, answers and updates, one row per reported
    thing: ``proposal_id, target_type, target_id, reports, first_reported, last_reported,
    reasons, title`` (the proposal's), the longest waiting first."""
    grouped = (sa.select(reports.c.proposal_id, reports.c.target_type, reports.c.target_id,
                         sa.func.count().label("reports"), sa.func.min(reports.c.created_at).label("first_reported"),
                         sa.func.max(reports.c.created_at).label("last_reported"),
                         _reasons(reports.c.reason, reports.c.created_at))
               .where(reports.c.municipality == municipality, reports.c.decision.is_(None))
               .group_by(reports.c.proposal_id, reports.c.target_type, reports.c.target_id).subquery())
    return uow.execute(sa.select(grouped, proposals.c.title, proposals.c.problem)
                       .join(proposals, proposals.c.id == grouped.c.proposal_id)
                       .order_by(grouped.c.first_reported).limit(LIMIT)).all()


def bodies(uow, target_type, ids):
    """``{id: body}`` of the questions, answers or updates named."""
    if not ids:
        return {}
    table = CONTENT_TABLES[target_type]
    return dict(uow.execute(sa.select(table.c.id, table.c.body).where(table.c.id.in_(ids))).all())


def comments(uow, municipality):
    """Reported comments under the municipality's proposals, not hidden."""
    return Comments(uow).reported(proposals, municipality, LIMIT)


def files(uow, municipality):
    """Reported pictures and files of the municipality, not hidden, one row per attachment."""
    return Attachments(uow).reported(proposals, municipality, LIMIT)


def open_of(uow, municipality, proposal_id, target_type, target_id, until):
    """The open reports of one proposal, question, answer or update made until ``until``, locked."""
    return uow.execute(sa.select(reports).where(
        reports.c.municipality == municipality, reports.c.proposal_id == proposal_id,
        reports.c.target_type == target_type, reports.c.target_id == target_id, reports.c.decision.is_(None),
        reports.c.created_at <= until).with_for_update()).all()


def dismiss_content(uow, report_ids, reason, decided_by, at):
    return uow.execute(reports.update().where(reports.c.id.in_(report_ids), reports.c.decision.is_(None)).values(
        decision="dismissed", decision_reason=reason, decided_by=decided_by, decided_at=at)).rowcount


def dismiss_file(uow, attachment_id, until):
    """Remove an attachment's reports made until ``until``; how many went."""
    return Attachments(uow).dismiss_reports(attachment_id, until)
