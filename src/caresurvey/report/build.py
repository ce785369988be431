"""Lay out a study's release: ``reports/tables/``, the workbook, the figures and the report.

Everything here is layout. The numbers, the figures' contents and the sentences come from the
results stage (:func:`caresurvey.results.build_release`), after disclosure control; each output
table is laid out from its declaration, so nothing here names one. Each step works from the
configuration alone and publishes its files together (a failed or killed step leaves the
previous outputs whole); ``write_report`` makes the tables and figures it shows, so
``caresurvey report`` on its own gives a complete report.
"""

from __future__ import annotations

import base64
import functools
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from caresurvey.codes import OUTPUT_SYMBOLS
from caresurvey.config import Config
from caresurvey.outputs import atomic_write_text, output_transaction, write_frame_csv, write_json
from caresurvey.provenance import collect_provenance
from caresurvey.published.catalogue import PublishedTable
from caresurvey.published.summary import TableCheck, compress_numbers, summary_frame
from caresurvey.report.figures import Figure, draw, published_percent_figure, write_figure
from caresurvey.report.workbook import write_workbook
from caresurvey.results import TOPICS, Release, ReleasedTable, build_release

__all__ = ["write_tables", "write_figures", "write_report", "format_cell"]

log = logging.getLogger(__name__)


def _published_together(step):
    """Run a step inside one output transaction on ``reports/`` (nested steps join it)."""
    @functools.wraps(step)
    def run(config: Config, *args, **kwargs):
        with output_transaction(config.reports_dir):
            return step(config, *args, **kwargs)
    return run


def _tables_dir(config: Config) -> Path:
    return config.reports_dir / "tables"


def _figures_dir(config: Config) -> Path:
    return config.reports_dir / "figures"


@_published_together
def write_tables(config: Config, release: Release | None = None) -> list[Path]:
    """Write ``reports/tables/<id>.csv`` for every output table the study's data allow (before
    ingestion, the published tables' consistency and cells only) and ``reports/tables.xlsx``.

    Tables from real data are written after disclosure control, with DfE symbols.
    """
    release = release or build_release(config)
    folder = _tables_dir(config)
    paths = [write_frame_csv(folder / f"{table_id}.csv", table.display()) for table_id, table in release.tables.items()]
    if any(table.declaration.workbook for table in release.tables.values()):
        paths.append(write_workbook(config.reports_dir / "tables.xlsx", release, study=config.name))
    for path in paths:
        log.info("wrote %s", path)
    return paths


def _draw_all(release: Release) -> dict[str, Figure]:
    """Every figure of the release: the published tables' printed percentages, then each output
    table's charts."""
    figures = {f"published_{table.id}": published_percent_figure(table) for table in release.published.values()
               if any(cell.percent is not None for cell in table.cells)}
    for table in release.tables.values():
        figures |= {chart.name: draw(chart) for chart in table.charts}
    return figures


@_published_together
def write_figures(config: Config, release: Release | None = None, figures: dict[str, Figure] | None = None) -> list[Path]:
    """Write a PNG and an SVG of every published table with percentages, and of every chart of
    the output tables."""
    figures = figures if figures is not None else _draw_all(release or build_release(config))
    paths = []
    for figure in figures.values():
        paths += write_figure(figure, _figures_dir(config))
    log.info("wrote %d figure files to %s", len(paths), _figures_dir(config))
    return paths


# --------------------------------------------------------------------------- laying out the report

#: Rows of a table shown in the report, unless its declaration chooses the rows to show (all of
#: those are shown); the rest are in its CSV and workbook sheet.
REPORT_ROWS = 40


