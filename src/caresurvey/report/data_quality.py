"""The data-quality summary of the report: what ingestion kept and quarantined, and why.

Built from ``data/processed/reconciliation.json`` and ``quarantine.csv``. Only counts, rule
names and column names are shown: the quarantined values and messages (which can quote what a
file holds) stay in ``data/processed/``. For real data the counts go through the same
disclosure control as the analysis tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from caresurvey.config import Config
from caresurvey.disclosure import Protected, Protection, Total, protect

__all__ = ["DataQuality", "data_quality"]

_BY_TABLE = Protection(counts=("rows_read", "rows_kept", "rows_quarantined"), keys=("table",), labels=("files",),
                       row_sum=(("rows_kept", "rows_quarantined"), "rows_read"),
                       totals=(Total("table", "All tables"),))
_BY_RULE = Protection(counts=("rows",), keys=("rule",), labels=("columns", "files"))


@dataclass(frozen=True)
class DataQuality:
    """Rows read, kept and quarantined per processed table; quarantined rows per rule."""

    by_table: Protected
    by_rule: Protected
    adds_up: bool
    blank_rows: int
    columns_not_kept: dict[str, list[str]]
    notes: dict[str, list[str]]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The two tables as published (symbols in withheld cells), for the workbook."""
        return {"data_quality_by_table": self.by_table.display(), "data_quality_by_rule": self.by_rule.display()}


def _by_table(files: pd.DataFrame) -> pd.DataFrame:
    counts = ["rows_read", "rows_kept", "rows_quarantined"]
    grouped = files.groupby("table", sort=True).agg(files=("file", "nunique"), **{c: (c, "sum") for c in counts})
    grouped = grouped.reset_index()
    total = {"table": "All tables", "files": files["file"].nunique(), **{c: int(files[c].sum()) for c in counts}}
    return pd.concat([grouped, pd.DataFrame([total])], ignore_index=True)[["table", "files", *counts]]


def _by_rule(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows quarantined under each rule (a row breaking two rules counts under both), the columns
    the rule was broken in, and how many files."""
    grouped = quarantine.groupby("rule", sort=True)
    frame = pd.DataFrame({
        "rows": quarantine.drop_duplicates(["rule", "file", "row"]).groupby("rule").size(),
        "columns": grouped["column"].agg(lambda column: ", ".join(sorted(set(column)))),
        "files": grouped["file"].nunique(),
    }, columns=["rows", "columns", "files"])
    return frame.rename_axis("rule").reset_index().astype({"rows": "int64", "files": "int64"})


def data_quality(config: Config) -> DataQuality | None:
    """The summary of the processed study in ``config.processed_dir``; None before ingestion."""
    reconciliation_path = config.processed_dir / "reconciliation.json"
    if not reconciliation_path.is_file():
        return None
    reconciliation = json.loads(reconciliation_path.read_text(encoding="utf-8"))
    files = pd.DataFrame(reconciliation["files"], columns=["file", "table", "rows_read", "rows_kept",
                                                           "rows_quarantined", "blank_rows"])
    quarantine = pd.read_csv(config.processed_dir / "quarantine.csv", dtype=str, keep_default_na=False)
    by_table, by_rule = _by_table(files), _by_rule(quarantine)
    if config.synthetic:
        note = "synthetic study: shown without disclosure control"
        controlled = (Protected.unchanged(by_table, note), Protected.unchanged(by_rule, note))
    else:
        controlled = (protect(by_table, _BY_TABLE, config.disclosure_threshold, config.round_to, name="data quality"),
                      protect(by_rule, _BY_RULE, config.disclosure_threshold, config.round_to, name="quarantine"))
    return DataQuality(*controlled, adds_up=bool(reconciliation["adds_up"]),
                       blank_rows=int(reconciliation["totals"]["blank_rows"]),
                       columns_not_kept=reconciliation.get("columns_not_kept", {}),
                       notes=reconciliation.get("notes", {}))
