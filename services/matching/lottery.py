"""Fair lotteries over quota-meeting panels (Flanigan et al., *Fair algorithms
for selecting citizens' assemblies*, Nature 2021), by column generation with
HiGHS: the restricted dual gives weights for the units of volunteers, an
integer program (``Problem.best_panel``) finds the panel of largest weight, and
the panel joins the program until none improves it.

- **maximin** raises the lowest selection probability as far as the quotas allow;
- **leximin** then, with that level held, the next lowest, and so on, level by
  level: each level is a maximin over the units not yet fixed, and the units
  whose dual weight is positive at its optimum are tight in every optimal
  lottery (complementary slackness), so they are fixed at that level.

Pure: no I/O.
"""
import time

from .lp import Model

EPS = 1e-9


class _ColumnGeneration:
    """The panels found so far and the programs over them, for one problem."""

    def __init__(self, problem, deadline=None, tolerance=1e-6):
        self.problem = problem
        self.n = len(problem.units)
        self.inv = [1.0 / c for c in problem.cap]
        self.deadline = deadline
        self.tolerance = tolerance
        self.panels, self.seen = [], set()

    def add(self, panel):
        if panel is not None and panel not in self.seen:
            self.seen.add(panel)
            self.panels.append(panel)
            return True
        return False

    def out_of_time(self):
        return self.deadline is not None and (time.thread_time() > self.deadline[0]
                                              or time.monotonic() > self.deadline[1])

    def start(self):
        """Panels that together include every unit that can be included (first
        those taking in as many uncovered units as they can, then one check per
        unit still left out: it may fit no quota-meeting panel at all); returns
        the units that can be selected."""
        problem, n, inv = self.problem, self.n, self.inv
        covered = set()
        while True:
            weights = [0.0 if u in covered else inv[u] for u in range(n)]
            panel, _ = problem.best_panel(weights)
            if panel is None:
                from .panels import explain_infeasibility
                raise explain_infeasibility(problem) or RuntimeError("solver failed")
            new = {u for u, c in enumerate(panel) if c and u not in covered}
            self.add(panel)
            covered |= {u for u, c in enumerate(panel) if c}
            if not new:
                break
        possible = set(covered)
        for u in range(n):
            if u in covered:
                continue
            weights = [0.0 if v in covered else inv[v] / (n + 1) for v in range(n)]
            weights[u] = 1.0
            panel, _ = problem.best_panel(weights)
            if panel[u] == 0:
                continue  # no quota-meeting panel has these volunteers
            possible.add(u)
            self.add(panel)
            covered |= {v for v, c in enumerate(panel) if c}
            possible |= {v for v, c in enumerate(panel) if c}
        return sorted(possible)

    def level(self, free, fixed, max_rounds=2000):
        """Raise the lowest probability of the ``free`` units while each ``fixed``
        unit keeps at least its value.  Returns ``(level, duals, proven, bound)``:
        the level over the panels found, the free units' dual weights, whether no
        panel can improve it, and an upper bound of the true level."""
        inv, bound, proven = self.inv, 1.0, False
        while True:
            # Restricted dual: min w - sum_X v_u y_u  s.t.  sum_u y_u a_Pu / cap_u <= w for
            # every panel P found, sum_F y_u = 1, y >= 0.
            dual = Model(maximize=False)
            live = list(free) + list(fixed)
            ys = {u: dual.add_column(-fixed.get(u, 0.0), 0.0) for u in live}
            w = dual.add_column(1.0, -1.0, 1e9)
            for panel in self.panels:
                dual.add_row({**{ys[u]: panel[u] * inv[u] for u in live if panel[u]}, w: -1.0}, upper=0.0)
            dual.add_row({ys[u]: 1.0 for u in free}, 1.0, 1.0)
            ok, x, value = dual.solve()
            if not ok:
                raise RuntimeError("the fairness program could not be solved")
            weights = [0.0] * self.n
            for u in live:
                weights[u] = x[ys[u]] * inv[u]
            panel, best = self.problem.best_panel(weights)
            self.weights = weights
            if best is not None:
                # any such weights bound the level from above (Lagrangian bound)
                bound = min(bound, best - sum(fixed[u] * x[ys[u]] for u in fixed))
            if best is None or best <= x[w] + self.tolerance or not self.add(panel):
                proven = True
                break
            max_rounds -= 1
            if max_rounds <= 0 or self.out_of_time():
                break
        return value, {u: x[ys[u]] for u in free}, proven, max(bound, value)

    def primal(self, free, fixed):
        """The lottery over the panels found that maximises the free units' lowest
        probability with the fixed ones held: ``(lottery, unit probabilities)``."""
        inv = self.inv
        primal = Model(maximize=True)
        ps = [primal.add_column(0.0, 0.0, 1.0) for _ in self.panels]
        z = primal.add_column(1.0 if free else 0.0, 0.0, 1.0)
        for u in list(free) + list(fixed):
            terms = {ps[k]: p[u] * inv[u] for k, p in enumerate(self.panels) if p[u]}
            if u in fixed:
                primal.add_row(terms, lower=fixed[u])
            else:
                primal.add_row({**terms, z: -1.0}, lower=0.0)
        primal.add_row({c: 1.0 for c in ps}, 1.0, 1.0)
        ok, x, _ = primal.solve()
        if not ok:
            raise RuntimeError("the fairness program could not be solved")
        weights = [max(0.0, x[c]) for c in ps]
        total = sum(weights)
        lottery = [(p, wgt / total) for p, wgt in zip(self.panels, weights) if wgt / total > EPS]
        unit_prob = [0.0] * self.n
        for panel, prob in lottery:
            for u, c in enumerate(panel):
                unit_prob[u] += prob * c * inv[u]
        return lottery, unit_prob


