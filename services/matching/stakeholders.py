"""The stakeholder map of a proposal: who is affected, who holds resources,
who decides, which associations and businesses, on a power/interest grid,
with the gaps named (guideline 2: a thorough stakeholder analysis).

* **Interest** is high for people the proposal touches: they live or work in
  its area, share its topics, or have a skill one of its needs asks for.
* **Power** is high for those who decide (politicians, municipal employees)
  and for those holding a resource the proposal needs.

The grid's quadrants are the usual ones: manage closely (high power, high
interest), keep satisfied (high power), keep informed (high interest) and
monitor.  Only profiles that opted in to being suggested are placed.
Pure: no I/O.
"""
from . import scoring

QUADRANTS = ("manage_closely", "keep_satisfied", "keep_informed", "monitor")
DECIDERS = ("politician", "employee")


def _quadrant(power, interest):
    if power and interest:
        return "manage_closely"
    if power:
        return "keep_satisfied"
    if interest:
        return "keep_informed"
    return "monitor"


def assess(proposal, profile):
    """The roles one participant plays for a proposal (possibly none)."""
    _, reasons, met = scoring.fit(proposal, profile)
    roles = []
    in_area = any(r["type"] == "area" for r in reasons)
    shares_topics = any(r["type"] == "interests" for r in reasons)
    by_resource = [r for r in reasons if r["type"] == "need" and r["by"] == "resource"]
    by_skill = [r for r in reasons if r["type"] == "need" and r["by"] == "skill"]
    if in_area:
        roles.append("affected")
    if by_resource:
        roles.append("holds_resources")
    if by_skill:
        roles.append("has_skills")
    if shares_topics:
        roles.append("interested")
    decider = profile.kind in DECIDERS and profile.municipality == proposal.municipality
    if decider:
        roles.append("decides")
    if profile.kind == "association" and (in_area or shares_topics or met):
        roles.append("association")
    if profile.kind == "business" and (in_area or shares_topics or met):
        roles.append("business")
    interest = in_area or shares_topics or bool(by_skill)
    power = decider or bool(by_resource)
    return {
        "participant_id": profile.participant_id,
        "kind": profile.kind,
        "roles": roles,
        "power": "high" if power else "low",
        "interest": "high" if interest else "low",
        "quadrant": _quadrant(power, interest),
        "reasons": reasons,
    }, met


def stakeholder_map(proposal, profiles):
    """``{"grid": {quadrant: [...]}, "counts": …, "gaps": [...], "needs_unmet": [...]}``."""
    grid = {q: [] for q in QUADRANTS}
    needs_met = set()
    seen = set()
    for p in sorted(profiles, key=lambda p: p.participant_id):
        if p.participant_id in seen or p.participant_id == proposal.initiator_id:
            continue
        seen.add(p.participant_id)
        if not scoring.eligible(p, proposal):
            continue
        entry, met = assess(proposal, p)
        if not entry["roles"]:
            continue
        needs_met.update(met)
        grid[entry["quadrant"]].append(entry)
    placed = [e for q in QUADRANTS for e in grid[q]]
    residents_affected = [e for e in placed if e["kind"] == "resident" and "affected" in e["roles"]]
    gaps = []
    if proposal.area and not residents_affected:
        gaps.append({"gap": "no_affected_residents",
                     "detail": f"no resident of {proposal.area} has joined the stakeholder map yet"})
    if not any("decides" in e["roles"] for e in placed):
        gaps.append({"gap": "no_decider", "detail": "no politician or municipal employee is involved"})
    if not any(e["kind"] == "business" for e in placed):
        gaps.append({"gap": "no_business", "detail": "no local business is involved"})
    if not any(e["kind"] == "association" for e in placed):
        gaps.append({"gap": "no_association", "detail": "no association is involved"})
    unmet = [n for n in proposal.needs if n not in needs_met]
    if unmet:
        gaps.append({"gap": "needs_unmet", "detail": "no one offers: " + ", ".join(unmet)})
    counts = {q: len(grid[q]) for q in QUADRANTS}
    return {"grid": grid, "counts": counts, "gaps": gaps, "needs_unmet": unmet}
