"""Returns of several years linked: a child, an episode or a review that more than one return
reports is one record, the latest return's.

An SSDA903 return holds every child looked after during its year, with every episode open in it
and its reviews, so a child looked after for three years is in three returns, and an episode
open at 31 March in two. Read as they are, the returns would count such a child three times.
Records are matched by their key (the LA and child; and the episode's start, or the review's
date); where the copies differ (an episode's end is filled in by the next return, a date of birth
is corrected), the latest collection year's copy is kept. Where copies differ and the returns'
years are not known, or two returns of one year disagree, which copy is right cannot be told:
ingestion stops and asks for each entry's year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caresurvey.errors import CaresurveyError

__all__ = ["LINK_KEYS", "Linked", "link_returns"]

#: What makes two rows of a table one record.
LINK_KEYS = {
    "children": ("la", "child_id"),
    "episodes": ("la", "child_id", "start"),
    "reviews": ("la", "child_id", "review_date"),
}

_ORDER, _YEAR = "_link_order", "_link_year"


@dataclass(frozen=True)
class Linked:
    """One table's linkage: rows from the returns, rows that repeated a later return's record,
    and rows in the table."""

    table: str
    returns: int
    rows_read: int
    superseded: int
    rows: int

    def as_dict(self) -> dict:
        return {"table": self.table, "returns": self.returns, "rows_from_returns": self.rows_read,
                "superseded_by_a_later_return": self.superseded, "rows": self.rows}


def link_returns(table: str, pieces: Sequence[tuple[pd.DataFrame, int | None, str]]) -> tuple[pd.DataFrame, Linked | None]:
    """One table's rows from several returns, each record once.

    Parameters
    ----------
    table : str
        The processed table (only those of :data:`LINK_KEYS` are linked).
    pieces : sequence of (frame, collection year or None, file)
        Each return's rows, in manifest order.

    Returns
    -------
    (pandas.DataFrame, Linked or None)
        The rows, and what linking did (None where there was nothing to link).

    Raises
    ------
    CaresurveyError
        Where copies of a record differ and the latest cannot be told.
    """
    frames = [frame for frame, _, _ in pieces]
    key = LINK_KEYS.get(table)
    if key is None or sum(1 for frame in frames if len(frame)) < 2:
        return _concat(frames), None
    # each row marked with its return (its place in the manifest) and that return's year, in one step
    kept = [(order, frame, year) for order, (frame, year, _) in enumerate(pieces) if len(frame)]
    rows = pd.concat([frame for _, frame, _ in kept], ignore_index=True)
    lengths = [len(frame) for _, frame, _ in kept]
    rows[_ORDER] = np.repeat([order for order, _, _ in kept], lengths)
    rows[_YEAR] = np.repeat([np.nan if year is None else float(year) for _, _, year in kept], lengths)
    key_columns = list(key)
    returns_per_key = rows.groupby(key_columns, sort=False, dropna=False)[_ORDER].transform("nunique")
    shared = rows[returns_per_key > 1]
    if shared.empty:
        return rows.drop(columns=[_ORDER, _YEAR]), Linked(table, len(frames), len(rows), 0, len(rows))
    data_columns = [column for column in rows.columns if column not in (_ORDER, _YEAR)]
    versions = shared.drop_duplicates(data_columns).groupby(key_columns, sort=False, dropna=False)[_ORDER].transform("size")
    conflicting = shared.loc[versions.index[versions > 1]]
    _refuse_undecidable(table, shared, conflicting, key_columns, data_columns, pieces)
    # the latest return's rows of each record (by collection year, then manifest order); a record
    # repeated within that return stays as the return has it
    ordered = shared.sort_values([_YEAR, _ORDER], na_position="first", kind="stable")
    latest_return = ordered.groupby(key_columns, sort=False, dropna=False)[_ORDER].transform("last")
    latest = ordered[ordered[_ORDER].eq(latest_return)]
    linked = pd.concat([rows[returns_per_key <= 1], latest]).sort_index().drop(columns=[_ORDER, _YEAR])
    linked = linked.reset_index(drop=True)
    return linked, Linked(table, len(frames), len(rows), len(rows) - len(linked), len(linked))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    pieces = [frame for frame in frames if len(frame)] or frames[:1]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


def _refuse_undecidable(table: str, shared: pd.DataFrame, conflicting: pd.DataFrame, key_columns: list[str],
                        data_columns: list[str], pieces: Sequence[tuple[pd.DataFrame, int | None, str]]) -> None:
    """Stop where copies of a record differ and the latest return cannot be told: a return of
    no known year holds one, or the latest year's returns hold different copies."""
    if conflicting.empty:
        return
    keys = conflicting[key_columns].drop_duplicates()
    copies = shared.merge(keys, on=key_columns)
    unknown = copies[copies[_YEAR].isna()]
    top = copies[copies[_YEAR].eq(copies.groupby(key_columns, dropna=False)[_YEAR].transform("max"))]
    # the latest year's returns must agree: each return's copies (one, or its own repeats) the same
    # a return's copies of a record, as one number: the sum of their hashes (modulo 2**64) is the
    # same for the same copies in any order, repeats counted
    fingerprints = pd.util.hash_pandas_object(top[data_columns], index=False)
    held = fingerprints.groupby([*(top[c] for c in key_columns), top[_ORDER]], dropna=False).sum()
    tied = held.groupby(level=list(range(len(key_columns))), dropna=False).nunique() > 1
    if unknown.empty and not tied.any():
        return
    among = unknown if len(unknown) else top.merge(tied[tied].index.to_frame(index=False), on=key_columns)
    files = sorted({pieces[order][2] for order in among[_ORDER].unique()})
    what = "returns of no known collection year" if len(unknown) else "returns of the same collection year"
    raise CaresurveyError(
        f"{table}: {len(keys)} record(s) appear in more than one return with different values, and the latest "
        f"cannot be told ({what}: {', '.join(files)}): give each [[inputs]] entry its collection year "
        "(year = 2019, or \"2018-19\"), or check that one return is not listed twice")