# The time limit counts the solver's own CPU time (this thread's), so a machine
# busy with other work does not turn a provable lottery into "unproven"; the wall
# clock still stops it at this multiple, below the gateway's RPC timeout.
WALL_FACTOR = 1.5


def _deadline(time_limit):
    if time_limit is None:
        return None
    return time.thread_time() + time_limit, time.monotonic() + WALL_FACTOR * time_limit


def maximin_lottery(problem, tolerance=1e-6, max_rounds=2000, time_limit=None, report=None):
    """``(lottery, unit probabilities)``: panels with their probabilities,
    maximising the lowest selection probability of any volunteer who can be
    selected at all.  With ``time_limit`` (seconds) the column generation
    stops early; the lottery is then the best over the panels found, and
    ``report["upper_bound"]`` says how far from the optimum it can be."""
    report = report if report is not None else {}
    cg = _ColumnGeneration(problem, _deadline(time_limit), tolerance)
    live = cg.start()
    _, _, proven, bound = cg.level(live, {}, max_rounds)
    report.update(optimal=proven, upper_bound=bound, rounds=len(cg.panels), levels=1, weights=cg.weights)
    return cg.primal(live, {})


# A unit fixed at a level keeps it up to this much less, so the next level's
# program stays feasible under the solver's rounding.
HOLD = 1e-9


def leximin_lottery(problem, tolerance=1e-6, time_limit=None, report=None):
    """``(lottery, unit probabilities)``: the leximin lottery.  Its lowest
    probability is the maximin one; among lotteries with that lowest, the next
    lowest is as high as it can be, and so on.  With ``time_limit`` the levels
    stop where the time runs out (``report["optimal"]`` is then False: the
    levels solved so far hold, the rest are as good as the panels found)."""
    report = report if report is not None else {}
    cg = _ColumnGeneration(problem, _deadline(time_limit), tolerance)
    free = cg.start()
    fixed = {}
    levels, proven, bound, first_proven = 0, True, 1.0, False
    while free:
        value, duals, proven, level_bound = cg.level(free, fixed)
        if levels == 0:
            bound, first_proven, report["weights"] = level_bound, proven, cg.weights
        levels += 1
        if not proven:
            break
        tight = [u for u in free if duals[u] > 1e-9] or list(free)
        if len(tight) == len(free):
            break  # the last level: the primal of this one is the lottery
        for u in tight:
            fixed[u] = max(0.0, value - HOLD)
        free = [u for u in free if u not in fixed]
        if cg.out_of_time():
            proven = False
            break
    # ``optimal`` says the lowest probability is the proven maximin, as for maximin_lottery
    report.update(optimal=first_proven, complete=proven, upper_bound=bound, rounds=len(cg.panels), levels=levels)
    return cg.primal(free, fixed)
