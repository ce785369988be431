"""Read raw tables as text, tolerantly: encodings, header spelling, blank and ragged rows.

Every reader starts here. Values stay strings, exactly as written (stripped of surrounding
white space), and each row keeps the number a person sees in a spreadsheet (the header is
row 1), so that any problem found later can be reported where the user can find it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from caresurvey.errors import InputError
from caresurvey.files import decode_text
from caresurvey.ingest.untrusted import check_archive

__all__ = [
    "RawTable",
    "normalise_header",
    "read_csv_table",
    "read_xlsx_table",
    "xlsx_sheet_names",
    "match_columns",
    "cell_text",
]

ROW = "_row"  # the column holding each row's spreadsheet row number


def normalise_header(name: str) -> str:
    """Header names match whatever their case, spacing and underscores: ``' Review_Code '`` is ``reviewcode``."""
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


@dataclass
class RawTable:
    """A table as read: string values, the header as written, spreadsheet row numbers.

    Attributes
    ----------
    file : str
        The file as the user named it (for messages).
    columns : list of str
        The header, stripped of surrounding white space, trailing unnamed empty columns dropped.
    data : pandas.DataFrame
        One string column per header, plus ``_row`` (the spreadsheet row number).
    blank_rows : int
        Rows with no value at all, skipped (counted in reconciliation, not quarantined).
    ragged : list of (row, values)
        Rows with values beyond the last named column: they cannot be read with certainty.
    header_rows : list of list of str
        Rows above the data after the first (Qualtrics' question text and import ids).
    """

    file: str
    columns: list[str]
    data: pd.DataFrame
    blank_rows: int = 0
    ragged: list[tuple[int, list[str]]] = field(default_factory=list)
    header_rows: list[list[str]] = field(default_factory=list)


#: Names repeated columns apart: (header, the rows under it that are headers too) -> unique names.
KeepApart = Callable[[list[str], list[list[str]]], list[str]]


def apart_by_position(header: list[str], _: list[list[str]]) -> list[str]:
    """A repeated column name made unique by the column's position: ``Q1 [column 17]``."""
    return [f"{name} [column {number}]" if header.count(name) > 1 else name for number, name in enumerate(header, 1)]


def _build(file: str, rows: Sequence[Sequence[str]], first_row_number: int, header_count: int,
           repeated: KeepApart | None = None) -> RawTable:
    if not rows:
        raise InputError(file, "empty-file", "the file is empty; export it again with its header row")
    header = [str(h).strip() for h in rows[0]]
    while header and header[-1] == "":
        header.pop()  # trailing empty columns (a spreadsheet's stray commas)
    if not header:
        raise InputError(file, "no-header", "the first row is empty; the first row must name the columns")
    unnamed = [i + 1 for i, name in enumerate(header) if name == ""]
    if unnamed:
        raise InputError(file, "unnamed-column", f"column(s) {unnamed} of the header have no name; name every column")
    extra_headers = [[str(v).strip() for v in row[: len(header)]] for row in rows[1:header_count]]
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice and repeated is not None:  # a format that tells repeated columns apart (Qualtrics' import ids)
        header = repeated(header, extra_headers)
        twice = sorted({name for name in header if header.count(name) > 1})
    if twice:  # which of the two holds the values a column name means cannot be known
        raise InputError(file, "duplicate-column", f"the header names {', '.join(map(repr, twice))} more than "
                         "once; keep one column of each name")
    records, numbers, ragged = [], [], []
    blank = 0
    for offset, row in enumerate(rows[header_count:]):
        number = first_row_number + header_count + offset
        values = [str(v).strip() for v in row]
        if not any(values):
            blank += 1
            continue
        if len(values) > len(header):
            if any(values[len(header):]):
                ragged.append((number, values))
                continue
            values = values[: len(header)]
        values += [""] * (len(header) - len(values))
        records.append(values)
        numbers.append(number)
    data = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    data[ROW] = numbers
    return RawTable(file=file, columns=header, data=data, blank_rows=blank, ragged=ragged, header_rows=extra_headers)


def read_csv_table(path: Path, *, header_rows: int = 1, display: str | None = None,
                   repeated: KeepApart | None = None) -> RawTable:
    """Read a CSV as strings; the first ``header_rows`` rows are headers (the first names columns).

    A column name written twice is an error, unless ``repeated`` tells such columns apart (a
    format whose other header rows do, as Qualtrics' import ids)."""
    file = display or str(path)
    text = decode_text(path, file)
    if header_rows == 1 and (table := _read_plain_csv(file, text)) is not None:
        return table
    # A value may be as long as the file (a long free-text note): the csv module's default
    # limit (128 KiB) would refuse it, and the text is in memory already, so nothing grows.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise InputError(file, "unreadable-csv",
                         f"cannot be read as CSV near line {reader.line_num} ({error}); export it again") from None
    return _build(file, rows, 1, header_rows, repeated)


_strip = np.frompyfunc(str.strip, 1, 1)


