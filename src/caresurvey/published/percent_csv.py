"""Read a long CSV of printed percentages (``group,item,percent[,n][,count]``) for the checker."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from caresurvey.errors import InputError
from caresurvey.files import decode_text
from caresurvey.published.consistency import Cell
from caresurvey.published.rounding import PrintedPercent

__all__ = ["read_percent_csv", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS"]

REQUIRED_COLUMNS = ("group", "item", "percent")
OPTIONAL_COLUMNS = ("n", "count")


def _normalise_header(name: str) -> str:
    """Header names match whatever their case and spacing: ``' Percent '`` is ``percent``."""
    return " ".join(name.split()).lower()


def _whole_number(path: Path, row: int, column: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(
            str(path), f"{column}-integer", f"{column} must be a whole number",
            row=row, column=column, value=text,
        ) from None
    if value < minimum:
        raise InputError(
            str(path), f"{column}-range", f"{column} must be at least {minimum}",
            row=row, column=column, value=text,
        )
    return value


def read_percent_csv(path: str | Path) -> list[Cell]:
    """Read the checker's input table.

    Parameters
    ----------
    path : str or Path
        CSV with a header row holding ``group``, ``item`` and ``percent`` and, optionally, ``n``
        (stated denominator) and ``count`` (printed count). Header case and spacing do not
        matter; other columns are ignored; blank rows are skipped. UTF-8 (with or without BOM)
        or Windows-1252.

    Returns
    -------
    list of Cell

    Raises
    ------
    InputError
        Naming the file, the 1-based row as a spreadsheet shows it (header = row 1), the column,
        the value and the rule it breaks.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "file-missing", "no such file")
    reader = csv.reader(io.StringIO(decode_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(str(path), "empty-file", "the file is empty; expected a header row") from None
    except csv.Error as error:
        raise InputError(str(path), "csv-syntax", f"not readable as CSV: {error}", row=1) from None
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _normalise_header(name)
        if key in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            if key in positions:
                raise InputError(str(path), "duplicate-column", f"column {key!r} appears twice", row=1, column=name)
            positions[key] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise InputError(
            str(path), "missing-column",
            f"missing column(s) {', '.join(missing)}; the header must name group, item and percent "
            "(and optionally n and count)",
            row=1,
        )

    cells = []
    row_number = 1
    try:
        for row_number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            fields = {
                key: (values[index].strip() if index < len(values) else "")
                for key, index in positions.items()
            }
            for key in REQUIRED_COLUMNS:
                if not fields[key]:
                    raise InputError(
                        str(path), f"{key}-required", f"{key} is empty", row=row_number, column=header[positions[key]]
                    )
            try:
                percent = PrintedPercent.parse(fields["percent"])
            except ValueError as error:
                raise InputError(
                    str(path), "percent-format", str(error),
                    row=row_number, column=header[positions["percent"]], value=fields["percent"],
                ) from None
            n = count = None
            if fields.get("n"):
                n = _whole_number(path, row_number, "n", fields["n"], minimum=1)
            if fields.get("count"):
                count = _whole_number(path, row_number, "count", fields["count"], minimum=0)
                if n is not None and count > n:
                    raise InputError(
                        str(path), "count-exceeds-n", f"count {count} is larger than n {n}",
                        row=row_number, column=header[positions["count"]], value=fields["count"],
                    )
            cells.append(Cell(fields["group"], fields["item"], percent, n=n, count=count))
    except csv.Error as error:
        raise InputError(str(path), "csv-syntax", f"not readable as CSV: {error}", row=row_number + 1) from None
    if not cells:
        raise InputError(str(path), "no-rows", "has a header but no rows to check")
    return cells
