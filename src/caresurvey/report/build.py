"""Build the outputs of ``make tables``, ``make figures`` and ``make report``.

Each step works from the configuration alone and publishes its files together (a failed or
killed step leaves the previous outputs whole); ``write_report`` makes the tables and figures it
shows, so ``caresurvey report`` on its own gives a complete report.
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

from caresurvey.analysis.catalogue import CATALOGUE, TOPICS, Analysis
from caresurvey.config import Config
from caresurvey.disclosure import Protected
from caresurvey.outputs import atomic_write_text, output_transaction, write_frame_csv, write_json
from caresurvey.provenance import collect_provenance
from caresurvey.published.catalogue import PublishedTable, load_tables
from caresurvey.published.rounding import Rounding
from caresurvey.published.summary import TableCheck, check_published, compress_numbers, summary_frame
from caresurvey.report.data_quality import DataQuality, data_quality
from caresurvey.report.figures import Figure, published_percent_figure, write_figure
from caresurvey.report.workbook import SYMBOLS, write_workbook

__all__ = ["write_tables", "write_figures", "write_report", "published_cells_frame"]

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


def published_cells_frame(tables: list[PublishedTable]) -> pd.DataFrame:
    """Every printed cell of every published table, long, with the table's source."""
    frames = [table.frame().assign(source=table.source, title=table.title) for table in tables if table.cells]
    return pd.concat(frames, ignore_index=True)


@_published_together
def write_tables(config: Config, checks: list[TableCheck] | None = None,
                 analyses: dict[str, Protected] | None = None, quality: DataQuality | None = None) -> list[Path]:
    """Write ``reports/tables/`` and ``reports/tables.xlsx``: the published tables' consistency,
    every analysis table and the data-quality summary.

    The analysis tables (``<id>.csv``, ids in :data:`caresurvey.analysis.tables.PROTECTION`)
    need the processed study (``caresurvey ingest``); without it only the published tables are
    written. Tables from real data are written after disclosure control, with DfE symbols.
    """
    tables = load_tables()
    checks = checks if checks is not None else check_published(tables, config.rounding, config.solution_limit)
    folder = _tables_dir(config)
    paths = [
        write_frame_csv(folder / "published_consistency.csv", summary_frame(checks)),
        write_frame_csv(folder / "published_cells.csv", published_cells_frame(tables)),
    ]
    if analyses is None and (config.processed_dir / "reconciliation.json").is_file():
        from caresurvey.analysis.tables import protected_analyses

        analyses = protected_analyses(config)
    quality = quality if quality is not None else data_quality(config)
    for table_id, protected in (analyses or {}).items():
        paths.append(write_frame_csv(folder / f"{table_id}.csv", protected.display()))
    extra = {}
    if quality is not None:
        titles = {"data_quality_by_table": "Rows read, kept and quarantined, by processed table",
                  "data_quality_by_rule": "Rows quarantined, by rule"}
        for table_id, frame in quality.frames().items():
            paths.append(write_frame_csv(folder / f"{table_id}.csv", frame))
            extra[table_id] = (titles[table_id], frame)
    if analyses:
        paths.append(write_workbook(config.reports_dir / "tables.xlsx", analyses, study=config.name,
                                    synthetic=config.synthetic, threshold=config.disclosure_threshold,
                                    round_to=config.round_to, extra=extra))
    for path in paths:
        log.info("wrote %s", path)
    return paths


def _figures(tables: list[PublishedTable]) -> dict[str, Figure]:
    return {
        table.id: published_percent_figure(table)
        for table in tables
        if any(cell.percent is not None for cell in table.cells)
    }


@_published_together
def write_figures(config: Config, figures: dict[str, Figure] | None = None) -> list[Path]:
    """Write a PNG and an SVG of every published table with percentages, and of the analyses."""
    if figures is None:
        figures = _figures(load_tables())
        if (config.processed_dir / "reconciliation.json").is_file():
            from caresurvey.analysis.tables import run_analyses
            from caresurvey.report.analysis_figures import analysis_figures

            figures |= analysis_figures(run_analyses(config))
    paths = []
    for figure in figures.values():
        paths += write_figure(figure, _figures_dir(config))
    log.info("wrote %d figure files to %s", len(paths), _figures_dir(config))
    return paths


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
        rows.append(
            {
                "group": cell.group,
                "item": cell.item,
                "category": cell.category or "",
                "value": ", ".join(value),
                "n": "" if cell.n is None else cell.n,
                "qualifier": cell.qualifier or "",
            }
        )
    return rows


