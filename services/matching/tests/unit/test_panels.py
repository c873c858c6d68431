"""Citizen panels: quotas, explanations, reproducible draws, honest probabilities."""
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from matching.panels import (
    Infeasible, InvalidRequest, Problem, Quota, Volunteer, draw, explain_infeasibility,
    greedy_select, maximin_lottery, select,
)


def skewed_pool(n, seed=1, households=False):
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        pool.append(Volunteer(
            f"v{i:04d}",
            {"age": rng.choices(["young", "middle", "old"], [1, 3, 6])[0],
             "gender": rng.choices(["f", "m"], [2, 3])[0],
             "area": rng.choice(["north", "south"])},
            household=f"h{i // 2}" if households else None,
        ))
    return pool


def quotas(size):
    third = size // 3
    return [
        Quota("age", "young", third, third + 1), Quota("age", "middle", third, third + 1),
        Quota("age", "old", third, third + 1),
        Quota("gender", "f", size // 2, size - size // 2), Quota("gender", "m", size // 2, size - size // 2),
        Quota("area", "north", size // 2 - 1, size // 2 + 1), Quota("area", "south", size // 2 - 1, size // 2 + 1),
    ]


def meets(members, pool, qs):
    by_id = {v.id: v for v in pool}
    count = Counter((f, v) for m in members for f, v in by_id[m].features.items())
    return all(q.min <= count[(q.feature, q.value)] <= q.max for q in qs)


@st.composite
def panel_inputs(draw_):
    n = draw_(st.integers(5, 40))
    size = draw_(st.integers(1, min(n, 12)))
    ages = draw_(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    genders = draw_(st.lists(st.sampled_from(["f", "m"]), min_size=n, max_size=n))
    pool = [Volunteer(f"v{i:02d}", {"age": ages[i], "gender": genders[i]}) for i in range(n)]
    qs = []
    for feature, values in (("age", "abc"), ("gender", "fm")):
        for value in values:
            lo = draw_(st.integers(0, size))
            hi = draw_(st.integers(lo, size))
            qs.append(Quota(feature, value, lo, hi))
    return pool, size, qs, draw_(st.integers(0, 2**32))


def brute_force_feasible(pool, size, qs):
    """Whether any count vector per (age, gender) type meets every quota."""
    types = Counter((v.features["age"], v.features["gender"]) for v in pool)
    keys = list(types)

    def rec(i, left, chosen):
        if i == len(keys):
            if left:
                return False
            count = Counter()
            for (a, g), c in chosen.items():
                count[("age", a)] += c
                count[("gender", g)] += c
            return all(q.min <= count[(q.feature, q.value)] <= q.max for q in qs)
        for c in range(min(types[keys[i]], left) + 1):
            chosen[keys[i]] = c
            if rec(i + 1, left - c, chosen):
                return True
        chosen[keys[i]] = 0
        return False

    return rec(0, size, {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel_inputs())
def test_quotas_are_always_met_when_they_can_be(inputs):
    pool, size, qs, seed = inputs
    feasible = brute_force_feasible(pool, size, qs)
    try:
        selection = select(pool, size, qs, seed=seed)
    except Infeasible as exc:
        assert not feasible, "a feasible request was called infeasible"
        assert exc.conflicts
        return
    assert feasible
    assert len(selection.members) == size == len(set(selection.members))
    assert meets(selection.members, pool, qs)
    assert abs(sum(selection.probabilities.values()) - size) < 1e-6


def test_infeasible_quotas_are_explained_with_the_smallest_relaxation():
    pool = [Volunteer(f"v{i}", {"age": "young" if i < 3 else "old", "gender": "f" if i % 2 else "m"})
            for i in range(20)]
    qs = [Quota("age", "young", 5, 10), Quota("age", "old", 0, 10),
          Quota("gender", "f", 0, 10), Quota("gender", "m", 0, 10)]
    with pytest.raises(Infeasible) as info:
        select(pool, 10, qs, seed=1)
    assert "age=young needs at least 5 but only 3 volunteers have it" in info.value.conflicts
    assert info.value.relaxation == [{"feature": "age", "value": "young", "bound": "min", "from": 5, "to": 3}]


def test_conflicting_quotas_of_two_features_are_named():
    # every woman is young, every man old; the quotas want 4 women but at most 2 young
    pool = [Volunteer(f"w{i}", {"age": "young", "gender": "f"}) for i in range(10)]
    pool += [Volunteer(f"m{i}", {"age": "old", "gender": "m"}) for i in range(10)]
    qs = [Quota("gender", "f", 4, 6), Quota("gender", "m", 0, 6),
          Quota("age", "young", 0, 2), Quota("age", "old", 0, 6)]
    with pytest.raises(Infeasible) as info:
        select(pool, 6, qs, seed=1)
    relaxed = {(r["feature"], r["value"], r["bound"]) for r in info.value.relaxation}
    assert relaxed in ({("gender", "f", "min")}, {("age", "young", "max")})
    assert sum(abs(r["to"] - r["from"]) for r in info.value.relaxation) == 2
    assert info.value.conflicts[0] == "these quotas cannot all hold with 6 seats: age=young max 2, gender=f min 4"


def test_bad_requests_are_refused_before_any_draw():
    pool = skewed_pool(10)
    with pytest.raises(InvalidRequest) as info:
        select(pool, 11, quotas(6), seed=1)
    assert [e["field"] for e in info.value.errors] == ["size"]
    with pytest.raises(InvalidRequest):
        select(pool, 5, [Quota("age", "old", 3, 1)], seed=1)
    with pytest.raises(InvalidRequest):
        select(pool, 5, [Quota("income", "high", 0, 5)], seed=1)


def test_the_same_seed_gives_the_same_panel_and_alternates():
    pool = skewed_pool(300)
    first = select(pool, 12, quotas(12), seed=20261126, alternates=4)
    again = select(list(reversed(pool)), 12, quotas(12), seed=20261126, alternates=4)
    other = select(pool, 12, quotas(12), seed=7, alternates=4)
    assert first.members == again.members and first.alternates == again.alternates
    assert first.members != other.members
    assert not set(first.alternates) & set(first.members)
    assert len(first.alternates) == 4


def test_selection_probabilities_estimated_over_many_draws_match_the_reported_ones():
    pool = skewed_pool(120, seed=3)
    problem = Problem(pool, 9, quotas(9))
    lottery, unit_prob = maximin_lottery(problem)
    reported = {v.id: unit_prob[u] for u, unit in enumerate(problem.units) for v in unit}
    rng = random.Random(99)
    draws = 6000
    seen = Counter()
    for _ in range(draws):
        members = draw(problem, lottery, rng)
        assert meets(members, pool, quotas(9))
        seen.update(members)
    # per type (interchangeable volunteers), the estimate is tight enough to compare
    for u, unit in enumerate(problem.units):
        estimated = sum(seen[v.id] for v in unit) / (draws * len(unit))
        expected = unit_prob[u]
        sd = (expected * (1 - expected) / (draws * len(unit))) ** 0.5
        assert abs(estimated - expected) < 5 * sd + 1e-9, (problem.unit_keys[u], estimated, expected)
    assert abs(sum(reported.values()) - 9) < 1e-6


def test_maximin_gives_the_least_favoured_far_better_chances_than_greedy():
    pool = skewed_pool(150, seed=5)
    qs = quotas(15)
    selection = select(pool, 15, qs, seed=1)
    rng = random.Random(2)
    counts = Counter()
    runs = 300
    for _ in range(runs):
        members = greedy_select(pool, 15, qs, rng)
        assert members is not None and meets(members, pool, qs)
        counts.update(members)
    problem = Problem(pool, 15, qs)
    greedy_lowest = min(sum(counts[v.id] for v in unit) / (runs * len(unit)) for unit in problem.units)
    assert selection.lowest_probability > 1.5 * greedy_lowest


def test_one_per_household_is_respected():
    pool = skewed_pool(60, seed=4, households=True)
    selection = select(pool, 10, quotas(10), seed=3, one_per_household=True)
    households = Counter(v.household for v in pool if v.id in selection.members)
    assert max(households.values()) == 1
    assert meets(selection.members, pool, quotas(10))


def test_one_per_household_can_make_a_panel_impossible():
    pool = [Volunteer(f"v{i}", {"age": "a"}, household="same") for i in range(5)]
    problem = Problem(pool, 2, [Quota("age", "a", 0, 2)], one_per_household=True)
    infeasible = explain_infeasibility(problem)
    assert infeasible is not None
    assert "one per household leaves 1 possible members for 2 seats" in infeasible.conflicts


def test_a_minimum_above_the_panel_size_is_relaxed_to_what_fits():
    pool = [Volunteer(f"v{i}", {"age": "young" if i % 2 else "old"}) for i in range(20)]
    with pytest.raises(Infeasible) as info:
        select(pool, 4, [Quota("age", "young", 11, 12)], seed=1)
    assert info.value.relaxation == [{"feature": "age", "value": "young", "bound": "min", "from": 11, "to": 4}]


def test_under_the_household_rule_estimated_probabilities_match_the_reported_ones():
    rng = random.Random(8)
    pool = []
    for h in range(45):  # households of one, two and three
        for k in range(rng.choice([1, 1, 2, 3])):
            pool.append(Volunteer(f"h{h:02d}m{k}", {"age": rng.choice(["young", "old"]),
                                                    "gender": rng.choice(["f", "m"])}, household=f"h{h:02d}"))
    qs = [Quota("age", "young", 3, 3), Quota("age", "old", 3, 3), Quota("gender", "f", 3, 3), Quota("gender", "m", 3, 3)]
    problem = Problem(pool, 6, qs, one_per_household=True)
    lottery, unit_prob = maximin_lottery(problem)
    draws = 6000
    seen = Counter()
    draw_rng = random.Random(5)
    for _ in range(draws):
        members = draw(problem, lottery, draw_rng)
        houses = Counter(m.split("m")[0] for m in members)
        assert len(members) == 6 and max(houses.values()) == 1
        assert meets(members, pool, qs)
        seen.update(members)
    for u, unit in enumerate(problem.units):
        estimated = sum(seen[v.id] for v in unit) / (draws * len(unit))
        sd = (unit_prob[u] * (1 - unit_prob[u]) / (draws * len(unit))) ** 0.5
        assert abs(estimated - unit_prob[u]) < 5 * sd + 1e-9, (problem.unit_keys[u], estimated, unit_prob[u])
