"""Similar proposals: found with the full document frequencies of the scope
(one municipality, or every municipality's public proposals), stored as
symmetric pairs so the older proposal's list shows the newcomer, read with
what was withdrawn, rejected or hidden left out and staff's duplicates first."""
import uuid

import sqlalchemy as sa

from samskab.errors import Forbidden, Invalid, NotFound
from samskab.values import parse_id

from .. import similar
from ..storage import (
    ALL, duplicate_rows, frequencies_in, mark_duplicate, proposal_row, replace_pairs, similar_candidates_in,
    similar_rows, titles,
)
from ..views import similar_item

CANDIDATE_POOL = 300
LOCK = 0x6D61746368   # the advisory lock that lets one proposal's lists be made at a time


def one_at_a_time(uow):
    uow.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
LANGUAGES = ("da", "nb", "nn", "en")


def find(uow, municipality, feats, k=5, exclude=None, across=False):
    """``[(id, score)]``: the ``k`` proposals most like ``feats``, scored exactly as
    :func:`similar.most_similar` scores them in memory: TF-IDF with the document
    frequencies of every term of the query and of each candidate."""
    return find_in(uow, municipality, feats, k, exclude, (across,))[across]


def find_in(uow, municipality, feats, k=5, exclude=None, scopes=(False, True)):
    """:func:`find` within the municipality (``False``) and across municipalities
    (``True``), each of ``scopes``, in three round trips whatever their number (a new
    proposal's lists are made holding the lock: each round trip is paid by every
    proposal waiting for it)."""
    scope_of = {across: ALL if across else municipality for across in scopes}
    views = {across: similar.view(feats, across) for across in scopes}
    counted = frequencies_in(uow, [(scope_of[a], set(views[a])) for a in scopes], documents=True)
    n = {a: counted[scope_of[a]][0] for a in scopes}
    df = {a: dict(counted[scope_of[a]][1]) for a in scopes}
    rare = {a: similar.selective(views[a], df[a], n[a], a) for a in scopes}
    found = {a: [] for a in scopes}
    searched = [a for a in scopes if rare[a]]
    if not searched:
        return found
    rows = similar_candidates_in(uow, municipality, [(a, rare[a]) for a in searched], exclude=exclude,
                                 limit=CANDIDATE_POOL)
    docs = {a: {str(r.id): similar.view(r.features, a) for r in rows[a]} for a in searched}
    rest = frequencies_in(uow, [(scope_of[a], {f for feats_ in docs[a].values() for f in feats_} - set(df[a]))
                                for a in searched])
    for a in searched:
        df[a].update(rest[scope_of[a]][1])
        found[a] = similar.most_similar(views[a], docs[a], df[a], n[a], k, across=a)
    return found


def refresh(uow, row, k, served):
    """Recompute ``row``'s pairs (in its municipality when served, and across
    municipalities when public); returns the same-municipality list."""
    scopes = ((False,) if served(row.municipality) else ()) + (
        (True,) if row.status not in ("withdrawn", "rejected") and not row.hidden else ())
    found = find_in(uow, row.municipality, dict(row.features), k, exclude=row.id, scopes=scopes) if scopes else {}
    replace_pairs(uow, row.id, row.municipality, found.get(False), found.get(True))
    return found.get(False) or []


def stored(uow, row, k):
    """``[(id, score)]``: ``row``'s stored pairs in its municipality as :func:`find` gives
    them: the ``k`` best still listed, none far below the best (``similar.RELATIVE``)."""
    best = [(str(other.id), score) for other, score in similar_rows(uow, row, False, k)]
    if not best:
        return []  # nothing like it was found when its text came first
    return [(doc_id, score) for doc_id, score in best if score >= best[0][1] * similar.RELATIVE]


def similar_list(uow, municipality, proposal_id, k, across=False):
    row = proposal_row(uow, parse_id(proposal_id, "proposal"), municipality)
    if row is None:
        raise NotFound("no such proposal here (or it is not yet known to matching)")
    items, seen = [], set()
    if not across:
        for dup in duplicate_rows(uow, row):
            items.append(similar_item(dup, 1.0, duplicate=True))
            seen.add(dup.id)
    for other, score in similar_rows(uow, row, across, k + len(seen)):
        if other.id not in seen and len(items) < max(k, len(seen)):
            items.append(similar_item(other, score))
    result = {"proposal_id": str(row.id), "similar": items}
    if across:
        result["across"] = True
    return result


def similar_to_draft(uow, municipality, draft, k=5, across=False):
    text = {key: str(draft.get(key) or "")[:20000] for key in ("title", "problem", "goal", "description")}
    text["language"] = draft.get("language") if draft.get("language") in LANGUAGES else "da"
    found = find(uow, municipality, similar.proposal_features(text), max(1, min(int(k), 20)), across=across)
    rows = titles(uow, [uuid.UUID(doc_id) for doc_id, _ in found])
    out = []
    for doc_id, score in found:
        row = rows.get(uuid.UUID(doc_id))
        if across:
            out.append(similar_item(row, score))
        else:
            out.append({"id": doc_id, "score": score, "title": row.title if row else None})
    return out


def mark(uow, municipality, actor, proposal_id, of, k, now):
    if not actor or not actor.get("staff") or actor.get("municipality") != municipality:
        raise Forbidden("only the municipality's staff may mark duplicates")
    row = proposal_row(uow, parse_id(proposal_id, "proposal"), municipality)
    original = proposal_row(uow, parse_id(of, "proposal"), municipality)
    if row is None or original is None:
        raise NotFound("no such proposal here (or it is not yet known to matching)")
    if row.id == original.id:
        raise Invalid("a proposal cannot duplicate itself", [{"field": "of", "message": "another proposal's id"}])
    mark_duplicate(uow, row.id, original.id, municipality, parse_id(actor["id"], "participant"), now)
    return similar_list(uow, municipality, proposal_id, k)
