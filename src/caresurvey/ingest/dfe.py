"""DfE local-authority statistics: SFR underlying-data CSVs of any year, and EES tidy CSVs.

Both become ``la_statistics``, one row per area, measure and year:

* SFR files (2011-2015 style, one row per area, one column per measure such as ``CLA_S20``)
  keep each measure under its published column name, stripped of surrounding white space;
* EES files (one row per area and breakdown, indicator columns such as ``number``) keep the
  indicator as the measure and the breakdown's filters in ``breakdown``.

A cell with no number keeps its published symbol in ``status`` (``x`` suppressed, ``..`` not
available, ``c``, ``z``, ``k``, ``u``, ``low``, ...) and an empty ``value``: a symbol is never
turned into a number.
"""

from __future__ import annotations

import re

import pandas as pd

from caresurvey.codes import DFE_SYMBOLS
from caresurvey.errors import InputError
from caresurvey.ingest.common import Source, as_text, blank_to_none, report_ragged, text_series
from caresurvey.ingest.ledger import Ledger, Reconciliation, RowProblems
from caresurvey.ingest.tabular import ROW, RawTable, normalise_header, read_csv_table

__all__ = ["read_dfe_statistics", "layout", "LEVELS"]

#: Geographic levels as EES names them, from the SFR spellings.
LEVELS = {"national": "National", "region": "Regional", "regional": "Regional", "la": "Local authority",
          "localauthority": "Local authority"}

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
#: An SFR file's geography: its level, old code and name (2010 on), and from 2011 the new code.
_SFR_KEYS = {"geogl", "geogc", "geogn"}
_SFR_NEW_CODE = "newgeogcode"
#: Columns that order or label the areas of a file: never statistics.
_NOT_STATISTICS = re.compile(r"^(la|area|sort|row|display)?order$|^(gor|region)(code|name)?$")
_EES_KEYS = {"timeperiod", "geographiclevel"}
# EES columns that are geography or time, not filters or indicators.
_EES_GEOGRAPHY = {"timeperiod", "timeidentifier", "geographiclevel", "countrycode", "countryname", "regioncode",
                  "regionname", "oldlacode", "laname", "newlacode"}
# EES indicator columns (the rest of the non-geography columns are filters).
_EES_INDICATORS = {"number", "percentage", "rateper10000", "populationestimate", "value"}


def _cell(value: str) -> tuple[float | None, str | None, bool]:
    """(number, status, certain) of one published cell; thousands separators are allowed."""
    text = value.strip()
    if _NUMBER.match(text.replace(",", "")):
        return float(text.replace(",", "")), None, True
    if text == "":
        return None, "blank", True
    if text.lower() in DFE_SYMBOLS:
        return None, text, True
    return None, None, False


def _year_of_sfr(table: RawTable, source: Source, ledger: Ledger) -> int:
    """The SFR's year: from the file name (SFR34_CLA2015), else its folder, else its measure names.

    The file name comes first because headers are copied from year to year: the 2015 release's
    SFR34_ADM2015.csv still names its columns CLA_started2014, though its metadata document and
    its numbers are those of 2015.
    """
    def years_in(text: str) -> set[int]:
        # a year may follow other digits, as in the DfE's SFR34_OC22015.csv (OC2, 2015)
        return {int(y) for y in re.findall(r"(20\d\d)(?!\d)", text)}

    in_columns = {int(m.group(1)) for c in table.columns if (m := re.search(r"(20\d\d)\s*$", c.strip()))}
    for candidates, where in ((years_in(source.path.stem), "file name"), (years_in(source.path.parent.name), "folder"),
                              (in_columns, "column names")):
        if len(candidates) == 1:
            year = next(iter(candidates))
            if in_columns and in_columns != {year}:
                ledger.note(table.file, f"year {year} taken from the {where}; the column names say "
                                        f"{', '.join(map(str, sorted(in_columns)))}")
            return year
    raise InputError(source.display, "no-year",
                     "cannot tell which year these statistics are for: neither the file, its folder nor its "
                     "column names carry one year; name the file with its year")


