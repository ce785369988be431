"""Disclosure control of output tables built from study data.

The rules follow secure research environments and DfE practice (DESIGN.md, "Disclosure control"):

1. **Primary suppression.** A count from 1 to ``threshold - 1`` is suppressed, and so is a count
   whose complement within its denominator (``denominator - count``) is in that range, since
   the count would reveal it. Zeros are shown, as the DfE shows them. Everything computed from
   a row with a suppressed count (percentages, intervals, shares) is suppressed with it. A row
   of a statistical summary (a test, a model) is withheld when the count it rests on is below
   the threshold.
2. **Secondary suppression, over the whole release.** Every released count is a cell of one
   :class:`Ledger`, with the relations between cells written as linear equations and
   inequalities: a table's additive structure (total rows, categories that add up to the
   denominator, columns that add up to another, a denominator repeated on several rows,
   cumulative counts) and the relations between tables that their declarations state
   (:class:`caresurvey.disclosure.Sum`: a transition table's margins and the status tables, the
   same answers counted in two tables). The unpublished counts the relations imply (a
   difference, the rest of a denominator) are cells too. Each withheld cell must stay unknown
   to anyone holding everything released: integer programming (HiGHS, via scipy) gives the
   range it could take, which must be at least one wide and, for a small cell, at least
   ``protection`` wide and reaching the threshold (so that nobody learns the count is small).
   While a cell is exposed, the cheapest released cell sharing a relation with it is withheld
   too, preferring cells that are not totals (with every copy of it). Tables of study data are
   protected together; a table computed from released tables adds nothing to learn.
3. **Rounding** (optional, ``[disclosure] round_to``): released counts are rounded to a
   multiple, half up; a count that is not zero but rounds to zero is shown as ``k``; shares and
   their intervals are then shown to whole percentages, as the DfE shows them.
4. **Statistics** are released as secure research environments release them (SACRO): p-values
   to two significant figures or "< 0.001", other statistics to two decimal places, diagnostics
   such as a chi-square test's smallest expected count withheld.

Cells carry the DfE symbols: ``c`` confidential (suppressed), ``k`` rounds to zero, ``z`` not
applicable, ``x`` not available. Tables of published data (the source documents, DfE
statistics) need no control and are left as they are, with the reason recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from caresurvey.codes import ROUNDS_TO_ZERO, SUPPRESSED
from caresurvey.disclosure.roles import Cells, Cumulative, Roles, Sum

__all__ = ["Protected", "Suppression", "Ledger", "protect", "protect_together"]


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


@dataclass
class _Placed:
    """One table's place in the ledger: its rows and count columns, and where its cells start."""

    name: str
    frame: pd.DataFrame
    columns: list[str]
    offset: int

    def cell(self, row: int, col: str) -> int:
        return self.offset + row * len(self.columns) + self.columns.index(col)

    @property
    def cells(self) -> range:
        return range(self.offset, self.offset + len(self.frame) * len(self.columns))


#: A bound no count reaches: a cell the published cells do not bound above is "unbounded".
_NO_BOUND = 1e9


