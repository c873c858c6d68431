"""Who could help with a proposal: fit, the reasons for it, and a diverse list.

A participant fits a proposal when a skill or resource meets one of its
needs, when they live or work in its area, and when they share its topics.
Every point of the score comes with a reason a person can read.  The list
is re-ranked for diversity so ten residents do not crowd out the business
and the association that also fit.

Candidates come from an inverted index over terms (``s:`` skill/resource
stems, ``t:`` topic stems, ``a:`` areas), never from a scan of everyone; the
service keeps the same terms in a PostgreSQL GIN index.  Pure: no I/O.
"""
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from samskab.vocabulary import Role, values

from . import text

NEED_WEIGHT = 3.0
AREA_WEIGHT = 2.0
TOPIC_WEIGHT = 1.0
MAX_TOPICS = 3
LANGUAGE_BONUS = 0.25
NEIGHBOUR_PENALTY = 0.5
MIN_SCORE = 2.0        # one need met, or the area and a topic
DIVERSITY = 0.7        # each earlier pick of the same kind multiplies the score by this
KINDS = values(Role)


@dataclass(slots=True)
class Profile:
    participant_id: str
    municipality: str
    kind: str = "resident"
    skills: list = field(default_factory=list)
    interests: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    availability: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    suggest_me: bool = False
    neighbour_municipalities: list = field(default_factory=list)


@dataclass
class Proposal:
    id: str
    municipality: str
    title: str = ""
    needs: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    area: str | None = None
    language: str = "da"
    initiator_id: str | None = None
    status: str = "published"


@dataclass
class Match:
    participant_id: str
    kind: str
    municipality: str
    score: float
    reasons: list
    needs_met: list


def scoped(scopes, terms):
    """Terms prefixed by each municipality they count in (``aalborg|s:cykel``), sorted."""
    return sorted(f"{scope}|{term}" for scope in scopes for term in terms)


@lru_cache(maxsize=100_000)
def _tag(tag):
    """Per-language stem sets of a short tag."""
    return {lang: frozenset(text.stem(w, lang) for w in text.words(tag, lang)) for lang in ("da", "nb", "en")}


def _overlap(need, offer):
    """How much of ``need`` the ``offer`` covers, under the best-fitting stemmer."""
    a, b = _tag(need), _tag(offer)
    best = 0.0
    for lang in a:
        if a[lang]:
            best = max(best, len(a[lang] & b[lang]) / len(a[lang]))
    return best


def _places(names):
    return {text.normal_place(n) for n in names if n and text.normal_place(n)}


@lru_cache(maxsize=100_000)
def _terms(prefix, tag):
    if prefix == "a:":
        place = text.normal_place(tag)
        return frozenset(["a:" + place] if place else [])
    return frozenset(prefix + s for s in text.tag_stems(tag))


def profile_terms(p):
    terms = set()
    for tag in list(p.skills) + list(p.resources):
        terms |= _terms("s:", tag)
    for tag in p.interests:
        terms |= _terms("t:", tag)
    for area in p.areas:
        terms |= _terms("a:", area)
    return terms


def proposal_terms(pr):
    terms = set()
    for need in pr.needs:
        terms |= _terms("s:", need)
    for topic in pr.topics:
        terms |= _terms("t:", topic)
    if pr.area:
        terms |= _terms("a:", pr.area)
    return terms


@dataclass(frozen=True)
class ScoreBound:
    """An upper bound on :func:`fit` from the proposal's terms a profile has.

    ``terms`` are the proposal's distinct terms; a profile is summed up by a
    bit mask over them (bit ``i`` set when it has ``terms[i]``).  A need can be
    met fully only when, under one stemmer, every stem of the need is among
    the profile's terms (one offer must cover them all), partly only when one
    of them is; a topic is shared only when all its stems are.  So the bound
    never undercuts the score, and it is tight where it matters: a common
    word shared with a need is worth 1.5, not 3.
    """
    terms: tuple
    needs: tuple       # per need: (mask of any of its stems, masks that meet it fully)
    area: int          # mask of the area's term, 0 without one
    topics: tuple      # per topic: masks that share it

    def of(self, mask, neighbour=False):
        """The bound for a profile with term ``mask`` (``neighbour``: from another municipality)."""
        core = 0.0
        for any_of, full in self.needs:
            if any(mask & f == f for f in full):
                core += NEED_WEIGHT
            elif mask & any_of:
                core += NEED_WEIGHT * 0.5
        if self.area and mask & self.area:
            core += AREA_WEIGHT
        core += TOPIC_WEIGHT * min(MAX_TOPICS, sum(1 for full in self.topics if any(mask & f == f for f in full)))
        if not core:
            return 0.0
        return core + LANGUAGE_BONUS - (NEIGHBOUR_PENALTY if neighbour else 0.0)

    def mask(self, terms):
        """The mask of a set of (unscoped) profile terms."""
        return sum(1 << i for i, t in enumerate(self.terms) if t in terms)


