"""Similar proposals shown while a new one is written (fast, no I/O)."""
from gateway.web import similar

EXISTING = [
    {"id": "bench", "title": "Bænke langs stien", "problem": "Ingen steder at sidde.", "goal": "Flere bænke."},
    {"id": "road", "title": "Sikker skolevej langs Hobrovej", "problem": "Børn cykler på Hobrovej uden cykelsti.",
     "goal": "En sikker skolevej."},
    {"id": "other", "title": "Grøn pendling", "problem": "Alle kører alene i bil.", "goal": "Flere cykler."},
]


def test_a_draft_about_the_same_road_finds_the_existing_proposal_first():
    found = similar.rank("Tryg skolevej ved Hobrovej", "Skolebørn krydser Hobrovej uden cykelsti.", EXISTING)
    assert [p["id"] for p in found] == ["road"]


def test_one_shared_common_word_is_not_enough():
    found = similar.rank("Bænke ved Østre Anlæg langs vejen", "Der mangler hvilesteder.", EXISTING[1:])
    assert found == []


def test_the_search_query_joins_significant_words_with_or_and_stays_short():
    query = similar.search_query("Tryg skolevej ved Hobrovej", "Skolebørn krydser Hobrovej uden lys " * 20)
    assert query.startswith("tryg or skolevej or hobrovej or skolebørn")
    assert " uden " not in f" {query} " and len(query) <= 200
    assert similar.search_query("", "") == ""
