"""Consistency of printed percentages with whole-number counts, in the spirit of GRIM.

Given a table of percentages as printed, which denominators ``n`` and counts ``k`` could have
produced it? Every percentage ``100 k / n`` must round to the printed value; cells of one
group share one ``n`` (unless denominators are per item); groups declared to be sums of
other groups must add up, in ``n`` and in every item's count; items declared mutually
exclusive cannot count more than ``n`` between them.

The search is exact (:mod:`fractions`) and counts every joint solution, listing the first
``limit`` of them in a fixed order (ascending ``n``, then counts).

References
----------
Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test: a simple technique detects
numerous anomalies in the reporting of results in psychology. *Social Psychological and
Personality Science* 8(4), 363-369.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from caresurvey.errors import CaresurveyError
from caresurvey.published.rounding import PrintedPercent, Rounding, feasible_counts

__all__ = [
    "Cell",
    "SumConstraint",
    "ItemStructure",
    "ConsistencyProblem",
    "GroupResult",
    "ConsistencyResult",
    "check_consistency",
    "default_max_n",
    "MAX_EXPLICIT_OPTIONS",
]

#: Upper bound on the (n, counts) options listed explicitly for one group, where sums or
#: exclusive items force the search to list them. Larger searches stop with advice.
MAX_EXPLICIT_OPTIONS = 2_000_000

Option = tuple[int, tuple[int, ...]]  # (n, counts aligned with the unit's items)


@dataclass(frozen=True)
class Cell:
    """One printed percentage.

    Attributes
    ----------
    group : str
        The group whose denominator the cell shares (e.g. a respondent group).
    item : str
        What the percentage is of, within its group (e.g. a category or a question).
    percent : PrintedPercent
        The value as printed.
    n : int or None
        The denominator, where it is stated.
    count : int or None
        The count, where it is printed beside the percentage.
    """

    group: str
    item: str
    percent: PrintedPercent
    n: int | None = None
    count: int | None = None


@dataclass(frozen=True)
class SumConstraint:
    """A group that is the sum of other groups: its ``n`` and each item's count add up."""

    total: str
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "SumConstraint":
        """Parse ``TOTAL=PART+PART[+...]``; group names may hold spaces but not ``=`` or ``+``."""
        total, sep, rest = text.partition("=")
        parts = tuple(part.strip() for part in rest.split("+"))
        if not sep or not total.strip() or len(parts) < 2 or not all(parts):
            raise CaresurveyError(
                f"--sum {text!r}: expected TOTAL=PART+PART[+...], for example "
                "'Overall=LA-employed+Self-employed'"
            )
        return cls(total=total.strip(), parts=parts)

    def __str__(self) -> str:
        return f"{self.total} = {' + '.join(self.parts)}"


class ItemStructure(str, Enum):
    """How the items of one group relate.

    ``independent``: each item is a separate yes/no question (several can apply to one case);
    ``exclusive``: items are categories of one question, so their counts add to at most ``n``;
    ``complete``: items are all the categories of one question, so their counts add to ``n``.
    """

    INDEPENDENT = "independent"
    EXCLUSIVE = "exclusive"
    COMPLETE = "complete"


def default_max_n(cells: Iterable[Cell]) -> int:
    """The largest ``n`` worth searching when none is stated: ``100 * 10**decimals``.

    From that ``n`` on, every printed value is the rounding of some ``k / n`` (the step ``100 / n``
    is no wider than the rounding interval), so a longer search cannot rule anything out on
    its own.
    """
    return 100 * 10 ** max(cell.percent.decimals for cell in cells)


@dataclass(frozen=True)
class ConsistencyProblem:
    """Everything the checker needs.

    Attributes
    ----------
    cells : sequence of Cell
    rounding : Rounding
    per_item_n : bool
        Each item has its own denominator (item non-response differs between questions).
    max_n : mapping of group to int
        Largest ``n`` to search, per group; groups not named use ``default_max``.
    default_max : int or None
        Largest ``n`` for groups not in ``max_n``; ``None`` means :func:`default_max_n` of the
        group's cells.
    sums : sequence of SumConstraint
    structure : mapping of group to ItemStructure
        Groups not named are ``independent``.
    """

    cells: Sequence[Cell]
    rounding: Rounding = Rounding.EITHER
    per_item_n: bool = False
    max_n: Mapping[str, int] = field(default_factory=dict)
    default_max: int | None = None
    sums: Sequence[SumConstraint] = ()
    structure: Mapping[str, ItemStructure] = field(default_factory=dict)


