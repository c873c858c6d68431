"""A thin layer over HiGHS (``highspy``): linear and mixed-integer programs
given as rows of ``{column: coefficient}``.  No I/O beyond the solver."""
import highspy
import numpy as np

INF = highspy.kHighsInf


class Model:
    """Columns with bounds and costs, rows with bounds; solved by HiGHS."""

    def __init__(self, maximize=False):
        self.maximize = maximize
        self.cost, self.lower, self.upper, self.integer = [], [], [], []
        self.rows = []  # (lower, upper, {col: coef})

    def add_column(self, cost=0.0, lower=0.0, upper=INF, integer=False):
        self.cost.append(float(cost))
        self.lower.append(float(lower))
        self.upper.append(float(upper))
        self.integer.append(bool(integer))
        return len(self.cost) - 1

    def add_row(self, coefs, lower=-INF, upper=INF):
        self.rows.append((float(lower), float(upper), dict(coefs)))
        return len(self.rows) - 1

    def solve(self, time_limit=None):
        """``(optimal, column values, objective)``."""
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("random_seed", 0)
        if time_limit:
            h.setOptionValue("time_limit", float(time_limit))
        lp = highspy.HighsLp()
        n, m = len(self.cost), len(self.rows)
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.array(self.cost)
        lp.col_lower_ = np.array(self.lower)
        lp.col_upper_ = np.array(self.upper)
        lp.row_lower_ = np.array([r[0] for r in self.rows])
        lp.row_upper_ = np.array([r[1] for r in self.rows])
        # row-wise sparse matrix
        starts, index, value = [0], [], []
        for _, _, coefs in self.rows:
            for col, coef in coefs.items():
                index.append(col)
                value.append(float(coef))
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        if any(self.integer):
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                               for i in self.integer]
        h.passModel(lp)
        h.run()
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if not ok:
            return False, None, None
        return True, list(h.getSolution().col_value), h.getInfo().objective_function_value
