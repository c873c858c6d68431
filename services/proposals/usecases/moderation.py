"""Reports and moderation: anyone signed in reports, the municipality's staff hide or dismiss."""
import uuid

from samskab.contracts import proposals as contracts
from samskab.errors import Conflict, Forbidden
from samskab.values import now, parse

from .. import storage, views
from .common import caller, emit, own_id


def report(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewReport, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        views.proposal_of(row).check_report(who)
        reports = storage.Reports(uow)
        reports.target(row, new.target_type, new.target_id)
        rid = uuid.uuid4()
        reports.add(rid, municipality, row.id, new.target_type, new.target_id, own_id(who), new.reason, now())
        emit(uow, contracts.ContentReported(proposal_id=row.id, municipality=municipality, report_id=rid,
                                            target_type=new.target_type, target_id=new.target_id),
             f"proposals/{row.id}")
    return {"id": str(rid), "status": "open"}


def open_reports(uow, municipality, actor):
    """Open reports of the municipality, oldest first: its staff only."""
    who = caller(actor)
    if not (who.staff and who.municipality == municipality):
        raise Forbidden("only the municipality's staff see its reports")
    with uow:
        rows = storage.Reports(uow).open(municipality)
    return [views.open_report(r) for r in rows]


def _hide(uow, row, who, target_type, target_id, reason, at):
    """Hide one piece of content of the locked proposal ``row``; False if it already was."""
    reports = storage.Reports(uow)
    target, author_id = reports.target(row, target_type, target_id)
    if target.hidden_at is not None:
        return False
    reports.hide(target_type, target.id, reason, own_id(who), at)
    emit(uow, contracts.ContentHidden(proposal_id=row.id, municipality=row.municipality, target_type=target_type,
                                      target_id=target.id, reason=reason, author_id=author_id, hidden_by=who.id),
         f"proposals/{row.id}")
    return True


def hide(uow, municipality, actor, proposal_id, payload):
    request = parse(contracts.HideRequest, payload)
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_moderate(who)
        changed = _hide(uow, row, who, request.target_type, request.target_id, request.reason, now())
    return {"hidden": True, "changed": changed}


def decide_report(uow, municipality, actor, report_id, payload):
    decision = parse(contracts.ModerationDecision, payload)
    who = caller(actor)
    with uow:
        reports = storage.Reports(uow)
        found = reports.get(municipality, report_id)
        # Proposal first, then its reports: the same lock order as ``hide``.
        row = storage.Proposals(uow).get(municipality, found.proposal_id, lock=True)
        found = reports.get(municipality, report_id, lock=True)
        views.proposal_of(row).check_moderate(who)
        if found.decision is not None:
            raise Conflict(f"this report was already decided ({found.decision})")
        at = now()
        if decision.action == "hide":
            _hide(uow, row, who, found.target_type, found.target_id, decision.reason, at)
        outcome = "hidden" if decision.action == "hide" else "dismissed"
        reports.decide(found.id, outcome, decision.reason, own_id(who), at)
    return {"id": str(found.id), "status": outcome}
