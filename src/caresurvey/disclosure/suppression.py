"""Disclosure control of output tables built from study data.

The rules follow secure research environments and DfE practice (DESIGN.md, "Disclosure control"):

1. **Primary suppression.** A count from 1 to ``threshold - 1`` is suppressed, and so is a count
   whose complement within its denominator (``denominator - count``) is in that range, since
   the count would reveal it. Zeros are shown, as the DfE shows them. Everything computed from
   a row with a suppressed count (percentages, intervals, shares) is suppressed with it. A row
   of a statistical summary (a test, a model) is withheld when the count it rests on is below
   the threshold.
2. **Secondary suppression.** A table's additive structure (total rows, categories that add up
   to the denominator, columns that add up to another, one denominator repeated on several
   rows) is written as linear equations. Each suppressed cell must stay unknown to anyone
   holding every published cell: linear programming (HiGHS, via scipy) gives the range the
   cell could take, which must be at least one wide and, for a primary cell, reach the
   threshold (so that nobody learns the count is small). While a cell is exposed, the smallest
   published cell sharing an equation with it is suppressed too, preferring cells that are not
   totals.
3. **Rounding** (optional, ``[disclosure] round_to``): published counts are rounded to a
   multiple, half up; a count that is not zero but rounds to zero is shown as ``k``.
   Percentages stay computed from the unrounded counts, as the DfE does.

Cells carry the DfE symbols: ``c`` confidential (suppressed), ``k`` rounds to zero, ``z`` not
applicable, ``x`` not available. Tables of published data (the source documents, DfE
statistics) need no control and are left as they are, with the reason recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from caresurvey.codes import ROUNDS_TO_ZERO, SUPPRESSED
from caresurvey.disclosure.roles import Roles

__all__ = ["Protected", "Suppression", "protect"]


@dataclass(frozen=True)
class Suppression:
    """One suppressed cell, for the report: where it is (row keys, column) and why, never its value."""

    row: dict
    column: str
    reason: str


@dataclass
class Protected:
    """A table after disclosure control.

    ``values`` keeps the numbers that may be published (suppressed cells are missing), for
    figures; ``symbols`` holds the DfE symbol of each cell or ``""``; :meth:`display` combines
    them for CSV and spreadsheet output.
    """

    values: pd.DataFrame
    symbols: pd.DataFrame
    suppressions: list[Suppression] = field(default_factory=list)
    note: str = ""
    counts: tuple[str, ...] = ()

    def display(self) -> pd.DataFrame:
        """The table as published: symbols in withheld cells, counts as whole numbers."""
        mask = self.symbols != ""
        if not mask.to_numpy().any():
            return self.values.copy()
        shown = self.values.copy()
        for col in self.counts:
            numbers = pd.to_numeric(shown[col], errors="coerce")
            if (numbers.dropna() % 1 == 0).all():
                shown[col] = numbers.astype("Int64")
        return shown.astype(object).mask(mask, self.symbols)

    def reason_counts(self) -> list[tuple[str, int]]:
        """How many cells were withheld for each reason, by reason (for the report and workbook)."""
        counts: dict[str, int] = {}
        for suppression in self.suppressions:
            counts[suppression.reason] = counts.get(suppression.reason, 0) + 1
        return sorted(counts.items())

    @classmethod
    def unchanged(cls, frame: pd.DataFrame, note: str = "") -> Protected:
        return cls(frame.copy(), pd.DataFrame("", index=frame.index, columns=frame.columns), [], note)


def _blank_withheld(values: pd.DataFrame, symbols: pd.DataFrame) -> pd.DataFrame:
    """``values`` with every withheld cell missing: NaN in numeric columns, None in text ones."""
    out = values.copy()
    for col in out.columns:
        hidden = symbols[col] == SUPPRESSED
        if hidden.any():
            out[col] = out[col].astype(object).where(~hidden, None) if out[col].dtype == object \
                else out[col].where(~hidden)
    return out


def _is_small(value: float, threshold: int) -> bool:
    return bool(pd.notna(value) and 0 < value < threshold)


class _Cells:
    """The table's count cells as LP variables, the unpublished counts the structure implies
    (differences, residuals), and the linear relations between them."""

    def __init__(self, frame: pd.DataFrame, spec: Roles, name: str):
        self.frame, self.spec, self.name = frame, spec, name
        self.columns = [c for c in spec.count_columns if c in frame.columns]
        values = frame[self.columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        self.values: list[float] = list(values.reshape(-1))
        self.table_cells = len(self.values)
        self.implied: set[int] = set()  # unpublished counts the structure defines
        self.equations: list[dict[int, float]] = []  # cell -> coefficient; the sum is zero
        self.inequalities: list[dict[int, float]] = []  # the sum is at most zero
        self.totals: set[int] = set()
        self._build()

    def cell(self, row: int, col: str) -> int:
        return row * len(self.columns) + self.columns.index(col)

    def _new(self, value: float, implied: bool) -> int:
        self.values.append(value)
        if implied:
            self.implied.add(len(self.values) - 1)
        return len(self.values) - 1

    def _add(self, equation: dict[int, float], what: str) -> None:
        if all(pd.notna(self.values[c]) for c in equation):
            residual = sum(k * self.values[c] for c, k in equation.items())
            if abs(residual) > 1e-6 * max(1.0, *(abs(self.values[c]) for c in equation)):
                raise ValueError(f"disclosure control of {self.name}: the {what} does not hold in the table "
                                 f"(off by {residual:g}); its protection spec is wrong")
        self.equations.append(equation)

    def _groups(self, keys: list[str]):
        frame = self.frame
        if not keys:
            yield list(range(len(frame)))
            return
        for _, rows in frame.groupby(keys, sort=False, dropna=False):
            yield rows.index.to_list()

    def _build(self) -> None:
        spec, frame = self.spec, self.frame
        keys = [k for k in spec.keys if k in frame.columns]
        total_labels: dict[str, set] = {}
        for t in spec.totals:
            total_labels.setdefault(t.key, set()).add(t.total)
        for t in spec.totals:
            if t.key not in frame.columns:
                continue
            for rows in self._groups([k for k in keys if k != t.key]):
                labels = frame[t.key]
                total_rows = [r for r in rows if labels[r] == t.total]
                parts = [r for r in rows if (labels[r] in t.parts if t.parts else labels[r] not in total_labels[t.key])]
                if len(total_rows) != 1 or not parts:
                    continue
                for col in (c for c in self.columns if not t.columns or c in t.columns):
                    equation = {self.cell(total_rows[0], col): -1.0}
                    for r in parts:
                        equation[self.cell(r, col)] = 1.0
                    if not t.complete:
                        rest = self.values[self.cell(total_rows[0], col)] - sum(self.values[self.cell(r, col)] for r in parts)
                        equation[self._new(rest, implied=True)] = 1.0
                    self._add(equation, f"total {t.key} = {t.total!r} of column {col}")
                    self.totals.add(self.cell(total_rows[0], col))
        partitioned: set[int] = set()
        if spec.partition and spec.partition in frame.columns and spec.denominator and spec.counts:
            count = spec.counts[0]
            skip = total_labels.get(spec.partition, set()) | set(spec.outside_partition)
            for rows in self._groups([k for k in keys if k != spec.partition]):
                parts = [r for r in rows if frame.at[r, spec.partition] not in skip]
                for r in parts:
                    equation = {self.cell(p, count): 1.0 for p in parts}
                    equation[self.cell(r, spec.denominator)] = -1.0
                    self._add(equation, f"partition of {spec.denominator} by {spec.partition}")
                partitioned.update(parts)
        if spec.row_sum:
            parts, total = spec.row_sum
            for row in range(len(frame)):
                equation = {self.cell(row, p): 1.0 for p in parts}
                equation[self.cell(row, total)] = -1.0
                self._add(equation, f"row sum {' + '.join(parts)} = {total}")
                self.totals.add(self.cell(row, total))
            partitioned.update(range(len(frame)))
        if spec.denominator and spec.denominator in self.columns:
            d = spec.denominator
            # a denominator printed on several rows: equal copies are tied together
            for rows in self._groups([k for k in keys if k != spec.partition] if spec.partition else []):
                by_value: dict[float, list[int]] = {}
                for r in rows:
                    by_value.setdefault(self.values[self.cell(r, d)], []).append(r)
                for same in by_value.values():
                    for a, b in zip(same, same[1:]):
                        self._add({self.cell(a, d): 1.0, self.cell(b, d): -1.0}, f"copies of {d}")
            for row in range(len(frame)):
                for col in spec.counts:
                    if col == d or col not in self.columns:
                        continue
                    if row in partitioned:
                        self.inequalities.append({self.cell(row, col): 1.0, self.cell(row, d): -1.0})
                    else:  # the rest of the denominator is an unpublished count
                        rest = self.values[self.cell(row, d)] - self.values[self.cell(row, col)]
                        self._add({self.cell(row, col): 1.0, self._new(rest, implied=True): 1.0,
                                   self.cell(row, d): -1.0}, f"rest of {d}")
        if spec.cumulative and spec.cumulative.key in frame.columns:
            c = spec.cumulative
            for rows in self._groups(list(c.by)):
                ordered = sorted(rows, key=lambda r: frame.at[r, c.key])
                for col in c.columns:
                    for a, b in zip(ordered, ordered[1:]):
                        # the change is an unpublished count: added when the column rises, taken when it falls
                        step = self.values[self.cell(b, col)] - self.values[self.cell(a, col)]
                        change = self._new(abs(step), implied=True)
                        self._add({self.cell(b, col): 1.0, self.cell(a, col): -1.0, change: -1.0 if step >= 0 else 1.0},
                                  f"change in {col} along {c.key}")
        if spec.pooled:
            by, numerator, denominator, ratio = spec.pooled
            for rows in self._groups([k for k in by if k in frame.columns]):
                share = float(frame.at[rows[0], ratio])
                equation = {self.cell(r, numerator): 1.0 for r in rows}
                equation.update({self.cell(r, denominator): -share for r in rows})
                self._add(equation, f"pooled {ratio} = sum of {numerator} / sum of {denominator}")

    def ranges(self, suppressed: set[int], which: list[int]) -> dict[int, tuple[float, float]]:
        """The least and greatest value each cell in ``which`` can take given every published cell."""
        free = sorted(suppressed)
        position = {cell: k for k, cell in enumerate(free)}

        def system(rows: list[dict[int, float]]):
            entries, rhs = [], []
            for equation in rows:
                if not any(c in position for c in equation):
                    continue
                known = sum(coef * self.values[c] for c, coef in equation.items() if c not in position)
                entries.extend((len(rhs), position[c], coef) for c, coef in equation.items() if c in position)
                rhs.append(-known)
            if not rhs:
                return None, None
            r, c, v = zip(*entries)
            return sparse.csr_array((v, (r, c)), shape=(len(rhs), len(free))), np.array(rhs)

        a_eq, b_eq = system(self.equations)
        a_ub, b_ub = system(self.inequalities)
        out = {}
        for cell in which:
            bounds = []
            for sign in (1.0, -1.0):
                objective = np.zeros(len(free))
                objective[position[cell]] = sign
                result = optimize.linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                                          method="highs")
                if result.status == 3:  # unbounded: only the maximum can be
                    bounds.append(np.inf)
                elif result.status == 0:
                    bounds.append(sign * result.fun)
                else:
                    raise ValueError(f"disclosure control of {self.name}: the published cells admit no solution "
                                     f"({result.message})")
            out[cell] = (bounds[0], bounds[1])
        return out

    def neighbours(self, cell: int) -> list[int]:
        """Cells sharing an equation with ``cell``, then those sharing an inequality."""
        first, second = [], []
        for rows, found in ((self.equations, first), (self.inequalities, second)):
            for equation in rows:
                if cell in equation:
                    found.extend(c for c in equation if c != cell and c not in found)
        return first + [c for c in second if c not in first]


def _key_values(frame: pd.DataFrame, row: int, spec: Roles) -> dict:
    keys = [k for k in spec.keys if k in frame.columns]
    return {k: frame.iloc[row][k] for k in keys}


def protect(frame: pd.DataFrame, spec: Roles, threshold: int, round_to: int = 0, name: str = "table") -> Protected:
    """Apply primary and secondary suppression (and optional rounding) to one table.

    Cells already missing (suppressed upstream, in the table this one was computed from) stay
    missing and count as unknown to the reader.
    """
    if spec.public:
        return Protected.unchanged(frame, spec.public)
    frame = frame.reset_index(drop=True)
    symbols = pd.DataFrame("", index=frame.index, columns=frame.columns)
    suppressions: list[Suppression] = []
    cells = _Cells(frame, spec, name)
    width = len(cells.columns)
    fixed = spec.fixed
    derived = [c for c in frame.columns if c not in cells.columns and c not in fixed]

    sizes = [c for c in spec.sizes if c in frame.columns]
    too_few = frame[sizes].apply(pd.to_numeric, errors="coerce") < threshold
    for row in range(len(frame)):  # statistical summaries resting on too few are withheld
        small = [c for c in sizes if too_few.at[row, c]]
        if small:
            symbols.loc[row, [c for c in frame.columns if c not in fixed]] = SUPPRESSED
            suppressions.append(Suppression(_key_values(frame, row, spec), ", ".join(small),
                                            f"rests on fewer than {threshold}"))

    unknown = {c for c in range(cells.table_cells) if pd.isna(cells.values[c])} | cells.implied
    primary = {c for c in range(len(cells.values)) if _is_small(cells.values[c], threshold)}
    reasons = {c: f"count below {threshold}" for c in primary if c < cells.table_cells}
    suppressed = unknown | primary
    exposed = sorted(primary)
    while exposed:
        ranges = cells.ranges(suppressed, exposed)
        still = [c for c, (low, high) in ranges.items()
                 if high - low < 1 - 1e-9 or (c in primary and high < threshold - 1e-9)]
        if not still:
            break
        candidates = {n for cell in still for n in cells.neighbours(cell) if n not in suppressed}
        if not candidates:
            raise ValueError(f"disclosure control of {name}: a suppressed cell cannot be protected")
        # the least information lost: a published cell that is not a total, not zero, and small
        choice = min(candidates, key=lambda n: (n in cells.totals, cells.values[n] == 0, cells.values[n], n))
        suppressed.add(choice)
        if choice not in primary:
            reasons[choice] = ("hides an unpublished count below the threshold (the rest of a denominator, a difference)"
                               if any(c in cells.implied for c in still) else "protects another suppressed cell")
        exposed = sorted(set(still) | {choice})

    hidden_rows = set()
    for cell in sorted(c for c in suppressed if c < cells.table_cells):
        row, col = divmod(cell, width)
        symbols.at[row, cells.columns[col]] = SUPPRESSED
        hidden_rows.add(row)
        suppressions.append(Suppression(_key_values(frame, row, spec), cells.columns[col],
                                        reasons.get(cell, "withheld in the table it is computed from")))
    for row in hidden_rows:
        symbols.loc[row, derived] = SUPPRESSED

    values = _blank_withheld(frame, symbols)
    if round_to:
        for col in cells.columns:
            numbers = pd.to_numeric(values[col], errors="coerce")
            rounded = np.floor(numbers.astype(float) / round_to + 0.5) * round_to
            symbols.loc[(numbers > 0) & (rounded == 0) & (symbols[col] == ""), col] = ROUNDS_TO_ZERO
            values[col] = rounded
    note = (f"counts from 1 to {threshold - 1} suppressed ({SUPPRESSED}), with the cells that would reveal them"
            + (f"; counts rounded to the nearest {round_to} ({ROUNDS_TO_ZERO}: not zero, rounds to zero)"
               if round_to else ""))
    return Protected(values, symbols, suppressions, note, tuple(cells.columns))