def score_bound(proposal):
    """The :class:`ScoreBound` of ``proposal``; ``terms`` empty when nothing could fit."""
    bit = {}

    def mask(prefix, stems):
        m = 0
        for s in stems:
            m |= 1 << bit.setdefault(prefix + s, len(bit))
        return m

    def per_language(prefix, tag):
        # the stemmers _overlap compares under; a language without stems never matches
        return tuple(dict.fromkeys(mask(prefix, sorted(stems)) for stems in _tag(tag).values() if stems))

    needs = []
    for need in proposal.needs:
        full = per_language("s:", need)
        if full:
            any_of = 0
            for f in full:
                any_of |= f
            needs.append((any_of, full))
    place = text.normal_place(proposal.area) if proposal.area else ""
    area = mask("a:", [place]) if place else 0
    topics = tuple(full for full in (per_language("t:", t) for t in proposal.topics) if full)
    return ScoreBound(tuple(bit), tuple(needs), area, topics)


def rank_bounded(proposal, batches, load, top=10):
    """Exactly :func:`rank` over everyone, while fitting only the few who can matter.

    ``batches`` yields lists of ``(key, kind, bound, rank, of_kind)``: every
    candidate of the proposal's municipality with a :class:`ScoreBound` of at
    least ``MIN_SCORE``, each kind in decreasing bound (``rank`` within its
    kind, ``of_kind`` how many it has), the kinds interleaved by rank.
    ``load(keys)`` returns their profiles.  The diversified list only ever takes
    the best ``top`` of a kind, so a candidate whose bound is below its kind's
    ``top``-th score is skipped unread.  After each batch the list is drawn
    again with, for each kind not yet exhausted, a stand-in that scores its
    kind's last bound and wins every tie; when no stand-in is picked, no
    unread candidate could change the list, and reading stops.
    """
    best = defaultdict(list)      # kind -> (score, id, kind, Match), best first, at most ``top``
    seen, low, total = defaultdict(int), {}, {}

    def items():
        return [item for kind_items in best.values() for item in kind_items]

    def settled():
        stand_ins = [(low[k], "", k, None) for k in low if seen[k] < total[k] and low[k] >= MIN_SCORE]
        return all(item[3] is not None for item in diversify(items() + stand_ins, top))

    for batch in batches:
        wanted = []
        for key, kind, bound, _, of_kind in batch:
            seen[kind] += 1
            low[kind], total[kind] = bound, of_kind
            kept = best[kind]
            if bound >= MIN_SCORE and (len(kept) < top or bound >= kept[-1][0]):
                wanted.append(key)
        for p in load(wanted):
            if not eligible(p, proposal):
                continue
            score, reasons, met = fit(proposal, p)
            if score >= MIN_SCORE:
                kept = best[p.kind]
                kept.append((score, p.participant_id, p.kind,
                             Match(p.participant_id, p.kind, p.municipality, score, reasons, met)))
                kept.sort(key=lambda x: (-x[0], x[1]))
                del kept[top:]
        # Until a second rank arrives, a kind may not have shown itself yet.
        if batch and batch[-1][3] >= 2 and settled():
            break
    return [item[3] for item in diversify(items(), top)]


def eligible(p, proposal):
    """Opted in, and of the proposal's municipality or opted in to it as a neighbour."""
    if not p.suggest_me or p.participant_id == proposal.initiator_id:
        return False
    return p.municipality == proposal.municipality or proposal.municipality in (p.neighbour_municipalities or ())


def fit(proposal, p):
    """``(score, reasons, needs met)`` of one participant for one proposal."""
    score, reasons, met = 0.0, [], []
    for need in proposal.needs:
        best, by, value = 0.0, None, None
        for source, offers in (("skill", p.skills), ("resource", p.resources)):
            for offer in offers:
                s = _overlap(need, offer)
                if s > best:
                    best, by, value = s, source, offer
        if best >= 0.99:
            strength = 1.0
        elif best >= 0.5:
            strength = 0.5
        else:
            continue
        score += NEED_WEIGHT * strength
        met.append(need)
        reasons.append({"type": "need", "need": need, "by": by, "value": value,
                        "strength": "full" if strength == 1.0 else "partial"})
    if proposal.area and text.normal_place(proposal.area) in _places(p.areas):
        score += AREA_WEIGHT
        reasons.append({"type": "area", "value": proposal.area})
    shared = [t for t in proposal.topics if any(_overlap(t, i) >= 0.99 for i in p.interests)]
    if shared:
        score += TOPIC_WEIGHT * min(len(shared), MAX_TOPICS)
        reasons.append({"type": "interests", "value": shared})
    if score and proposal.language in (p.languages or ()):
        score += LANGUAGE_BONUS
        reasons.append({"type": "language", "value": proposal.language})
    if score and p.municipality != proposal.municipality:
        score -= NEIGHBOUR_PENALTY
        reasons.append({"type": "neighbour", "value": p.municipality})
    return round(score, 4), reasons, met