def _view(table: PublishedTable, check: TableCheck | None, figure: Figure | None) -> _TableView:
    groups = []
    if check is not None:
        summary = summary_frame([check])
        for row in summary.itertuples(index=False):
            groups.append(
                {
                    "group": row.group,
                    "searched": row.searched,
                    "bound_reason": row.bound_reason,
                    "feasible_n": row.feasible_n,
                    "n_feasible": row.n_feasible,
                    "counts": row.counts,
                }
            )
    src = None
    if figure is not None:
        src = _embedded(figure)["src"]
    return _TableView(table, _printed_rows(table), check, groups, figure, src)


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


def _embedded(figure: Figure) -> dict:
    return {"src": "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii"), "alt": figure.alt}


def _la_comparison(analyses: dict[str, pd.DataFrame] | None) -> dict | None:
    """The report's local-authority comparison: heterogeneity tests and the study LAs' funnels."""
    if not analyses or analyses["study_la_heterogeneity"].empty:
        return None
    from caresurvey.report.analysis_figures import funnel_chart

    funnels = analyses["study_la_funnels"]
    figures = [_embedded(funnel_chart(part, f"{measure.capitalize()}, by study LA", name=f"funnel_{k}"))
               for k, (measure, part) in enumerate(funnels.groupby("measure", sort=False))]
    return {"tests": analyses["study_la_heterogeneity"].to_dict("records"),
            "funnels": funnels.to_dict("records"), "figures": figures}


def _national(analyses: dict[str, pd.DataFrame] | None, figures: dict[str, Figure]) -> dict | None:
    """The report's national section: England's series of each share, and every LA's funnel
    (drawn with the analysis figures)."""
    if not analyses or analyses["national_funnel"].empty:
        return None
    from caresurvey.report.analysis_figures import national_funnel_title

    shares, funnel = analyses["national_shares"], analyses["national_funnel"]
    england = shares[shares["geographic_level"] == "National"].sort_values(["measure", "year"])
    flags = funnel["flag998"].value_counts()
    return {
        "england": england.to_dict("records"),
        "title": national_funnel_title(funnel),
        "figure": _embedded(figures["national_funnel"]),
        "las": len(funnel), "flags": {k: int(flags.get(k, 0)) for k in ("above", "below", "inside", "no value")},
        "outliers": funnel[funnel["flag998"].isin(["above", "below"])].to_dict("records"),
        "suppressed": funnel[funnel["flag998"] == "no value"].to_dict("records"),
        "phi": float(funnel["phi"].iloc[0]), "tau2": float(funnel["tau2"].iloc[0]),
    }


def _against_published(analyses: dict[str, pd.DataFrame] | None) -> dict | None:
    """The study's counts against each published table, over every count set the table allows."""
    if not analyses or analyses["study_vs_published"].empty:
        return None
    compared = analyses["study_vs_published"]
    compared = compared[compared["status"] == "compared"]
    return {
        "rows": compared.to_dict("records"),
        "differ": int((compared["p_max"] < 0.05).sum()),
        "agree": int((compared["p_min"] >= 0.05).sum()),
        "depends": int(((compared["p_min"] < 0.05) & (compared["p_max"] >= 0.05)).sum()),
    }


#: Rows of a table shown in the report; the rest are in its CSV and workbook sheet.
REPORT_ROWS = 40


#: Whole-number columns that are labels, not counts: printed without thousands separators.
_PLAIN_NUMBERS = frozenset({"seed", "year"})


def format_cell(value: object, grouping: bool = True) -> str:
    """A table cell as the report prints it: counts with thousands separators, other numbers
    to three significant figures (one decimal place from 10 up), symbols and text as they are."""
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


def _table_view(frame: pd.DataFrame, limit: int = REPORT_ROWS) -> dict:
    """A table for the template: header, formatted rows (numbers flagged for alignment), and how
    many rows were left for the CSV."""
    grouping = [column not in _PLAIN_NUMBERS for column in frame.columns]
    rows = [[{"text": format_cell(v, g), "num": _is_number(v)} for v, g in zip(row, grouping)]
            for row in frame.head(limit).itertuples(index=False)]
    return {"columns": list(frame.columns), "rows": rows, "more": max(0, len(frame) - limit)}


def _published_beside(info: Analysis, compared: pd.DataFrame | None) -> list[dict]:
    """The published cells an analysis reproduces, with the study's value beside each."""
    if compared is None or not info.published:
        return []
    rows = compared[compared["table"].isin(info.published)]
    return [{key: format_cell(value) for key, value in row.items()} for row in rows.to_dict("records")]