def _cells(raw: pd.DataFrame, measures: dict[str, str], identity: pd.DataFrame, breakdown: pd.Series,
           year: pd.Series, source: Source) -> pd.DataFrame:
    """One row per area and measure (long form), each published cell read as a number or a symbol."""
    if not measures:
        raise InputError(source.display, "no-measures", "has no measure columns, only the areas' names and codes; "
                         "download the file again with its figures")
    wide = raw[list(measures)].rename(columns=measures)
    wide["_index"] = raw.index
    cells = wide.melt(id_vars="_index", var_name="measure", value_name="_text")
    cells = cells.join(identity, on="_index")
    cells["breakdown"] = cells["_index"].map(breakdown)
    cells["year"] = cells["_index"].map(year).astype("int64")
    text = cells["_text"].str.strip()
    numeric = text.str.replace(",", "", regex=False)
    is_number = numeric.str.match(_NUMBER)
    is_symbol = text.str.lower().isin(list(DFE_SYMBOLS))
    cells["value"] = pd.to_numeric(numeric.where(is_number), errors="raise").astype("float64")
    cells["status"] = text.where(~is_number & is_symbol, None).where(text != "", "blank")
    cells["certain"] = is_number | is_symbol | (text == "")
    cells["source"] = source.display
    return cells


def _level(raw: pd.Series, problems: RowProblems, written: str) -> pd.Series:
    levels = []
    for index, value in raw.items():
        level = LEVELS.get(normalise_header(value))
        if level is None:
            problems.add(index, written, value, "geographic-level",
                         f"{value!r} is not a geographic level ({', '.join(sorted(set(LEVELS.values())))})")
        levels.append(level)
    return text_series(levels, raw.index)


def _sfr(table: RawTable, source: Source, problems: RowProblems, ledger: Ledger) -> pd.DataFrame:
    columns = {normalise_header(c): c for c in table.columns}
    raw = table.data
    level = _level(raw[columns["geogl"]], problems, columns["geogl"])
    # the 2010 files name areas by their old codes only (the new codes came in 2011)
    new_code = blank_to_none(raw[columns[_SFR_NEW_CODE]]) if _SFR_NEW_CODE in columns else \
        text_series([None] * len(raw), raw.index)
    identity = pd.DataFrame({
        "geographic_level": level,
        "la_code": new_code,
        "old_la_code": blank_to_none(raw[columns["geogc"]]),
        "la_name": raw[columns["geogn"]],
    })
    geography = _SFR_KEYS | {_SFR_NEW_CODE}
    ordering = [c for c in table.columns if _NOT_STATISTICS.match(normalise_header(c))]
    ledger.drop_columns(table.file, ordering, "orders or labels the areas: not a statistic")
    measures = {c: c.strip() for c in table.columns if normalise_header(c) not in geography and c not in ordering}
    year = pd.Series(_year_of_sfr(table, source, ledger), index=raw.index)
    breakdown = pd.Series("", index=raw.index)
    return _cells(raw, measures, identity, breakdown, year, source)


def _coalesce(*columns: pd.Series) -> pd.Series:
    """Row by row, the first of ``columns`` with a value."""
    values = [next((v for v in row if isinstance(v, str) and v), None) for row in zip(*columns)]
    return text_series(values, columns[0].index)