@dataclass
class GroupResult:
    """What the search found for one group.

    Attributes
    ----------
    n : list of int
        Denominators that occur in at least one joint solution.
    n_alone : list of int
        Denominators consistent with the group's own cells, ignoring sums with other groups.
    searched : str
        What was searched: ``"stated n=122"`` or ``"1..65"``.
    n_by_item : dict or None
        With per-item denominators, the jointly feasible ``n`` of each item.
    counts_by_n : dict
        For each jointly feasible ``n`` (per item, with per-item denominators), the counts each
        item can take in a joint solution.
    """

    n: list[int]
    n_alone: list[int]
    searched: str
    n_by_item: dict[str, list[int]] | None = None
    counts_by_n: dict[int, dict[str, list[int]]] | dict[str, dict[int, list[int]]] = field(
        default_factory=dict
    )


@dataclass
class ConsistencyResult:
    """The answer: is the table consistent, with which denominators and counts.

    Attributes
    ----------
    consistent : bool
        At least one joint solution exists.
    n_solutions : int
        The number of joint solutions (all of them, not only those listed).
    groups : dict of str to GroupResult
    solutions : list of dict
        The first ``limit`` joint solutions: ``{group: {"n": int, "counts": {item: int}}}``;
        with per-item denominators ``"n"`` is ``None`` unless all items share one, and
        ``"n_by_item"`` gives each item's.
    rounding : Rounding
    """

    consistent: bool
    n_solutions: int
    groups: dict[str, GroupResult]
    solutions: list[dict]
    rounding: Rounding
    per_item_n: bool

    def to_json(self) -> dict:
        """The documented JSON form (see ``caresurvey consistency --help``)."""
        groups = {}
        for name, group in self.groups.items():
            entry: dict = {"n": group.n, "n_alone": group.n_alone, "searched": group.searched}
            if group.n_by_item is not None:
                entry["n_by_item"] = group.n_by_item
            groups[name] = entry
        return {
            "consistent": self.consistent,
            "n_solutions": self.n_solutions,
            "rounding": self.rounding.value,
            "per_item_n": self.per_item_n,
            "groups": groups,
            "solutions": self.solutions,
        }


# --------------------------------------------------------------------------- units


@dataclass
class _Unit:
    """A set of cells sharing one denominator: a group, or a group's item with per-item n."""

    key: tuple[str, str | None]
    cells: tuple[Cell, ...]
    candidates: Sequence[int]
    searched: str
    structure: ItemStructure
    rounding: Rounding

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(cell.item for cell in self.cells)

    @functools.cached_property
    def _ranges_at(self) -> dict[int, list[range]]:
        return {}

    def counts_at(self, n: int) -> list[range]:
        """Feasible counts of each item at ``n``, honouring printed counts (worked out once per n)."""
        if n in self._ranges_at:
            return self._ranges_at[n]
        ranges = []
        for cell in self.cells:
            feasible = feasible_counts(cell.percent, n, self.rounding)
            if cell.count is not None:
                feasible = range(cell.count, cell.count + 1) if cell.count in feasible else range(0)
            ranges.append(feasible)
        self._ranges_at[n] = ranges
        return ranges

    def count_at(self, n: int) -> int:
        """Number of count vectors feasible at ``n``."""
        ranges = self.counts_at(n)
        if self.structure is ItemStructure.INDEPENDENT:
            total = 1
            for r in ranges:
                total *= len(r)
            return total
        # Distribution of the running sum of counts, bounded by n.
        ways = {0: 1}
        for r in ranges:
            nxt: dict[int, int] = {}
            for s, w in ways.items():
                for k in r:
                    if s + k <= n:
                        nxt[s + k] = nxt.get(s + k, 0) + w
            ways = nxt
        if self.structure is ItemStructure.COMPLETE:
            return ways.get(n, 0)
        return sum(ways.values())

    def options_at(self, n: int) -> Iterator[tuple[int, ...]]:
        """Feasible count vectors at ``n``, in ascending order."""
        for counts in itertools.product(*self.counts_at(n)):
            total = sum(counts)
            if self.structure is ItemStructure.EXCLUSIVE and total > n:
                continue
            if self.structure is ItemStructure.COMPLETE and total != n:
                continue
            yield counts

    @functools.cached_property
    def count_by_n(self) -> dict[int, int]:
        """Number of feasible count vectors at each candidate ``n``, computed once."""
        return {n: self.count_at(n) for n in self.candidates}

    def feasible_n(self) -> list[int]:
        return [n for n, count in self.count_by_n.items() if count]

    def explicit_options(self) -> list[Option]:
        """Every feasible (n, counts), listed; stops with advice if there are too many."""
        size = sum(self.count_by_n.values())
        if size > MAX_EXPLICIT_OPTIONS:
            raise CaresurveyError(
                f"group {_unit_label(self.key)!r}: {size:,} possible (n, counts) combinations "
                f"to match against other groups (more than {MAX_EXPLICIT_OPTIONS:,}); give a "
                "smaller --max-n for it, or its stated n"
            )
        return [(n, counts) for n in self.feasible_n() for counts in self.options_at(n)]