class Ledger:
    """Every count cell of the tables released so far, as the unknowns of one linear system.

    An intruder holds every released table at once, so protection is judged over all of them:
    the relations within each table (its totals, partitions, cumulative counts) and between
    tables (:class:`caresurvey.disclosure.Sum` across tables) are kept here as equations and
    inequalities over the cells, and the unpublished counts they imply (differences, the rest
    of a denominator) as cells of their own. Tables are added in the order they are controlled;
    secondary suppression is chosen among the cells of the tables being controlled, so a table
    already released (and perhaps already used by another) never changes.
    """

    def __init__(self) -> None:
        self.values: list[float] = []
        self.implied: set[int] = set()  # unpublished counts the relations define
        self.unknown: set[int] = set()  # cells a reader does not see: withheld, missing, implied
        self.checked: set[int] = set()  # withheld cells that must stay unknown
        self.equations: list[dict[int, float]] = []  # cell -> coefficient; the sum is zero
        self.inequalities: list[dict[int, float]] = []  # the sum is at most zero
        self.totals: set[int] = set()
        self.tables: dict[str, _Placed] = {}
        #: the least and greatest value of each cell in the solutions found since a relation was added
        self._seen: dict[int, tuple[float, float]] = {}
        self._of: dict[int, list[tuple[bool, dict[int, float]]]] = {}  # each cell's relations

    # -- building ----------------------------------------------------------------------------

    def add(self, name: str, frame: pd.DataFrame, spec: Roles) -> _Placed:
        """Place table ``name`` (its index 0..n-1) with its relations; returns its place."""
        columns = [c for c in spec.count_columns if c in frame.columns]
        values = frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        placed = _Placed(name, frame, columns, len(self.values))
        self.values.extend(values.reshape(-1).tolist())
        self.tables[name] = placed
        _Relations(self, placed, spec).build()
        self._seen = {}  # solutions found before may break the new relations
        return placed

    def new(self, value: float) -> int:
        """An unpublished count the relations imply."""
        self.values.append(value)
        self.implied.add(len(self.values) - 1)
        return len(self.values) - 1

    def residual(self, relation: dict[int, float]) -> float | None:
        """The relation's sum over the cells' true values: 0 (to rounding) where it holds as an
        equation; None where a cell's value is not known (withheld upstream)."""
        values = [self.values[c] for c in relation]
        if any(pd.isna(v) for v in values):
            return None
        residual = sum(k * v for k, v in zip(relation.values(), values))
        return 0.0 if abs(residual) <= 1e-6 * max(1.0, *(abs(v) for v in values)) else residual

    def equation(self, equation: dict[int, float], what: str, table: str) -> None:
        """An equation the table's declaration says holds: an error if it does not."""
        residual = self.residual(equation)
        if residual:
            raise ValueError(f"disclosure control of {table}: the {what} does not hold in the table "
                             f"(off by {residual:g}); its protection spec is wrong")
        self.relate(equation)

    def relate(self, relation: dict[int, float], equation: bool = True) -> None:
        """Record that the cells' sum with these coefficients is zero (``equation``) or at most zero."""
        (self.equations if equation else self.inequalities).append(relation)
        for cell in relation:
            self._of.setdefault(cell, []).append((equation, relation))

    # -- what a reader can work out ------------------------------------------------------------

    def _components(self) -> tuple[dict[int, int], dict[int, list[tuple[bool, dict[int, float]]]]]:
        """Unknown cells joined by the relations they share: each cell's component, and each
        component's relations (equality flag, relation)."""
        parent = {c: c for c in self.unknown}

        def find(c: int) -> int:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        touching = []
        for is_equation, rows in ((True, self.equations), (False, self.inequalities)):
            for relation in rows:
                free = [c for c in relation if c in parent]
                if free:
                    root = find(free[0])
                    for other in free[1:]:
                        parent[find(other)] = root
                    touching.append((is_equation, relation, free[0]))
        root_of = {c: find(c) for c in parent}
        relations: dict[int, list[tuple[bool, dict[int, float]]]] = {}
        for is_equation, relation, cell in touching:
            relations.setdefault(root_of[cell], []).append((is_equation, relation))
        return root_of, relations

    def exposed(self, which, open_enough: Callable[[int, float, float], bool]) -> list[int]:
        """The unknown cells in ``which`` a reader could narrow too far: those for which
        ``open_enough(cell, least, greatest)`` fails, given every released cell.

        The least and greatest values come from integer programming (counts are whole), or
        linear programming where a relation has a fractional coefficient (a pooled ratio). Two
        shortcuts keep it to seconds: a linear programme's range contains the integer one, so a
        cell it already shows too narrow is exposed; and every solution found is a table the
        reader cannot rule out, so it witnesses values of every cell in it, and a cell whose
        witnessed values are far enough apart needs no programme of its own (the true table is
        the first witness; witnesses stay valid while no relation is added).
        """
        root_of, relations = self._components()
        members: dict[int, list[int]] = {}
        for cell, root in root_of.items():
            members.setdefault(root, []).append(cell)
        systems: dict[int, tuple] = {}
        out = []
        for cell in which:
            root = root_of[cell]
            if root not in systems:
                cells = sorted(members[root])
                systems[root] = (cells, *self._system(cells, relations.get(root, [])))
            cells, position, constraints, integral = systems[root]
            if not constraints:  # nothing relates it to a released cell
                if not open_enough(cell, 0.0, np.inf):
                    out.append(cell)
                continue
            if self._witnessed(cell, open_enough):
                continue
            k = position[cell]
            objective = np.zeros(len(position))
            objective[k] = 1.0
            low = self._solve(objective, constraints, 0).fun
            high = -self._solve(-objective, constraints, 0).fun
            if not open_enough(cell, low, np.inf if high >= _NO_BOUND / 2 else high):
                out.append(cell)  # even the linear relaxation pins it
                continue
            bounds = []
            for sign in (-1.0, 1.0):  # the greatest value first: it settles most cells
                objective[k] = sign
                result = self._solve(objective, constraints, integral)
                self._witness(cells, result.x)
                bounds.append(-sign * result.fun)
                if self._witnessed(cell, open_enough):
                    break
            else:
                high, low = bounds
                if not open_enough(cell, low, np.inf if high >= _NO_BOUND / 2 else high):
                    out.append(cell)
        return out

    def _witness(self, cells: list[int], solution: np.ndarray) -> None:
        for cell, value in zip(cells, np.round(solution)):
            low, high = self._seen.get(cell, (value, value))
            self._seen[cell] = (min(low, value), max(high, value))

    def _witnessed(self, cell: int, open_enough) -> bool:
        low, high = self._seen.get(cell, (self.values[cell], self.values[cell]))
        for value in (low, high, self.values[cell]):  # the true table is a witness too
            if pd.notna(value):
                low, high = min(low, value), max(high, value)
        return bool(pd.notna(low) and pd.notna(high) and open_enough(cell, low, high))

    @staticmethod
    def _solve(objective: np.ndarray, constraints, integral: int):
        result = optimize.milp(objective, integrality=np.full(len(objective), integral),
                               bounds=optimize.Bounds(0, _NO_BOUND), constraints=constraints)
        if result.status != 0:
            raise ValueError(f"disclosure control: the released cells admit no solution ({result.message})")
        return result

    def _system(self, cells: list[int], relations: list[tuple[bool, dict[int, float]]]):
        position = {cell: k for k, cell in enumerate(cells)}
        constraints, integral = [], True
        for is_equation in (True, False):
            entries, rhs = [], []
            for flag, relation in relations:
                if flag != is_equation:
                    continue
                known = sum(k * self.values[c] for c, k in relation.items() if c not in position)
                entries.extend((len(rhs), position[c], k) for c, k in relation.items() if c in position)
                integral &= all(float(k).is_integer() for k in relation.values())
                rhs.append(-known)
            if rhs:
                r, c, v = zip(*entries)
                matrix = sparse.csr_array((v, (r, c)), shape=(len(rhs), len(cells)))
                rhs = np.array(rhs)
                constraints.append(optimize.LinearConstraint(matrix, rhs if is_equation else -np.inf, rhs))
        return position, constraints, int(integral)

    def copies(self, cell: int) -> set[int]:
        """``cell`` and the cells an equation says are equal to it (one count printed on several
        rows or in several tables): withholding one of them alone withholds nothing."""
        group, stack = {cell}, [cell]
        while stack:
            current = stack.pop()
            for is_equation, relation in self._of.get(current, ()):
                if is_equation and len(relation) == 2 and sorted(relation.values()) == [-1.0, 1.0]:
                    for other in relation:
                        if other not in group:
                            group.add(other)
                            stack.append(other)
        return group

    def neighbours(self, cell: int) -> list[int]:
        """Cells sharing an equation with ``cell``, then those sharing an inequality."""
        first, second = {}, {}
        for is_equation, relation in self._of.get(cell, ()):
            (first if is_equation else second).update(dict.fromkeys(c for c in relation if c != cell))
        return [*first, *(c for c in second if c not in first)]

    def component_cells(self, cells: set[int]) -> set[int]:
        """Every cell of the relations of the components ``cells`` reach: the unknown cells
        among ``cells``, and those in a relation with one of ``cells``."""
        root_of, relations = self._components()
        roots = {root_of[c] for c in cells if c in root_of}
        for cell in cells:
            for _, relation in self._of.get(cell, ()):
                roots.update(root_of[c] for c in relation if c in root_of)
        return {c for root in roots for _, relation in relations.get(root, []) for c in relation}


