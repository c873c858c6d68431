"""Matching's copy of proposals, kept from the proposal events, and the
people who could help with one (matches, stakeholder map)."""
import uuid
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab import events
from samskab.contracts.matching import MatchesSuggested, SimilarFound
from samskab.errors import NotFound
from samskab.values import now, parse_id

from .. import scoring, similar, stakeholders
from ..storage import (
    ALL, candidate_batches, count_terms, matches, profiles, profiles_by_number, proposal_row, save_proposal,
    save_same_text, set_proposal,
)
from ..storage import proposals as proposal_table
from ..views import MATCHABLE, matches_out, profile_domain, proposal_domain
from . import similar_lists

CANDIDATE_POOL = 300


def _record(event_type, data, served):
    """``(id, record)``: the row to keep of a proposal event; from a municipality this
    group does not serve, only what its public projection says (no description, no
    initiator)."""
    if not served(data["municipality"]):
        data = events.get_type(event_type).project(data) or {}
        public_only = True
    else:
        public_only = False
    pid = uuid.UUID(str(data["id"]))
    feats = similar.proposal_features(data)
    domain = scoring.Proposal(id=str(pid), municipality=data["municipality"], needs=data.get("needs") or [],
                              topics=data.get("topics") or [], area=data.get("area"))
    initiator = data.get("initiator_id")
    return pid, {
        "municipality": data["municipality"], "kind": data["kind"], "title": data["title"],
        "problem": data["problem"], "goal": data["goal"], "description": data.get("description") or "",
        "area": data.get("area"), "topics": data.get("topics") or [], "needs": data.get("needs") or [],
        "language": data["language"], "status": data["status"], "outcome": data.get("outcome"),
        "initiator_id": uuid.UUID(str(initiator)) if initiator else None,
        "created_at": data.get("created_at") or now(), "features": dict(feats), "sim_terms": sorted(feats),
        "match_terms": [] if public_only else scoring.scoped([data["municipality"]], scoring.proposal_terms(domain)),
        "public_only": public_only,
    }


def store(uow, pid, record):
    """Keep a proposal's copy: ``(row, text_changed)``.

    A change of the text changes similar lists, which are made one proposal at a
    time (the lock is held to the commit): two arriving together would not see
    each other, and a pair of similar proposals would be missing from both lists.
    A change that leaves the text as it is (a publication, a status change, the
    submission of a text its publication brought first) waits for no other proposal."""
    row = save_same_text(uow, pid, record)
    if row is not None:
        return row, False
    similar_lists.one_at_a_time(uow)
    row, old = save_proposal(uow, pid, record)
    new = set(record["sim_terms"])
    if old != new:
        count_terms(uow, (record["municipality"], ALL), old or set(), new)
    return row, old != new


def submitted(uow, event, served, top_n):
    row, text_changed = store(uow, *_record(event["type"], event["data"], served))
    if text_changed:
        found = similar_lists.refresh(uow, row, top_n, served)
    else:
        # Its lists were made when this text came first (its publication can overtake the
        # submission: they come by two queues); the list as it stands now is the news.
        found = similar_lists.stored(uow, row, top_n) if served(row.municipality) else []
    if found and served(row.municipality):  # "nothing similar" is no news for anyone
        uow.emit(SimilarFound.event_type, municipality=row.municipality, subject=f"proposals/{row.id}",
                 data={"proposal_id": str(row.id), "municipality": row.municipality,
                       "similar": [{"id": doc_id, "score": score} for doc_id, score in found]})


def changed(uow, event, served, similar_top_n, top_n):
    """Published, updated or moved on: the copy, its similar pairs when its text
    changed, and (in a municipality served here) its matches, ranked before the copy
    is written (ranking reads only profiles), so that a proposal whose text is new
    here holds the lock on similar lists for no longer than the lists take."""
    pid, record = _record(event["type"], event["data"], served)
    suggesting = (served(record["municipality"]) and record["status"] in MATCHABLE
                  and event["type"] != "samskab.proposal.status_changed")
    found = rank(uow, SimpleNamespace(id=pid, **record), top_n) if suggesting else None
    row, text_changed = store(uow, pid, record)
    if text_changed:
        similar_lists.refresh(uow, row, similar_top_n, served)
    if suggesting:
        suggest(uow, row, top_n, found)


def hidden(uow, data):
    if data.get("target_type") == "proposal":
        set_proposal(uow, parse_id(data["target_id"], "proposal"), hidden=True)


def suggest(uow, row, top, found=None):
    """Store the proposal's list of people who could help and say so; those not on the
    list before are named as newly matched (notifications tells only them)."""
    found = rank(uow, row, top) if found is None else found
    at = now()
    before = {str(r.participant_id) for r in uow.execute(
        sa.select(matches.c.participant_id).where(matches.c.proposal_id == row.id))}
    uow.execute(matches.delete().where(matches.c.proposal_id == row.id))
    if found:
        uow.execute(matches.insert(), [
            {"proposal_id": row.id, "participant_id": uuid.UUID(m.participant_id),
             "municipality": row.municipality, "rank": i, "score": m.score, "kind": m.kind,
             "participant_municipality": m.municipality, "reasons": m.reasons, "computed_at": at}
            for i, m in enumerate(found, start=1)])
    by_kind = {}
    for m in found:
        by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
    needs_met = {n for m in found for n in m.needs_met}
    uow.emit(MatchesSuggested.event_type, municipality=row.municipality, subject=f"proposals/{row.id}",
             data={"proposal_id": str(row.id), "municipality": row.municipality, "total": len(found),
                   "by_kind": [{"kind": k, "count": c} for k, c in sorted(by_kind.items())],
                   "needs_met": len(needs_met), "needs_total": len(row.needs),
                   "participants": [{"participant_id": m.participant_id, "kind": m.kind, "score": m.score,
                                     "municipality": m.municipality} for m in found],
                   "newly_matched": [m.participant_id for m in found if m.participant_id not in before]})