def _unit_label(key: tuple[str, str | None]) -> str:
    group, item = key
    return group if item is None else f"{group} / {item}"


# --------------------------------------------------------------------------- building


def _group_cells(cells: Sequence[Cell]) -> dict[str, list[Cell]]:
    """Cells by group, each group's items in one table-wide order.

    Every group lists its items in the order they first appear in the table, so that a total
    and its parts hold their counts position by position, however deeply sums nest.
    """
    item_order: dict[str, int] = {}
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        item_order.setdefault(cell.item, len(item_order))
        groups.setdefault(cell.group, []).append(cell)
    for group, members in groups.items():
        seen = set()
        for cell in members:
            if cell.item in seen:
                raise CaresurveyError(
                    f"group {group!r} has item {cell.item!r} twice; each item may appear once "
                    "per group"
                )
            seen.add(cell.item)
        members.sort(key=lambda cell: item_order[cell.item])
    return groups


def _candidates(
    label: str, cells: Sequence[Cell], max_n: int | None, default_max: int | None
) -> tuple[Sequence[int], str]:
    stated = {cell.n for cell in cells if cell.n is not None}
    if len(stated) > 1:
        raise CaresurveyError(
            f"{label!r}: cells state different n ({', '.join(map(str, sorted(stated)))}) but share "
            "one denominator; use --per-item-n if each item has its own"
        )
    if stated:
        (n,) = stated
        if n < 1:
            raise CaresurveyError(f"{label!r}: stated n must be at least 1, not {n}")
        return (n,), f"stated n={n}"
    upper = max_n if max_n is not None else default_max
    if upper is None:
        upper = default_max_n(cells)
    if upper < 1:
        raise CaresurveyError(f"{label!r}: the largest n to search must be at least 1, not {upper}")
    return range(1, upper + 1), f"1..{upper}"