class _Relations:
    """Writes one table's relations into the ledger, from its columns' roles."""

    def __init__(self, ledger: Ledger, placed: _Placed, spec: Roles):
        self.ledger, self.placed, self.spec, self.frame = ledger, placed, spec, placed.frame
        self.keys = [k for k in spec.keys if k in self.frame.columns]

    def value(self, row: int, col: str) -> float:
        return self.ledger.values[self.placed.cell(row, col)]

    def add(self, equation: dict[int, float], what: str) -> None:
        self.ledger.equation(equation, what, self.placed.name)

    def groups(self, keys: list[str]):
        if not keys:
            yield list(range(len(self.frame)))
            return
        for _, rows in self.frame.groupby(keys, sort=False, dropna=False):
            yield rows.index.to_list()

    def build(self) -> None:
        partitioned = self.totals_and_partition()
        self.denominator(partitioned)
        self.cumulative()
        self.pooled()
        for relation in self.spec.sums:
            self.sum(relation)

    def totals_and_partition(self) -> set[int]:
        spec, frame, cell, columns = self.spec, self.frame, self.placed.cell, self.placed.columns
        total_labels: dict[str, set] = {}
        for t in spec.totals:
            total_labels.setdefault(t.key, set()).add(t.total)
        for t in spec.totals:
            if t.key not in frame.columns:
                continue
            for rows in self.groups([k for k in self.keys if k != t.key]):
                labels = frame[t.key]
                total_rows = [r for r in rows if labels[r] == t.total]
                parts = [r for r in rows if (labels[r] in t.parts if t.parts else labels[r] not in total_labels[t.key])]
                if len(total_rows) != 1 or not parts:
                    continue
                for col in (c for c in columns if not t.columns or c in t.columns):
                    equation = {cell(total_rows[0], col): -1.0}
                    for r in parts:
                        equation[cell(r, col)] = 1.0
                    if not t.complete:
                        rest = self.value(total_rows[0], col) - sum(self.value(r, col) for r in parts)
                        equation[self.ledger.new(rest)] = 1.0
                    self.add(equation, f"total {t.key} = {t.total!r} of column {col}")
                    self.ledger.totals.add(cell(total_rows[0], col))
        partitioned: set[int] = set()
        if spec.partition and spec.partition in frame.columns and spec.denominator and spec.counts:
            count = spec.counts[0]
            skip = total_labels.get(spec.partition, set()) | set(spec.outside_partition)
            for rows in self.groups([k for k in self.keys if k != spec.partition]):
                parts = [r for r in rows if frame.at[r, spec.partition] not in skip]
                for r in parts:
                    equation = {cell(p, count): 1.0 for p in parts}
                    equation[cell(r, spec.denominator)] = -1.0
                    self.add(equation, f"partition of {spec.denominator} by {spec.partition}")
                partitioned.update(parts)
        if spec.row_sum:
            parts, total = spec.row_sum
            for row in range(len(frame)):
                equation = {cell(row, p): 1.0 for p in parts}
                equation[cell(row, total)] = -1.0
                self.add(equation, f"row sum {' + '.join(parts)} = {total}")
                self.ledger.totals.add(cell(row, total))
            partitioned.update(range(len(frame)))
        return partitioned

    def denominator(self, partitioned: set[int]) -> None:
        spec, cell = self.spec, self.placed.cell
        d = spec.denominator
        if not d or d not in self.placed.columns:
            return
        self.ledger.totals.update(cell(row, d) for row in range(len(self.frame)))
        # a denominator printed on several rows: equal copies are tied together
        for rows in self.groups([k for k in self.keys if k != spec.partition] if spec.partition else []):
            by_value: dict[float, list[int]] = {}
            for r in rows:
                by_value.setdefault(self.value(r, d), []).append(r)
            for same in by_value.values():
                for a, b in zip(same, same[1:]):
                    self.add({cell(a, d): 1.0, cell(b, d): -1.0}, f"copies of {d}")
        for row in range(len(self.frame)):
            for col in spec.counts:
                if col == d or col not in self.placed.columns:
                    continue
                if row in partitioned:
                    self.ledger.relate({cell(row, col): 1.0, cell(row, d): -1.0}, equation=False)
                else:  # the rest of the denominator is an unpublished count
                    rest = self.value(row, d) - self.value(row, col)
                    self.add({cell(row, col): 1.0, self.ledger.new(rest): 1.0, cell(row, d): -1.0}, f"rest of {d}")

    def cumulative(self) -> None:
        for c in self.spec.cumulative:
            if c.key in self.frame.columns:
                self._accumulates(c)

    def _accumulates(self, c: Cumulative) -> None:
        frame, cell = self.frame, self.placed.cell
        for rows in self.groups(list(c.by)):
            ordered = sorted(rows, key=lambda r: frame.at[r, c.key])
            for col in c.columns:
                steps = [(cell(a, col), cell(b, col)) for a, b in zip(ordered, ordered[1:])]
                if c.start:
                    steps.insert(0, (cell(ordered[0], c.start), cell(ordered[0], col)))
                for before, after in steps:
                    # the change is an unpublished count: added when the column rises, taken when it falls
                    step = self.ledger.values[after] - self.ledger.values[before]
                    change = self.ledger.new(abs(step))
                    self.add({after: 1.0, before: -1.0, change: -1.0 if step >= 0 else 1.0},
                             f"change in {col} along {c.key}")

    def pooled(self) -> None:
        if not self.spec.pooled:
            return
        by, numerator, denominator, ratio = self.spec.pooled
        for rows in self.groups([k for k in by if k in self.frame.columns]):
            share = float(self.frame.at[rows[0], ratio])
            if not np.isfinite(share):  # the ratio is withheld too: it tells nothing
                continue
            equation = {self.placed.cell(r, numerator): 1.0 for r in rows}
            equation.update({self.placed.cell(r, denominator): -share for r in rows})
            self.add(equation, f"pooled {ratio} = sum of {numerator} / sum of {denominator}")

    def _side(self, cells: Cells) -> tuple[_Placed, list[int]] | None:
        placed = self.ledger.tables.get(cells.table) if cells.table else self.placed
        if placed is None or cells.column not in placed.columns:
            return None  # the other table is not released in this run
        keep = np.ones(len(placed.frame), dtype=bool)
        for key, values in cells.rows:
            keep &= placed.frame[key].isin(list(values)).to_numpy()
        return placed, np.flatnonzero(keep).tolist()

    def sum(self, relation: Sum) -> None:
        total, parts = self._side(relation.total), self._side(relation.parts)
        if total is None or parts is None:
            return
        (total_table, total_rows), (parts_table, parts_rows) = total, parts
        what = f"sum of {relation.parts.table or self.placed.name}.{relation.parts.column} = " \
               f"{relation.total.table or self.placed.name}.{relation.total.column}"
        for t in total_rows:
            matching = [p for p in parts_rows
                        if all(parts_table.frame.at[p, pk] == total_table.frame.at[t, tk] for tk, pk in relation.by)]
            target = total_table.cell(t, relation.total.column)
            if relation.copies:
                for copy in (parts_table.cell(p, relation.parts.column) for p in matching):
                    if copy != target:
                        self._holding({target: 1.0, copy: -1.0}, what)
            else:
                equation = {target: -1.0}
                for p in matching:
                    equation[parts_table.cell(p, relation.parts.column)] = 1.0
                self._holding(equation, what, at_most=True)

    def _holding(self, equation: dict[int, float], what: str, at_most: bool = False) -> None:
        """A relation the data may not satisfy (a case with one status but not the other, a
        denominator of fewer): kept as an equation where it holds; where the parts fall short of
        the total, as that inequality (``at_most``); otherwise it tells a reader nothing and is
        left out."""
        residual = self.ledger.residual(equation)
        if not residual:  # holds, or cannot be checked
            self.ledger.relate(equation)
        elif at_most and residual < 0:
            self.ledger.relate(equation, equation=False)


