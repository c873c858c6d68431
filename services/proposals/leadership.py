"""The rules of political leadership (issue 22), pure Python: who leads (the
municipality's politicians, and its employees on the council's behalf), how a
politician is shown (their public office), a committee's stages, the life of a
case before the council, and "what became of it" computed from the council's events.
"""
import datetime as dt
import statistics

from samskab.errors import Conflict, Forbidden, Invalid

from .domain import Actor

POLITICIAN = "politician"
CASE_OPENED, CASE_PLACED, DECISION_MADE = "samskab.case.opened", "samskab.case.placed", "samskab.decision.made"
DECISIONS = ("adopted", "adopted_in_part", "rejected", "sent_on")


def leads(who: Actor, municipality) -> bool:
    """The council and its staff: a politician or employee of this municipality (never another's)."""
    return who.id is not None and who.staff and who.municipality == municipality


def require_lead(who: Actor, municipality, what):
    if who.id is None:
        raise Forbidden("sign in first")
    if not leads(who, municipality):
        raise Forbidden(f"only the municipality's politicians and staff may {what}")


def office(who: Actor, held):
    """How the one acting is shown: a politician by their public office (name, party),
    anyone else by role.  A politician acts only once they have said under which name
    and party (``held``: their ``public_offices`` row or ``None``)."""
    if who.role == POLITICIAN:
        if held is None:
            raise Invalid("a politician acts under their public office: register your name and party first",
                          [{"field": "office", "message": "register your name and party (PUT …/politicians/me)"}])
        return {"role": POLITICIAN, "name": held.name, "party": held.party, "participant_id": str(who.id)}
    return {"role": who.role or "employee"}


def answering_office(who: Actor, capacity, held):
    """How an answer for the municipality is signed: a politician by their public office
    (or, before they registered one, as a politician), staff as an employee; the
    initiator answers as the initiator (``None``)."""
    if capacity != "staff":
        return None
    if who.role == POLITICIAN:
        if held is None:
            return {"role": POLITICIAN}
        return {"role": POLITICIAN, "name": held.name, "party": held.party, "participant_id": str(who.id)}
    return {"role": "employee"}


def public_office(stored):
    """An office as stored with a mission, committee or decision, for the public (no id of an employee)."""
    stored = dict(stored or {})
    if stored.get("role") != POLITICIAN:
        stored.pop("participant_id", None)
    return stored


# -- committees -----------------------------------------------------------------------------


def committee_status(row, members, case):
    if getattr(row, "closed_at", None) is not None:
        return "closed"
    if case is not None and case.status == "decided":
        return "answered"
    if row.delivered_at is not None:
        return "delivered"
    return "working" if members else "recruiting"


def committee_allowed(who: Actor, row, status, is_member, applied):
    allowed = []
    lead = leads(who, row.municipality)
    if who.id is not None and status == "recruiting" and not is_member and not applied:
        allowed.append("apply")
    if lead and status in ("recruiting", "working"):
        allowed += ["seat", "plan_meeting"]
    if (lead or is_member) and status in ("recruiting", "working"):
        allowed.append("add_document")
    if lead and status == "working":
        allowed.append("deliver")
    if lead and status == "recruiting" and not is_member:
        allowed.append("edit")
    if lead and status in ("delivered", "answered"):
        allowed.append("close")
    return allowed


def check_edit_committee(status, members):
    if status != "recruiting" or members:
        raise Conflict("a committee's mandate can change only until its members are seated")


def check_close_committee(status):
    if status == "closed":
        raise Conflict("the committee is closed already")
    if status not in ("delivered", "answered"):
        raise Conflict("a committee closes after it has delivered its recommendation")


# -- missions ---------------------------------------------------------------------------------


def mission_status(row):
    return row.closed_as or "open"


def check_mission_open(row, what):
    if row.closed_at is not None:
        raise Conflict(f"the mission is closed ({row.closed_as}): it cannot {what}")


def check_seating(seats, members_by_group, new_by_group):
    for group, count in new_by_group.items():
        room = int(seats.get(group, 0)) - members_by_group.get(group, 0)
        if count > room:
            raise Invalid(f"the mandate has {seats.get(group, 0)} {group} seats; {room} are free",
                          [{"field": "drawn", "message": f"{count} {group} members for {room} free seats"}])


def check_can_change(status, what):
    if status not in ("recruiting", "working"):
        raise Conflict(f"a committee that has delivered its recommendation cannot {what}")


# -- the council's answer --------------------------------------------------------------------


def check_place(case):
    if case.status == "decided":
        raise Conflict("the council has answered this case already")


def check_decide(case, decision, sent_to):
    if case.status == "awaiting":
        raise Conflict("place the case on a council or committee meeting before deciding it")
    if case.status == "decided":
        raise Conflict("the council has answered this case already")
    if decision == "sent_on" and not sent_to:
        raise Invalid("say where the case was sent on", [{"field": "sent_to", "message": "required for sent_on"}])


def days_between(start, end):
    return max(0, (end - start).days) if start and end else None


def figures(events, now: dt.datetime):
    """What became of it, from the council's events in order (``type``, ``at``, ``data``
    as emitted): every case opened (a proposal over its threshold, a recommendation
    delivered), how many were placed and answered, how long the answers took (median
    days from opening to decision), the oldest open case, and what was decided."""
    cases = {}
    for e in events:
        data = e["data"]
        case = cases.setdefault(str(data["case_id"]), {"kind": data.get("kind"), "opened": None, "placed": False,
                                                       "decided": None, "decision": None})
        at = _moment(e["at"])
        if e["type"] == CASE_OPENED:
            case["opened"] = _moment(data.get("opened_at")) or at
        elif e["type"] == CASE_PLACED:
            case["placed"] = True
        elif e["type"] == DECISION_MADE:
            case["decided"], case["decision"] = _moment(data.get("decided_at")) or at, data["decision"]
            case["opened"] = case["opened"] or _moment(data.get("opened_at"))
    answered = [c for c in cases.values() if c["decided"] is not None]
    waiting = [c for c in cases.values() if c["decided"] is None]
    by_decision = {d: sum(1 for c in answered if c["decision"] == d) for d in DECISIONS}
    by_kind = {}
    for c in cases.values():
        kind = by_kind.setdefault(c["kind"], {"cases": 0, "answered": 0})
        kind["cases"] += 1
        kind["answered"] += c["decided"] is not None
    durations = [(c["decided"] - c["opened"]).total_seconds() / 86400 for c in answered if c["opened"]]
    return {
        "cases": len(cases), "answered": len(answered), "awaiting": sum(1 for c in waiting if not c["placed"]),
        "placed": sum(1 for c in waiting if c["placed"]), "by_decision": by_decision, "by_kind": by_kind,
        "median_days": round(statistics.median(durations), 1) if durations else None,
        "longest_open_days": max((days_between(c["opened"], now) for c in waiting if c["opened"]), default=None),
        "share_answered": round(len(answered) / len(cases), 3) if cases else 0.0,
    }


def _moment(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