def diversify(scored, top, decay=DIVERSITY):
    """Pick ``top`` from ``(score, key, kind, payload)`` tuples, discounting each
    kind by ``decay`` per earlier pick of it, so a list of one kind only happens
    when no other kind fits nearly as well."""
    by_kind = defaultdict(list)
    for item in sorted(scored, key=lambda x: (-x[0], x[1])):
        by_kind[item[2]].append(item)
    taken = defaultdict(int)
    out = []
    while len(out) < top and any(by_kind.values()):
        best_kind = max(
            (k for k, items in by_kind.items() if items),
            key=lambda k: (by_kind[k][0][0] * decay ** taken[k], -ord(k[0]), k),
        )
        out.append(by_kind[best_kind].pop(0))
        taken[best_kind] += 1
    return out


def rank(proposal, profiles, top=10):
    """The top participants for ``proposal`` among ``profiles`` (already candidates)."""
    scored = []
    for p in profiles:
        if not eligible(p, proposal):
            continue
        score, reasons, met = fit(proposal, p)
        if score >= MIN_SCORE:
            scored.append((score, p.participant_id, p.kind,
                           Match(p.participant_id, p.kind, p.municipality, score, reasons, met)))
    return [item[3] for item in diversify(scored, top)]


def recommend(profile, proposals, top=10):
    """Proposals a participant could help with, best first (the reverse of :func:`rank`)."""
    scored = []
    for pr in proposals:
        if pr.status != "published" or not eligible_for_recommendation(profile, pr):
            continue
        score, reasons, met = fit(pr, profile)
        if score >= MIN_SCORE:
            scored.append((score, pr.id, reasons, met))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:top]


def eligible_for_recommendation(profile, proposal):
    # Recommendations are for the person themself: no opt-in needed to see them.
    if profile.participant_id == proposal.initiator_id:
        return False
    return proposal.municipality == profile.municipality or proposal.municipality in (
        profile.neighbour_municipalities or ())


class ProfileIndex:
    """An in-memory inverted index from (municipality, term) to profiles, for
    candidate retrieval without a scan.

    Postings are compact integer arrays; a changed or erased profile gets a
    tombstone and, when changed, a new slot.  Candidates are the profiles
    sharing weighted terms with the proposal; only the best ``pool`` of them
    by that weight are fitted in full.
    """

    def __init__(self):
        self.slots = []            # slot -> Profile (None when dead)
        self.slot_of = {}          # participant id -> live slot
        self.postings = defaultdict(lambda: array("I"))

    def __len__(self):
        return len(self.slot_of)

    def add(self, p):
        self.remove(p.participant_id)
        if not p.suggest_me:
            return
        slot = len(self.slots)
        self.slots.append(p)
        self.slot_of[p.participant_id] = slot
        terms = profile_terms(p)
        for scope in [p.municipality] + list(p.neighbour_municipalities or ()):
            for term in terms:
                self.postings[(scope, term)].append(slot)

    def remove(self, participant_id):
        slot = self.slot_of.pop(participant_id, None)
        if slot is not None:
            self.slots[slot] = None

    def candidates(self, proposal, pool=500):
        lists, weights = [], []
        for term in proposal_terms(proposal):
            posting = self.postings.get((proposal.municipality, term))
            if posting:
                lists.append(np.frombuffer(posting, dtype=np.uint32))
                weights.append({"s": NEED_WEIGHT, "a": AREA_WEIGHT, "t": TOPIC_WEIGHT}[term[0]])
        if not lists:
            return []
        ids = np.concatenate(lists)
        w = np.repeat(np.array(weights), [len(x) for x in lists])
        slots, inverse = np.unique(ids, return_inverse=True)
        totals = np.bincount(inverse, weights=w)
        if len(slots) > pool:
            keep = np.argpartition(-totals, pool)[:pool]
            slots = slots[keep]
        return [p for p in (self.slots[int(s)] for s in slots) if p is not None]

    def top(self, proposal, k=10, pool=500):
        return rank(proposal, self.candidates(proposal, pool), k)
