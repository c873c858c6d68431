"""Format suggestions: each format comes first for its typical case, with reasons."""
import pytest

from meetings import formats

TYPICAL = [
    # (format, IAP2 level, expected people, proposal kind)
    ("working_citizens_meeting", "involve", 80, "development"),
    ("debate_salon", "consult", 30, "policy"),
    ("citizen_panel", "collaborate", 30, "policy"),
    ("guest_meal", "consult", 8, "service"),
    ("theme_workshop", "collaborate", 20, "service"),
    ("task_committee", "empower", 15, "policy"),
    ("vision_process", "involve", 400, "policy"),
]


def test_every_format_in_the_catalogue_has_a_typical_case():
    assert {case[0] for case in TYPICAL} == set(formats.BY_ID)


@pytest.mark.parametrize("expected_format, level, expected, kind", TYPICAL)
def test_each_format_ranks_first_for_its_typical_case(expected_format, level, expected, kind):
    ranked = formats.suggest(level, expected, kind)
    assert ranked[0]["format"] == expected_format, [(r["format"], r["score"]) for r in ranked[:3]]
    assert ranked[0]["score"] > ranked[1]["score"], "the best format wins outright"
    reasons = " ".join(ranked[0]["reasons"])
    assert level in reasons and str(expected) in reasons and kind in reasons


def test_a_format_that_does_not_serve_the_level_says_so_and_ranks_below_all_that_do():
    ranked = formats.suggest("inform", 30, "policy")  # the salon's size and kind, but 'inform'
    serving = [r["format"] for r in ranked if "inform" in r["details"]["levels"]]
    assert [r["format"] for r in ranked[:len(serving)]] == serving
    workshop = next(r for r in ranked if r["format"] == "theme_workshop")
    assert any("does not serve 'inform'" in reason for reason in workshop["reasons"])


def test_task_committee_details_tell_the_seat_split_and_the_mandate():
    details = formats.BY_ID["task_committee"].as_dict()
    assert details["sessions"] == {"min": 5, "max": 7}
    assert details["recruitment"] == "appointed"
    assert details["core_levels"] == ["collaborate", "empower"]
    assert any("mandate" in note for note in details["notes"])
    assert any("10 residents and 5 politicians" in note for note in details["notes"])


def test_a_citizen_panel_is_found_by_lottery():
    assert formats.BY_ID["citizen_panel"].as_dict()["recruitment"] == "lottery"


def test_size_far_outside_the_range_costs_more_than_just_outside():
    salon = formats.BY_ID["debate_salon"]
    assert formats.size_fit(salon, 30) == 1.0
    assert 1.0 > formats.size_fit(salon, 70) > formats.size_fit(salon, 300) > 0


@pytest.mark.parametrize("args, field", [
    (("advise", 10, "policy"), "level"),
    (("consult", 10, "wish"), "kind"),
    (("consult", 0, "policy"), "expected"),
])
def test_unknown_criteria_are_refused_naming_the_field(args, field):
    with pytest.raises(formats.UnknownCriterion) as exc:
        formats.suggest(*args)
    assert exc.value.field == field


def test_limit_keeps_the_best():
    assert [r["format"] for r in formats.suggest("consult", 8, "service", limit=1)] == ["guest_meal"]
