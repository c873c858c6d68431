"""Reports and moderation: anyone signed in reports, the municipality's staff hide or dismiss."""
import uuid

from samskab.contracts import moderation, proposals as contracts
from samskab.errors import Conflict, Forbidden, NotFound
from samskab.values import now, parse

from .. import storage, views
from ..storage import open_reports as waiting
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


def _require_staff(who, municipality):
    if not (who.staff and who.municipality == municipality):
        raise Forbidden("only the municipality's staff see its reports")


def open_reports(uow, municipality, actor):
    """Open reports of the municipality, oldest first: its staff only."""
    who = caller(actor)
    _require_staff(who, municipality)
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


# -- one list of everything reported (issues 15 and 21) ------------------------------------------------------

_PLACE = {"proposal": "", "question": "#questions", "answer": "#questions", "update": "#updates"}


def _item(kind, thing_id, proposal_id, title, text, row, path):
    return {"kind": kind, "id": str(thing_id), "under": "proposal", "under_id": str(proposal_id),
            "under_title": title, "excerpt": moderation.excerpt(text), "reports": row.reports,
            "reasons": list(row.reasons or [])[:5], "first_reported_at": row.first_reported.isoformat(),
            "last_reported_at": row.last_reported.isoformat(), "path": path}


def reported(uow, municipality, actor):
    """Everything reported in the municipality and still open (not hidden, not dismissed),
    one item per reported thing with its reports counted, the longest waiting first: its
    staff only.  The excerpts are for them: this list is never public."""
    who = caller(actor)
    _require_staff(who, municipality)
    with uow:
        content = waiting.content(uow, municipality)
        texts = {kind: waiting.bodies(uow, kind, [r.target_id for r in content if r.target_type == kind])
                 for kind in ("question", "answer", "update")}
        comments, files = waiting.comments(uow, municipality), waiting.files(uow, municipality)
    items = [_item(r.target_type, r.target_id, r.proposal_id, r.title,
                   r.problem if r.target_type == "proposal" else texts[r.target_type].get(r.target_id, ""),
                   r, f"proposals/{r.proposal_id}{_PLACE[r.target_type]}") for r in content]
    items += [_item("comment", c.id, c.proposal_id, c.title, c.body, c,
                    f"proposals/{c.proposal_id}/comments#c-{c.id}") for c in comments]
    items += [_item("attachment", a.id, a.proposal_id, a.title, a.caption or a.alt, a,
                    f"proposals/{a.proposal_id}#attachments") for a in files]
    return sorted(items, key=lambda i: (i["first_reported_at"], i["id"]))


def dismiss_reports(uow, municipality, actor, proposal_id, payload):
    """Staff found nothing to hide in something reported under the proposal: its open reports
    made until ``until`` (those staff saw; all when not given) are dismissed."""
    dismissal = parse(moderation.ReportsDismissal, payload)
    who = caller(actor)
    if dismissal.kind == "meeting_comment":
        raise NotFound("a meeting's comments are the meetings service's")
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_moderate(who)
        at = now()
        until = min(dismissal.until, at) if dismissal.until else at
        if dismissal.kind == "comment":
            found = storage.Comments(uow).get(row.id, dismissal.id, lock=True)
            count = storage.Comments(uow).dismiss_reports(found.id, until)
        elif dismissal.kind == "attachment":
            found = storage.Attachments(uow).get(row.id, dismissal.id, lock=True)
            count = waiting.dismiss_file(uow, found.id, until)
        else:
            ids = [r.id for r in waiting.open_of(uow, municipality, row.id, dismissal.kind, dismissal.id, until)]
            count = waiting.dismiss_content(uow, ids, dismissal.reason, own_id(who), at) if ids else 0
    return {"dismissed": count}