def _key_values(frame: pd.DataFrame, row: int, spec: Roles) -> dict:
    keys = [k for k in spec.keys if k in frame.columns]
    return {k: frame.iloc[row][k] for k in keys}


def protect(frame: pd.DataFrame, spec: Roles, threshold: int, round_to: int = 0, name: str = "table",
            ledger: Ledger | None = None, protection: int = 1, released_only: bool = False) -> Protected:
    """Apply primary and secondary suppression (and optional rounding) to one table
    (:func:`protect_together` with one table).

    A table computed from released tables only (``released_only``: a test of a released table,
    a funnel of released counts) tells a reader nothing the release does not: its missing cells
    are marked, its statistics rounded and those resting on too few withheld, nothing else.
    """
    if released_only:
        return _finish(_place(Ledger(), name, frame, spec, threshold, withhold_small=False), {}, threshold, round_to)
    return protect_together([(name, frame, spec)], threshold, round_to, ledger, protection)[name]


def protect_together(tables: list[tuple[str, pd.DataFrame, Roles]], threshold: int, round_to: int = 0,
                     ledger: Ledger | None = None, protection: int = 1) -> dict[str, Protected]:
    """Apply primary and secondary suppression (and optional rounding) to tables released together.

    ``ledger`` holds the tables released before them (a fresh one: these tables alone). The
    secondary suppression is chosen among these tables' cells so that no withheld cell of any
    table in the ledger can be worked out from everything released. A withheld cell must stay
    within an interval at least one wide; a small one (a count, or an unpublished count the
    relations imply, from 1 to ``threshold - 1``) within one at least ``protection`` wide that
    reaches ``threshold``, so nobody can show it is small. Cells already missing (withheld in
    the table a table was computed from) stay missing and count as unknown to the reader.
    """
    ledger = ledger if ledger is not None else Ledger()
    out: dict[str, Protected] = {}
    placed = []
    for name, frame, spec in tables:
        if spec.public:
            out[name] = Protected.unchanged(frame, spec.public)
        else:
            placed.append(_place(ledger, name, frame, spec, threshold))
    own = {c for table in placed for c in table.placed.cells}
    start = {c for table in placed for c in table.primary | table.missing}
    reasons = _withhold_more(ledger, own, start, threshold, protection, ", ".join(t.placed.name for t in placed))
    for table in placed:
        reasons |= {c: f"count below {threshold}" for c in table.primary if c in own}
        out[table.placed.name] = _finish(table, reasons, threshold, round_to, ledger)
    return {name: out[name] for name, _, _ in tables}


