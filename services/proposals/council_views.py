"""Presenters of political leadership: missions, committees and cases as the caller
may read them (the shapes of ``samskab.contracts.proposals.council_client``).
Residents on a committee are never named, to anyone but themselves: a politician
member is shown by their public office."""
from samskab.values import iso

from . import leadership


def _office(stored):
    return leadership.public_office(stored)


def mission(row, who, proposals=None, with_agreement=frozenset(), committees=None, followers=0, followed=False):
    d = {"id": str(row.id), "municipality": row.municipality, "title": row.title, "challenge": row.challenge,
         "goal": row.goal, "horizon": row.horizon, "owner_committee": row.owner_committee,
         "language": row.language, "created_at": iso(row.created_at), "published_by": _office(row.office),
         "followers": followers, "followed_by_me": followed, "allowed": [],
         "status": leadership.mission_status(row), "updated_at": iso(row.updated_at),
         "closing_note": row.closing_note, "closed_at": iso(row.closed_at)}
    still_open = row.closed_at is None
    if who.id is not None:
        d["allowed"] += ["attach", "follow"] if still_open else ["follow"]
    if leadership.leads(who, row.municipality):
        d["allowed"] += ["manage", "edit", "close"] if still_open else []
    if proposals is not None:
        items = [{"id": str(p.id), "title": p.title, "status": p.status, "support_count": p.support_count,
                  "experiments": p.experiments, "agreement": p.id in with_agreement, "outcome": p.outcome,
                  "attached_by": p.attached_by} for p in proposals]
        d["proposals"] = items
        d["progress"] = progress(items)
    if committees is not None:
        d["committees"] = [{"id": str(c.id), "title": c.title, "deadline": c.deadline.isoformat(),
                            "delivered_at": iso(c.delivered_at)} for c in committees]
    return d


def progress(items):
    """How far the mission's proposals have come."""
    by_status, outcomes = {}, {}
    for p in items:
        by_status[p["status"]] = by_status.get(p["status"], 0) + 1
        if p["outcome"]:
            outcomes[p["outcome"]] = outcomes.get(p["outcome"], 0) + 1
    done = by_status.get("concluded", 0)
    return {"proposals": len(items), "by_status": by_status, "experiments": sum(p["experiments"] for p in items),
            "agreements": sum(1 for p in items if p["agreement"]), "outcomes": outcomes,
            "share_done": round(done / len(items), 3) if items else 0.0}


def case(row):
    if row is None:
        return None
    d = {"case_id": str(row.id), "kind": row.kind, "title": row.title, "status": row.status,
         "proposal_id": str(row.proposal_id) if row.proposal_id else None,
         "committee_id": str(row.committee_id) if row.committee_id else None,
         "opened_at": iso(row.opened_at), "body": row.body,
         "meeting_date": row.meeting_date.isoformat() if row.meeting_date else None,
         "meeting_id": str(row.meeting_id) if row.meeting_id else None, "decision": row.decision,
         "reason": row.reason, "sent_to": row.sent_to, "decided_at": iso(row.decided_at),
         "decided_by": _office(row.office) if row.office else None,
         "days_to_answer": leadership.days_between(row.opened_at, row.decided_at)}
    return d


def committee(row, who, members, offices, meetings, documents, case_row, applications, mission_title=None):
    me = who.id is not None and any(str(m.participant_id) == who.id for m in members)
    applied = who.id is not None and any(str(a.participant_id) == who.id for a in applications)
    status = leadership.committee_status(row, members, case_row)
    lead = leadership.leads(who, row.municipality)
    by_group = {}
    for m in members:
        by_group[m.seat_group] = by_group.get(m.seat_group, 0) + 1
    shown = []
    for m in members:
        held = offices.get(m.participant_id) if m.seat_group == leadership.POLITICIAN else None
        shown.append({"group": m.seat_group, "how": m.how, "me": who.id == str(m.participant_id),
                      "office": {"role": leadership.POLITICIAN, "name": held.name, "party": held.party,
                                 "participant_id": str(m.participant_id)} if held else None})
    d = {"id": str(row.id), "municipality": row.municipality, "title": row.title,
         "mission_id": str(row.mission_id) if row.mission_id else None, "mission_title": mission_title,
         "task": row.task, "questions": list(row.questions), "frame": row.frame,
         "deadline": row.deadline.isoformat(), "seats": dict(row.seats), "recruitment": row.recruitment,
         "status": status, "created_at": iso(row.created_at), "formed_by": _office(row.office),
         "members": shown, "members_by_group": by_group, "panel_id": row.panel_id, "seed": row.seed,
         "meetings": [{"meeting_id": str(x.meeting_id), "number": x.number, "starts_at": iso(x.starts_at)}
                      for x in meetings],
         "documents": [document(x) for x in documents],
         "recommendation": row.recommendation, "delivered_at": iso(row.delivered_at), "case": case(case_row),
         "applied_by_me": applied, "updated_at": iso(row.updated_at), "closing_note": row.closing_note,
         "closed_at": iso(row.closed_at),
         "allowed": leadership.committee_allowed(who, row, status, me, applied)}
    if lead:
        d["applications"] = [application(a, staff=True) for a in applications]
    return d


def document(x):
    return {"id": str(x.id), "kind": x.kind, "title": x.title, "body": x.body,
            "meeting_id": str(x.meeting_id) if x.meeting_id else None, "added_at": iso(x.added_at)}


def application(a, staff=False):
    d = {"id": str(a.id), "group": a.seat_group, "features": dict(a.features or {}), "motivation": a.motivation,
         "status": a.status, "applied_at": iso(a.applied_at)}
    if staff:
        d["participant_id"] = str(a.participant_id)
    return d


def politician_answer(row):
    """An answer a politician gave, with the question it answers (never who asked)."""
    return {"id": str(row.id), "proposal_id": str(row.proposal_id), "proposal_title": row.proposal_title,
            "question": row.question, "body": row.body, "created_at": iso(row.created_at)}


def office_held(row):
    return {"participant_id": str(row.participant_id), "municipality": row.municipality, "name": row.name,
            "party": row.party, "title": row.title}