def _read_plain_csv(file: str, text: str) -> RawTable | None:
    """The table :func:`_build` would make, parsed by pyarrow's CSV reader; or None to leave it to
    :func:`_build` (and the csv module).

    Only for the plainest files, where the two cannot differ: no quotes (so no delimiter or line
    break inside a value), no NUL, a header naming every column once, and every row as wide as
    the header (pyarrow refuses any other row). A row of the header's width is then simply the
    line split at its commas; pyarrow reads an empty line as a row of empty values, which is
    blank here as in :func:`_build`. These are most machine-made returns, and the bulk of the
    rows at national scale.
    """
    if '"' in text or "\x00" in text:
        return None
    first_line = text.split("\n", 1)[0].split("\r", 1)[0]
    header = [name.strip() for name in first_line.split(",")]
    if "" in header or len(set(header)) < len(header):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(len(header))]
    try:
        parsed = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                                 strings_can_be_null=False),
        )
    except pa.ArrowInvalid:  # a row wider or narrower than the header: the csv module's turn
        return None
    if parsed.num_rows < 2:
        return None
    values = {column: _strip(parsed.column(name).to_numpy(zero_copy_only=False)[1:])
              for column, name in zip(header, names)}
    data = pd.DataFrame(values, dtype=object)
    blank = np.logical_and.reduce([data[column].to_numpy() == "" for column in header])
    if blank.all():
        return None  # no rows to read: _build types the empty table
    data[ROW] = np.arange(2, len(data) + 2)  # the header is row 1, and no value spans two lines
    if blank.any():
        data = data[~blank].reset_index(drop=True)
    return RawTable(file=file, columns=header, data=data, blank_rows=int(blank.sum()))


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO, whole numbers without ``.0``, empty for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_WORKBOOK = "an xlsx workbook; save it as .xlsx"


def _workbook_error(file: str, error: Exception) -> InputError:
    """What openpyxl raised for a broken or hostile workbook, as one typed error.

    openpyxl raises many types for a file that is not a workbook, and wraps what its XML parser
    raised; an entity or DTD (refused by defusedxml) is told apart by following the chain.
    """
    from defusedxml import DefusedXmlException

    cause = error
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return InputError(file, "unsafe-xml", f"part of the workbook declares a document type or entities "
                                              f"({type(cause).__name__}), so it is not read; save the workbook again")
    return InputError(file, "unreadable-workbook",
                      f"cannot be read as an xlsx workbook ({type(error).__name__}); save it as .xlsx")


def _open_workbook(path: Path, file: str, **options):
    """An openpyxl workbook (read-only), its archive checked first; openpyxl parses its XML with defusedxml."""
    import openpyxl

    check_archive(path, file, "unreadable-workbook", _WORKBOOK)
    try:
        return openpyxl.load_workbook(path, read_only=True, **options)
    except Exception as error:  # the boundary with an untrusted file: see _workbook_error
        raise _workbook_error(file, error) from None


def xlsx_sheet_names(path: Path, display: str | None = None) -> list[str]:
    workbook = _open_workbook(path, display or str(path))
    names = workbook.sheetnames
    workbook.close()
    return names


def read_xlsx_table(path: Path, sheet: str | None = None, *, display: str | None = None) -> RawTable:
    """Read one worksheet (the first, if not named) as strings, with its row numbers."""
    file = display or str(path)
    workbook = _open_workbook(path, file, data_only=True)
    try:
        if not workbook.worksheets:
            raise InputError(file, "no-sheet", "the workbook has no worksheet; save it again with its data")
        if sheet is None:
            worksheet = workbook.worksheets[0]
        else:
            matches = [name for name in workbook.sheetnames if normalise_header(name) == normalise_header(sheet)]
            if not matches:
                raise InputError(file, "missing-sheet",
                                 f"has no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
            worksheet = workbook[matches[0]]
        rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    except InputError:
        raise
    except Exception as error:  # a sheet's XML is parsed lazily, as its rows are read
        raise _workbook_error(file, error) from None
    finally:
        workbook.close()
    return _build(f"{file} [{worksheet.title}]", rows, 1, 1)


def has_columns(table: RawTable, wanted: Mapping[str, Sequence[str]], required: Sequence[str]) -> bool:
    """Whether ``table`` has every ``required`` column of ``wanted`` (see :func:`match_columns`)."""
    keys = {normalise_header(column) for column in table.columns}
    return all(any(normalise_header(spelling) in keys for spelling in wanted[name]) for name in required)


def match_columns(
    table: RawTable,
    wanted: Mapping[str, Sequence[str]],
    required: Sequence[str],
    *,
    what: str,
) -> dict[str, str]:
    """Find each wanted column in the header, whatever its case and spacing.

    Parameters
    ----------
    wanted : mapping of canonical name to accepted spellings
        E.g. ``{"child": ("CHILD", "CHILDID")}``.
    required : sequence of canonical names
        Those the file must have.
    what : str
        What the file should be, for the message ("an SSDA903 episodes table").

    Returns
    -------
    dict of canonical name to the header as written in the file.

    Raises
    ------
    InputError
        If a required column is missing, naming what was found and what is expected.
    """
    by_key: dict[str, list[str]] = {}
    for column in table.columns:
        by_key.setdefault(normalise_header(column), []).append(column)
    found: dict[str, str] = {}
    for canonical, spellings in wanted.items():
        for spelling in spellings:
            matches = by_key.get(normalise_header(spelling), [])
            if len(matches) > 1:
                raise InputError(table.file, "duplicate-column",
                                 f"has {len(matches)} columns named like {spelling!r} ({matches}); keep one")
            if matches:
                found[canonical] = matches[0]
                break
    missing = [c for c in required if c not in found]
    if missing:
        expected = ", ".join(wanted[c][0] for c in missing)
        raise InputError(
            table.file, "missing-column",
            f"is not {what}: missing column(s) {expected} (found: {', '.join(table.columns)}). "
            "Check the file is the right one and its first row is the header.",
        )
    return found
