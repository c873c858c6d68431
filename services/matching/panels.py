"""Citizen panels: stratified random selection with known, fair chances.

A panel of ``size`` seats is drawn from a pool of volunteers so that, for each
feature (age band, gender, area, …), the number of members with each value
lies between the quota's min and max.  The draw works in three steps:

1. **Feasibility.**  An integer program looks for any panel meeting every
   quota.  When there is none, the same program with a slack on every quota
   bound finds the smallest total relaxation; the quotas whose slack is
   positive are the ones in conflict, and the relaxation says by how much.
2. **Fair chances (maximin or leximin, ``lottery.py``).**  A lottery over
   quota-meeting panels is chosen so that the lowest selection probability of
   any volunteer is as high as the quotas allow, and under leximin then the
   next lowest, and so on (Flanigan et al., *Fair algorithms for selecting
   citizens' assemblies*, Nature 2021), by column generation over panels with
   :meth:`Problem.best_panel` as the pricing program.  Volunteers with identical
   features are interchangeable, so without the household rule the program
   works on *types* (feature combinations) and picks members of a type
   uniformly: tens of variables instead of thousands.
3. **The draw.**  One panel is drawn from the lottery and its members from
   their types with a seeded generator using only ``random.Random.random``,
   whose sequence Python keeps stable, so a published seed and pool
   reproduce the draw for anyone.  Alternates are drawn after it.

Pure: no I/O.
"""
import hashlib
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import households as house_rule
from .greedy import greedy_counts, greedy_select  # noqa: F401 (the baseline, beside the method)
from .lottery import leximin_lottery, maximin_lottery  # noqa: F401
from .lp import Model



@dataclass(frozen=True)
class Volunteer:
    id: str
    features: dict = field(hash=False, compare=False)
    household: str | None = None