def format_cell(value: object, grouping: bool = True) -> str:
    """A table cell as the report prints it: counts with thousands separators (``grouping``),
    other numbers to three significant figures (one decimal place from 10 up), symbols and text
    as they are."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{value:,}" if grouping else f"{value}"
    if isinstance(value, float | np.floating):
        if float(value).is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if grouping else f"{int(value)}"
        if abs(value) >= 10:
            return f"{value:,.1f}"
        return f"{value:.3g}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _table_view(frame: pd.DataFrame, plain: tuple[str, ...] = (), limit: int | None = REPORT_ROWS) -> dict:
    """A table for the template: header, formatted rows (numbers flagged for alignment), and how
    many rows were left for the CSV. Numbers in ``plain`` columns (keys and labels: a year, a
    seed) are printed without thousands separators."""
    grouping = [column not in plain for column in frame.columns]
    rows = [[{"text": format_cell(v, g), "num": _is_number(v)} for v, g in zip(row, grouping)]
            for row in (frame if limit is None else frame.head(limit)).itertuples(index=False)]
    return {"columns": list(frame.columns), "rows": rows, "more": max(0, len(frame) - len(rows))}


def _embedded(figure: Figure) -> dict:
    return {"src": "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii"), "alt": figure.alt,
            "name": figure.name}


def _article(table: ReleasedTable, figures: dict[str, Figure]) -> dict:
    """What the template shows of one output table."""
    declaration = table.declaration
    beside = [] if table.beside is None else [{key: format_cell(value) for key, value in row.items()}
                                              for row in table.beside.to_dict("records")]
    return {
        "id": table.id, "text": declaration.text, "published": list(declaration.published),
        "table": _table_view(table.shown(), declaration.roles.fixed, None if declaration.shown else REPORT_ROWS),
        "empty": table.values.empty or table.shown().empty,
        "withheld": len(table.protected.suppressions), "summary": table.summary,
        "figures": [_embedded(figures[chart.name]) for chart in table.charts], "beside": beside,
        "not_replicated": list(table.not_replicated),
    }


def _topics(release: Release, figures: dict[str, Figure]) -> list[dict]:
    """One section per topic with the tables declared under it, in registry order."""
    sections = []
    for topic in TOPICS:
        articles = [_article(table, figures) for table in release.tables.values() if table.declaration.topic == topic]
        if articles:
            sections.append({"title": topic.title, "slug": topic.slug, "articles": articles})
    return sections


@dataclass(frozen=True)
class _TableView:
    """What the template shows for one published table."""

    table: PublishedTable
    printed: list[dict]
    check: TableCheck | None
    groups: list[dict]
    figure: Figure | None
    figure_src: str | None


def _printed_rows(table: PublishedTable) -> list[dict]:
    rows = []
    for cell in table.cells:
        value = []
        if cell.count is not None:
            value.append(cell.printed or str(cell.count))
        if cell.percent is not None:
            value.append(cell.percent)
        rows.append({"group": cell.group, "item": cell.item, "category": cell.category or "",
                     "value": ", ".join(value), "n": "" if cell.n is None else cell.n,
                     "qualifier": cell.qualifier or ""})
    return rows


def _view(table: PublishedTable, check: TableCheck | None, figure: Figure | None) -> _TableView:
    groups = []
    if check is not None:
        for row in summary_frame([check]).itertuples(index=False):
            groups.append({"group": row.group, "searched": row.searched, "bound_reason": row.bound_reason,
                           "feasible_n": row.feasible_n, "n_feasible": row.n_feasible, "counts": row.counts})
    src = _embedded(figure)["src"] if figure is not None else None
    return _TableView(table, _printed_rows(table), check, groups, figure, src)


def _ingestion(release: Release) -> dict | None:
    """The reconciliation's record of the raw files, beside the data-quality tables."""
    ingestion = release.ingestion
    if ingestion is None:
        return None
    dropped: dict[str, int] = {}
    for columns in ingestion.columns_not_kept.values():
        for column in columns:
            dropped[column] = dropped.get(column, 0) + 1
    return {"adds_up": ingestion.adds_up, "blank_rows": ingestion.blank_rows, "dropped": sorted(dropped.items()),
            "notes": [(file, note) for file, notes in sorted(ingestion.notes.items()) for note in notes],
            "linkage": list(ingestion.linkage)}


def _disclosure(release: Release) -> dict | None:
    """The policy, and how many cells it withheld in each table: never which were small (a count per
    reason would narrow them), never the values."""
    if release.policy.synthetic or not any(table.declaration.study for table in release.tables.values()):
        return None
    tables = [{"id": table_id, "cells": len(table.protected.suppressions)}
              for table_id, table in release.tables.items() if table.declaration.study]
    return {"policy": release.policy.describe(), "tables": tables}


def _notebook_links(config: Config) -> dict:
    """The executed notebooks beside the report (``notebooks/<name>.html``), with their titles."""
    from caresurvey.report.notebooks import NOT_RENDERED_FOR_REAL_DATA, notebook_scripts

    if not config.synthetic:
        return {"links": [], "why_not": NOT_RENDERED_FOR_REAL_DATA}
    links = []
    for script in notebook_scripts(config):
        heading = next((line[4:].strip() for line in script.read_text(encoding="utf-8").splitlines()
                        if line.startswith("# # ")), script.stem)
        links.append({"href": f"notebooks/{script.stem}.html", "title": heading, "source": script.name})
    return {"links": links, "why_not": ""}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caresurvey.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda value: f"{value:,}"
    env.filters["ranges"] = compress_numbers
    return env


@_published_together
def write_report(config: Config, command: list[str] | None = None, release: Release | None = None) -> list[Path]:
    """Write the report and everything it shows.

    Writes ``reports/report.html`` (self-contained: styles inline, figures embedded as PNG with
    alt text), ``reports/published_consistency.json`` (the full checker output per table),
    the tables and figures of :func:`write_tables` and :func:`write_figures`, and
    ``reports/provenance.json``. ``release`` is the study's release (built from ``config`` if
    not given).
    """
    release = release or build_release(config)
    figures = _draw_all(release)
    paths = write_tables(config, release) + write_figures(config, figures=figures)
    paths.append(write_json(config.reports_dir / "published_consistency.json",
                            {check.table.id: check.result.to_json() for check in release.checks}))
    by_id = {check.table.id: check for check in release.checks}
    views = [_view(table, by_id.get(table.id), figures.get(f"published_{table.id}"))
             for table in release.published.values()]
    provenance = collect_provenance(config, command)
    html = _environment().get_template("report.html.j2").render(
        config=config,
        checked=[view for view in views if view.check is not None],
        unchecked=[view for view in views if view.check is None],
        n_consistent=sum(check.result.consistent for check in release.checks),
        rounding=config.rounding,
        provenance=provenance,
        generated=datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC"),
        topics=_topics(release, figures),
        ingestion=_ingestion(release),
        about=release.about,
        disclosure=_disclosure(release),
        notebooks=_notebook_links(config),
        symbols=OUTPUT_SYMBOLS,
    )
    paths.append(atomic_write_text(config.reports_dir / "report.html", html))
    paths.append(write_json(config.reports_dir / "provenance.json", provenance))
    log.info("wrote %s", config.reports_dir / "report.html")
    return paths