def _build_units(problem: ConsistencyProblem) -> tuple[dict[str, list[_Unit]], list[tuple[_Unit, list[_Unit]]]]:
    """Units per group, and the sum constraints between units (total, parts)."""
    if not problem.cells:
        raise CaresurveyError("the table has no cells to check")
    groups = _group_cells(problem.cells)
    for name in list(problem.max_n) + list(problem.structure):
        if name not in groups:
            raise CaresurveyError(
                f"{name!r} is not a group of this table; its groups are: {', '.join(groups)}"
            )
    units: dict[str, list[_Unit]] = {}
    for group, cells in groups.items():
        structure = problem.structure.get(group, ItemStructure.INDEPENDENT)
        if problem.per_item_n and structure is not ItemStructure.INDEPENDENT:
            raise CaresurveyError(
                f"group {group!r} is declared {structure.value}, which needs one denominator for "
                "all its items; it cannot be combined with per-item denominators"
            )
        blocks = [[cell] for cell in cells] if problem.per_item_n else [cells]
        units[group] = []
        for block in blocks:
            key = (group, block[0].item if problem.per_item_n else None)
            candidates, searched = _candidates(
                _unit_label(key), block, problem.max_n.get(group), problem.default_max
            )
            units[group].append(
                _Unit(key, tuple(block), candidates, searched, structure, Rounding(problem.rounding))
            )

    links: list[tuple[_Unit, list[_Unit]]] = []
    is_total: set[str] = set()
    is_part: set[str] = set()
    for constraint in problem.sums:
        for name in (constraint.total, *constraint.parts):
            if name not in groups:
                raise CaresurveyError(
                    f"--sum {constraint}: {name!r} is not a group of this table; its groups are: "
                    f"{', '.join(groups)}"
                )
        if constraint.total in is_total:
            raise CaresurveyError(f"--sum {constraint}: {constraint.total!r} is already a total")
        if constraint.total in constraint.parts or len(set(constraint.parts)) < len(constraint.parts):
            raise CaresurveyError(f"--sum {constraint}: a group can appear only once in a sum")
        for part in constraint.parts:
            if part in is_part:
                raise CaresurveyError(
                    f"--sum {constraint}: {part!r} is already a part of another sum; each group "
                    "can be a part of one sum only"
                )
        total_items = [cell.item for cell in groups[constraint.total]]
        for part in constraint.parts:
            part_items = [cell.item for cell in groups[part]]
            if sorted(part_items) != sorted(total_items):
                missing = sorted(set(total_items) ^ set(part_items))
                raise CaresurveyError(
                    f"--sum {constraint}: {part!r} and {constraint.total!r} must have the same "
                    f"items; these are in one but not the other: {', '.join(missing)}"
                )
        is_total.add(constraint.total)
        is_part.update(constraint.parts)
        if problem.per_item_n:
            for total_unit in units[constraint.total]:
                item = total_unit.key[1]
                parts = [next(u for u in units[p] if u.key[1] == item) for p in constraint.parts]
                links.append((total_unit, parts))
        else:
            links.append((units[constraint.total][0], [units[p][0] for p in constraint.parts]))
    _reject_cycles(problem.sums)
    return units, links


def _reject_cycles(sums: Sequence[SumConstraint]) -> None:
    children = {c.total: c.parts for c in sums}

    def visit(group: str, path: tuple[str, ...]) -> None:
        if group in path:
            raise CaresurveyError(
                f"the sums go round in a circle: {' -> '.join(path + (group,))}"
            )
        for part in children.get(group, ()):
            visit(part, path + (group,))

    for total in children:
        visit(total, ())


# --------------------------------------------------------------------------- solving


def _decompositions(target: Option, part_maps: Sequence[Mapping[Option, int]]) -> Iterator[tuple[Option, ...]]:
    """Ways to write ``target`` as a sum of one option from each part (each ``n`` at least 1)."""
    n_total, counts_total = target
    if len(part_maps) == 1:
        if target in part_maps[0]:
            yield (target,)
        return
    for option in part_maps[0]:
        n, counts = option
        if n < n_total and all(c <= t for c, t in zip(counts, counts_total)):
            rest = (n_total - n, tuple(t - c for c, t in zip(counts, counts_total)))
            for tail in _decompositions(rest, part_maps[1:]):
                yield (option,) + tail


