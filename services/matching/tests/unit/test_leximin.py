"""Leximin panels on 1,000 volunteers, 30 seats, quotas and households.

One test of about 25 s of CPU (60-80 s wall on this shared 2-core machine; most
of it the 20,000 draws the claim is checked against, each dividing seats among
households by dependent rounding):
it is the issue's acceptance case, and a smaller pool would not show what
leximin gains over maximin above the least favoured."""
import random
from collections import Counter

import pytest

from matching import lottery
from matching.panels import Problem, Quota, Volunteer, draw, select

POPULATION = {
    "age": {"16-29": 0.22, "30-44": 0.24, "45-64": 0.32, "65+": 0.22},
    "gender": {"female": 0.5, "male": 0.5},
    "area": {"north": 0.2, "south": 0.2, "east": 0.2, "west": 0.2, "centre": 0.2},
    "education": {"basic": 0.25, "vocational": 0.40, "higher": 0.35},
}
POOL = {  # older and more educated than the population, as real volunteer pools are
    "age": {"16-29": 0.08, "30-44": 0.17, "45-64": 0.35, "65+": 0.40},
    "gender": {"female": 0.45, "male": 0.55},
    "area": {"north": 0.15, "south": 0.15, "east": 0.20, "west": 0.20, "centre": 0.30},
    "education": {"basic": 0.10, "vocational": 0.25, "higher": 0.65},
}


def pool_and_quotas(n=1000, seats=30, seed=7):
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        feats = {f: rng.choices(list(shares), list(shares.values()))[0] for f, shares in POOL.items()}
        # households of one (60%) and of two
        pool.append(Volunteer(f"v{i:04d}", feats, household=f"h{i // 2}" if i < 400 else None))
    quotas = []
    for f, shares in POPULATION.items():
        for value, share in shares.items():
            target = share * seats
            quotas.append(Quota(f, value, max(0, int(target) - 1), int(target) + 2))
    return pool, quotas


def per_volunteer(problem, unit_prob):
    return {v.id: unit_prob[u] for u, unit in enumerate(problem.units) for v in unit}


def meets(members, by_id, quotas):
    counts = Counter((q.feature, q.value) for m in members for q in quotas
                     if by_id[m].features[q.feature] == q.value)
    return all(q.min <= counts[(q.feature, q.value)] <= q.max for q in quotas)


def test_leximin_lifts_everyone_above_the_least_favoured_and_keeps_its_promises():
    pool, quotas = pool_and_quotas()
    by_id = {v.id: v for v in pool}
    problem = Problem(pool, 30, quotas, one_per_household=True, by_type=True)
    maximin_report, leximin_report = {}, {}
    maximin, maximin_prob = lottery.maximin_lottery(problem, report=maximin_report)
    leximin, leximin_prob = lottery.leximin_lottery(problem, report=leximin_report)
    assert maximin_report["optimal"] and leximin_report["optimal"] and leximin_report["complete"]

    low = sorted(per_volunteer(problem, maximin_prob).values())
    lex = sorted(per_volunteer(problem, leximin_prob).values())
    assert lex[0] == pytest.approx(low[0], abs=1e-6)            # the minimum is maximin's
    first = next((i for i, (a, b) in enumerate(zip(lex, low)) if abs(a - b) > 1e-6), None)
    assert first is not None and lex[first] > low[first]        # lexicographically above, strictly here
    assert sum(lex) == pytest.approx(30)
    assert leximin_report["levels"] > 1

    # every panel of the portfolio meets the quotas and can seat one per household
    for panel, prob in leximin:
        assert prob > 0 and sum(panel) == 30
        for q in quotas:
            seats = sum(c for u, c in enumerate(panel) if problem.values[u][q.feature] == q.value)
            assert q.min <= seats <= q.max
        for row in problem.household_rows:
            assert sum(coef * panel[t] for t, coef in row.items()) <= 1 + 1e-9

    # 20,000 draws: quotas and households held in each, chances as claimed per type
    rng = random.Random(2026)
    draws = 20_000
    seen = Counter()
    for _ in range(draws):
        members = draw(problem, leximin, rng)
        assert len(members) == 30
        households = Counter(by_id[m].household for m in members if by_id[m].household)
        assert not households or max(households.values()) == 1
        assert meets(members, by_id, quotas)
        seen.update(members)
    for u, unit in enumerate(problem.units):
        estimated = sum(seen[v.id] for v in unit) / (draws * len(unit))
        sd = (leximin_prob[u] * (1 - leximin_prob[u]) / (draws * len(unit))) ** 0.5
        assert abs(estimated - leximin_prob[u]) < 5 * sd + 1e-9, (problem.unit_keys[u], estimated, leximin_prob[u])


def test_select_offers_leximin_beside_maximin_with_the_same_audit():
    pool, quotas = pool_and_quotas(n=300, seats=12, seed=3)
    chosen = select(pool, 12, quotas, seed=11, rule="leximin", one_per_household=True, alternates=2)
    again = select(pool, 12, quotas, seed=11, rule="leximin", one_per_household=True, alternates=2)
    assert chosen.members == again.members and chosen.alternates == again.alternates
    assert chosen.rule == "leximin" and chosen.optimal
    assert sum(p for p, _ in chosen.portfolio) == pytest.approx(1)
    assert all(sum(s["seats"] for s in composition) == 12 for _, composition in chosen.portfolio)
    plain = select(pool, 12, quotas, seed=11, one_per_household=True)
    assert chosen.lowest_probability == pytest.approx(plain.lowest_probability, abs=1e-6)
