"""What matching's rows look like to its callers (the shapes of
``samskab.contracts.matching``), and rows turned into domain objects."""
from . import scoring

KINDS = scoring.KINDS
MATCHABLE = ("published", "forming", "active")   # statuses where a proposal gathers people
LIST_FIELDS = ("skills", "interests", "areas", "resources", "availability", "languages", "neighbour_municipalities")


def profile_domain(row):
    return scoring.Profile(
        participant_id=str(row.participant_id), municipality=row.municipality,
        kind=row.kind or (row.role if row.role in KINDS else "resident"),
        skills=list(row.skills), interests=list(row.interests), areas=list(row.areas),
        resources=list(row.resources), availability=list(row.availability), languages=list(row.languages),
        suggest_me=row.suggest_me, neighbour_municipalities=list(row.neighbour_municipalities),
    )


def proposal_domain(row):
    return scoring.Proposal(
        id=str(row.id), municipality=row.municipality, title=row.title, needs=list(row.needs),
        topics=list(row.topics), area=row.area, language=row.language,
        initiator_id=str(row.initiator_id) if row.initiator_id else None,
        status="published" if row.status in MATCHABLE else row.status,
    )


def profile_out(row):
    p = profile_domain(row)
    return {
        "participant_id": p.participant_id, "municipality": p.municipality, "kind": p.kind,
        "skills": p.skills, "interests": p.interests, "areas": p.areas, "resources": p.resources,
        "availability": p.availability, "languages": p.languages, "suggest_me": p.suggest_me,
        "neighbour_municipalities": p.neighbour_municipalities,
    }


def blank_profile(actor):
    kind = actor.get("role") if actor.get("role") in KINDS else "resident"
    return {"participant_id": actor["id"], "municipality": actor.get("municipality"), "kind": kind,
            **{k: [] for k in LIST_FIELDS}, "suggest_me": False}


def similar_item(row, score, duplicate=False):
    """A similar proposal as its public page shows it (``SimilarOut``)."""
    item = {"id": str(row.id), "score": score, "title": row.title, "status": row.status,
            "municipality": row.municipality, "language": row.language, "outcome": row.outcome}
    if duplicate:
        item["duplicate"] = True
    return item


def matches_out(proposal_id, rows):
    return {
        "proposal_id": str(proposal_id),
        "computed_at": rows[0].computed_at.isoformat() if rows else None,
        "matches": [{"participant_id": str(r.participant_id), "kind": r.kind, "score": r.score,
                     "municipality": r.participant_municipality, "reasons": r.reasons} for r in rows],
    }


def export_out(profile, rows):
    return {
        "profile": profile_out(profile) if profile is not None else None,
        "matches": [{
            "proposal_id": str(r.proposal_id), "proposal_title": r.title, "municipality": r.municipality,
            "rank": r.rank, "score": r.score, "reasons": r.reasons, "computed_at": r.computed_at.isoformat(),
        } for r in rows],
    }


def panel_out(panel_id, municipality, request, selection, pool_size):
    return {
        "id": str(panel_id), "municipality": municipality, "size": request.size, "seed": selection.seed,
        "rule": request.rule, "pool_size": pool_size, "members": selection.members,
        "alternates": selection.alternates,
        "probabilities": {k: round(v, 6) for k, v in sorted(selection.probabilities.items())},
        "lowest_probability": round(selection.lowest_probability, 6), "counts": selection.counts,
        "panels_in_lottery": selection.panels_in_lottery,
        "portfolio": [{"probability": round(p, 9), "composition": composition}
                      for p, composition in selection.portfolio],
        # False when the time limit stopped the search: the lottery is fair over the
        # panels found, and no lottery could give the least favoured more than the bound.
        "maximin_proven": selection.optimal, "lowest_probability_bound": round(selection.upper_bound, 6),
        "complete": selection.complete,
        "proposal_id": str(request.proposal_id) if request.proposal_id else None,
    }


def panel_event(panel_id, municipality, result):
    return {
        "panel_id": str(panel_id), "municipality": municipality, "proposal_id": result["proposal_id"],
        "size": result["size"], "pool_size": result["pool_size"], "seed": result["seed"],
        "lowest_probability": result["lowest_probability"], "alternates": len(result["alternates"]),
        "counts": [{"feature": f, "value": v, "count": c}
                   for f, values in result["counts"].items() for v, c in values.items()],
    }