@dataclass
class _Table:
    """A table placed in the ledger, with what its own rules withhold before any protection."""

    placed: _Placed
    spec: Roles
    symbols: pd.DataFrame
    suppressions: list[Suppression]
    primary: set[int]
    missing: set[int]
    implied: set[int]


def _place(ledger: Ledger, name: str, frame: pd.DataFrame, spec: Roles, threshold: int,
           withhold_small: bool = True) -> _Table:
    """Put a table in the ledger and withhold what its own rules say: summaries resting on too
    few, and (``withhold_small``) small counts, with their relations (primary suppression)."""
    frame = frame.reset_index(drop=True)
    before = len(ledger.values)
    # without primary suppression its relations play no part: only its count cells are placed
    placed = ledger.add(name, frame, spec if withhold_small else Roles(counts=spec.count_columns))
    symbols = pd.DataFrame("", index=frame.index, columns=frame.columns)
    suppressions: list[Suppression] = []
    sizes = [c for c in spec.sizes if c in frame.columns]
    too_few = frame[sizes].apply(pd.to_numeric, errors="coerce") < threshold
    for row in range(len(frame)):  # statistical summaries resting on too few are withheld
        small = [c for c in sizes if too_few.at[row, c]]
        if small:
            symbols.loc[row, [c for c in frame.columns if c not in spec.fixed]] = SUPPRESSED
            suppressions.append(Suppression(_key_values(frame, row, spec), ", ".join(small),
                                            f"rests on fewer than {threshold}"))
    new = set(range(before, len(ledger.values)))
    primary = {c for c in new if _is_small(ledger.values[c], threshold)} if withhold_small else set()
    missing = {c for c in placed.cells if pd.isna(ledger.values[c])}
    implied = ledger.implied & new
    ledger.unknown |= missing | implied | primary
    return _Table(placed, spec, symbols, suppressions, primary, missing, implied)


