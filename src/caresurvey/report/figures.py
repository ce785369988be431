"""Figures, drawn as PNG and SVG with alt text: the charts of the output tables
(:mod:`caresurvey.results.charts`) and the printed percentages of the published tables.

Drawing only lays out: every number a chart shows (a funnel's limits included) comes with it.
Shares are drawn with their Wilson 95% intervals; every figure carries alt text that states its
numbers, for the report. A value withheld by disclosure control (missing in the table) is drawn
as no bar and labelled ``c``, never as zero. Labels that print counts carry an SVG id starting
``count`` (matplotlib's ``gid``), so that a test can read every count a figure shows.

Files are deterministic: SVG ids come from a fixed salt and neither format carries a
creation date, so an unchanged figure is byte-identical from run to run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on servers or in CI
import matplotlib.pyplot as plt  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from caresurvey.codes import SUPPRESSED  # noqa: E402
from caresurvey.outputs import atomic_write_bytes  # noqa: E402
from caresurvey.published.catalogue import PublishedTable  # noqa: E402
from caresurvey.published.rounding import PrintedPercent  # noqa: E402
from caresurvey.results.charts import FUNNEL_LEVELS, Chart, CountBars, Funnel, HeatMap, IncidenceCurves, ShareBars  # noqa: E402

__all__ = ["Figure", "draw", "published_percent_figure", "write_figure"]

_BLUE, _ORANGE = "#3b6ea5", "#d9822b"

_STYLE = {
    "svg.hashsalt": "caresurvey",
    "svg.fonttype": "none",  # text stays text: searchable, read by screen readers, and smaller
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Figure:
    """A rendered figure: its name, PNG and SVG bytes, and alt text for the report."""

    name: str
    png: bytes
    svg: bytes
    alt: str

    def _repr_png_(self) -> tuple[bytes, dict]:
        """Jupyter shows a figure that ends a cell, with its alt text (no IPython import needed)."""
        return self.png, {"alt": self.alt}


def _render(fig: plt.Figure) -> tuple[bytes, bytes]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


def _count(value) -> str:
    """A count as a label: the whole number, or ``c`` where it was withheld."""
    return f"{int(value)}" if _known(value) else SUPPRESSED


def _share_label(percent, count, denominator) -> str:
    shown = f"{percent:.0f}%" if _known(percent) else SUPPRESSED
    return f"{shown} ({_count(count)}/{_count(denominator)})"


def _count_bars(chart: CountBars) -> Figure:
    """Bars of counts by category (Chart 1 of the UEA presentation, from the data), each labelled."""
    frame, title = chart.frame, chart.title
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        counts = pd.to_numeric(frame[chart.count], errors="coerce")
        ax.bar(frame[chart.category], counts.fillna(0), color=_BLUE)
        for x, count in enumerate(counts):
            ax.text(x, (count if _known(count) else 0) + 0.5, _count(count), ha="center", fontsize=8,
                    gid=f"count-{x}")
        ax.set_ylabel(chart.ylabel)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelrotation=20)
        png, svg = _render(fig)
    alt = f"{title}: " + "; ".join(f"{s} {_count(c)}" for s, c in zip(frame[chart.category], counts))
    return Figure(name=chart.name, png=png, svg=svg, alt=alt)


def _share_bars(chart: ShareBars) -> Figure:
    """Horizontal bars of percentages with Wilson 95% intervals, one bar per row."""
    frame, title, note = chart.frame, chart.title, chart.note
    labels = [" | ".join(str(row[c]) for c in chart.labels) for _, row in frame.iterrows()]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.3 * len(frame)))
        y = np.arange(len(frame))[::-1]
        percent = pd.to_numeric(frame["percent"], errors="coerce").to_numpy(dtype=float)
        low = pd.to_numeric(frame["ci_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(frame["ci_high"], errors="coerce").to_numpy(dtype=float)
        errors = np.nan_to_num(np.vstack([percent - low, high - percent]))
        errors = np.clip(errors, 0, None)  # a Wilson bound at 0% can fall a rounding error past the estimate
        ax.barh(y, np.nan_to_num(percent), color=_BLUE, xerr=errors, ecolor="#555555", capsize=2)
        for k, (yy, p, count, n) in enumerate(zip(y, percent, frame["n"], frame["denominator"])):
            ax.text(101, yy, _share_label(p, count, n), va="center", fontsize=7, gid=f"count-{k}")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 118)
        ax.set_xlabel("Percentage of those who answered, with 95% Wilson interval")
        ax.set_title(title, fontsize=10, loc="left")
        if note:
            ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -30), textcoords="offset points",
                        fontsize=7, va="top")
        png, svg = _render(fig)
    alt = f"{title}: " + "; ".join(f"{label} {_share_label(p, k, n)}" for label, p, k, n in
                                   zip(labels, percent, frame["n"], frame["denominator"]))
    return Figure(name=chart.name, png=png, svg=svg, alt=alt)


def _incidence_curves(chart: IncidenceCurves) -> Figure:
    """Cumulative incidence of each outcome (step curves, as percentages) against months."""
    frame = chart.frame
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
        for outcome, part in frame.groupby("outcome", sort=False):
            ax.step(part["months"], 100 * part["cumulative_incidence"], where="post", label=outcome)
        ax.set_xlabel(chart.xlabel)
        ax.set_ylabel(chart.ylabel)
        ax.set_title(chart.title, fontsize=10, loc="left")
        ax.legend(fontsize=7, frameon=False)
        png, svg = _render(fig)
    last = frame.dropna(subset=["cumulative_incidence"]).sort_values("months").groupby("outcome").last()
    alt = "Cumulative incidence by the last month shown: " + "; ".join(
        f"{o} {100 * r.cumulative_incidence:.0f}% at {r.months:g} months" for o, r in last.iterrows())
    return Figure(name=chart.name, png=png, svg=svg, alt=alt)


def _heat_map(chart: HeatMap) -> Figure:
    """Heat map of percentages: rows ``code``, columns ``role``."""
    frame = chart.frame
    # a code never applied in a role may have no row: 0%; a row whose share was withheld stays missing, marked c
    marked = frame.assign(_row=1.0)
    table = marked.pivot(index="code", columns="role", values="percent")
    present = marked.pivot(index="code", columns="role", values="_row").reindex_like(table).notna()
    shown = table.where(present, 0.0)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.22 * len(table)))
        image = ax.imshow(shown.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0, vmax=100)
        for (row, column) in zip(*np.nonzero(shown.isna().to_numpy())):
            ax.text(column, row, SUPPRESSED, ha="center", va="center", fontsize=6)
        ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right", fontsize=7)
        ax.set_yticks(range(len(table.index)), table.index, fontsize=7)
        fig.colorbar(image, ax=ax, label=chart.colour_label)
        ax.set_title(chart.title, fontsize=10, loc="left")
        png, svg = _render(fig)
    top = frame.dropna(subset=["percent"]).sort_values("percent", ascending=False).head(5)
    alt = "Most frequent codes: " + "; ".join(f"{r.code} in {r.percent:.0f}% of {r.role} interviews" for r in top.itertuples())
    return Figure(name=chart.name, png=png, svg=svg, alt=alt)


def _funnel(chart: Funnel) -> Figure:
    """A funnel plot: each unit's proportion against its denominator, 95% and 99.8% limits, outliers named."""
    table, title = chart.frame, chart.title
    plotted = table.dropna(subset=["proportion", "denominator"])
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        if len(plotted):
            for (level, _, style), (lower, upper) in zip(FUNNEL_LEVELS, chart.limits):
                ax.plot(chart.sizes, lower, style, color="#555555", lw=1, label=f"{level} limits")
                ax.plot(chart.sizes, upper, style, color="#555555", lw=1)
            ax.axhline(chart.target, color=_ORANGE, lw=1, label=f"target {chart.target:.3f}")
            outside = plotted["flag998"] != "inside"
            ax.scatter(plotted["denominator"], plotted["proportion"], s=14, color=np.where(outside, _ORANGE, _BLUE))
            for row in plotted[outside].itertuples():
                ax.annotate(str(row.la_name), (row.denominator, row.proportion), fontsize=6, xytext=(3, 2),
                            textcoords="offset points")
            ax.set_xscale("log")
            ax.legend(fontsize=7, frameon=False)
        ax.set_xlabel("Denominator")
        ax.set_ylabel("Proportion")
        ax.set_title(title, fontsize=10, loc="left")
        missing = len(table) - len(plotted)
        if missing:
            ax.annotate(f"{missing} unit(s) with a suppressed value: listed in the table, not plotted",
                        xy=(0, 0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=7,
                        va="top")
        png, svg = _render(fig)
    counts = table["flag998"].value_counts().to_dict()
    alt = f"{title}: funnel plot of {len(plotted)} units; 99.8% limits: " + ", ".join(
        f"{k} {v}" for k, v in sorted(counts.items()))
    return Figure(name=chart.name, png=png, svg=svg, alt=alt)


def published_percent_figure(table: PublishedTable) -> Figure:
    """Horizontal bars of a table's printed percentages, one per cell, grouped as printed.

    Approximate values ("about 79%") are drawn hatched and marked with a tilde.
    """
    cells = [cell for cell in table.cells if cell.percent is not None]
    if not cells:
        raise ValueError(f"table {table.id!r} has no printed percentages to draw")
    labels, values, approximate = [], [], []
    for cell in cells:
        parts = [cell.group, cell.item] + ([cell.category] if cell.category else [])
        labels.append(" | ".join(dict.fromkeys(parts)))
        values.append(float(PrintedPercent.parse(cell.percent).value))
        approximate.append(cell.qualifier is not None)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.32 * len(cells)))
        positions = range(len(cells))[::-1]
        bars = ax.barh(list(positions), values, color="#3b6ea5")
        for bar, approx, value in zip(bars, approximate, values):
            if approx:
                bar.set_hatch("//")
                bar.set_facecolor("#9fb9d6")
            ax.text(value + 1, bar.get_y() + bar.get_height() / 2,
                    f"{'~' if approx else ''}{value:g}%", va="center", fontsize=8)
        ax.set_yticks(list(positions), labels)
        ax.set_xlim(0, 110)
        ax.set_xlabel("Percentage as printed")
        ax.set_title(table.title, fontsize=10, loc="left", wrap=True)
        ax.annotate(f"Source: {table.source}, {table.location}", xy=(0, 0), xycoords="axes fraction",
                    xytext=(0, -34), textcoords="offset points", fontsize=7, ha="left", va="top")
        png, svg = _render(fig)
    alt = f"Bar chart of the printed percentages of '{table.title}': " + "; ".join(
        f"{label} {cell.percent}" for label, cell in zip(labels, cells)
    )
    return Figure(name=f"published_{table.id}", png=png, svg=svg, alt=alt)


def write_figure(figure: Figure, folder: Path) -> list[Path]:
    """Write ``NAME.png`` and ``NAME.svg`` into ``folder``."""
    return [
        atomic_write_bytes(folder / f"{figure.name}.png", figure.png),
        atomic_write_bytes(folder / f"{figure.name}.svg", figure.svg),
    ]


_DRAW = {CountBars: _count_bars, ShareBars: _share_bars, IncidenceCurves: _incidence_curves, HeatMap: _heat_map,
         Funnel: _funnel}


def draw(chart: Chart) -> Figure:
    """A chart of an output table, drawn: its PNG, SVG and alt text."""
    return _DRAW[type(chart)](chart)
