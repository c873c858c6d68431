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
    ALL, documents_in, duplicate_rows, frequencies, mark_duplicate, proposal_row, replace_pairs,
    similar_candidates, similar_rows, titles,
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
    scope = ALL if across else municipality
    feats = similar.view(feats, across)
    n = documents_in(uow, scope)
    df = frequencies(uow, scope, set(feats))
    rare = similar.selective(feats, df, n, across)
    if not rare:
        return []
    rows = similar_candidates(uow, municipality, rare, across=across, exclude=exclude, limit=CANDIDATE_POOL)
    docs = {str(r.id): similar.view(r.features, across) for r in rows}
    df.update(frequencies(uow, scope, {f for feats_ in docs.values() for f in feats_} - set(df)))
    return similar.most_similar(feats, docs, df, n, k, across=across)


def refresh(uow, row, k, served):
    """Recompute ``row``'s pairs (in its municipality when served, and across
    municipalities when public); returns the same-municipality list."""
    feats = dict(row.features)
    local = elsewhere = None
    if served(row.municipality):
        local = find(uow, row.municipality, feats, k, exclude=row.id)
    if row.status not in ("withdrawn", "rejected") and not row.hidden:
        elsewhere = find(uow, row.municipality, feats, k, exclude=row.id, across=True)
    replace_pairs(uow, row.id, row.municipality, local, elsewhere)
    return local or []


def stored(uow, row, k):
    """``[(id, score)]``: ``row``'s stored pairs in its municipality as :func:`find` gives
    them: the ``k`` best still listed, none far below the best (``similar.RELATIVE``)."""
    best = [(str(other.id), score) for other, score in similar_rows(uow, row, False, k)]
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
