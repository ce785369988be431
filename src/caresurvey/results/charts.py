"""Figures of output tables, as data: what to draw, from which rows, with which words.

A declaration's ``figure`` is a function of its table (after disclosure control) that returns
chart specifications; :mod:`caresurvey.report.figures` draws each kind. Everything a figure
shows is computed here (a funnel's limits included), so drawing needs no statistics. A value
withheld by disclosure control is missing in the table and stays missing in the chart, which
draws it as no bar, labelled ``c``.

The builders below (``share_bars``, ``count_bars``, ...) make the ``figure`` functions the
registry declares; each returns no chart when the table holds nothing to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from caresurvey.analysis.funnel import binomial_limits

__all__ = ["Chart", "CountBars", "ShareBars", "IncidenceCurves", "HeatMap", "Funnel", "FUNNEL_LEVELS",
           "count_bars", "share_bars", "incidence_curves", "heat_map", "funnels", "funnel"]


@dataclass(frozen=True, eq=False)
class Chart:
    """What every chart has: a title, and a file name (given by the results stage: the table's id)."""

    title: str
    name: str = ""


@dataclass(frozen=True, eq=False)
class CountBars(Chart):
    """Vertical bars of counts, one per category, each labelled with its count."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    category: str = ""
    count: str = ""
    ylabel: str = ""


@dataclass(frozen=True, eq=False)
class ShareBars(Chart):
    """Horizontal bars of percentages with their 95% intervals, one per row of ``frame``
    (``percent``, ``ci_low``, ``ci_high``, ``n`` of ``denominator``), labelled by ``labels``."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, eq=False)
class IncidenceCurves(Chart):
    """Step curves of cumulative incidence (``cumulative_incidence``, 0 to 1) of each ``outcome``
    against ``months``."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    xlabel: str = ""
    ylabel: str = ""


@dataclass(frozen=True, eq=False)
class HeatMap(Chart):
    """A grid of percentages (``percent``) of rows ``code`` by columns ``role``."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    colour_label: str = ""


#: A funnel's limits: label, lower and upper tail probability, line style.
FUNNEL_LEVELS = (("95%", 0.025, "--"), ("99.8%", 0.001, ":"))


@dataclass(frozen=True, eq=False)
class Funnel(Chart):
    """A funnel plot: each unit's ``proportion`` against its ``denominator`` (``la_name``,
    ``flag998``), the target, and the exact binomial limits at ``sizes`` (one pair of arrays
    per :data:`FUNNEL_LEVELS` entry; empty when no unit has a value)."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    target: float = float("nan")
    sizes: np.ndarray = field(default_factory=lambda: np.empty(0))
    limits: tuple[tuple[np.ndarray, np.ndarray], ...] = ()


FigureOf = Callable[[pd.DataFrame], list[Chart]]


def count_bars(title: str, category: str, count: str, ylabel: str) -> FigureOf:
    """Bars of ``count`` by ``category``; none when every count is zero or missing."""
    def figure(table: pd.DataFrame) -> list[Chart]:
        if not table[count].sum():
            return []
        return [CountBars(title, frame=table, category=category, count=count, ylabel=ylabel)]
    return figure


def share_bars(title: str, labels: tuple[str, ...], rows: Callable[[pd.DataFrame], pd.Series] | None = None,
               count: str = "n", denominator: str = "denominator") -> FigureOf:
    """Bars of each row's percentage (the rows where ``rows`` holds, all by default), the share
    ``count`` of ``denominator``; none when no row has a denominator."""
    def figure(table: pd.DataFrame) -> list[Chart]:
        if not table[denominator].sum():
            return []
        chosen = table[rows(table)] if rows is not None else table
        return [ShareBars(title, frame=chosen.rename(columns={count: "n", denominator: "denominator"}),
                          labels=labels)]
    return figure


def incidence_curves(title: str, xlabel: str, ylabel: str) -> FigureOf:
    """Cumulative incidence curves; none for an empty table."""
    def figure(table: pd.DataFrame) -> list[Chart]:
        return [IncidenceCurves(title, frame=table, xlabel=xlabel, ylabel=ylabel)] if len(table) else []
    return figure


def heat_map(title: str, colour_label: str) -> FigureOf:
    """A heat map of percentages; none for an empty table."""
    def figure(table: pd.DataFrame) -> list[Chart]:
        return [HeatMap(title, frame=table, colour_label=colour_label)] if len(table) else []
    return figure


def funnel(table: pd.DataFrame, title: str) -> Funnel:
    """The funnel plot of a funnel table (:func:`caresurvey.analysis.funnel.funnel_table`), its
    limits worked out at 200 denominators spanning the units' (geometrically)."""
    plotted = table.dropna(subset=["proportion", "denominator"])
    if not len(plotted):
        return Funnel(title, frame=table)
    target = float(table["target"].iloc[0])
    sizes = np.unique(np.geomspace(max(1, plotted["denominator"].min() * 0.8), plotted["denominator"].max() * 1.1,
                                   200).astype(int))
    limits = tuple((binomial_limits(sizes, target, tail), binomial_limits(sizes, target, 1 - tail))
                   for _, tail, _ in FUNNEL_LEVELS)
    return Funnel(title, frame=table, target=target, sizes=sizes, limits=limits)


def funnels(title: Callable[[pd.DataFrame], str], by: str | None = None) -> FigureOf:
    """One funnel plot of the table, or one per value of ``by`` (in the table's order), each
    titled by ``title`` of its rows; none for an empty table."""
    def figure(table: pd.DataFrame) -> list[Chart]:
        if not len(table):
            return []
        parts = [part for _, part in table.groupby(by, sort=False)] if by else [table]
        return [funnel(part, title(part)) for part in parts]
    return figure
