"""National statistics: derived LA measures, and one measure's funnel across LAs.

The DfE SFR underlying-data files give counts per LA (``CLA_S20``, ``CLA_Mar2014``, ...); the
shares an evaluator compares are derived here, per LA and year, with England and regional rows
kept apart. A share whose numerator or denominator was suppressed stays missing, with the
published symbol as its status.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from caresurvey.analysis.funnel import FUNNEL_COLUMNS, funnel_table
from caresurvey.errors import CaresurveyError

__all__ = ["DERIVED_MEASURES", "derived_measures", "ees_derived_measures", "la_funnel", "available_measures",
           "national_shares",
           "share_funnel", "SHARE_COLUMNS", "MEASURE_LABELS"]

#: Derived share -> (numerator columns, denominator column pattern), as the SFR files name them.
DERIVED_MEASURES = {
    "s20_share_at_31_march": (("CLA_S20",), r"CLA_Mar\d{4}"),
    "care_order_share_at_31_march": (("CLA_ICO", "CLA_FCO"), r"CLA_Mar\d{4}"),
    "placement_order_share_at_31_march": (("CLA_PlaceO",), r"CLA_Mar\d{4}"),
    "s20_share_of_starters": (("SCLA_S20",), r"CLA_started\d{4}"),
    "care_order_share_of_starters": (("SCLA_ICO", "SCLA_FCO"), r"CLA_started\d{4}"),
}
#: How the report names each derived share.
MEASURE_LABELS = {
    "s20_share_at_31_march": "Share on s.20 at 31 March",
    "care_order_share_at_31_march": "Share on care orders (interim or full) at 31 March",
    "placement_order_share_at_31_march": "Share on placement orders at 31 March",
    "s20_share_of_starters": "Share of children starting care on s.20",
    "care_order_share_of_starters": "Share of children starting care on care orders (interim or full)",
}
_AREA = ["year", "geographic_level", "la_code", "old_la_code", "la_name"]
SHARE_COLUMNS = [*_AREA, "measure", "numerator", "denominator", "proportion", "status"]


def _sum_with_status(cells: pd.DataFrame) -> tuple[float, str | None]:
    """The sum of cells, or missing with the first published symbol where any is missing."""
    if cells["value"].isna().any():
        return np.nan, str(cells.loc[cells["value"].isna(), "status"].iloc[0])
    return float(cells["value"].sum()), None


def derived_measures(la_statistics: pd.DataFrame) -> pd.DataFrame:
    """Shares derived from the SFR counts, per area and year.

    Returns
    -------
    pandas.DataFrame
        ``year, geographic_level, la_code, old_la_code, la_name, measure, numerator, denominator,
        proportion, status``: ``status`` holds the published symbol where the numerator or the
        denominator was suppressed (the proportion is then missing).
    """
    sfr = la_statistics[la_statistics["breakdown"] == ""]
    rows = []
    for area, cells in sfr.groupby(_AREA, dropna=False, sort=True):
        by_measure = cells.set_index("measure")
        for name, (parts, denominator_pattern) in DERIVED_MEASURES.items():
            if not set(parts) <= set(by_measure.index):
                continue
            totals = [m for m in by_measure.index if re.fullmatch(denominator_pattern, m)]
            if len(totals) != 1:
                continue
            numerator, numerator_status = _sum_with_status(by_measure.loc[list(parts)])
            denominator, denominator_status = _sum_with_status(by_measure.loc[[totals[0]]])
            status = numerator_status or denominator_status
            proportion = numerator / denominator if status is None and denominator > 0 else np.nan
            rows.append({**dict(zip(_AREA, area)), "measure": name, "numerator": numerator,
                         "denominator": denominator, "proportion": proportion, "status": status})
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


#: EES legal-status characteristics -> derived share names (shares of "Total children").
EES_LEGAL_STATUS = {
    "Voluntary agreements under S20 CA 1989": "s20_share_at_31_march",
    "Care orders": "care_order_share_at_31_march",
    "Placement order granted": "placement_order_share_at_31_march",
}


def ees_derived_measures(la_statistics: pd.DataFrame) -> pd.DataFrame:
    """The same shares from the EES "by characteristics" files: a legal status's number over the total.

    Returns the columns of :func:`derived_measures`, plus ``published_percent`` (the file's own
    rounded percentage, for checking).
    """
    ees = la_statistics[la_statistics["breakdown"].str.contains("cla_group=Legal status", regex=False)]
    rows = []
    for area, cells in ees.groupby(_AREA, dropna=False):
        def value(characteristic: str, measure: str):
            found = cells[cells["breakdown"].str.endswith(f"characteristic={characteristic}") & (cells["measure"] == measure)]
            return found.iloc[0] if len(found) else None

        total = value("Total children", "number")
        for characteristic, name in EES_LEGAL_STATUS.items():
            number, percent = value(characteristic, "number"), value(characteristic, "percentage")
            if number is None or total is None:
                continue
            status = number["status"] if pd.isna(number["value"]) else (total["status"] if pd.isna(total["value"]) else None)
            proportion = number["value"] / total["value"] if status is None else np.nan
            rows.append({**dict(zip(_AREA, area)), "measure": name, "numerator": number["value"],
                         "denominator": total["value"], "proportion": proportion, "status": status,
                         "published_percent": percent["value"] if percent is not None else np.nan})
    return pd.DataFrame(rows, columns=[*_AREA, "measure", "numerator", "denominator", "proportion", "status",
                                       "published_percent"])


def _ees_name(breakdown: str) -> str:
    """An EES breakdown named by its filters' values: ``cla_group=Legal status; characteristic=Total``
    is ``Legal status: Total``."""
    return ": ".join(part.split("=", 1)[1] for part in breakdown.split("; ") if "=" in part)


def available_measures(la_statistics: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """What ``compare-las`` can compare: each measure's name, indicator and the years it has.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (``SFR`` or ``EES``), ``measure`` (an SFR column as published, or an EES
        breakdown named by its filter values, ``Legal status: Total``), ``indicator`` (the EES
        column, ``number``; empty for the SFR), ``years`` (comma-separated).
    """
    stats = la_statistics if year is None else la_statistics[la_statistics["year"] == year]
    sfr = stats[stats["breakdown"] == ""].assign(kind="SFR", indicator="", name=lambda f: f["measure"])
    ees = stats[stats["breakdown"] != ""]
    ees = ees.assign(kind="EES", indicator=ees["measure"], name=ees["breakdown"].map(_ees_name))
    both = pd.concat([sfr, ees])[["kind", "name", "indicator", "year"]].drop_duplicates()
    listed = both.groupby(["kind", "name", "indicator"], sort=True)["year"].agg(
        lambda years: ", ".join(str(y) for y in sorted(set(years)))).reset_index()
    return listed.rename(columns={"name": "measure", "year": "years"})


def _cells(la_statistics: pd.DataFrame, measure: str, year: int, indicator: str = "number") -> pd.DataFrame:
    """One measure's cells of a year: an SFR column by its published name, else an EES breakdown by
    its filter values (``Legal status: Voluntary agreement under S20``) and ``indicator``."""
    of_year = la_statistics[la_statistics["year"] == year]
    cells = of_year[(of_year["measure"] == measure) & (of_year["breakdown"] == "")]
    if cells.empty:
        ees = of_year[(of_year["breakdown"] != "") & (of_year["measure"] == indicator)]
        cells = ees[ees["breakdown"].map(_ees_name).str.casefold() == measure.strip().casefold()]
    if cells.empty:
        raise CaresurveyError(_no_measure(la_statistics, measure, year, indicator))
    return cells


def _no_measure(la_statistics: pd.DataFrame, measure: str, year: int, indicator: str) -> str:
    """The error for a measure the statistics do not hold: the years it has, else close names."""
    listed = available_measures(la_statistics)
    named = listed[listed["measure"].str.casefold() == measure.strip().casefold()]
    if len(named):
        years = ", ".join(f"{row.years}" + (f" (indicator {row.indicator})" if row.indicator else "")
                          for row in named.itertuples())
        return f"no {measure!r} for {year} with indicator {indicator!r}; it has the years {years}"
    close = difflib.get_close_matches(measure, listed["measure"].unique().tolist(), n=5, cutoff=0.5)
    years = sorted(la_statistics["year"].unique())
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else "."
    return (f"no measure {measure!r} in the statistics{hint} They cover {', '.join(map(str, years))}; "
            "`caresurvey compare-las --list-measures` lists every measure")


def la_funnel(la_statistics: pd.DataFrame, measure: str, denominator: str, year: int,
              target: float | str = "national", adjustment: str = "none", indicator: str = "number") -> pd.DataFrame:
    """One measure as a share of another for every LA in a year, against a target.

    Parameters
    ----------
    measure, denominator : str
        SFR column names as published (``CLA_S20``, ``CLA_Mar2014``), or EES breakdowns by their
        filter values (``Legal status: Voluntary agreement under S20``, ``Legal status: Total``).
    indicator : str
        The EES indicator column the counts are in (``number``).
    target : "national" or float
        The England share for that year (default), or a stated proportion.
    adjustment : {"none", "multiplicative", "additive"}
        Overdispersion adjustment of the limits (see :func:`caresurvey.analysis.funnel.funnel_table`).

    Returns
    -------
    pandas.DataFrame
        The funnel table (:data:`caresurvey.analysis.funnel.FUNNEL_COLUMNS` plus ``status``):
        every LA of the year, suppressed ones kept with their symbol and no point.
    """
    top, bottom = _cells(la_statistics, measure, year, indicator), _cells(la_statistics, denominator, year, indicator)
    keys = ["la_code", "la_name", "geographic_level"]
    merged = top[keys + ["value", "status"]].merge(bottom[keys + ["value", "status"]], on=keys, suffixes=("_n", "_d"))
    if target == "national":
        england = merged[merged["geographic_level"] == "National"]
        if england.empty or england[["value_n", "value_d"]].isna().any(axis=None):
            raise CaresurveyError(f"no England value of {measure} / {denominator} for {year}; give --target VALUE")
        target = float(england["value_n"].iloc[0] / england["value_d"].iloc[0])
    target = float(target)
    if not 0 < target < 1:
        raise CaresurveyError(f"the target must be a proportion between 0 and 1, not {target}")
    las = merged[merged["geographic_level"] == "Local authority"]
    frame = pd.DataFrame({
        "la_code": las["la_code"], "la_name": las["la_name"], "numerator": las["value_n"],
        "denominator": las["value_d"],
        "status": [a if isinstance(a, str) else b for a, b in zip(las["status_n"], las["status_d"])],
    })
    return funnel_table(frame.reset_index(drop=True), target, adjustment)


def national_shares(la_statistics: pd.DataFrame) -> pd.DataFrame:
    """Every derived share the statistics allow, from the SFR and the EES files, per area and year.

    Returns the columns of :func:`derived_measures` (empty when the study holds no DfE
    statistics). Where both kinds of file cover a year, the SFR counts are kept: they are the
    unrounded underlying data.
    """
    if la_statistics.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    pieces = [p for p in (derived_measures(la_statistics), ees_derived_measures(la_statistics)[SHARE_COLUMNS]) if len(p)]
    if not pieces:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    shares = pd.concat(pieces, ignore_index=True)
    shares = shares.drop_duplicates(["year", "geographic_level", "la_code", "measure"], keep="first")
    return shares.sort_values(["measure", "year", "geographic_level", "la_code"], kind="stable").reset_index(drop=True)


def share_funnel(shares: pd.DataFrame, measure: str = "s20_share_at_31_march", year: int | None = None,
                 adjustment: str = "none") -> pd.DataFrame:
    """One derived share for every LA in a year (the latest by default), against England's share.

    Returns the funnel table of :func:`la_funnel` plus ``measure`` and ``year``; empty when the
    shares hold no LA rows of the measure or no England value for the year.
    """
    rows = shares[shares["measure"] == measure]
    years = sorted(rows.loc[rows["geographic_level"] == "Local authority", "year"].unique())
    year = years[-1] if year is None and years else year
    england = rows[(rows["year"] == year) & (rows["geographic_level"] == "National")]
    las = rows[(rows["year"] == year) & (rows["geographic_level"] == "Local authority")]
    if las.empty or england.empty or england["proportion"].isna().all():
        return pd.DataFrame(columns=["measure", "year", *FUNNEL_COLUMNS, "status"])
    table = funnel_table(las[["la_code", "la_name", "numerator", "denominator", "status"]].reset_index(drop=True),
                         float(england["proportion"].iloc[0]), adjustment)
    table.insert(0, "year", int(year))
    table.insert(0, "measure", measure)
    return table
