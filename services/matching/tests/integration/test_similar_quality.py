"""Similar proposals on a labelled set (da, nb, nn, en): our stems + n-grams
TF-IDF beside the trigram method of a widely used platform, measured on the
same set in PostgreSQL with ``pg_trgm``.

Each proposal of a pair is a query; the right answer is its partner; the
other proposals of the language (other pairs and same-topic distractors) are
the wrong ones.  precision@5 = right answers among everything returned in the
top 5 (micro-averaged); recall@5 = queries whose partner is in the top 5.
"""
from collections import Counter

import pytest
import sqlalchemy as sa

from samskab.db import driver_url

from matching import similar
from matching.tests.similar_cases import DISTRACTORS, PAIRS

pytestmark = pytest.mark.integration

# The baseline as the platform runs it: the new proposal's title against titles,
# its body against bodies, a fixed threshold, best first.
BASELINE = """
SELECT d.id FROM docs d, docs q
WHERE q.id = :q AND d.lang = q.lang AND d.id <> q.id
  AND GREATEST(similarity(d.title, q.title), similarity(d.body, q.body)) >= 0.25
ORDER BY GREATEST(similarity(d.title, q.title), similarity(d.body, q.body)) DESC, d.id
LIMIT 5
"""
# A stronger reading of the same formula, for honesty: q is the whole new proposal.
BASELINE_WHOLE = BASELINE.replace("q.title)", "q.title || ' ' || q.body)").replace("q.body)", "q.title || ' ' || q.body)")


def labelled():
    docs, partner = {}, {}
    for lang, pairs in PAIRS.items():
        for i, (a, b) in enumerate(pairs):
            ida, idb = f"{lang}-p{i}a", f"{lang}-p{i}b"
            docs[ida], docs[idb] = (lang, *a), (lang, *b)
            partner[ida], partner[idb] = idb, ida
        for j, d in enumerate(DISTRACTORS[lang]):
            docs[f"{lang}-d{j}"] = (lang, *d)
    return docs, partner


def measure(results, partner):
    returned = sum(len(ids) for ids in results.values())
    right = sum(partner[q] in ids for q, ids in results.items())
    return {"precision@5": right / max(returned, 1), "recall@5": right / len(results), "returned": returned}


def ours(docs, partner):
    results = {}
    for lang in PAIRS:
        feats = {i: similar.features(t, b, l) for i, (l, t, b) in docs.items() if l == lang}
        df = Counter()
        for f in feats.values():
            df.update(f.keys())
        for q in (i for i in partner if docs[i][0] == lang):
            results[q] = [i for i, _ in similar.most_similar(feats[q], feats, df, len(feats), 5, exclude={q})]
    return results


@pytest.fixture
def trigram_db(make_database):
    engine = sa.create_engine(driver_url(make_database("matching")))
    yield engine
    engine.dispose()


def trigram(engine, docs, partner, query):
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(sa.text("CREATE TABLE docs (id text PRIMARY KEY, lang text, title text, body text)"))
        conn.execute(sa.text("INSERT INTO docs VALUES (:id, :lang, :title, :body)"),
                     [{"id": i, "lang": l, "title": t, "body": b} for i, (l, t, b) in docs.items()])
        return {q: [r[0] for r in conn.execute(sa.text(query), {"q": q})] for q in partner}


def test_similar_proposals_beat_the_trigram_baseline_in_every_language(trigram_db):
    docs, partner = labelled()
    assert all(len(pairs) >= 10 for pairs in PAIRS.values())
    mine = ours(docs, partner)
    base = trigram(trigram_db, docs, partner, BASELINE)
    with trigram_db.begin() as conn:
        conn.execute(sa.text("DROP TABLE docs"))
    whole = trigram(trigram_db, docs, partner, BASELINE_WHOLE)

    print()
    for lang in [None, *PAIRS]:
        keep = (lambda q: True) if lang is None else (lambda q, lang=lang: q.startswith(lang + "-"))
        row = []
        for name, results in (("stems+ngrams", mine), ("pg_trgm", base), ("pg_trgm(whole)", whole)):
            m = measure({q: ids for q, ids in results.items() if keep(q)}, partner)
            row.append(f"{name}: P@5 {m['precision@5']:.2f} R@5 {m['recall@5']:.2f}")
        print(f"{lang or 'all':>4}  " + "  |  ".join(row))

    ours_all, base_all, whole_all = measure(mine, partner), measure(base, partner), measure(whole, partner)
    assert ours_all["precision@5"] >= base_all["precision@5"] + 0.15
    assert ours_all["recall@5"] >= base_all["recall@5"] + 0.15
    assert ours_all["recall@5"] >= whole_all["recall@5"] + 0.15
    assert ours_all["precision@5"] >= whole_all["precision@5"] - 0.02
    for lang in PAIRS:
        lang_ours = measure({q: i for q, i in mine.items() if q.startswith(lang)}, partner)
        lang_base = measure({q: i for q, i in base.items() if q.startswith(lang)}, partner)
        assert lang_ours["recall@5"] >= lang_base["recall@5"], lang
