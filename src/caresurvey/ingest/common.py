"""What every reader shares: the context it reads in, and row checks against the processed schemas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from caresurvey.codes import Scale
from caresurvey.ingest.dates import DAY_FIRST, MONTH_FIRST, parse_date
from caresurvey.ingest.ledger import RowProblems
from caresurvey.ingest.tabular import ROW, RawTable, read_csv_table, read_xlsx_table
from caresurvey.pseudonym import Pseudonymiser
from caresurvey.rules import rule_of_check
from caresurvey.schemas import row_schema

__all__ = ["Source", "check_rows", "parse_dates", "blank_to_none", "ProblemsByOwner", "report_ragged", "table_problems",
           "read_table_file", "as_text", "text_series", "codings_frame"]


@dataclass(frozen=True)
class Source:
    """One raw file to read, and what the manifest says about it.

    Attributes
    ----------
    path : Path
        The file.
    display : str
        How messages name it (relative to the project where possible).
    pseudonymise : Pseudonymiser or None
        None only for published statistics, which hold no one's identifiers.
    la : str or None
        The LA the file belongs to (SSDA903 ids are only unique within an LA).
    group : str or None
        A questionnaire's respondent group.
    items : mapping of str to str
        Source variable name to study item id.
    codebook : Path or None
        A survey CSV's codebook file.
    date_format : str or None
        Which way round the file writes numeric dates, where the manifest declares it.
    year : int or None
        An SSDA903 return's collection year, where the manifest declares it.
    entry : str or None
        The manifest entry (one export) the file comes from: a file whose own dates cannot tell
        which way round they are written takes the convention of the entry's other files.
    scales : mapping of str to Scale
        The scale of each item a questionnaire's variables map to: answers are placed on it by
        their labels.
    """

    path: Path
    display: str
    pseudonymise: Pseudonymiser | None
    la: str | None = None
    group: str | None = None
    items: Mapping[str, str] = field(default_factory=dict)
    codebook: Path | None = None
    date_format: str | None = None
    year: int | None = None
    entry: str | None = None
    scales: Mapping[str, Scale] = field(default_factory=dict)


def read_table_file(source: Source) -> RawTable:
    """A source's first sheet (xlsx) or its rows (CSV), by the file's suffix."""
    if source.path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_table(source.path, display=source.display)
    return read_csv_table(source.path, display=source.display)


def report_ragged(table: RawTable, problems: RowProblems) -> None:
    """Quarantine rows with values beyond the header: a value may have shifted, so none is read."""
    for row, values in table.ragged:
        extra = [v for v in values[len(table.columns):] if v]
        problems.add_row(row, f"(after {table.columns[-1]})", ",".join(extra), "extra-values",
                         f"the row has {len(values)} values but the header names {len(table.columns)} columns; "
                         "a value may have shifted, so the row is not read")


def table_problems(table: RawTable, withheld=()) -> RowProblems:
    """The row problems of a tabular file, its ragged rows already quarantined (see
    :func:`report_ragged`); values of the ``withheld`` columns stay out of the quarantine."""
    problems = RowProblems(table.file, table.data[ROW], withheld)
    report_ragged(table, problems)
    return problems


def text_series(values, index=None) -> pd.Series:
    """Strings, with missing values missing, in the installed pandas' string dtype.

    ``Series.astype("str")`` turns None into the text "None" under pandas 2 (and NaN under
    pandas 3), so text columns are built from plain lists instead, which both versions read the
    same way.
    """
    if index is None:
        index = values.index if isinstance(values, pd.Series) else None
    items = np.empty(len(values), dtype=object)  # a copy: the caller's values are never changed
    items[:] = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else list(values)
    if pd.api.types.infer_dtype(items, skipna=True) not in ("string", "empty"):
        items = np.array([None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in items],
                         dtype=object)
    items[pd.isna(items)] = None
    return pd.Series(items, index=index, dtype="str")


def as_text(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Make ``columns`` text columns with missing values as missing (see :func:`text_series`)."""
    for column in columns:
        frame[column] = text_series(frame[column])
    return frame


CODINGS_COLUMNS = ("interview_id", "case_id", "la", "respondent_role", "code", "coder", "start", "end", "unit",
                   "source_format")


def codings_frame(records: list[dict]) -> pd.DataFrame:
    """``codings`` rows from dicts, typed as the schema wants them (nullable integers and strings)."""
    frame = pd.DataFrame(records, columns=list(CODINGS_COLUMNS))
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    return as_text(frame, [c for c in CODINGS_COLUMNS if c not in ("start", "end")])


