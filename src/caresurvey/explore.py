"""What a notebook works with: a study's processed tables, and its output tables and figures as
computed, before disclosure control.

Notebooks are for exploring the data where it may be seen (the synthetic study, or a secure
environment); the report and ``reports/`` hold what may be released. The output tables come
from the same declarations and functions as the report's (:mod:`caresurvey.results`), and the
analysis functions take the processed tables directly, so an analyst can also call them on a
subset (one LA, some years).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from caresurvey.config import DEFAULT_CONFIG, Config, load_config
from caresurvey.errors import CaresurveyError
from caresurvey.report.figures import Figure, draw
from caresurvey.results import REGISTRY, compute
from caresurvey.results.inputs import ProcessedStudy, read_processed
from caresurvey.results.stage import charts_of

__all__ = ["Study", "open_study", "Missing"]


@dataclass(frozen=True)
class Missing:
    """What a notebook shows in place of a figure the study has no data for."""

    reason: str

    def _repr_markdown_(self) -> str:
        return f"*{self.reason}*"

    def __repr__(self) -> str:
        return self.reason


@dataclass
class Study:
    """A processed study opened for exploring.

    Attributes
    ----------
    config : Config
    processed : ProcessedStudy
        The processed tables: ``processed.table("episodes")`` and so on.
    """

    config: Config
    processed: ProcessedStudy
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, table_id: str) -> pd.DataFrame:
        """Output table ``table_id`` (an id of ``reports/tables/``) as computed, before disclosure control."""
        if table_id not in self._tables:
            self._tables |= compute(self.processed, [table_id], self.config)
        return self._tables[table_id].copy()

    def figures(self, table_id: str) -> list[Figure]:
        """The figures of output table ``table_id``, as the report draws them (from the table before control)."""
        declaration = next(d for d in REGISTRY if d.id == table_id)
        return [draw(chart) for chart in charts_of(declaration, self.table(table_id))]

    def figure(self, table_id: str) -> Figure | Missing:
        """The (first) figure of output table ``table_id``; where there is nothing to draw (the
        study has no data for it), a note that says so, which a notebook shows in its place."""
        figures = self.figures(table_id)
        if not figures:
            return Missing(f"No figure of {table_id}: the study has no data for it.")
        return figures[0]


def open_study(config_path: str | Path | None = None) -> Study:
    """The study a notebook works on.

    The configuration is ``config_path``, else ``$CARESURVEY_CONFIG``, else the first
    ``caresurvey.toml`` in the current folder or above it (notebooks run from ``notebooks/``).
    """
    path = config_path or os.environ.get("CARESURVEY_CONFIG")
    if path is None:
        here = Path.cwd()
        found = next((folder / DEFAULT_CONFIG for folder in (here, *here.parents)
                      if (folder / DEFAULT_CONFIG).is_file()), None)
        if found is None:
            raise CaresurveyError(f"no {DEFAULT_CONFIG} here or above; set CARESURVEY_CONFIG to the study's configuration")
        path = found
    config = load_config(path)
    return Study(config, read_processed(config.processed_dir))
