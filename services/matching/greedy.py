"""The sequential selection most tools use, as the baseline the fair lottery is
measured against (bench/matching.py, the unit tests).  Pure: no I/O."""
from collections import Counter


def greedy_select(volunteers, size, quotas, rng, attempts=100, one_per_household=False):
    """The sequential method most tools use: repeatedly take the category
    furthest from its minimum (relative to who is left in it), pick a random
    volunteer from it, drop everyone whose category is full; restart on a
    dead end.  Returns member ids, or ``None`` after ``attempts`` failures."""
    qmap = {(q.feature, q.value): q for q in quotas}
    for _ in range(attempts):
        remaining = list(volunteers)
        chosen = []
        count = Counter()
        houses = set()
        failed = False
        while len(chosen) < size:
            if not remaining:
                failed = True
                break
            available = Counter((f, str(v.features[f])) for v in remaining for f in v.features if (f, str(v.features[f])) in qmap)
            best, ratio = None, -1.0
            for key, q in qmap.items():
                need = q.min - count[key]
                if need > 0 and available[key]:
                    r = need / available[key]
                    if r > ratio:
                        best, ratio = key, r
            pool = [v for v in remaining if best is None or str(v.features[best[0]]) == best[1]]
            person = pool[int(rng.random() * len(pool))]
            chosen.append(person.id)
            houses.add(person.household)
            for f, value in person.features.items():
                count[(f, str(value))] += 1
            remaining = [
                v for v in remaining
                if v.id != person.id
                and all(count[(f, str(val))] < qmap[(f, str(val))].max
                        for f, val in v.features.items() if (f, str(val)) in qmap)
                and not (one_per_household and v.household and v.household in houses)
            ]
        if failed:
            continue
        if all(q.min <= count[(q.feature, q.value)] <= q.max for q in quotas):
            return sorted(chosen)
    return None


def greedy_counts(problem, rng, attempts=100):
    """:func:`greedy_select` on the types of ``problem`` rather than on people:
    choosing a random person of a category is choosing a type in proportion
    to who is left of it, so this draws the same distribution of panels much
    faster (no household rule).  Returns unit counts, or ``None``."""
    n = len(problem.units)
    value_of = [[(f, problem.values[u][f]) for f in problem.features] for u in range(n)]
    quotas = {(q.feature, q.value): q for q in problem.quotas}
    for _ in range(attempts):
        left = list(problem.cap)
        counts = [0] * n
        filled = Counter()
        for _seat in range(problem.size):
            available = Counter()
            for u in range(n):
                if left[u]:
                    for key in value_of[u]:
                        available[key] += left[u]
            best, ratio = None, -1.0
            for key, q in quotas.items():
                need = q.min - filled[key]
                if need > 0 and available[key]:
                    r = need / available[key]
                    if r > ratio:
                        best, ratio = key, r
            units = [u for u in range(n) if left[u] and (best is None or best in value_of[u])]
            total = sum(left[u] for u in units)
            if not total:
                break
            pick = rng.random() * total
            for u in units:
                pick -= left[u]
                if pick < 0:
                    break
            counts[u] += 1
            left[u] -= 1
            for key in value_of[u]:
                filled[key] += 1
            for v in range(n):
                if left[v] and any(key in quotas and filled[key] >= quotas[key].max for key in value_of[v]):
                    left[v] = 0
        if sum(counts) == problem.size and all(q.min <= filled[k] <= q.max for k, q in quotas.items()):
            return counts
    return None