@dataclass(frozen=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int


class Infeasible(Exception):
    """No panel meets every quota: ``conflicts`` explain why, ``relaxation``
    is the smallest change to the quotas that makes a panel possible."""

    def __init__(self, conflicts, relaxation):
        super().__init__("; ".join(conflicts))
        self.conflicts = conflicts
        self.relaxation = relaxation


class InvalidRequest(ValueError):
    def __init__(self, errors):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


@dataclass
class Selection:
    members: list            # volunteer ids, sorted
    alternates: list         # volunteer ids in the order they are called
    probabilities: dict      # volunteer id -> probability of being selected
    lowest_probability: float
    counts: dict             # feature -> value -> members with it
    seed: int
    panels_in_lottery: int
    optimal: bool = True           # the lowest probability is the proven maximin
    upper_bound: float = 1.0       # no lottery can give the least favoured more than this
    portfolio: list = field(default_factory=list)   # (probability, seats per type) of each panel
    rule: str = "maximin"
    complete: bool = True          # leximin: every level proven within the time


def seed_of(value):
    """An integer seed from an int or any published string (stable across runs)."""
    if isinstance(value, int):
        return value
    return int.from_bytes(hashlib.sha256(str(value).encode()).digest()[:8], "big")


# -- the problem ---------------------------------------------------------------


class Problem:
    """The pool grouped into units of interchangeable volunteers.

    Without the household rule a unit is a *type* (a combination of feature
    values).  With it, a unit is a type within a *household type* (the
    multiset of its members' types): households of one household type are
    interchangeable, and at most one member of each may sit, so the program
    counts how many households of a household type send a member of each
    type.  Either way ``len(units[u])`` volunteers share unit u's chances, and
    ``ub[u]`` bounds how many of them may be selected.
    """

    def __init__(self, volunteers, size, quotas, one_per_household=False, by_type=False):
        self.size = size
        self.quotas = sorted(quotas, key=lambda q: (q.feature, q.value))
        self.features = sorted({q.feature for q in self.quotas})
        self.one_per_household = one_per_household
        _validate(volunteers, size, self.quotas, self.features)
        volunteers = sorted(volunteers, key=lambda v: v.id)
        self.volunteers = volunteers
        self.type_of = {v.id: tuple(str(v.features.get(f)) for f in self.features) for v in volunteers}
        self.household_count = len({v.household or ("alone", v.id) for v in volunteers})
        self.groups = []          # (units, at most this many of them together)
        self.house_types = []     # household type -> its households (lists of volunteers)
        self.unit_house = []      # unit -> (household type index, volunteer type), household rule only
        self.by_type = one_per_household and by_type   # the household rule as rows on types (households.py)
        self.household_rows = []
        if not one_per_household or by_type:
            by_type = defaultdict(list)
            for v in volunteers:
                by_type[self.type_of[v.id]].append(v)
            self.unit_keys = sorted(by_type)
            self.units = [by_type[k] for k in self.unit_keys]
            self.ub = [len(u) for u in self.units]
            if self.by_type:
                values = [{f: str(unit[0].features.get(f)) for f in self.features} for unit in self.units]
                most = [min([size] + [q.max for q in self.quotas if vals[q.feature] == q.value]) for vals in values]
                self.household_rows = house_rule.rows(self.units, most)
        else:
            houses = defaultdict(list)
            for v in volunteers:
                houses[v.household or ("alone", v.id)].append(v)
            by_house_type = defaultdict(list)
            for key in sorted(houses, key=str):
                members = houses[key]
                by_house_type[tuple(sorted(Counter(self.type_of[v.id] for v in members).items()))].append(members)
            self.unit_keys, self.units, self.ub = [], [], []
            for h, house_type in enumerate(sorted(by_house_type)):
                households = by_house_type[house_type]
                self.house_types.append(households)
                first = len(self.units)
                for vtype, _ in house_type:
                    self.unit_keys.append((vtype, house_type))
                    self.units.append([v for house in households for v in house if self.type_of[v.id] == vtype])
                    self.ub.append(len(households))
                    self.unit_house.append((h, vtype))
                if len(house_type) > 1:
                    self.groups.append((list(range(first, len(self.units))), len(households)))
        self.cap = [len(u) for u in self.units]
        self.values = [{f: str(unit[0].features.get(f)) for f in self.features} for unit in self.units]

    def available(self, quota):
        """How many could sit with this value: volunteers, or households under the rule."""
        having = [v for v in self.volunteers if str(v.features.get(quota.feature)) == quota.value]
        if self.one_per_household:
            return len({v.household or ("alone", v.id) for v in having})
        return len(having)

    def members_of(self, quota):
        return [i for i, vals in enumerate(self.values) if vals[quota.feature] == quota.value]

    def model(self, maximize=True, slack=False, bounds=None, household_rows=True):
        """Integer program over unit counts; with ``slack`` every quota bound
        gets a penalised slack column; ``bounds`` limits which quota bounds
        apply (a set of (quota, "min"|"max")).  Returns (model, slack columns)."""
        m = Model(maximize=maximize)
        for ub in self.ub:
            m.add_column(0.0, 0, ub, integer=True)
        m.add_row({i: 1 for i in range(len(self.units))}, self.size, self.size)
        slacks = []
        for q in self.quotas:
            members = self.members_of(q)
            if slack:
                lo = m.add_column(-1.0 if maximize else 1.0, 0, max(q.min, self.size), integer=True)
                hi = m.add_column(-1.0 if maximize else 1.0, 0, self.size, integer=True)
                m.add_row({**{i: 1 for i in members}, lo: 1}, q.min)
                m.add_row({**{i: 1 for i in members}, hi: -1}, upper=q.max)
                slacks.append((q, lo, hi))
            elif bounds is None:
                m.add_row({i: 1 for i in members}, q.min, q.max)
            else:
                lo = q.min if (q, "min") in bounds else 0
                hi = q.max if (q, "max") in bounds else self.size
                m.add_row({i: 1 for i in members}, lo, hi)
        for units, limit in self.groups:
            m.add_row({i: 1 for i in units}, upper=limit)
        if household_rows:
            for coefs in self.household_rows:
                m.add_row(coefs, upper=1.0)
        return m, slacks

    def best_panel(self, weights, household_rows=True):
        """The quota-meeting panel (unit counts) with the largest total weight
        (``household_rows=False``: as if there were no household rule)."""
        m, _ = self.model(maximize=True, household_rows=household_rows)
        m.cost[: len(self.units)] = [float(w) for w in weights]
        ok, x, value = m.solve()
        if not ok:
            return None, None
        return tuple(int(round(v)) for v in x[: len(self.units)]), value


def _validate(volunteers, size, quotas, features):
    errors = []
    ids = [v.id for v in volunteers]
    if len(set(ids)) != len(ids):
        errors.append({"field": "volunteers", "message": "volunteer ids must be unique"})
    if size < 1:
        errors.append({"field": "size", "message": "a panel needs at least one seat"})
    if size > len(volunteers):
        errors.append({"field": "size", "message": f"{size} seats but only {len(volunteers)} volunteers"})
    seen = set()
    for q in quotas:
        where = f"quotas.{q.feature}.{q.value}"
        if (q.feature, q.value) in seen:
            errors.append({"field": where, "message": "quota given twice"})
        seen.add((q.feature, q.value))
        if q.min < 0 or q.max < q.min:
            errors.append({"field": where, "message": "needs 0 <= min <= max"})
    for v in volunteers:
        missing = [f for f in features if f not in v.features]
        if missing:
            errors.append({"field": "volunteers", "message": f"volunteer {v.id} lacks {', '.join(missing)}"})
            break
    if errors:
        raise InvalidRequest(errors)


# -- feasibility -----------------------------------------------------------------


def explain_infeasibility(problem):
    """``None`` when some panel meets every quota, else an :class:`Infeasible`."""
    m, _ = problem.model()
    ok, _, _ = m.solve()
    if ok:
        return None
    conflicts = []
    for feature in problem.features:
        qs = [q for q in problem.quotas if q.feature == feature]
        low = sum(q.min for q in qs)
        present = {vals[feature] for vals in problem.values}
        listed = {q.value for q in qs}
        high = sum(q.max for q in qs) if present <= listed else None
        if low > problem.size:
            conflicts.append(f"the minimums for {feature} add up to {low}, more than the {problem.size} seats")
        if high is not None and high < problem.size:
            conflicts.append(f"the maximums for {feature} add up to {high}, fewer than the {problem.size} seats")
    for q in problem.quotas:
        available = problem.available(q)
        if available < q.min:
            conflicts.append(f"{q.feature}={q.value} needs at least {q.min} but only {available} volunteers have it")
    if problem.one_per_household:
        if problem.household_count < problem.size:
            conflicts.append(f"one per household leaves {problem.household_count} possible members "
                             f"for {problem.size} seats")
    conflicting = conflicting_bounds(problem)
    if conflicting:
        names = ", ".join(f"{q.feature}={q.value} {side} {q.min if side == 'min' else q.max}"
                          for q, side in conflicting)
        conflicts.insert(0, f"these quotas cannot all hold with {problem.size} seats: {names}")
    relaxed, slacks = problem.model(maximize=False, slack=True)
    ok, x, _ = relaxed.solve()
    relaxation = []
    if ok:
        for q, lo, hi in slacks:
            if x[lo] > 0.5:
                relaxation.append({"feature": q.feature, "value": q.value, "bound": "min",
                                   "from": q.min, "to": q.min - int(round(x[lo]))})
            if x[hi] > 0.5:
                relaxation.append({"feature": q.feature, "value": q.value, "bound": "max",
                                   "from": q.max, "to": q.max + int(round(x[hi]))})
    if not conflicts:
        conflicts.append("no panel of this size can be formed from the pool")
    return Infeasible(conflicts, relaxation)


def conflicting_bounds(problem):
    """A minimal set of quota bounds that no panel can meet together (a deletion
    filter: drop each bound in turn and keep it only if the rest become feasible)."""
    active = [(q, side) for q in problem.quotas for side in ("min", "max")
              if (side == "min" and q.min > 0) or (side == "max" and q.max < problem.size)]

    def feasible(bounds):
        m, _ = problem.model(bounds=set(bounds))
        return m.solve()[0]

    if feasible(active):
        return []  # the pool or the household rule is the problem, not the quotas
    needed = list(active)
    for bound in active:
        trial = [b for b in needed if b != bound]
        if not feasible(trial):
            needed = trial
    return needed


# -- the draw ---------------------------------------------------------------------


def _pick(rng, items, k):
    """k items uniformly without replacement (partial Fisher–Yates on random())."""
    items = list(items)
    for i in range(k):
        j = i + int(rng.random() * (len(items) - i))
        items[i], items[j] = items[j], items[i]
    return items[:k]


def draw(problem, lottery, rng):
    r = rng.random()
    acc = 0.0
    chosen = lottery[-1][0]
    for panel, prob in lottery:
        acc += prob
        if r < acc:
            chosen = panel
            break
    members = []
    if problem.by_type:
        return house_rule.assign(problem.units, chosen, rng)
    if not problem.one_per_household:
        for u, count in enumerate(chosen):
            members.extend(v.id for v in _pick(rng, problem.units[u], count))
        return sorted(members)
    # Households of a household type are drawn uniformly, handed out to the
    # member types the panel asks of them, and one member of that type sits.
    units_of = defaultdict(list)
    for u, (h, vtype) in enumerate(problem.unit_house):
        units_of[h].append((u, vtype))
    for h, households in enumerate(problem.house_types):
        wanted = [(vtype, chosen[u]) for u, vtype in units_of[h] if chosen[u]]
        picked = _pick(rng, households, sum(c for _, c in wanted))
        at = 0
        for vtype, count in wanted:
            for house in picked[at:at + count]:
                candidates = [v for v in house if problem.type_of[v.id] == vtype]
                members.append(candidates[int(rng.random() * len(candidates))].id)
            at += count
    return sorted(members)


def draw_alternates(problem, members, k, rng):
    """Alternates in calling order: first people who share a member's features
    (so a drop-out can be replaced without breaking a quota), then the rest."""
    if k <= 0:
        return []
    chosen = set(members)
    unit_of = {v.id: u for u, unit in enumerate(problem.units) for v in unit}
    feature_key = {v.id: tuple(problem.values[unit_of[v.id]][f] for f in problem.features)
                   for unit in problem.units for v in unit}
    houses = {v.household for unit in problem.units for v in unit if v.id in chosen and v.household}
    rest = [v for unit in problem.units for v in unit
            if v.id not in chosen and not (problem.one_per_household and v.household in houses)]
    rest = _pick(rng, rest, len(rest))
    wanted = Counter(feature_key[m] for m in members)
    first = [v for v in rest if wanted[feature_key[v.id]] > 0]
    order, taken = [], set()
    for v in first:
        if wanted[feature_key[v.id]] > 0 and len(order) < k:
            wanted[feature_key[v.id]] -= 1
            order.append(v.id)
            taken.add(v.id)
    order.extend(v.id for v in rest if v.id not in taken)
    return order[:k]


def _fair_lottery(problem, fast, fair, time_limit):
    """``(problem, lottery, unit probabilities, report)``.  Under the household rule
    the lottery is first computed on types (households.py); only when that is not
    proven optimal within the time does the exact program on household types get
    what is left of it, and the better of the two lotteries is kept."""
    started = time.thread_time()
    report = {}
    if not problem.one_per_household:
        return (problem, *fair(problem, time_limit=time_limit, report=report), report)
    if fast is not None:
        lottery, unit_prob = fair(fast, time_limit=time_limit, report=report)
        lowest = _lowest(fast, unit_prob)   # a type left out here falls back to the exact program
        # the same weights without the household rows bound every household lottery
        _, bound = fast.best_panel(report["weights"], household_rows=False)
        report["upper_bound"] = bound if bound is not None else report["upper_bound"]
        report["optimal"] = report["optimal"] and bound is not None and bound <= lowest + 1e-6
        if report["optimal"]:
            return fast, lottery, unit_prob, report
        best = (fast, lottery, unit_prob, report)
    else:
        best = None
    left = None if time_limit is None else max(0.5, time_limit - (time.thread_time() - started))
    exact_report = {}
    lottery, unit_prob = fair(problem, time_limit=left, report=exact_report)
    if best is not None:
        exact_report["upper_bound"] = min(exact_report["upper_bound"], best[3]["upper_bound"])
    if best is None or _lowest(problem, unit_prob) >= _lowest(fast, best[2]):
        return problem, lottery, unit_prob, exact_report
    best[3]["upper_bound"] = exact_report["upper_bound"]
    return best


def _lowest(problem, unit_prob):
    return min(unit_prob[u] for u in range(len(problem.units)))


def composition(problem, panel):
    """A panel of the lottery as seats per type, with how many share each type's chances."""
    seats = []
    for u, count in enumerate(panel):
        if count:
            seats.append({"features": dict(problem.values[u]), "seats": count, "pool": problem.cap[u]})
    return sorted(seats, key=lambda s: sorted(s["features"].items()))


def select(volunteers, size, quotas, *, seed, one_per_household=False, alternates=0, time_limit=None,
           rule="maximin"):
    """Check, compute the fair lottery (``rule``: maximin or leximin), and draw a panel with the seed."""
    problem = Problem(volunteers, size, quotas, one_per_household)
    fast = Problem(volunteers, size, quotas, True, by_type=True) if one_per_household else None
    # a panel on types meeting the household rows is a panel under the rule: no further check
    if fast is None or fast.best_panel([0.0] * len(fast.units))[0] is None:
        fast = None
        infeasible = explain_infeasibility(problem)
        if infeasible is not None:
            raise infeasible
    fair = leximin_lottery if rule == "leximin" else maximin_lottery
    problem, lottery, unit_prob, report = _fair_lottery(problem, fast, fair, time_limit)
    rng = random.Random(seed_of(seed))
    members = draw(problem, lottery, rng)
    extra = draw_alternates(problem, members, alternates, rng)
    probabilities = {v.id: unit_prob[u] for u, unit in enumerate(problem.units) for v in unit}
    by_id = {v.id: v for v in volunteers}
    counts = {f: dict(sorted(Counter(str(by_id[m].features[f]) for m in members).items())) for f in problem.features}
    return Selection(
        members=members, alternates=extra, probabilities=probabilities,
        lowest_probability=min(probabilities.values()), counts=counts,
        seed=seed_of(seed), panels_in_lottery=len(lottery),
        optimal=report["optimal"], upper_bound=report["upper_bound"], rule=rule,
        complete=report.get("complete", report["optimal"]),
        portfolio=[(prob, composition(problem, panel)) for panel, prob in lottery],
    )


