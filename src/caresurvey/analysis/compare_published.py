"""A local sample against a published table, cell by cell, over every count set the table allows.

A published percentage hides its count and often its denominator. The consistency checker
lists every (n, count) pair that prints as published; each local cell is compared with each of
them (Fisher's exact test, risk difference), and the comparison reports the range of results
over all of them. A conclusion that holds at both ends of the range does not depend on the
published study's unknown counts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from caresurvey.analysis.stats import fisher_exact_many
from caresurvey.published.catalogue import PublishedTable
from caresurvey.published.consistency import check_consistency
from caresurvey.published.rounding import Rounding

__all__ = ["compare_with_published", "study_against_published", "COMPARISON_COLUMNS"]

COMPARISON_COLUMNS = [
    "group", "item", "category", "local_n", "local_denominator", "local_percent", "published", "count_sets",
    "difference_min", "difference_max", "p_min", "p_max", "status",
]


def _published_sets(table: PublishedTable, rounding: Rounding) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(consistency group, item) -> every (n, count) pair in a joint solution of the table."""
    result = check_consistency(table.consistency_problem(rounding), limit=0)
    sets: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for label, group in result.groups.items():
        if group.n_by_item is not None:
            for item, by_n in group.counts_by_n.items():
                sets[(label, item)] = [(n, k) for n, counts in sorted(by_n.items()) for k in counts]
        else:
            for n, per_item in sorted(group.counts_by_n.items()):
                for item, counts in per_item.items():
                    sets.setdefault((label, item), []).extend((n, k) for k in counts)
    return sets


def compare_with_published(local: pd.DataFrame, table: PublishedTable,
                           rounding: Rounding | str = Rounding.EITHER) -> pd.DataFrame:
    """Each local cell against the published one, over every count set the published values allow.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`: the local share, the published value as printed, how many
        (n, count) pairs are consistent with it, and the range over them of the difference
        (local minus published, as proportions) and of Fisher's exact two-sided p-value.
        ``status`` is ``compared``, or ``no published cell`` for a local row the table lacks.
    """
    sets = _published_sets(table, Rounding(rounding))
    cells = {}
    for cell in table.cells:
        if cell.percent is not None or (cell.count is not None and cell.n is not None):
            cells[(cell.group, cell.item, cell.category or "")] = cell
    rows = []
    for row in local.itertuples(index=False):
        key = (row.group, row.item, row.category or "")
        base = {"group": row.group, "item": row.item, "category": row.category, "local_n": row.n,
                "local_denominator": row.denominator, "local_percent": 100 * row.n / row.denominator}
        cell = cells.get(key)
        if cell is None:
            rows.append({**base, "published": "", "count_sets": 0, "difference_min": np.nan, "difference_max": np.nan,
                         "p_min": np.nan, "p_max": np.nan, "status": "no published cell"})
            continue
        if cell.count is not None and cell.n is not None:
            pairs = [(cell.n, cell.count)]
        else:
            pairs = sets.get((table.group_label(cell), table.item_label(cell)), [])
        n, k = np.array([pair[0] for pair in pairs], dtype=int), np.array([pair[1] for pair in pairs], dtype=int)
        differences = row.n / row.denominator - k / np.maximum(n, 1)
        p_values = fisher_exact_many(np.full(len(n), row.n), np.full(len(n), row.denominator - row.n), k, n - k)
        rows.append({**base, "published": cell.percent or "", "count_sets": len(pairs),
                     "difference_min": differences.min() if pairs else np.nan,
                     "difference_max": differences.max() if pairs else np.nan,
                     "p_min": p_values.min() if pairs else np.nan, "p_max": p_values.max() if pairs else np.nan,
                     "status": "compared" if pairs else "published values inconsistent"})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def study_against_published(reproduced: pd.DataFrame, published: Mapping[str, PublishedTable],
                            rounding: Rounding | str = Rounding.EITHER) -> pd.DataFrame:
    """The study's own counts against the published tables, as a local sample would be compared.

    Parameters
    ----------
    reproduced : pandas.DataFrame
        The published cells beside the study's (:mod:`caresurvey.analysis.comparison`): per
        published cell, the study's ``n`` and ``denominator`` (missing or zero where the study
        has no such cell, or it is withheld; such cells are left out).
    published : mapping of str to PublishedTable
        The published tables by id.
    rounding : Rounding
        How the published percentages were rounded.

    Returns
    -------
    pandas.DataFrame
        ``table`` then :data:`COMPARISON_COLUMNS`, one row per cell the study has counts for.
    """
    have = reproduced.dropna(subset=["n", "denominator"])
    have = have[have["denominator"] > 0]  # a cell the study has no answers for
    pieces = []
    for table_id, cells in have.groupby("table", sort=False):
        local = pd.DataFrame({
            "group": cells["group"], "item": cells["item"],
            "category": [c if isinstance(c, str) else "" for c in cells["category"]],
            "n": cells["n"].astype(int), "denominator": cells["denominator"].astype(int),
        })
        compared = compare_with_published(local, published[table_id], rounding)
        compared.insert(0, "table", table_id)
        pieces.append(compared)
    if not pieces:
        return pd.DataFrame(columns=["table", *COMPARISON_COLUMNS])
    return pd.concat(pieces, ignore_index=True)
