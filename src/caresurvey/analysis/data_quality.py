"""What ingestion kept and quarantined, and why: the data-quality tables of a processed study.

Only counts, rule names and column names: the quarantined values and messages (which can quote
what a file holds) stay in ``data/processed/``.
"""

from __future__ import annotations

import pandas as pd

from caresurvey.rules import RULES

__all__ = ["quality_by_table", "quality_by_rule", "ALL_TABLES"]

#: The total row of :func:`quality_by_table`.
ALL_TABLES = "All tables"


def quality_by_table(files: pd.DataFrame) -> pd.DataFrame:
    """Rows read, kept and quarantined per processed table, and over all of them.

    Parameters
    ----------
    files : pandas.DataFrame
        One row per raw file and processed table, as ``reconciliation.json`` lists them:
        ``file, table, rows_read, rows_kept, rows_quarantined``.

    Returns
    -------
    pandas.DataFrame
        ``table, files, rows_read, rows_kept, rows_quarantined``, tables in name order, then the
        total row (``table`` = "All tables").
    """
    counts = ["rows_read", "rows_kept", "rows_quarantined"]
    grouped = files.groupby("table", sort=True).agg(files=("file", "nunique"), **{c: (c, "sum") for c in counts})
    grouped = grouped.reset_index()
    total = {"table": ALL_TABLES, "files": files["file"].nunique(), **{c: int(files[c].sum()) for c in counts}}
    return pd.concat([grouped, pd.DataFrame([total])], ignore_index=True)[["table", "files", *counts]]


def quality_by_rule(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows quarantined under each rule (a row breaking two rules counts under both), the columns
    the rule was broken in, and how many files.

    Parameters
    ----------
    quarantine : pandas.DataFrame
        ``quarantine.csv``: ``file, row, column, rule`` (values and messages are not used).

    Returns
    -------
    pandas.DataFrame
        ``rule, description, rows, columns, files``, rules in name order, each described as the
        catalogue of rules (:mod:`caresurvey.rules`) describes it.
    """
    grouped = quarantine.groupby("rule", sort=True)
    frame = pd.DataFrame({
        "description": grouped["rule"].first().map(_described),
        "rows": quarantine.drop_duplicates(["rule", "file", "row"]).groupby("rule").size(),
        "columns": grouped["column"].agg(lambda column: ", ".join(sorted(set(column)))),
        "files": grouped["file"].nunique(),
    }, columns=["description", "rows", "columns", "files"])
    return frame.rename_axis("rule").reset_index().astype({"rows": "int64", "files": "int64"})


def _described(code: str) -> str:
    # a processed study written by another version may name a rule this one does not have
    return RULES[code].description if code in RULES else "not a rule of this version: ingest the study again"