def blank_to_none(series: pd.Series) -> pd.Series:
    """Empty strings as missing values, in a string column."""
    return text_series(series.where(series != "", None))


def parse_dates(frame: pd.DataFrame, column: str, written: str, problems: RowProblems, *, required: bool,
                convention: str | pd.Series | None = None) -> pd.Series:
    """A column of dates, recording a problem for every value that is not a date with certainty.

    ``convention`` is which way round the file writes numeric dates (:mod:`.dates`): one for
    the whole column, or per row where the frame stacks several files. The common case (every
    value ``dd/mm/yyyy``, or ``mm/dd/yyyy``) is parsed in one vectorised step; whatever that
    leaves is parsed value by value, so that each failure names its own reason.
    """
    text = frame[column]
    conventions = convention if isinstance(convention, pd.Series) else pd.Series(convention, index=text.index,
                                                                                     dtype=object)
    plain = text.str.fullmatch(r"\d{2}/\d{2}/\d{4}")
    out = pd.to_datetime(text.where(plain & (conventions == DAY_FIRST)), format="%d/%m/%Y", errors="coerce")
    month_first = plain & (conventions == MONTH_FIRST)
    if month_first.any():
        out = out.fillna(pd.to_datetime(text.where(month_first), format="%m/%d/%Y", errors="coerce"))
    # Blank values are missing dates; they need a look only where the date is required.
    for index in text.index[out.isna() & ((text != "") | required)]:
        value = text.loc[index]
        if value == "":
            problems.add(index, written, value, "required", f"{written} is required")
            continue
        try:
            out.loc[index] = pd.Timestamp(parse_date(value, conventions.loc[index]))
        except ValueError as error:
            problems.add(index, written, value, "date", str(error))
    return out


def _message(check: str, column: str, value: object) -> str:
    if check == "not_nullable":
        return f"{column} is required"
    if check.startswith("isin"):
        return f"{value!r} is not a valid {column} code"
    if check.startswith("str_matches"):
        return f"{value!r} is not in the expected form for {column}"
    return f"{column} breaks the rule {check}"


def check_rows(
    frame: pd.DataFrame,
    table: str,
    problems: RowProblems,
    written: Mapping[str, str] | Callable[[str], str] = lambda c: c,
    raw: pd.DataFrame | None = None,
) -> None:
    """Validate ``frame`` against the processed table's schema; each failing row becomes a problem.

    Parameters
    ----------
    written : mapping or callable
        The column's header as written in the raw file, for the message (default: as is).
    raw : pandas.DataFrame, optional
        The raw table ``frame`` was made from (same index): problems then show the value as
        written in the file rather than as parsed.
    """
    name_of = written if callable(written) else (lambda c: written.get(c, c))
    try:
        row_schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        checks = row_schema(table).checks
        table_checks = {str(c.error): c for c in checks} | {c.name: c for c in checks}
        reported = set()
        for case in cases.itertuples():
            if pd.isna(case.index):
                raise  # a column-level failure is a reader bug, not bad data
            check = str(case.check)
            if case.schema_context == "DataFrameSchema":
                # A table-wide check fails once per column of the row; report it once, against
                # the column its description names (pandera names the check by its error text).
                found = table_checks[check]
                column, rule, message = found.description, rule_of_check(found.name), str(found.error)
            else:
                column = case.column
                rule, message = rule_of_check(check), _message(check, name_of(column), case.failure_case)
            if (case.index, rule) in reported:
                continue
            reported.add((case.index, rule))
            shown = name_of(column)
            value = raw.at[case.index, shown] if raw is not None and shown in raw.columns else frame.at[case.index, column]
            problems.add(case.index, shown, "" if pd.isna(value) else value, rule, message)


class ProblemsByOwner:
    """Reports problems of derived rows (answers, cells, codings) against the raw row each came from.

    ``owners`` maps a derived row's index to the index of its row in the raw table.
    """

    def __init__(self, problems: RowProblems, owners: pd.Series):
        self.problems, self.owners = problems, owners

    def add(self, index: object, column: str, value: object, rule: str, message: str) -> None:
        self.problems.add(self.owners.loc[index], column, value, rule, message)


def read_path_label(path: Path, root: Path | None) -> str:
    """A path as messages show it: relative to ``root`` where it lies below it."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