class _Tree:
    """One connected set of units linked by sums, solved by weighting options bottom-up."""

    def __init__(self, root: _Unit, parts_of: Mapping[tuple, list[_Unit]]):
        self.root = root
        self.parts_of = parts_of
        self.units: dict[tuple, _Unit] = {}
        self.weights: dict[tuple, dict[Option, int]] = {}
        self._weigh(root)

    def _weigh(self, unit: _Unit) -> None:
        self.units[unit.key] = unit
        parts = self.parts_of.get(unit.key)
        options = unit.explicit_options()
        if not parts:
            self.weights[unit.key] = {option: 1 for option in options}
            return
        for part in parts:
            self._weigh(part)
        part_maps = [self.weights[part.key] for part in parts]
        weighted = {}
        for option in options:
            weight = 0
            for decomposition in _decompositions(option, part_maps):
                product = 1
                for part_map, part_option in zip(part_maps, decomposition):
                    product *= part_map[part_option]
                weight += product
            if weight:
                weighted[option] = weight
        self.weights[unit.key] = weighted

    def count(self) -> int:
        return sum(self.weights[self.root.key].values())

    def used_options(self) -> dict[tuple, set[Option]]:
        """Options of every unit that occur in at least one solution of the whole tree."""
        used: dict[tuple, set[Option]] = {}

        def mark(unit: _Unit, options: Iterable[Option]) -> None:
            options = set(options)
            used.setdefault(unit.key, set()).update(options)
            parts = self.parts_of.get(unit.key)
            if not parts:
                return
            part_maps = [self.weights[part.key] for part in parts]
            chosen: list[set[Option]] = [set() for _ in parts]
            for option in options:
                for decomposition in _decompositions(option, part_maps):
                    for bucket, part_option in zip(chosen, decomposition):
                        bucket.add(part_option)
            for part, bucket in zip(parts, chosen):
                mark(part, bucket)

        mark(self.root, self.weights[self.root.key])
        return used

    def solutions(self) -> Iterator[dict[tuple, Option]]:
        # Options were listed in ascending order, and dicts keep that order.
        for option in self.weights[self.root.key]:
            yield from self._solutions(self.root, option)

    def _solutions(self, unit: _Unit, option: Option) -> Iterator[dict[tuple, Option]]:
        parts = self.parts_of.get(unit.key)
        if not parts:
            yield {unit.key: option}
            return
        part_maps = [self.weights[part.key] for part in parts]
        for decomposition in _decompositions(option, part_maps):
            factories = [
                (lambda p=part, o=part_option: self._solutions(p, o))
                for part, part_option in zip(parts, decomposition)
            ]
            for combination in _lazy_product(factories):
                merged = {unit.key: option}
                for piece in combination:
                    merged.update(piece)
                yield merged


def _lazy_product(factories: Sequence[Callable[[], Iterator]]) -> Iterator[tuple]:
    """Cartesian product that pulls only as many items as are consumed.

    Every factory must yield at least one item (the callers check counts first), otherwise
    the outer loops would run through their whole range for nothing.
    """
    if not factories:
        yield ()
        return
    for head in factories[0]():
        for tail in _lazy_product(factories[1:]):
            yield (head,) + tail


def check_consistency(problem: ConsistencyProblem, limit: int = 100) -> ConsistencyResult:
    """Find every denominator and count consistent with a table of printed percentages.

    Parameters
    ----------
    problem : ConsistencyProblem
        The cells, rounding mode, search bounds, sums and item structure.
    limit : int
        How many joint solutions to list; ``n_solutions`` always counts them all.

    Returns
    -------
    ConsistencyResult

    Notes
    -----
    Groups not linked by a sum are independent, so the number of joint solutions is the
    product over linked sets of groups of their own numbers of solutions. Within a linked
    set, each total's (n, counts) option is weighted by the number of ways its parts can
    make it up, bottom-up; the set's number of solutions is the sum of its top total's weights.
    """
    if limit < 0:
        raise CaresurveyError(f"--limit must be 0 or more, not {limit}")
    units, links = _build_units(problem)
    parts_of = {total.key: parts for total, parts in links}
    part_keys = {part.key for _, parts in links for part in parts}

    # Units that no sum links are independent components; each sum tree is one component.
    counts: list[int] = []
    factories: list[Callable[[], Iterator[dict[tuple, Option]]]] = []
    joint_counts: dict[tuple, dict[int, dict[str, list[int]]]] = {}
    for unit in (u for group_units in units.values() for u in group_units):
        if unit.key in part_keys:
            continue  # solved within the tree of the total it belongs to
        if unit.key in parts_of:
            tree = _Tree(unit, parts_of)
            counts.append(tree.count())
            factories.append(tree.solutions)
            for key, options in tree.used_options().items():
                joint_counts[key] = _counts_from_options(tree.units[key], options)
        else:
            counts.append(sum(unit.count_by_n.values()))
            factories.append(
                lambda u=unit: (
                    {u.key: (n, option)} for n in u.feasible_n() for option in u.options_at(n)
                )
            )
            joint_counts[unit.key] = _standalone_counts(unit)

    n_solutions = 1
    for count in counts:
        n_solutions *= count

    solutions: list[dict] = []
    if n_solutions and limit:
        for combination in itertools.islice(_lazy_product(factories), limit):
            merged: dict[tuple, Option] = {}
            for piece in combination:
                merged.update(piece)
            solutions.append(_solution_json(units, merged, problem.per_item_n))

    groups = {
        group: _group_result(group_units, joint_counts, n_solutions > 0, problem.per_item_n)
        for group, group_units in units.items()
    }
    return ConsistencyResult(
        consistent=n_solutions > 0,
        n_solutions=n_solutions,
        groups=groups,
        solutions=solutions,
        rounding=Rounding(problem.rounding),
        per_item_n=problem.per_item_n,
    )


