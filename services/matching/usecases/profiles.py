"""Participant profiles: the shell from the account events, what the person
fills in, erasure, export, and the proposals they could help with."""
import uuid

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql as pg

from samskab.contracts.matching import Profile
from samskab.errors import Forbidden, Invalid
from samskab.values import field_errors, now, parse_id

from .. import scoring
from ..storage import matches, profiles, proposals
from ..views import MATCHABLE, blank_profile, export_out, profile_domain, profile_out, proposal_domain
from .proposals import rematch

CANDIDATE_POOL = 300


def scoped_terms(p):
    """The municipality-scoped terms a profile is found by (none unless it opted in)."""
    if not p.suggest_me:
        return []
    return scoring.scoped([p.municipality] + list(p.neighbour_municipalities), scoring.profile_terms(p))


def _row(uow, pid):
    return uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()


def _reindex(uow, pid):
    row = _row(uow, pid)
    if row is not None:
        uow.execute(profiles.update().where(profiles.c.participant_id == pid).values(
            scoped_terms=scoped_terms(profile_domain(row))))


def me(actor):
    if not actor or not actor.get("id"):
        raise Forbidden("sign in to have a profile")
    return parse_id(actor["id"], "participant")


def account_changed(uow, data, top=10):
    """A person joined or their account changed: the profile's shell, and the proposals
    they now fit (they are told when they are new on a list)."""
    if data["role"] == "operator":
        return
    pid = uuid.UUID(data["id"])
    stmt = pg.insert(profiles).values(participant_id=pid, municipality=data["municipality"], role=data["role"],
                                      updated_at=now())
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[profiles.c.participant_id],
        set_={"municipality": stmt.excluded.municipality, "role": stmt.excluded.role}))
    _reindex(uow, pid)
    rematch(uow, pid, top)


def erase(uow, participant_id):
    """The person vanishes from every result: profile, matches, initiator link."""
    pid = uuid.UUID(str(participant_id))
    uow.execute(profiles.delete().where(profiles.c.participant_id == pid))
    uow.execute(matches.delete().where(matches.c.participant_id == pid))
    uow.execute(proposals.update().where(proposals.c.initiator_id == pid).values(initiator_id=None))


def export(uow, participant_id):
    """What matching holds about a person: the profile and the matches made for them."""
    pid = uuid.UUID(str(participant_id))
    profile = _row(uow, pid)
    rows = uow.execute(
        sa.select(matches, proposals.c.title)
        .join(proposals, proposals.c.id == matches.c.proposal_id, isouter=True)
        .where(matches.c.participant_id == pid).order_by(matches.c.computed_at)).all()
    return export_out(profile, rows)


def get(uow, actor):
    row = _row(uow, me(actor))
    return blank_profile(actor) if row is None else profile_out(row)


def put(uow, actor, payload, known_municipalities, top=10):
    pid = me(actor)
    try:
        body = Profile.model_validate(payload)
    except ValidationError as exc:
        raise Invalid("the profile is not valid", field_errors(exc))
    municipality = actor["municipality"]
    neighbours = sorted(set(body.neighbour_municipalities) - {municipality})
    unknown = [m for m in neighbours if m not in known_municipalities]
    if unknown:
        raise Invalid("the profile is not valid", [
            {"field": "neighbour_municipalities", "message": f"unknown municipality: {m}"} for m in unknown])
    values = body.model_dump(exclude={"neighbour_municipalities"})
    values["neighbour_municipalities"] = neighbours
    for key in ("skills", "interests", "areas", "resources"):
        values[key] = list(dict.fromkeys(values[key]))  # keep order, drop repeats
    stmt = pg.insert(profiles).values(
        participant_id=pid, municipality=municipality, role=actor["role"], updated_at=now(), **values)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[profiles.c.participant_id],
        set_={**{k: getattr(stmt.excluded, k) for k in values}, "updated_at": stmt.excluded.updated_at}))
    _reindex(uow, pid)
    if not body.suggest_me:
        # Opting out takes effect on lists already made, too.
        uow.execute(matches.delete().where(matches.c.participant_id == pid))
    else:
        # Skills that fit a proposal published before the person came: they are put on
        # its list now (and told), not at its next change.
        rematch(uow, pid, top)
    return profile_out(_row(uow, pid))


def recommendations(uow, actor, limit=10):
    prow = _row(uow, me(actor))
    if prow is None:
        return {"recommendations": []}
    mine = profile_domain(prow)
    terms = scoring.scoped([mine.municipality] + mine.neighbour_municipalities, scoring.profile_terms(mine))
    if not terms:
        return {"recommendations": []}
    rows = uow.execute(
        sa.select(proposals)
        .where(proposals.c.match_terms.overlap(sa.cast(terms, pg.ARRAY(sa.Text))), proposals.c.status.in_(MATCHABLE))
        .order_by(proposals.c.created_at.desc()).limit(CANDIDATE_POOL)).all()
    by_id = {str(r.id): r for r in rows}
    found = scoring.recommend(mine, [proposal_domain(r) for r in rows], top=max(1, min(int(limit), 50)))
    return {"recommendations": [
        {"proposal_id": proposal_id, "municipality": by_id[proposal_id].municipality,
         "title": by_id[proposal_id].title, "score": score, "reasons": reasons}
        for score, proposal_id, reasons, _ in found]}
