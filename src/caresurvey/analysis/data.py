"""The processed tables an analysis reads, loaded once from ``data/processed/``."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from caresurvey.errors import CaresurveyError
from caresurvey.outputs import recover
from caresurvey.schemas import SCHEMAS

__all__ = ["StudyData", "open_study", "collection_year_end"]


class StudyData:
    """Read-only access to a study's processed tables.

    A table the study has no data for (no SSDA903 files, say) is an empty frame with the
    schema's columns, so every analysis runs and returns an empty result rather than failing.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        recover(self.folder)  # an ingestion killed while moving its tables into place is finished first
        if not (self.folder / "reconciliation.json").is_file():
            raise CaresurveyError(f"{self.folder} holds no processed study; run `caresurvey ingest` (make process) first")
        self._cache: dict[str, pd.DataFrame] = {}
        self._results: dict[tuple, pd.DataFrame] = {}

    def remember(self, key: tuple, compute) -> pd.DataFrame:
        """``compute()`` once per study: analyses that build on others (the LA tests and funnels
        use the review tables) reuse the result instead of recomputing it on national data."""
        if key not in self._results:
            self._results[key] = compute()
        return self._results[key].copy()

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            path = self.folder / f"{name}.parquet"
            if path.is_file():
                self._cache[name] = pd.read_parquet(path)
            else:
                self._cache[name] = pd.DataFrame({c: pd.Series(dtype=_empty_dtype(column))
                                                  for c, column in SCHEMAS[name].columns.items()})
        return self._cache[name].copy()

    def data_end(self):
        """The last day the SSDA903 data cover: 31 March after their latest date (a collection year's end)."""
        episodes, reviews = self.table("episodes"), self.table("reviews")
        dates = [episodes["start"].max(), episodes["end"].max(), reviews["review_date"].max()]
        return collection_year_end(max(d for d in dates if pd.notna(d)).date())

    @cached_property
    def codings(self) -> pd.DataFrame:
        """Interview codings from one export: the REFI-QDA project where there is one.

        A study may hold the same codings twice (a project and a coded-segments sheet); counting
        both would double every code, so the richer export (character offsets, case variables) wins.
        """
        codings = self.table("codings")
        if (codings["source_format"] == "refi-qda").any():
            return codings[codings["source_format"] == "refi-qda"].reset_index(drop=True)
        return codings.reset_index(drop=True)


def _empty_dtype(column):
    """The dtype of an absent table's column: the schema's for dates and numbers (so arithmetic on
    an empty column still works), plain objects for text, as the parquet files hold it."""
    dtype = column.dtype.type if column.dtype is not None else object
    return dtype if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype) else object


def collection_year_end(day):
    """31 March on or after ``day``: the end of the SSDA903 collection year holding it."""
    import datetime as dt

    return dt.date(day.year + (day.month > 3), 3, 31)


def open_study(config_path: str | None = None):
    """The configuration and processed data a notebook works on.

    The configuration is ``config_path``, else ``$CARESURVEY_CONFIG``, else the first
    ``caresurvey.toml`` in the current folder or above it (notebooks run from ``notebooks/``).
    """
    import os

    from caresurvey.config import load_config

    path = config_path or os.environ.get("CARESURVEY_CONFIG")
    if path is None:
        here = Path.cwd()
        found = next((folder / "caresurvey.toml" for folder in (here, *here.parents)
                      if (folder / "caresurvey.toml").is_file()), None)
        if found is None:
            raise CaresurveyError("no caresurvey.toml here or above; set CARESURVEY_CONFIG to the study's configuration")
        path = found
    config = load_config(path)
    return config, StudyData(config.processed_dir)
