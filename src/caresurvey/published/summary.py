"""Consistency of every published table, summarised for reports and for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from caresurvey.published.catalogue import PublishedTable
from caresurvey.published.consistency import ConsistencyResult, check_consistency
from caresurvey.published.rounding import Rounding

__all__ = ["TableCheck", "check_published", "summary_frame", "compress_numbers", "describe_result",
           "published_cells_frame"]

#: Show the counts behind each feasible n when a group has at most this many.
COUNTS_SHOWN_UP_TO = 6


def compress_numbers(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 5, 7, 8]`` as ``"1-3, 5, 7-8"``; empty as ``"none"``."""
    values = sorted(set(numbers))
    if not values:
        return "none"
    runs: list[str] = []
    start = previous = values[0]
    for value in values[1:] + [None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if value is not None:
            start = previous = value
    return ", ".join(runs)


@dataclass(frozen=True)
class TableCheck:
    """A published table with the result of its consistency check."""

    table: PublishedTable
    result: ConsistencyResult


def published_cells_frame(published: Mapping[str, PublishedTable]) -> pd.DataFrame:
    """Every printed cell of every published table, long, with the table's source.

    Returns
    -------
    pandas.DataFrame
        The columns of :meth:`PublishedTable.frame` (``table, group, item, category, percent,
        count, n, qualifier, quote``), then ``source`` and ``title``.
    """
    frames = [table.frame().assign(source=table.source, title=table.title) for table in published.values() if table.cells]
    return pd.concat(frames, ignore_index=True)


def check_published(
    tables: Sequence[PublishedTable], rounding: Rounding | str = Rounding.EITHER, limit: int = 100
) -> list[TableCheck]:
    """Check every table that has printed percentages."""
    return [
        TableCheck(table, check_consistency(table.consistency_problem(rounding), limit=limit))
        for table in tables
        if table.checkable
    ]


def _counts_lines(counts_by_n: dict) -> list[str]:
    """``["n=30: a 20, b 3", ...]``, one per feasible n; none when there are too many to show."""
    if len(counts_by_n) > COUNTS_SHOWN_UP_TO:
        return []
    return [
        f"n={n}: " + ", ".join(f"{item} {compress_numbers(ks)}" for item, ks in per_item.items())
        for n, per_item in counts_by_n.items()
    ]


def summary_frame(checks: Sequence[TableCheck]) -> pd.DataFrame:
    """One row per consistency group of every checked table.

    Returns
    -------
    pandas.DataFrame
        Columns: ``table``, ``group``, ``searched`` (the n searched), ``bound_reason`` (why the
        search stops there), ``feasible_n`` (jointly feasible n, as ranges), ``n_feasible``
        (how many), ``n_min``, ``n_max``, ``counts`` (counts per item at each feasible n, when
        there are few), ``table_consistent``, ``table_solutions`` (number of joint solutions
        of the whole table), ``rounding``.
    """
    rows = []
    for check in checks:
        table, result = check.table, check.result
        for label, group in result.groups.items():
            rows.append(
                {
                    "table": table.id,
                    "group": label,
                    "searched": group.searched,
                    "bound_reason": table.max_n_reason(label) or "",
                    "feasible_n": compress_numbers(group.n),
                    "n_feasible": len(group.n),
                    "n_min": min(group.n) if group.n else pd.NA,
                    "n_max": max(group.n) if group.n else pd.NA,
                    "counts": "" if result.per_item_n else "; ".join(_counts_lines(group.counts_by_n)),
                    "table_consistent": result.consistent,
                    "table_solutions": result.n_solutions,
                    "rounding": result.rounding.value,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.astype({"n_feasible": "Int64", "n_min": "Int64", "n_max": "Int64"})


def describe_result(result: ConsistencyResult, shown: int = 10) -> str:
    """A plain-text account of a result, for the command line."""
    lines = [
        f"{'CONSISTENT' if result.consistent else 'INCONSISTENT'}: {result.n_solutions:,} joint "
        f"solution(s) (rounding: {result.rounding.value})",
        "",
    ]
    for name, group in result.groups.items():
        lines.append(f"{name}  (searched {group.searched})")
        lines.append(f"  feasible n: {compress_numbers(group.n)}")
        if group.n != group.n_alone:
            lines.append(f"  feasible n ignoring sums with other groups: {compress_numbers(group.n_alone)}")
        if group.n_by_item:
            for item, ns in group.n_by_item.items():
                lines.append(f"    {item}: n {compress_numbers(ns)}")
        else:
            lines += [f"    {line}" for line in _counts_lines(group.counts_by_n)]
    if result.solutions:
        lines += ["", f"First {min(shown, len(result.solutions))} joint solution(s):"]
        for number, solution in enumerate(result.solutions[:shown], start=1):
            parts = []
            for group, values in solution.items():
                n = values["n"] if values["n"] is not None else values["n_by_item"]
                counts = ", ".join(f"{item}={k}" for item, k in values["counts"].items())
                parts.append(f"{group}: n={n} ({counts})")
            lines.append(f"  {number}. " + "; ".join(parts))
    return "\n".join(lines)