def _analysis_sections(protected: dict[str, Protected] | None, figures: dict[str, Figure]) -> list[dict]:
    """One article per analysis shown under its topic (those with a section of their own are
    shown there), grouped by topic in report order."""
    if not protected:
        return []
    compared = protected["published_comparison"].display() if "published_comparison" in protected else None
    topics: dict[str, list[dict]] = {topic: [] for topic in TOPICS}
    for table_id, table in protected.items():
        info = CATALOGUE[table_id]
        if info.section:
            continue
        shown = table.display()
        figure = figures.get(info.figure) if info.figure else None
        topics[info.topic].append({
            "info": info, "table": _table_view(shown), "empty": shown.empty,
            "withheld": len(table.suppressions),
            "figure": _embedded(figure) | {"name": figure.name} if figure else None,
            "published": _published_beside(info, compared),
        })
    return [{"topic": topic, "slug": f"topic-{k}", "articles": articles}
            for k, (topic, articles) in enumerate(topics.items(), start=1) if articles]


def _data_quality(quality: DataQuality | None) -> dict | None:
    if quality is None:
        return None
    dropped: dict[str, int] = {}
    for columns in quality.columns_not_kept.values():
        for column in columns:
            dropped[column] = dropped.get(column, 0) + 1
    return {
        "by_table": _table_view(quality.by_table.display(), limit=1000),
        "by_rule": _table_view(quality.by_rule.display(), limit=1000),
        "adds_up": quality.adds_up, "blank_rows": quality.blank_rows,
        "dropped": sorted(dropped.items()),
        "notes": [(file, note) for file, notes in sorted(quality.notes.items()) for note in notes],
    }


def _disclosure(config: Config, protected: dict[str, Protected] | None) -> dict | None:
    """What disclosure control withheld, table by table, and why (never the values)."""
    if not protected or config.synthetic:
        return None
    tables = []
    for table_id, table in protected.items():
        tables.append({"id": table_id, "note": table.note, "cells": len(table.suppressions),
                       "reasons": table.reason_counts()})
    return {"threshold": config.disclosure_threshold, "round_to": config.round_to, "tables": tables}


def _notebook_links(config: Config) -> dict:
    """The executed notebooks beside the report (``notebooks/<name>.html``), with their titles."""
    from caresurvey.report.notebooks import NOT_RENDERED_FOR_REAL_DATA, notebook_scripts

    if not config.synthetic:
        return {"links": [], "why_not": NOT_RENDERED_FOR_REAL_DATA}
    links = []
    for script in notebook_scripts(config.root):
        heading = next((line[4:].strip() for line in script.read_text(encoding="utf-8").splitlines()
                        if line.startswith("# # ")), script.stem)
        links.append({"href": f"notebooks/{script.stem}.html", "title": heading, "source": script.name})
    return {"links": links, "why_not": ""}


@_published_together
def write_report(config: Config, command: list[str] | None = None) -> list[Path]:
    """Write the report and everything it shows.

    Writes ``reports/report.html`` (self-contained: styles inline, figures embedded as PNG with
    alt text), ``reports/published_consistency.json`` (the full checker output per table),
    the tables and figures of :func:`write_tables` and :func:`write_figures`, and
    ``reports/provenance.json``.
    """
    tables = load_tables()
    checks = check_published(tables, config.rounding, config.solution_limit)
    by_id = {check.table.id: check for check in checks}
    figures = _figures(tables)
    protected, analyses = None, None
    if (config.processed_dir / "reconciliation.json").is_file():
        from caresurvey.analysis.tables import protected_analyses
        from caresurvey.report.analysis_figures import analysis_figures

        protected = protected_analyses(config)
        analyses = {table_id: p.values for table_id, p in protected.items()}
        figures |= analysis_figures(analyses)
    quality = data_quality(config)
    paths = write_tables(config, checks, protected, quality) + write_figures(config, figures)
    paths.append(
        write_json(
            config.reports_dir / "published_consistency.json",
            {check.table.id: check.result.to_json() for check in checks},
        )
    )
    provenance = collect_provenance(config, command)
    views = [_view(table, by_id.get(table.id), figures.get(table.id)) for table in tables]
    html = _environment().get_template("report.html.j2").render(
        config=config,
        checked=[view for view in views if view.check is not None],
        unchecked=[view for view in views if view.check is None],
        n_consistent=sum(check.result.consistent for check in checks),
        rounding=Rounding(config.rounding),
        provenance=provenance,
        generated=datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC"),
        topics=_analysis_sections(protected, figures),
        catalogue=CATALOGUE,
        la_comparison=_la_comparison(analyses),
        disclosure=_disclosure(config, protected),
        national=_national(analyses, figures),
        against_published=_against_published(analyses),
        data_quality=_data_quality(quality),
        notebooks=_notebook_links(config),
        symbols=SYMBOLS,
    )
    paths.append(atomic_write_text(config.reports_dir / "report.html", html))
    paths.append(write_json(config.reports_dir / "provenance.json", provenance))
    log.info("wrote %s", config.reports_dir / "report.html")
    return paths