def _group_result(
    group_units: Sequence[_Unit],
    joint_counts: Mapping[tuple, dict[int, dict[str, list[int]]]],
    consistent: bool,
    per_item_n: bool,
) -> GroupResult:
    alone = sorted({n for unit in group_units for n in unit.feasible_n()})
    searched_texts = list(dict.fromkeys(unit.searched for unit in group_units))
    searched = (
        searched_texts[0]
        if len(searched_texts) == 1
        else "; ".join(f"{unit.key[1]}: {unit.searched}" for unit in group_units)
    )
    if not consistent:
        # Without a joint solution no n is jointly feasible, whatever each part allows alone.
        return GroupResult(n=[], n_alone=alone, searched=searched,
                           n_by_item={u.key[1]: [] for u in group_units} if per_item_n else None)
    if not per_item_n:
        (unit,) = group_units
        by_n = joint_counts[unit.key]
        return GroupResult(n=sorted(by_n), n_alone=alone, searched=searched, counts_by_n=by_n)
    n_by_item = {}
    counts_by_item = {}
    for unit in group_units:
        item = unit.key[1]
        by_n = joint_counts[unit.key]
        n_by_item[item] = sorted(by_n)
        counts_by_item[item] = {n: per_item[item] for n, per_item in by_n.items()}
    return GroupResult(
        n=sorted({n for ns in n_by_item.values() for n in ns}),
        n_alone=alone,
        searched=searched,
        n_by_item=n_by_item,
        counts_by_n=counts_by_item,
    )


def _standalone_counts(unit: _Unit) -> dict[int, dict[str, list[int]]]:
    """Counts per item at each feasible n, for a unit no sum links to others."""
    result = {}
    for n in unit.feasible_n():
        if unit.structure is ItemStructure.INDEPENDENT:
            # Every combination of the items' ranges is a solution, so the ranges are the answer.
            result[n] = {item: list(r) for item, r in zip(unit.items, unit.counts_at(n))}
        else:
            result.update(_counts_from_options(unit, ((n, option) for option in unit.options_at(n))))
    return result


def _counts_from_options(unit: _Unit, options: Iterable[Option]) -> dict[int, dict[str, list[int]]]:
    """Counts per item at each n, from the (n, counts) options that occur in solutions."""
    by_n: dict[int, list[tuple[int, ...]]] = {}
    for n, option_counts in sorted(options):
        by_n.setdefault(n, []).append(option_counts)
    return {
        n: {item: sorted({option[i] for option in listed}) for i, item in enumerate(unit.items)}
        for n, listed in by_n.items()
    }


def _solution_json(units: Mapping[str, list[_Unit]], merged: Mapping[tuple, Option], per_item_n: bool) -> dict:
    solution = {}
    for group, group_units in units.items():
        if per_item_n:
            n_by_item = {unit.key[1]: merged[unit.key][0] for unit in group_units}
            counts = {unit.key[1]: merged[unit.key][1][0] for unit in group_units}
            shared = set(n_by_item.values())
            solution[group] = {
                "n": shared.pop() if len(shared) == 1 else None,
                "n_by_item": n_by_item,
                "counts": counts,
            }
        else:
            (unit,) = group_units
            n, option_counts = merged[unit.key]
            solution[group] = {"n": n, "counts": dict(zip(unit.items, option_counts))}
    return solution