def _finish(table: _Table, reasons: dict[int, str], threshold: int, round_to: int,
            ledger: Ledger | None = None) -> Protected:
    """The table as released: withheld cells marked (with what is computed from them), counts and
    statistics rounded."""
    placed, spec, symbols, suppressions = table.placed, table.spec, table.symbols, table.suppressions
    frame, width = placed.frame, len(placed.columns)
    unknown = ledger.unknown if ledger is not None else table.missing
    hidden_rows = set()
    for cell in sorted(c for c in placed.cells if c in unknown):
        if ledger is not None:
            ledger.checked.add(cell)
        row, col = divmod(cell - placed.offset, width)
        symbols.at[row, placed.columns[col]] = SUPPRESSED
        if placed.columns[col] not in spec.beside:
            hidden_rows.add(row)
        suppressions.append(Suppression(_key_values(frame, row, spec), placed.columns[col],
                                        reasons.get(cell, "withheld in the table it is computed from")))
    if ledger is not None:
        ledger.checked |= {c for c in table.implied if _is_small(ledger.values[c], threshold)}
    # what is computed from a withheld count goes with it; a size (how many a statistic rests on)
    # is not computed from the row's counts and stays
    sizes = set(spec.sizes)
    derived = [c for c in frame.columns if c not in placed.columns and c not in spec.fixed and c not in sizes]
    for row in hidden_rows:
        symbols.loc[row, derived] = SUPPRESSED

    values = _blank_withheld(frame, symbols)
    if round_to:
        _round_counts(values, symbols, placed.columns, round_to)
        _round_shares(values, spec)
    _round_statistics(values, symbols, spec, has_counts=bool(placed.columns))
    note = (f"counts from 1 to {threshold - 1} suppressed ({SUPPRESSED}), with the cells that would reveal them"
            + (f"; counts rounded to the nearest {round_to} ({ROUNDS_TO_ZERO}: not zero, rounds to zero)"
               if round_to else ""))
    return Protected(values, symbols, suppressions, note, tuple(placed.columns))