REMATCH_PROPOSALS = 20


def rematch(uow, participant_id, top):
    """A person joined or changed their profile: the proposals they may now help with
    (their terms, newest first, at most ``REMATCH_PROPOSALS``) are ranked again, and
    where they are now on the list it is stored and announced (they are told).

    Ranking a proposal again reads and fits its candidates; it is done only where the
    person could be on the list: where they fit at all, and where the list as stored
    (the others' scores as the list was made) with them added would take them
    (:func:`could_enter`); the ranking then decides, as before."""
    pid = uuid.UUID(str(participant_id))
    person = uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
    if person is None or not person.suggest_me or not person.scoped_terms:
        return 0
    listed = {r.proposal_id for r in uow.execute(sa.select(matches.c.proposal_id).where(matches.c.participant_id == pid))}
    rows = uow.execute(
        sa.select(proposal_table)
        .where(proposal_table.c.match_terms.overlap(sa.cast(list(person.scoped_terms), pg.ARRAY(sa.Text))),
               proposal_table.c.status.in_(MATCHABLE), proposal_table.c.public_only.is_(False),
               proposal_table.c.hidden.is_(False))
        .order_by(proposal_table.c.created_at.desc()).limit(REMATCH_PROPOSALS)).all()
    rows = [row for row in rows if row.id not in listed]  # already on its list: nothing new to tell
    me = profile_domain(person)
    lists = _stored_lists(uow, [row.id for row in rows])
    told = 0
    for row in rows:
        if not could_enter(proposal_domain(row), me, lists.get(row.id, []), top):
            continue
        found = rank(uow, row, top)
        if any(m.participant_id == str(pid) for m in found):
            suggest(uow, row, top, found)
            told += 1
    return told


def _stored_lists(uow, proposal_ids):
    """``{proposal id: [(score, participant id, kind)]}`` of the lists as stored."""
    lists = {}
    if proposal_ids:
        for r in uow.execute(sa.select(matches.c.proposal_id, matches.c.participant_id, matches.c.kind,
                                       matches.c.score).where(matches.c.proposal_id.in_(proposal_ids))):
            lists.setdefault(r.proposal_id, []).append((r.score, str(r.participant_id), r.kind))
    return lists


def could_enter(proposal, person, stored, top):
    """Whether ``person`` would be on ``proposal``'s list of ``top`` if the others were
    those of the stored list, with their scores: the list is drawn greedily
    (``scoring.diversify``), each pick the best of the rest, so as long as the person is
    not picked the picks are the stored list's in its order, and the person is picked at
    the step where they beat the rest, or never."""
    if not scoring.eligible(person, proposal):
        return False
    score = scoring.fit(proposal, person)[0]
    if score < scoring.MIN_SCORE:
        return False
    if len(stored) < top:
        return True
    me = (score, person.participant_id, person.kind, person)
    return any(item[3] is person for item in scoring.diversify(
        [(s, p, k, None) for s, p, k in stored] + [me], top))


def _profiles(uow):
    return lambda numbers: [profile_domain(r) for r in profiles_by_number(uow, numbers)]


def rank(uow, row, top=10):
    """The same list as ``scoring.rank`` over every profile, reading only the few that can matter."""
    proposal = proposal_domain(row)
    batches = candidate_batches(uow, row.municipality, scoring.score_bound(proposal))
    try:
        return scoring.rank_bounded(proposal, batches, _profiles(uow), top)
    finally:
        batches.close()


def candidates(uow, row, limit=CANDIDATE_POOL):
    """Up to ``limit`` profiles that may fit, the best bounds of each kind first (for the stakeholder map)."""
    batches = candidate_batches(uow, row.municipality, scoring.score_bound(proposal_domain(row)), first=limit)
    try:
        return _profiles(uow)([b[0] for b in next(batches, [])])
    finally:
        batches.close()


def own_proposal(uow, municipality, proposal_id):
    row = proposal_row(uow, parse_id(proposal_id, "proposal"), municipality)
    if row is None or row.public_only:
        raise NotFound("no such proposal here (or it is not yet known to matching)")
    return row


def stored_matches(uow, municipality, proposal_id):
    """The stored matches; people who since opted out or were erased are gone."""
    row = own_proposal(uow, municipality, proposal_id)
    rows = uow.execute(
        sa.select(matches).join(profiles, profiles.c.participant_id == matches.c.participant_id)
        .where(matches.c.proposal_id == row.id, profiles.c.suggest_me.is_(True))
        .order_by(matches.c.rank)).all()
    return matches_out(row.id, rows)


def stakeholder_map(uow, municipality, proposal_id):
    row = own_proposal(uow, municipality, proposal_id)
    people = candidates(uow, row)
    # Deciders are placed even when they share no term: deciding is their role.
    deciders = uow.execute(sa.select(profiles).where(
        profiles.c.municipality == municipality, profiles.c.suggest_me.is_(True),
        sa.func.coalesce(profiles.c.kind, profiles.c.role).in_(stakeholders.DECIDERS)).limit(200)).all()
    result = stakeholders.stakeholder_map(proposal_domain(row), people + [profile_domain(r) for r in deciders])
    return {"proposal_id": str(row.id), **result}
