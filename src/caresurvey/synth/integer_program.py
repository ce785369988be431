"""A small builder for integer programs, solved exactly by HiGHS through ``scipy.optimize.milp``.

The synthetic study needs integer tables that meet several constraints at once (rounded
percentages, counts that add up, fixed margins). Writing them as integer programs states the
constraints once and lets a proven solver find the closest table, instead of hand-written
search. HiGHS is deterministic: the same program gives the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from caresurvey.errors import CaresurveyError

__all__ = ["IntegerProgram", "controlled_rounding"]


class IntegerProgram:
    """Named integer variables, linear constraints and an objective of weighted absolute deviations."""

    def __init__(self, name: str):
        self.name = name
        self._index: dict[str, int] = {}
        self._lower: list[float] = []
        self._upper: list[float] = []
        self._integer: list[int] = []
        self._rows: list[tuple[dict[int, float], float, float]] = []
        self._objective: dict[int, float] = {}

    def variable(self, name: str, lower: float, upper: float, integer: bool = True) -> str:
        """Declare a variable with inclusive bounds; returns its name."""
        if name in self._index:
            raise ValueError(f"variable {name!r} is declared twice")
        self._index[name] = len(self._lower)
        self._lower.append(lower)
        self._upper.append(upper)
        self._integer.append(1 if integer else 0)
        return name

    def constrain(self, terms: Mapping[str, float], lower: float = -math.inf, upper: float = math.inf) -> None:
        """Require ``lower <= sum(coefficient * variable) <= upper``."""
        self._rows.append(({self._index[v]: c for v, c in terms.items()}, lower, upper))

    def fix(self, name: str, value: int) -> None:
        """Fix a variable to a value."""
        self.constrain({name: 1}, value, value)

    def penalise_deviation(self, terms: Mapping[str, float], target: float, weight: float) -> None:
        """Add ``weight * |sum(coefficient * variable) - target|`` to the objective.

        Notes
        -----
        The usual linearisation: a continuous ``d >= 0`` with ``d >= expr - target`` and
        ``d >= target - expr``; minimising ``weight * d`` makes ``d`` the absolute deviation.
        """
        deviation = self.variable(f"|dev {len(self._index)}|", 0, math.inf, integer=False)
        self.constrain({**terms, deviation: -1}, upper=target)
        self.constrain({**{v: -c for v, c in terms.items()}, deviation: -1}, upper=-target)
        self._objective[self._index[deviation]] = self._objective.get(self._index[deviation], 0) + weight

    def reward(self, name: str, weight: float) -> None:
        """Subtract ``weight * variable`` from the objective (a tie-break towards larger values)."""
        index = self._index[name]
        self._objective[index] = self._objective.get(index, 0) - weight

    def solve(self) -> dict[str, int]:
        """Solve; return every integer variable's value. Raises if the program has no solution."""
        size = len(self._lower)
        cost = np.zeros(size)
        for index, weight in self._objective.items():
            cost[index] = weight
        constraints = []
        if self._rows:
            matrix = np.zeros((len(self._rows), size))
            lower = np.empty(len(self._rows))
            upper = np.empty(len(self._rows))
            for row, (terms, lo, hi) in enumerate(self._rows):
                for index, coefficient in terms.items():
                    matrix[row, index] = coefficient
                lower[row], upper[row] = lo, hi
            constraints.append(LinearConstraint(matrix, lower, upper))
        result = milp(
            cost,
            integrality=np.array(self._integer),
            bounds=Bounds(np.array(self._lower), np.array(self._upper)),
            constraints=constraints,
        )
        if not result.success:
            raise CaresurveyError(f"{self.name}: no integer solution ({result.message})")
        return {
            name: int(round(result.x[index]))
            for name, index in self._index.items()
            if self._integer[index]
        }


def controlled_rounding(
    expected: np.ndarray,
    row_totals: np.ndarray | None = None,
    column_totals: np.ndarray | None = None,
    name: str = "controlled rounding",
) -> np.ndarray:
    """The integer table closest to ``expected`` (least total absolute difference) with fixed margins.

    Parameters
    ----------
    expected : 2-D array of float
        The table to round, e.g. LA size times the overall share of each legal status.
    row_totals, column_totals : 1-D array of int, optional
        Margins the result must have. A margin not given must lie within one of the expected
        margin (its floor or ceiling), and the grand total is the rounded expected total.

    Returns
    -------
    numpy.ndarray of int

    Notes
    -----
    This is controlled rounding in the sense of Cox and Ernst (1982): every cell is rounded to
    a neighbouring integer where the margins allow, and the margins add up exactly.
    """
    expected = np.asarray(expected, dtype=float)
    rows, columns = expected.shape
    program = IntegerProgram(name)
    cell = {(i, j): program.variable(f"x{i},{j}", 0, math.inf) for i in range(rows) for j in range(columns)}
    for (i, j), variable in cell.items():
        program.penalise_deviation({variable: 1}, float(expected[i, j]), 1.0)
    grand_total = round(float(expected.sum())) if row_totals is None and column_totals is None else None
    for axis, totals, count in ((0, row_totals, rows), (1, column_totals, columns)):
        margin = expected.sum(axis=1 - axis)
        for index in range(count):
            terms = {
                cell[(index, j) if axis == 0 else (j, index)]: 1
                for j in range(columns if axis == 0 else rows)
            }
            if totals is not None:
                program.constrain(terms, int(totals[index]), int(totals[index]))
            else:
                program.constrain(terms, math.floor(margin[index] + 1e-9), math.ceil(margin[index] - 1e-9))
    if grand_total is not None:
        program.constrain({v: 1 for v in cell.values()}, grand_total, grand_total)
    values = program.solve()
    return np.array([[values[cell[(i, j)]] for j in range(columns)] for i in range(rows)], dtype=int)
