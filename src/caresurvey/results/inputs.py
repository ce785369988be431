"""What output tables are computed from: the processed study, read once, and the views of it that
several tables share.

Opening a study only reads: a study whose ingestion was killed while moving its tables into
place is read as the committed set has it (:func:`caresurvey.outputs.committed_file`), and the
next ``caresurvey ingest`` finishes the move.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from caresurvey.analysis.interviews import one_export
from caresurvey.analysis.reviews import care_periods
from caresurvey.errors import CaresurveyError
from caresurvey.outputs import committed_file
from caresurvey.schemas import QUARANTINE_COLUMNS, SCHEMAS

__all__ = ["ProcessedStudy", "read_processed", "has_processed_study", "PREPARED", "RECONCILIATION", "QUARANTINE",
           "PUBLISHED_TABLES", "PUBLISHED_CHECKS", "CELL_READERS", "ITEM_SCALES",
           "REPLICATES"]

#: Every published table, by id (:func:`caresurvey.published.catalogue.load_tables`), as an input.
PUBLISHED_TABLES = "published_tables"
#: The consistency check of every published table with printed percentages, under the study's
#: rounding convention and solution limit (:func:`caresurvey.published.summary.check_published`).
PUBLISHED_CHECKS = "published_checks"
#: For each published table an output table reproduces, a reader of a published cell's study
#: count and denominator in that table after disclosure control (declarations' ``published``).
CELL_READERS = "published_cell_readers"

#: The study's questionnaire items and their scales (``[items]``), in the order it declares them.
ITEM_SCALES = "item_scales"
#: The published tables the study replicates (``[study] replicates``).
REPLICATES = "replicates"

#: The reconciliation's files (one row per raw file and processed table: rows read, kept,
#: quarantined) and the quarantine (file, row, column, rule; values are never used), as inputs.
RECONCILIATION = "reconciliation"
QUARANTINE = "quarantine"

_RECONCILIATION_COLUMNS = ["file", "table", "rows_read", "rows_kept", "rows_quarantined", "blank_rows"]


#: Views of the processed tables that several output tables take, each worked out once:
#: name -> (function, its parameter -> input name).
PREPARED: dict[str, tuple[Callable[..., pd.DataFrame], Mapping[str, str]]] = {
    # periods of care: review timeliness and time to permanence follow the same chains of episodes
    "care_periods": (care_periods, {"episodes": "episodes"}),
    # the codings of one export, where a study holds a project and a coded-segments sheet of the same interviews
    "interview_codings": (one_export, {"codings": "codings"}),
}


def has_processed_study(folder: Path) -> bool:
    """Whether ``folder`` holds a processed study (``caresurvey ingest`` has run)."""
    path = committed_file(folder, "reconciliation.json")
    return path is not None and path.is_file()


class ProcessedStudy:
    """A processed study, read only: each table is read once, when first asked for.

    A table the study has no data for (no SSDA903 files, say) is an empty frame with the
    schema's columns, so every analysis runs and returns an empty result rather than failing.
    """

    def __init__(self, folder: Path | None, reconciliation: dict):
        self.folder = None if folder is None else Path(folder)
        self.reconciliation = reconciliation
        self._tables: dict[str, pd.DataFrame] = {}

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame], reconciliation: dict | None = None) -> ProcessedStudy:
        """A study held in memory: processed tables by name (the rest are empty), with the
        reconciliation of the files they came from (none by default)."""
        study = cls(None, reconciliation or {"files": [], "adds_up": True, "totals": {"blank_rows": 0}})
        study._tables.update(tables)
        return study

    @property
    def names(self) -> tuple[str, ...]:
        """The inputs it holds: the processed tables, the reconciliation and the quarantine."""
        return (*SCHEMAS, RECONCILIATION, QUARANTINE)

    def table(self, name: str) -> pd.DataFrame:
        """One input (see :attr:`names`), read on first use."""
        if name not in self._tables:
            self._tables[name] = self._read(name)
        return self._tables[name]

    def _read(self, name: str) -> pd.DataFrame:
        if name == RECONCILIATION:
            return pd.DataFrame(self.reconciliation["files"], columns=_RECONCILIATION_COLUMNS)
        if name == QUARANTINE:
            path = None if self.folder is None else committed_file(self.folder, "quarantine.csv")
            if path is None or not path.is_file():
                return pd.DataFrame(columns=QUARANTINE_COLUMNS, dtype=str)
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if name not in SCHEMAS:
            raise KeyError(f"no processed table {name!r}; the processed tables are {', '.join(SCHEMAS)}")
        path = None if self.folder is None else committed_file(self.folder, f"{name}.parquet")
        if path is not None and path.is_file():
            return pd.read_parquet(path)
        return pd.DataFrame({c: pd.Series(dtype=_empty_dtype(column)) for c, column in SCHEMAS[name].columns.items()})

    @property
    def adds_up(self) -> bool:
        """Whether rows read = rows kept + rows quarantined for every file and table."""
        return bool(self.reconciliation["adds_up"])

    @property
    def blank_rows(self) -> int:
        return int(self.reconciliation["totals"]["blank_rows"])

    @property
    def columns_not_kept(self) -> dict[str, list[str]]:
        """Columns read but deliberately not kept, by file (with why, in the column's name)."""
        return self.reconciliation.get("columns_not_kept", {})

    @property
    def notes(self) -> dict[str, list[str]]:
        """How each file was read, where that needs saying."""
        return self.reconciliation.get("notes", {})

    @property
    def linkage(self) -> list[dict]:
        """The tables linked across returns of several years (:mod:`caresurvey.ingest.linkage`)."""
        return self.reconciliation.get("linkage", [])


def read_processed(folder: Path) -> ProcessedStudy:
    """The processed study in ``folder`` (``data/processed/``), for reading.

    Raises
    ------
    CaresurveyError
        If ``folder`` holds no processed study.
    """
    folder = Path(folder)
    path = committed_file(folder, "reconciliation.json")
    if path is None or not path.is_file():
        raise CaresurveyError(f"{folder} holds no processed study; run `caresurvey ingest` (make process) first")
    return ProcessedStudy(folder, json.loads(path.read_text(encoding="utf-8")))


def _empty_dtype(column):
    """The dtype of an absent table's column: the schema's for dates and numbers (so arithmetic on
    an empty column still works), plain objects for text, as the parquet files hold it."""
    dtype = column.dtype.type if column.dtype is not None else object
    return dtype if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype) else object