def _withhold_more(ledger: Ledger, own: set[int], start: set[int], threshold: int, protection: int,
                   name: str) -> dict[int, str]:
    """Withhold more of a table's cells (``own``) until no withheld cell of the ledger can be
    worked out, nor a small one narrowed below ``protection`` or shown small; returns why each
    cell was withheld."""
    sensitive = {c for c in ledger.unknown if _is_small(ledger.values[c], threshold)}

    def open_enough(cell: int, low: float, high: float) -> bool:
        if high - low < 1 - 1e-9:
            return False
        return cell not in sensitive or (high >= threshold - 1e-9 and high - low >= protection - 1e-9)

    def cost(group: set[int]):  # the least information lost: cells that are not totals, not zero, and small
        return (any(n in ledger.totals for n in group), any(ledger.values[n] == 0 for n in group),
                sum(ledger.values[n] for n in group), min(group))

    def can_withhold(n: int) -> bool:  # a released cell of these tables, not printed elsewhere too
        return n in own and n not in ledger.unknown and all(c in own or c in ledger.unknown for c in ledger.copies(n))

    reasons: dict[int, str] = {}
    # what the table's relations may have pinned: its own small and missing cells, and withheld
    # cells of earlier tables its relations reach
    exposed = sorted(start | (ledger.checked & ledger.component_cells(own | start)))
    while exposed:
        still = ledger.exposed(exposed, open_enough)
        chosen: set[int] = set()
        touched: set[int] = set()  # cells in a relation with one handled in this round
        # one more withheld cell for each exposed cell that shares no relation with one already
        # handled in this round (so a cell helping two is not chosen twice): its cheapest neighbour
        for cell in still:
            if cell in touched:
                continue
            neighbours = ledger.neighbours(cell)
            candidates = {n for n in neighbours if can_withhold(n)}
            if not candidates:  # reached only through other cells: any of this table's cells relating to them
                candidates = {n for n in ledger.component_cells({cell}) if can_withhold(n)}
            if not candidates:
                raise ValueError(f"disclosure control of {name}: a withheld cell cannot be protected by withholding "
                                 "more of this table; declare the table before the tables it can be worked out from")
            # a count printed in several places is withheld in all of them or in none
            choice = min(({n, *(c for c in ledger.copies(n) if c in own)} for n in sorted(candidates)), key=cost)
            chosen |= choice
            touched |= {cell, *neighbours, *(m for n in choice for m in ledger.neighbours(n))}
            reasons |= dict.fromkeys(choice, "hides an unpublished count below the threshold (the rest of a "
                                             "denominator, a difference)" if cell in ledger.implied
                                     else "protects another withheld cell")
        ledger.unknown |= chosen
        exposed = sorted(set(still) | chosen)
    return reasons


