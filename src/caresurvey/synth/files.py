"""Writers that give byte-identical files for identical content: no clock time inside any file.

Spreadsheet, archive and SPSS formats embed the time they were written. Each writer here pins
those timestamps to a fixed, documented moment so that the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

__all__ = ["FIXED_TIMESTAMP", "write_csv", "write_xlsx", "write_zip", "write_sav"]

#: The moment every generated file claims to have been written: the end of the UEA study's
#: last collection year. Any fixed value would do; this one is plausible for the data.
FIXED_TIMESTAMP = dt.datetime(2014, 3, 31, 17, 0, 0)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence], *, encoding: str = "utf-8") -> None:
    """Write rows as CSV with ``\\r\\n`` line ends (as spreadsheet software writes them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence]]], *, title: str = "") -> None:
    """Write one worksheet per entry, header row first, with fixed document properties.

    XlsxWriter stores zip entries with a fixed 1980 date and takes the document's creation time
    from ``set_properties``, so the file depends only on its content.
    """
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    workbook.set_properties({"title": title, "author": "caresurvey synthetic study", "created": FIXED_TIMESTAMP})
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                else:
                    sheet.write(r, c, value)
        sheet.freeze_panes(1, 0)
    workbook.close()


def write_zip(path: Path, entries: Sequence[tuple[str, bytes]]) -> None:
    """Write a deflated zip whose entries all carry :data:`FIXED_TIMESTAMP`, in the given order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


# The SPSS system-file header ("$FL2" record) holds the creation date as 9 ASCII bytes
# ("dd mmm yy") at offset 92 and the time as 8 bytes ("hh:mm:ss") at offset 101. ReadStat
# writes the clock time there and pyreadstat has no option to set it, so it is overwritten.
_SAV_DATE = slice(92, 101)
_SAV_TIME = slice(101, 109)


def write_sav(
    path: Path,
    frame: pd.DataFrame,
    *,
    file_label: str,
    column_labels: Mapping[str, str],
    value_labels: Mapping[str, Mapping[float, str]],
    missing_values: Mapping[str, Sequence[float]],
    measure: Mapping[str, str],
) -> None:
    """Write an SPSS ``.sav`` with variable and value labels and user-missing codes.

    Parameters
    ----------
    missing_values : mapping of column to codes
        Codes SPSS treats as user-missing (e.g. -9 "Not answered"); they stay in the data as
        codes, so a reader can tell why a value is missing.
    """
    import pyreadstat

    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=file_label,
        column_labels=dict(column_labels),
        variable_value_labels={k: dict(v) for k, v in value_labels.items()},
        missing_ranges={k: list(v) for k, v in missing_values.items()},
        variable_measure=dict(measure),
    )
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2":
        raise RuntimeError(f"{path}: not an SPSS system file after writing")
    # English month abbreviations whatever the locale, as SPSS writes them.
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    stamp = FIXED_TIMESTAMP
    data[_SAV_DATE] = f"{stamp.day:02d} {month[stamp.month - 1]} {stamp.year % 100:02d}".encode("ascii")
    data[_SAV_TIME] = f"{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}".encode("ascii")
    path.write_bytes(bytes(data))
