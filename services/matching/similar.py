"""Does a new proposal look like one the municipality already has?

A proposal becomes a bag of features: the stems of its words in its own
language (the title counts twice) and character 3-grams of the longer stems,
which link compounds such as "cykelsti" and "skolecykelvej" or "gatelys" and
"lys i gata".  Two proposals are compared by the cosine of their TF-IDF
vectors, one for stems and one for n-grams, so words the whole municipality
uses ("kommune", "borgere") count for little and rare ones for much.

:class:`SimilarIndex` keeps postings per municipality and feature, so a
lookup scores only proposals sharing a rare enough feature with the query,
never the whole collection.  Pure: no I/O.
"""
import heapq
import math
from array import array
from collections import Counter, defaultdict

import numpy as np

from . import text

TITLE_WEIGHT = 2
GRAM = 3
GRAM_MIN_STEM = 4           # shorter stems are whole words already
STEM_SHARE = 0.65           # weight of the stem cosine; the rest is the n-gram cosine
THRESHOLD = 0.15            # below this, two proposals are not "the same idea"
RELATIVE = 0.75             # and not when far below the best match found
COMMON_FRACTION = 0.05      # features in more than this share of documents do not select candidates…
MIN_SELECTIVE = 4           # …unless the query has fewer rare ones: then its rarest few do
POSTINGS_BUDGET = 60_000    # at most this many postings are read per lookup


BRIDGE = True              # across municipalities: features in the shared spelling (text.bridge)
LEXICON = True             # … with the small shared lexicon
LOCAL, ACROSS = ("s", "g"), ("x", "y")   # (stem, 3-gram) prefixes each search uses


def features(title, body="", language="da"):
    """Feature → count, two bags in one: ``s:<stem>`` and ``g:<3-gram>`` of the
    stems in the proposal's own language (search within a municipality), and
    ``x:<stem>`` and ``y:<3-gram>`` in the spelling shared by da/nb/nn (search
    across municipalities and languages; English keeps its own stems)."""
    feats = Counter()
    for weight, part in ((TITLE_WEIGHT, title), (1, body)):
        own = text.stems(part or "", language)
        shared = text.bridged_stems(part or "", language, LEXICON) if BRIDGE else own
        for prefixes, stems in ((LOCAL, own), (ACROSS, shared)):
            for s in stems:
                feats[prefixes[0] + ":" + s] += weight
                if len(s) >= GRAM_MIN_STEM:
                    for g in text.ngrams(s, GRAM):
                        feats[prefixes[1] + ":" + g] += weight
    return feats


def view(feats, across=False):
    """The part of a feature bag one search uses."""
    prefixes = ACROSS if across else LOCAL
    return {f: c for f, c in feats.items() if f[0] in prefixes}


def proposal_features(p):
    """Features of a proposal dict (title, problem, goal, description, language)."""
    body = " ".join(p.get(k) or "" for k in ("problem", "goal", "description"))
    return features(p.get("title", ""), body, p.get("language") or "da")


def idf(df, n):
    return math.log((n + 1) / (df + 1)) + 1.0


def _vector(feats, df, n):
    """Two unit TF-IDF vectors (stems, grams) as dicts."""
    vecs = ({}, {})
    for f, tf in feats.items():
        part = 1 if f[0] in "gy" else 0
        vecs[part][f] = (1 + math.log(tf)) * idf(df.get(f, 0), n)
    for v in vecs:
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        for f in v:
            v[f] /= norm
    return vecs


def score(query, doc, df, n, across=False):
    """Similarity in [0, 1] of two feature bags under document frequencies ``df``."""
    return _score_vectors(_vector(view(query, across), df, n), doc, df, n, across)


def _score_vectors(q, doc, df, n, across=False):
    d = _vector(view(doc, across), df, n)
    cos = [sum(w * d[i].get(f, 0.0) for f, w in q[i].items()) for i in (0, 1)]
    return STEM_SHARE * cos[0] + (1 - STEM_SHARE) * cos[1]


def selective(feats, df, n, across=False):
    """The query features that select candidates: the rare ones, rarest first,
    within a budget of postings, and never fewer than the rarest few, so a
    proposal written only in common words still finds its neighbours while
    the work per lookup stays bounded whatever the collection's size."""
    limit = max(50, COMMON_FRACTION * n)
    ordered = sorted(view(feats, across), key=lambda f: (df.get(f, 0), f))
    chosen, read = [], 0
    for f in ordered:
        d = df.get(f, 0)
        if len(chosen) >= MIN_SELECTIVE and (d > limit or read + d > POSTINGS_BUDGET):
            break
        chosen.append(f)
        read += d
    return chosen


def most_similar(query, docs, df, n, k=5, threshold=THRESHOLD, exclude=(), across=False):
    """``[(id, score)]`` best first among ``docs`` (id → features), compared on the
    local bag, or with ``across`` on the bag in the shared spelling."""
    scored = []
    q = _vector(view(query, across), df, n)
    for doc_id, feats in docs.items():
        if doc_id in exclude:
            continue
        s = _score_vectors(q, feats, df, n, across)
        if s >= threshold:
            scored.append((round(s, 4), doc_id))
    best = heapq.nlargest(k, scored, key=lambda x: (x[0], str(x[1])))
    if not best:
        return []
    # A close paraphrase makes looser resemblances noise: keep those near the best.
    cut = best[0][0] * RELATIVE
    return [(doc_id, s) for s, doc_id in best if s >= cut]


class SimilarIndex:
    """Proposals by municipality with postings per feature and document frequencies."""

    def __init__(self):
        self.docs = {}                   # id -> (municipality, features)
        self.slot = {}                   # id -> slot
        self.ids = []                    # slot -> id (None when removed)
        self.postings = defaultdict(lambda: array("I"))
        self.df = defaultdict(Counter)   # municipality -> feature -> documents
        self.count = Counter()           # municipality -> documents

    def add(self, doc_id, municipality, feats):
        feats = view(feats)
        self.remove(doc_id)
        slot = len(self.ids)
        self.ids.append(doc_id)
        self.slot[doc_id] = slot
        self.docs[doc_id] = (municipality, feats)
        self.count[municipality] += 1
        df = self.df[municipality]
        for f in feats:
            df[f] += 1
            self.postings[(municipality, f)].append(slot)

    def remove(self, doc_id):
        if doc_id not in self.docs:
            return
        municipality, feats = self.docs.pop(doc_id)
        self.ids[self.slot.pop(doc_id)] = None
        self.count[municipality] -= 1
        df = self.df[municipality]
        for f in feats:
            df[f] -= 1

    def query(self, municipality, feats, k=5, threshold=THRESHOLD, exclude=(), pool=100):
        feats = view(feats)
        n = self.count[municipality]
        df = self.df[municipality]
        lists, weights = [], []
        for f in selective(feats, df, n):
            posting = self.postings.get((municipality, f))
            if posting:
                lists.append(np.frombuffer(posting, dtype=np.uint32))
                weights.append(idf(df[f], n) * (1.0 if f[0] in "gy" else 2.0))
        if not lists:
            return []
        ids = np.concatenate(lists)
        w = np.repeat(np.array(weights), [len(x) for x in lists])
        slots, inverse = np.unique(ids, return_inverse=True)
        totals = np.bincount(inverse, weights=w)
        if len(slots) > pool:
            slots = slots[np.argpartition(-totals, pool)[:pool]]
        docs = {}
        for s in slots:
            doc_id = self.ids[int(s)]
            if doc_id is not None and doc_id not in exclude:
                docs[doc_id] = self.docs[doc_id][1]
        return most_similar(feats, docs, df, n, k, threshold)
