"""The shared Scandinavian spelling raises the score of the same idea in another
language (the across-municipalities search) and leaves the search within a
municipality as it was.  On the labelled set, in memory, with the scoring
functions the service calls."""
import json
import pathlib
from collections import Counter

import pytest

from matching import similar, text

DATA = pathlib.Path(__file__).parent.parent / "data" / "similar_proposals.json"
SCANDINAVIAN = ("da", "nb", "nn")


def margins():
    """(mean score of the same idea, mean best wrong score, share ranked first),
    each da/nb/nn pair proposal against each other Scandinavian language."""
    docs = json.loads(DATA.read_text())["documents"]
    feats = {d["id"]: similar.features(d["title"], d["body"], d["language"]) for d in docs}
    idea = {d["id"]: d["idea"] for d in docs}
    df = Counter()
    for f in feats.values():
        df.update(similar.view(f, across=True).keys())
    good, bad, first = [], [], []
    for d in docs:
        if not d["id"].endswith(("-a", "-b")) or d["language"] not in SCANDINAVIAN:
            continue
        for lang in SCANDINAVIAN:
            if lang == d["language"]:
                continue
            scores = {o["id"]: similar.score(feats[d["id"]], feats[o["id"]], df, len(docs), across=True)
                      for o in docs if o["language"] == lang}
            twin = max(s for i, s in scores.items() if idea[i] == d["idea"])
            wrong = max(s for i, s in scores.items() if idea[i] != d["idea"])
            good.append(twin)
            bad.append(wrong)
            first.append(twin > wrong)
    return sum(good) / len(good), sum(bad) / len(bad), sum(first) / len(first), len(first)


@pytest.fixture
def bridging():
    saved = similar.BRIDGE, similar.LEXICON
    yield
    similar.BRIDGE, similar.LEXICON = saved


def test_one_spelling_and_the_lexicon_bring_the_same_idea_closer_across_languages(bridging):
    found = {}
    for setting in ((False, False), (True, False), (True, True)):
        similar.BRIDGE, similar.LEXICON = setting
        found[setting] = margins()
    print()
    for (spelling, lexicon), (twin, wrong, first, n) in found.items():
        print(f"spelling {spelling!s:5} lexicon {lexicon!s:5}: same idea {twin:.3f}, best wrong {wrong:.3f}, "
              f"ranked first {first:.3f} of {n}")
    plain, spelt, full = found[(False, False)], found[(True, False)], found[(True, True)]
    assert spelt[0] > plain[0] + 0.05 and full[0] > spelt[0] + 0.05
    assert full[0] - full[1] > plain[0] - plain[1]        # the gap to the best wrong one widens
    assert full[2] == 1.0


def test_the_spelling_rules_meet_the_words_the_issue_names():
    assert text.bridge("skolevej") == text.bridge("skuleveg") == text.bridge("skolevei")
    assert text.bridge("cykel") == text.bridge("sykkel")
    assert text.bridge("fælles") == text.bridge("felles")
    assert text.bridge("gade") == text.bridge("gate")
    da, nb = text.bridged_stems("oversvømmede kældre", "da"), text.bridged_stems("oversvømte kjellere", "nb")
    assert da[1] == nb[1]
