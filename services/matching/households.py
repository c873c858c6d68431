"""One member per household, worked on types rather than on household types.

With households the exact program needs a unit per (type, household type):
at 1,000 volunteers in pairs that is ~900 units and a column generation that
takes minutes to prove its optimum.  Most of that is not needed.  Give every
volunteer of type ``t`` the same chance ``c_t / n_t`` of a seat in a panel
with ``c_t`` seats of type ``t``; a household then sends ``sum over its
members of c_t / n_t`` members on average, and when that is at most one for
every household (one linear row per kind of household on the type counts,
:func:`rows`), the seats can be given to households so that each sends at
most one and every volunteer keeps exactly that chance: volunteers of a type
and households form a bipartite graph whose degree-constrained subgraphs have
integral polytopes, and dependent rounding (Gandhi, Khuller, Parthasarathy and
Srinivasan, J. ACM 2006) draws one with those marginals (:func:`assign`).

So the lottery is computed over types with these rows, as fast as without
households.  Its lowest probability is proven the household optimum when the
same dual weights bound the problem *without* households at that value: no
household lottery can beat a lottery free of the rule.  Pure: no I/O.
"""
from collections import Counter, defaultdict

EPS = 1e-9


def house_of(volunteer):
    return volunteer.household or ("alone", volunteer.id)


def rows(units, most=None):
    """``[{type: coefficient}]``: for each kind of household with two members or
    more, ``sum_t members of type t / n_t * c_t <= 1``, leaving out the rows no
    panel can break (``most[t]``: the most seats type t can get by the quotas)."""
    size = [len(unit) for unit in units]
    most = most or size
    houses = defaultdict(Counter)
    for t, unit in enumerate(units):
        for v in unit:
            houses[house_of(v)][t] += 1
    kinds = {tuple(sorted(c.items())) for c in houses.values() if sum(c.values()) > 1}
    return [{t: m / size[t] for t, m in kind} for kind in sorted(kinds)
            if sum(m * min(most[t], size[t]) / size[t] for t, m in kind) > 1 + EPS]


def assign(units, counts, rng):
    """Members for a panel of ``counts`` seats per type: at most one per household,
    each volunteer of type ``t`` chosen with probability ``counts[t] / len(units[t])``
    (the rows of :func:`rows` must hold for ``counts``).  Uses only ``rng.random()``."""
    house_index, members = {}, defaultdict(list)
    weight = Counter()
    for t, c in enumerate(counts):
        if not c:
            continue
        share = c / len(units[t])
        for v in units[t]:   # in id order (Problem sorts the pool)
            h = house_index.setdefault(house_of(v), len(house_index))
            weight[(t, h)] += share
            members[(t, h)].append(v.id)
    _round(weight, len(counts), rng)
    chosen = []
    for edge in sorted(weight):
        if weight[edge] > 0.5:
            ids = members[edge]
            chosen.append(ids[int(rng.random() * len(ids))])
    return sorted(chosen)


def _round(weight, types, rng):
    """Dependent rounding of the bipartite edge weights in place: every weight
    ends 0 or 1 with its expectation kept, every node's total rounded to the
    floor or ceiling of what it was (a type's integral total exactly)."""
    node = lambda t, h: (t, types + h)  # noqa: E731 (types then households, one numbering)
    adjacent = defaultdict(set)
    for (t, h), x in weight.items():
        if EPS < x < 1 - EPS:
            a, b = node(t, h)
            adjacent[a].add((t, h))
            adjacent[b].add((t, h))
        else:
            weight[(t, h)] = round(x)

    def other(edge, at):
        a, b = node(*edge)
        return b if at == a else a

    def walk(start, edge):
        """Nodes and edges from ``start`` through ``edge`` onwards until a node
        repeats (a cycle) or no fractional edge leads on."""
        nodes, edges = [start], []
        at = start
        while True:
            edges.append(edge)
            at = other(edge, at)
            if at in nodes:
                i = nodes.index(at)
                return edges[i:], True, at
            nodes.append(at)
            onward = [e for e in adjacent[at] if e != edge]
            if not onward:
                return edges, False, at
            edge = min(onward)

    order, i = sorted(adjacent), 0    # nodes only leave: the first one left is found by moving on
    while adjacent:
        while order[i] not in adjacent:
            i += 1
        first = order[i]
        e0 = min(adjacent[first])
        path, cycle, end = walk(first, e0)
        if not cycle:
            # A path must run between two dead ends (households: a type's total is
            # whole, so a type always has two fractional edges or none): walk again
            # from the dead end reached.
            path, cycle, _ = walk(end, path[-1])
        plus, minus = path[0::2], path[1::2]
        alpha = min([1 - weight[e] for e in plus] + [weight[e] for e in minus])
        beta = min([weight[e] for e in plus] + [1 - weight[e] for e in minus])
        step = alpha if rng.random() < beta / (alpha + beta) else -beta
        for sign, group in ((1, plus), (-1, minus)):
            for e in group:
                weight[e] += sign * step
                if weight[e] <= EPS or weight[e] >= 1 - EPS:
                    weight[e] = round(weight[e])
                    for n in node(*e):
                        adjacent[n].discard(e)
                        if not adjacent[n]:
                            del adjacent[n]