def _ees(table: RawTable, source: Source, problems: RowProblems) -> pd.DataFrame:
    columns = {normalise_header(c): c for c in table.columns}
    raw = table.data
    level = _level(raw[columns["geographiclevel"]], problems, columns["geographiclevel"])

    def column(key: str) -> pd.Series:
        return blank_to_none(raw[columns[key]]) if key in columns else text_series([None] * len(raw), raw.index)

    # The new-style code of the row's own area: an LA's, else its region's, else the country's.
    national = level == "National"
    la_code = _coalesce(column("newlacode"), column("regioncode").where(~national), column("countrycode"))
    name = _coalesce(column("laname"), column("regionname").where(~national), column("countryname"))
    identity = pd.DataFrame({"geographic_level": level, "la_code": la_code, "old_la_code": column("oldlacode"),
                             "la_name": name})
    years = []
    for index, value in raw[columns["timeperiod"]].items():
        if re.fullmatch(r"(19|20)\d\d", value):
            years.append(int(value))
        elif re.fullmatch(r"(19|20)\d\d\d\d", value):  # a financial or academic year, 202223: it ends in 2023
            years.append(int(value[:4]) + 1)
        else:
            problems.add(index, columns["timeperiod"], value, "time-period", f"{value!r} is not a year (YYYY or YYYYYY)")
            years.append(0)
    year = pd.Series(years, index=raw.index)
    # Indicators: the known ones present, found by content where a release shifted its headers.
    # The 2023 LA file's headers are out of step with its contents ("population_count" holds
    # the measure's name, "population_estimate" the population): a column of text is taken as a
    # filter, and every column keeps its published name.
    indicators = {c: c.strip() for c in table.columns if normalise_header(c) in _EES_INDICATORS}
    filters = [c for c in table.columns if normalise_header(c) not in _EES_GEOGRAPHY | _EES_INDICATORS]
    shifted = [c for c in indicators if raw[c].map(lambda v: v != "" and _cell(v)[2] is False).all() and len(raw)]
    for c in shifted:
        indicators.pop(c)
        filters.append(c)
    breakdown = pd.Series(
        ["; ".join(f"{c.strip()}={raw.at[i, c]}" for c in filters) for i in raw.index], index=raw.index
    )
    return _cells(raw, indicators, identity, breakdown, year, source)


def layout(table: RawTable) -> str | None:
    """``sfr`` (SFR underlying data), ``ees`` (Explore Education Statistics) or None, by the
    table's columns."""
    keys = {normalise_header(c) for c in table.columns}
    return "sfr" if _SFR_KEYS <= keys else "ees" if _EES_KEYS <= keys else None


def read_dfe_statistics(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """One DfE statistics CSV (SFR underlying data or EES) as ``la_statistics`` rows.

    Notes
    -----
    The unit read, kept or quarantined is a row of the file (an area). One unreadable cell (a
    spreadsheet's ``#VALUE!``) is left out and listed in the quarantine, and the rest of its
    row kept (England's row must not be lost to one bad cell); the reconciliation counts such
    cells apart (``cells_left_out``). A row whose area or year cannot be read is quarantined.
    """
    table = read_csv_table(source.path, display=source.display)
    problems = RowProblems(table.file, table.data[ROW])
    kind = layout(table)
    if kind == "sfr":
        cells = _sfr(table, source, problems, ledger)
    elif kind == "ees":
        cells = _ees(table, source, problems)
    else:
        raise InputError(
            source.display, "not-dfe",
            "is neither a DfE SFR underlying-data file (geog_l, geog_c, geog_n; from 2011 New_geog_code too) nor an "
            f"Explore Education Statistics file (time_period, geographic_level); found {', '.join(table.columns)}",
        )
    bad_rows = problems.bad_index  # rows whose area or year cannot be read: none of their cells is kept
    report_ragged(table, problems)
    uncertain = cells[~cells["certain"] & ~cells["_index"].isin(bad_rows)]
    cell_problems = []
    for index, measure, text in uncertain[["_index", "measure", "_text"]].itertuples(index=False, name=None):
        cell_problems.append(problems.row_problem(index, measure, text, "number-or-symbol",
                                                  f"{text!r} is neither a number nor a DfE symbol "
                                                  f"({', '.join(DFE_SYMBOLS)}): this cell is left out, the rest of "
                                                  "its row kept"))
    keep = cells["certain"] & ~cells["_index"].isin(bad_rows)
    kept = cells.loc[keep, ["year", "geographic_level", "la_code", "old_la_code", "la_name", "measure", "breakdown",
                            "value", "status", "source"]].reset_index(drop=True)
    as_text(kept, ("geographic_level", "la_code", "old_la_code", "la_name", "measure", "breakdown", "status", "source"))
    ledger.problems.extend(problem for _, problem in problems.found)
    ledger.problems.extend(cell_problems)
    # the unit read is a row (an area); an unreadable cell leaves that cell out, not its area's row
    rows_quarantined = len(bad_rows) + len(table.ragged)
    ledger.reconciliations.append(Reconciliation(
        file=table.file, table="la_statistics", rows_read=len(table.data) + len(table.ragged),
        rows_kept=len(table.data) - len(bad_rows), rows_quarantined=rows_quarantined, blank_rows=table.blank_rows,
        cells_left_out=len(cell_problems),
    ))
    return {"la_statistics": kept}