#: p-values below this are released as "< 0.001" (SACRO's guidance for statistics).
P_FLOOR = 0.001
P_BELOW_FLOOR = "< 0.001"


def _round_counts(values: pd.DataFrame, symbols: pd.DataFrame, columns: list[str], round_to: int) -> None:
    """Counts to a multiple of ``round_to``, half up; a count that is not zero but rounds to zero is ``k``."""
    for col in columns:
        numbers = pd.to_numeric(values[col], errors="coerce")
        rounded = np.floor(numbers.astype(float) / round_to + 0.5) * round_to
        symbols.loc[(numbers > 0) & (rounded == 0) & (symbols[col] == ""), col] = ROUNDS_TO_ZERO
        values[col] = rounded


def _round_shares(values: pd.DataFrame, spec: Roles) -> None:
    """With rounded counts, shares and their intervals to whole percentages (as the DfE prints
    them), so that they do not give back the counts behind them."""
    for col in (*spec.proportions, *spec.intervals):
        if col in values.columns and pd.api.types.is_float_dtype(values[col]):
            fraction = values[col].abs().max() <= 1
            values[col] = values[col].round(2 if fraction else 0)


def _significant(value: float, digits: int = 2) -> float:
    if not np.isfinite(value) or value == 0:
        return value
    return float(np.round(value, digits - 1 - int(np.floor(np.log10(abs(value))))))


def _round_statistics(values: pd.DataFrame, symbols: pd.DataFrame, spec: Roles, has_counts: bool) -> None:
    """Statistics as a secure environment releases them: p-values to two significant figures or
    "< 0.001", other statistics (and the intervals of a table of statistics) to two decimals;
    diagnostics withheld."""
    for col in (c for c in spec.p_values if c in values.columns):
        numbers = pd.to_numeric(values[col], errors="coerce")
        below = (numbers < P_FLOOR) & (symbols[col] == "")
        values[col] = numbers.map(_significant).where(~below, P_FLOOR)
        symbols.loc[below, col] = P_BELOW_FLOOR
    decimals = (*spec.statistics, *(() if has_counts else spec.intervals))
    for col in (c for c in decimals if c in values.columns):
        if pd.api.types.is_float_dtype(values[col]):
            values[col] = values[col].round(2)
    for col in (c for c in spec.diagnostics if c in values.columns):
        values[col] = np.nan
        symbols[col] = SUPPRESSED
