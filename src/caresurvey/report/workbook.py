"""``reports/tables.xlsx``: every output table in one formatted workbook, for LA analysts.

A contents sheet lists the tables with their questions and links to their sheets; a notes
sheet explains the symbols and the disclosure control; each table has its own sheet with its
title, question, method and caveats above it, the header frozen and filters on.

Cells are written as values only: text that looks like a formula (``=``, ``+``, ``-``, ``@``)
or a web address stays text (xlsxwriter's ``strings_to_formulas`` and ``strings_to_urls``
off), so nothing in a table can run or link when the workbook is opened. The file's creation
date is fixed, so an unchanged workbook is byte-identical from run to run (the run's time is in
``provenance.json``).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from caresurvey.codes import OUTPUT_SYMBOLS
from caresurvey.outputs import atomic_write_bytes
from caresurvey.results import Release, ReleasedTable

__all__ = ["write_workbook"]

_FIXED_DATE = datetime(2000, 1, 1)
_HEADER_ROW = 5  # 0-based: title, question, method, caveats and disclosure note above it
_MAX_SHEET_NAME = 31  # Excel's limit


def _sheet_names(ids: list[str]) -> dict[str, str]:
    """Sheet names within Excel's 31 characters, unique whatever the ids."""
    names: dict[str, str] = {}
    for table_id in ids:
        name = table_id[:_MAX_SHEET_NAME]
        suffix = 2
        while name.lower() in {n.lower() for n in names.values()}:
            tail = f"~{suffix}"
            name = table_id[:_MAX_SHEET_NAME - len(tail)] + tail
            suffix += 1
        names[table_id] = name
    return names


def _cell(value: object) -> object:
    """A value xlsxwriter writes as it is: numbers as numbers, missing as blank, the rest as text."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, int):
        return value
    return str(value)


def _write_table(book, sheet, frame: pd.DataFrame, first_row: int, formats: dict) -> None:
    for column, name in enumerate(frame.columns):
        sheet.write_string(first_row, column, str(name), formats["header"])
    for row, values in enumerate(frame.itertuples(index=False), start=first_row + 1):
        for column, value in enumerate(values):
            value = _cell(value)
            if value is None:
                sheet.write_blank(row, column, None)
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, column, value, formats["integer" if float(value).is_integer() else "number"])
            else:
                sheet.write_string(row, column, value, formats["symbol"] if value in OUTPUT_SYMBOLS else None)
    for column, name in enumerate(frame.columns):
        width = max([len(str(name))] + [len(str(_cell(v) or "")) for v in frame.iloc[:200, column]])
        sheet.set_column(column, column, min(max(width + 2, 8), 60))
    if len(frame.columns):
        sheet.autofilter(first_row, 0, first_row + max(len(frame), 1), len(frame.columns) - 1)
    sheet.freeze_panes(first_row + 1, 0)


def write_workbook(path: str | Path, release: Release, *, study: str) -> Path:
    """Write the workbook of ``release``'s tables (those declared for it, in registry order) to ``path``."""
    tables: list[ReleasedTable] = [table for table in release.tables.values() if table.declaration.workbook]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    book.set_properties({"title": f"{study}: caresurvey tables", "created": _FIXED_DATE,
                         "comments": "Made by caresurvey; see provenance.json beside this file."})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1, "text_wrap": True}),
        "integer": book.add_format({"num_format": "#,##0"}),
        "number": book.add_format({"num_format": "0.000"}),
        "symbol": book.add_format({"align": "right", "font_color": "#A4161A"}),
        "note": book.add_format({"italic": True, "font_color": "#555555"}),
        "link": book.add_format({"font_color": "#1F4E79", "underline": 1}),
    }
    names = _sheet_names(["contents", "notes", *(table.id for table in tables)])

    contents = book.add_worksheet(names["contents"])
    contents.write_string(0, 0, f"{study}: tables", formats["title"])
    status = release.policy.describe()
    contents.write_string(1, 0, status, formats["note"])
    header = ["sheet", "table", "question", "rows", "cells withheld"]
    for column, name in enumerate(header):
        contents.write_string(3, column, name, formats["header"])
    for row, table in enumerate(tables, start=4):
        text = table.declaration.text
        contents.write_url(row, 0, f"internal:'{names[table.id]}'!A1", formats["link"], names[table.id])
        contents.write_string(row, 1, text.title)
        contents.write_string(row, 2, text.question)
        contents.write_number(row, 3, len(table.values))
        contents.write_number(row, 4, len(table.protected.suppressions))
    for column, width in enumerate((32, 48, 80, 8, 14)):
        contents.set_column(column, column, width)
    contents.freeze_panes(4, 0)

    notes = book.add_worksheet(names["notes"])
    notes.write_string(0, 0, "Symbols and disclosure control", formats["title"])
    notes.write_string(1, 0, status, formats["note"])
    for k, (symbol, meaning) in enumerate(OUTPUT_SYMBOLS.items(), start=3):
        notes.write_string(k, 0, symbol, formats["symbol"])
        notes.write_string(k, 1, meaning)
    notes.set_column(0, 0, 10)
    notes.set_column(1, 1, 100)
    k = len(OUTPUT_SYMBOLS) + 4
    # how many, never why: a count per reason would say how many of a table's withheld cells are small
    notes.write_string(k, 0, "Cells withheld, table by table", formats["header"])
    for table in tables:
        k += 1
        withheld = len(table.protected.suppressions)
        notes.write_string(k, 0, table.id)
        notes.write_string(k, 1, f"{withheld} cell(s) withheld" if withheld
                           else table.protected.note or "nothing withheld")

    for table in tables:
        text = table.declaration.text
        sheet = book.add_worksheet(names[table.id])
        sheet.write_string(0, 0, text.title, formats["title"])
        sheet.write_string(1, 0, text.question)
        sheet.write_string(2, 0, f"Method: {text.method}", formats["note"])
        sheet.write_string(3, 0, f"Caveats: {text.caveats}", formats["note"])
        withheld = len(table.protected.suppressions)
        sheet.write_string(4, 0, (f"{withheld} cell(s) withheld: see the notes sheet." if withheld
                                  else table.protected.note or "Nothing withheld."), formats["note"])
        _write_table(book, sheet, table.display(), _HEADER_ROW, formats)
    book.close()
    return atomic_write_bytes(path, buffer.getvalue())
