"""What an output table is: one declaration says everything the pipeline needs to know of it.

A declaration names the table (its id is the file name under ``reports/tables/``, which other
tools read), the pure function that computes it and the tables it takes, the roles of its
columns (which drive disclosure control and printing), what it answers and how (for the
report and the workbook), its figure, and the published tables it reproduces. Adding an output
table means adding one declaration (:mod:`caresurvey.results.registry`) and one function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from caresurvey.disclosure import Roles
from caresurvey.results.charts import FigureOf

__all__ = ["OutputTable", "Text", "Topic", "CellReader", "SETTINGS"]

#: Reads a published cell's study count and denominator from an output table (after disclosure
#: control: None where withheld): ``reader(table, cell) -> (count, denominator)``.
CellReader = Callable[[pd.DataFrame, object], tuple[int | None, int | None]]

#: What a computation may take from the study's configuration besides tables: ``seed``, the
#: table's own random stream (derived from the study's seed and the table's id); ``rounding``,
#: how the published tables were rounded.
SETTINGS = ("seed", "rounding")


@dataclass(frozen=True)
class Topic:
    """A section of the report, holding the tables declared under it (in registry order)."""

    title: str
    slug: str


@dataclass(frozen=True)
class Text:
    """An output table as a reader meets it: its title, the question it answers, the method, the
    caveats, and what data it needs (said where a study has none). ``empty`` is what the report
    says in its place where the table has no rows to show, where that is not for want of data
    (no row was quarantined, say)."""

    title: str
    question: str = ""
    method: str = ""
    caveats: str = ""
    needs: str = ""
    empty: str = ""

    @property
    def without_rows(self) -> str:
        """The sentence the report shows in place of the table where it has no rows."""
        return self.empty or f"No data for this analysis in the study: it needs {self.needs}."


@dataclass(frozen=True)
class OutputTable:
    """The declaration of one output table.

    Attributes
    ----------
    id : str
        The table's fixed id: ``reports/tables/<id>.csv``, its workbook sheet and figure files.
    compute : callable
        A pure function: DataFrames (and settings) in, the table out; no configuration, no files.
    inputs : mapping of str to str
        ``compute``'s parameter -> the table it takes: a processed table (``case_files``,
        ``responses``, ...), a prepared input (:data:`caresurvey.results.inputs.PREPARED`), or
        another output table's id, which it receives after disclosure control.
    roles : Roles
        What each column holds and how the counts hang together (:class:`caresurvey.disclosure.Roles`).
    text : Text
        Title, question, method, caveats and what it needs.
    topic : Topic or None
        The report section it is shown in; None for a table the report does not show.
    settings : tuple of str
        Settings ``compute`` takes by name (:data:`SETTINGS`).
    figure : callable, optional
        The table (after control) -> its charts (:mod:`caresurvey.results.charts`).
    published : mapping of str to CellReader or None
        The published tables (ids of ``caresurvey published list``) this table reproduces, shown
        beside it in the report. A reader says where each published cell's count is in this
        table; None where the cells are reproduced from the processed study instead, or the
        source prints no values.
    shown : callable, optional
        The rows the report shows, all of them (a filter of the table as released); by default
        the report shows the table's first rows.
    summary : callable, optional
        The table (after control) -> a sentence the report prints with it.
    beside : bool
        This table holds the published cells beside the study's (keyed by its ``table`` column):
        the report shows its rows under the tables that reproduce them.
    workbook : bool
        Whether the table has a sheet in ``tables.xlsx``.
    study : bool
        Computed from the processed study; False for tables of published figures alone, made
        before any study is ingested.
    """

    id: str
    compute: Callable[..., pd.DataFrame]
    inputs: Mapping[str, str]
    roles: Roles
    text: Text
    topic: Topic | None = None
    settings: tuple[str, ...] = ()
    figure: FigureOf | None = None
    published: Mapping[str, CellReader | None] = field(default_factory=dict)
    shown: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    summary: Callable[[pd.DataFrame], str] | None = None
    beside: bool = False
    workbook: bool = True
    study: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.settings) - set(SETTINGS))
        if unknown:
            raise ValueError(f"output table {self.id!r}: unknown setting(s) {', '.join(unknown)}; "
                             f"a computation may take {', '.join(SETTINGS)}")
