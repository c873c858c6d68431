"""Similar proposals without a database: the index agrees with scoring everything."""
from collections import Counter

from matching import similar
from matching.tests.similar_cases import DISTRACTORS, PAIRS


def corpus(lang):
    docs = {}
    for i, (a, b) in enumerate(PAIRS[lang]):
        docs[f"p{i}a"], docs[f"p{i}b"] = a, b
    for j, d in enumerate(DISTRACTORS[lang]):
        docs[f"d{j}"] = d
    return {k: similar.features(t, b, lang) for k, (t, b) in docs.items()}


def test_the_index_finds_what_scoring_every_proposal_finds():
    for lang in PAIRS:
        feats = corpus(lang)
        index = similar.SimilarIndex()
        for doc_id, f in feats.items():
            index.add(doc_id, lang, f)
        df = Counter()
        for f in feats.values():
            df.update(f.keys())
        for q, f in feats.items():
            expected = similar.most_similar(f, feats, df, len(feats), 5, exclude={q})
            assert index.query(lang, f, 5, exclude={q}) == expected, (lang, q)


def test_a_paraphrase_is_found_and_a_same_topic_distractor_is_not():
    feats = corpus("nn")
    index = similar.SimilarIndex()
    for doc_id, f in feats.items():
        if doc_id != "p0b":
            index.add(doc_id, "volda", f)
    query = similar.features("Sikre sykkelstiar for skuleborn",
                             "Foreldra køyrer borna til skulen fordi det er farleg å sykle.", "nn")
    found = [doc_id for doc_id, _ in index.query("volda", query)]
    assert found[0] == "p0a"
    assert "d2" not in found  # speed bumps by the school: same place, another idea


def test_a_removed_or_other_municipalitys_proposal_is_not_found():
    feats = corpus("en")
    index = similar.SimilarIndex()
    index.add("p0a", "aalborg", feats["p0a"])
    index.add("p0a-elsewhere", "hamar", feats["p0a"])
    assert [d for d, _ in index.query("aalborg", feats["p0b"])] == ["p0a"]
    index.remove("p0a")
    assert index.query("aalborg", feats["p0b"]) == []


def test_stems_join_inflections_in_each_language():
    assert similar.features("cykelstier", "", "da").keys() & similar.features("cykelsti", "", "da").keys()
    assert {"s:sykkelvei"} <= similar.features("sykkelveier", "", "nb").keys()
    assert similar.features("benches", "", "en").keys() & similar.features("bench", "", "en").keys()
