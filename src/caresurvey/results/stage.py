"""The results stage: every output table computed from the processed study in dependency order,
put through the study's disclosure policy, and made ready to lay out.

A table computed from other output tables receives them after disclosure control, so a
withheld count stays withheld: nothing is recomputed from the processed tables once they are
controlled. Figures, the sentences the report prints and the published cells shown beside a
table are all made here, from the tables as released; the report only lays them out.
"""

from __future__ import annotations

import functools
import graphlib
import inspect
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from caresurvey.analysis.comparison import NOT_REPLICATED
from caresurvey.analysis.stats import stream_seed
from caresurvey.config import Config
from caresurvey.disclosure import DisclosurePolicy, Ledger, Protected
from caresurvey.published.catalogue import PublishedTable, load_tables
from caresurvey.published.rounding import Rounding
from caresurvey.published.summary import TableCheck, check_published
from caresurvey.results.about import About, about_study
from caresurvey.results.charts import Chart
from caresurvey.results.declaration import OutputTable
from caresurvey.results.inputs import (
    CELL_READERS,
    ITEM_SCALES,
    REPLICATES,
    PREPARED,
    PUBLISHED_CHECKS,
    PUBLISHED_TABLES,
    QUARANTINE,
    RECONCILIATION,
    ProcessedStudy,
    has_processed_study,
    read_processed,
)
from caresurvey.results.registry import REGISTRY
from caresurvey.schemas import SCHEMAS

__all__ = ["Release", "ReleasedTable", "Ingestion", "build_release", "compute", "dependency_order", "check_registry",
           "charts_of", "reads_study_data"]

#: A function that puts one output table through disclosure control.
Control = Callable[[OutputTable, pd.DataFrame], Protected]


@dataclass(frozen=True, eq=False)
class ReleasedTable:
    """One output table as it may be released, with everything the outputs show of it.

    Attributes
    ----------
    declaration : OutputTable
    protected : Protected
        The table after disclosure control: ``values`` (withheld cells missing), ``symbols``,
        and what was withheld and why.
    charts : tuple of Chart
        Its figures, drawn from ``protected.values``.
    beside : pandas.DataFrame or None
        The published cells of the tables it reproduces, beside the study's (None where it
        reproduces none, or no table holds them).
    summary : str
        A sentence the report prints with it.
    not_replicated : tuple of str
        The published tables it reproduces that the study does not replicate (``[study]
        replicates``): their cells are not beside the study's.
    """

    declaration: OutputTable
    protected: Protected
    charts: tuple[Chart, ...] = ()
    beside: pd.DataFrame | None = None
    summary: str = ""
    not_replicated: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.declaration.id

    @property
    def values(self) -> pd.DataFrame:
        """The numbers that may be released (withheld cells missing)."""
        return self.protected.values

    def display(self) -> pd.DataFrame:
        """The table as released: DfE symbols in withheld cells (``tables/<id>.csv``, the workbook)."""
        return self.protected.display()

    def shown(self) -> pd.DataFrame:
        """The rows the report shows (:attr:`OutputTable.shown`; every row by default)."""
        shown = self.display()
        return self.declaration.shown(shown) if self.declaration.shown is not None else shown


@dataclass(frozen=True)
class Ingestion:
    """What the reconciliation says of the raw files besides its counts."""

    adds_up: bool
    blank_rows: int
    columns_not_kept: Mapping[str, list[str]]
    notes: Mapping[str, list[str]]
    #: Tables linked across returns of several years, with their counts (shown for synthetic data
    #: only: a real study's would bypass disclosure control).
    linkage: tuple[dict, ...] = ()


@dataclass(frozen=True, eq=False)
class Release:
    """Everything a study releases, ready to lay out.

    Attributes
    ----------
    policy : DisclosurePolicy
        The policy every table went through.
    tables : dict of str to ReleasedTable
        The output tables computed, in the registry's order.
    published : dict of str to PublishedTable
        The published tables, by id.
    checks : list of TableCheck
        The consistency check of each published table with printed percentages.
    ingestion : Ingestion or None
        The reconciliation's record of the raw files; None before the study is ingested.
    about : About or None
        The study as the report's first section describes it.
    """

    policy: DisclosurePolicy
    tables: dict[str, ReleasedTable]
    published: dict[str, PublishedTable]
    checks: list[TableCheck]
    ingestion: Ingestion | None = None
    about: About | None = None


def _needs(declaration: OutputTable, declarations: Mapping[str, OutputTable]) -> set[str]:
    """The output tables a declaration is computed from."""
    needs = {name for name in declaration.inputs.values() if name in declarations}
    if CELL_READERS in declaration.inputs.values():
        needs |= {d.id for d in declarations.values() if any(reader for reader in d.published.values())}
    return needs - {declaration.id}


def reads_study_data(declaration: OutputTable) -> bool:
    """Whether a table is computed from the study's data, not only from released tables (and the
    configuration, the published tables)."""
    return any(name in SCHEMAS or name in PREPARED or name in (RECONCILIATION, QUARANTINE)
               for name in declaration.inputs.values())


def _input_names() -> set[str]:
    """Every name a declaration may take that is not an output table."""
    return {*SCHEMAS, RECONCILIATION, QUARANTINE, *PREPARED, PUBLISHED_TABLES, PUBLISHED_CHECKS, CELL_READERS,
            ITEM_SCALES, REPLICATES}


def check_registry(declarations: Iterable[OutputTable]) -> None:
    """Refuse a registry a run could not compute: ids repeated, an input that is neither an
    output table nor an input of the study, or a computation whose parameters are not what it is
    given (its inputs and settings).

    Raises
    ------
    ValueError
        Naming the declaration and what is wrong.
    """
    seen: set[str] = set()
    declarations = list(declarations)
    ids = {d.id for d in declarations}
    known = _input_names()
    for declaration in declarations:
        if declaration.id in seen:
            raise ValueError(f"output table {declaration.id!r} is declared twice")
        seen.add(declaration.id)
        unknown = sorted(set(declaration.inputs.values()) - ids - known)
        if unknown:
            raise ValueError(f"output table {declaration.id!r} takes {', '.join(unknown)}, which is neither an output "
                             f"table nor an input of the study ({', '.join(sorted(known))})")
        given = {*declaration.inputs, *declaration.settings}
        try:
            inspect.signature(declaration.compute).bind(**dict.fromkeys(given))
        except TypeError as error:
            raise ValueError(f"output table {declaration.id!r}: its function's parameters do not match what it "
                             f"is given ({', '.join(sorted(given))}): {error}") from None


def dependency_order(declarations: Iterable[OutputTable]) -> list[OutputTable]:
    """The declarations in an order that computes every table after the tables it takes (the
    registry's order where that allows).

    Raises
    ------
    ValueError
        If tables take each other in a cycle.
    """
    by_id = {d.id: d for d in declarations}
    sorter = graphlib.TopologicalSorter({table_id: _needs(d, by_id) for table_id, d in by_id.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        raise ValueError(f"output tables take each other in a cycle: {' -> '.join(error.args[1])}") from None
    position = {table_id: k for k, table_id in enumerate(by_id)}
    order: list[OutputTable] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(by_id[table_id] for table_id in ready)
        sorter.done(*ready)
    return order


class _Inputs:
    """The inputs of a run, each read or worked out once, when first needed: the processed study,
    the published tables, and what the study's configuration declares (its items' scales, the
    published tables it replicates)."""

    def __init__(self, study: ProcessedStudy | None, config: Config):
        self.study = study
        self.published = {table.id: table for table in load_tables()}
        self.declared = {ITEM_SCALES: {item: spec.scale for item, spec in config.items.items()},
                         REPLICATES: config.replicates}
        self._checks = functools.cache(lambda: check_published(list(self.published.values()), config.rounding,
                                                               config.solution_limit))
        self._prepared: dict[str, Any] = {}

    def checks(self) -> list[TableCheck]:
        """The consistency check of each published table with printed percentages (worked out once)."""
        return self._checks()

    def get(self, name: str, tables: Mapping[str, Protected], declarations: Mapping[str, OutputTable]) -> Any:
        if name in tables:
            return tables[name].values
        if name == PUBLISHED_TABLES:
            return self.published
        if name == PUBLISHED_CHECKS:
            return self._checks()
        if name in self.declared:
            return self.declared[name]
        if name == CELL_READERS:
            return {published: functools.partial(reader, tables[d.id].values)
                    for d in declarations.values() if d.id in tables
                    for published, reader in d.published.items() if reader is not None}
        if name not in PREPARED:
            return self.study.table(name)  # a processed table (read once by the study)
        if name not in self._prepared:
            function, inputs = PREPARED[name]
            self._prepared[name] = function(**{param: self.study.table(source) for param, source in inputs.items()})
        return self._prepared[name]


def _run(declarations: list[OutputTable], inputs: _Inputs, seed: int, rounding: Rounding,
         control: Control, timings: dict[str, float] | None = None,
         together: Callable[[list[tuple[OutputTable, pd.DataFrame]]], dict[str, Protected]] | None = None,
         ) -> dict[str, Protected]:
    """Each declaration computed (after the tables it takes) and controlled; a study table is
    skipped where there is no processed study, and so is every table computed from one.
    ``timings``, if given, gets the seconds each table took (its inputs' preparation included).

    With ``together``, the tables computed from the study's data alone (none of them takes
    another output table) are computed first and controlled at once by it, so that each can be
    protected by withholding cells of any of them; the rest follow, each through ``control``.
    """
    by_id = {d.id: d for d in declarations}
    tables: dict[str, Protected] = {}

    def computed(declaration: OutputTable) -> pd.DataFrame | None:
        """The declaration's table, or None where its data or the tables it takes are missing."""
        if (declaration.study and inputs.study is None) or not _needs(declaration, by_id) <= set(tables):
            return None
        started = time.perf_counter()
        arguments = {param: inputs.get(name, tables, by_id) for param, name in declaration.inputs.items()}
        settings = {"seed": stream_seed(seed, declaration.id), "rounding": rounding}
        arguments |= {name: settings[name] for name in declaration.settings}
        frame = declaration.compute(**arguments)
        if timings is not None:
            timings[declaration.id] = time.perf_counter() - started
        return frame

    order = dependency_order(declarations)
    first = [d for d in order if together is not None and reads_study_data(d) and not _needs(d, by_id)]
    frames = [(d, frame) for d in first if (frame := computed(d)) is not None]
    if frames:
        tables |= together(frames)
    for declaration in (d for d in order if d not in first):
        frame = computed(declaration)
        if frame is not None:
            tables[declaration.id] = control(declaration, frame)
    return tables


def _closure(ids: Iterable[str], declarations: Mapping[str, OutputTable]) -> list[OutputTable]:
    """The declarations of ``ids`` and of every table they are computed from."""
    wanted, stack = set(), list(ids)
    while stack:
        table_id = stack.pop()
        if table_id not in declarations:
            raise KeyError(f"no output table {table_id!r}; the output tables are {', '.join(declarations)}")
        if table_id not in wanted:
            wanted.add(table_id)
            stack.extend(_needs(declarations[table_id], declarations))
    return [d for d in declarations.values() if d.id in wanted]


def compute(study: ProcessedStudy, ids: Iterable[str], config: Config, registry: Iterable[OutputTable] = REGISTRY,
            timings: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    """Output tables ``ids`` of a processed study as computed, before disclosure control (for
    exploring the data in a secure environment, as the notebooks do), with the tables they take.
    ``config`` is the study's (its seed, rounding, items and replicated tables); ``timings``, if
    given, gets the seconds each table took.
    """
    declarations = {d.id: d for d in registry}
    chosen = _closure(ids, declarations)
    tables = _run(chosen, _Inputs(study, config), config.seed, config.rounding,
                  lambda declaration, frame: Protected.unchanged(frame), timings)
    return {table_id: protected.values for table_id, protected in tables.items()}


def build_release(config: Config, registry: Iterable[OutputTable] = REGISTRY,
                  study: ProcessedStudy | None = None) -> Release:
    """Everything the study in ``config`` releases: every output table its data allow, computed in
    dependency order and put through the study's disclosure policy, with figures, sentences and
    the published cells beside each table. Before ingestion, only the tables of published
    figures.

    ``study`` is the processed study (read from ``config.processed_dir`` if not given).
    """
    declarations = list(registry)
    check_registry(declarations)
    policy = DisclosurePolicy.from_config(config)
    if study is None and has_processed_study(config.processed_dir):
        study = read_processed(config.processed_dir)
    inputs = _Inputs(study, config)
    # the release is protected as a whole: the tables of study data together, then each table
    # computed from released ones against everything before it
    ledger = Ledger()

    def control(declaration: OutputTable, frame: pd.DataFrame) -> Protected:
        if reads_study_data(declaration):
            return policy.control(declaration.id, frame, declaration.roles, ledger)
        return policy.control(declaration.id, frame, declaration.roles, released_only=True)

    def together(computed: list[tuple[OutputTable, pd.DataFrame]]) -> dict[str, Protected]:
        return policy.control_together([(d.id, frame, d.roles) for d, frame in computed], ledger)

    tables = _run(declarations, inputs, config.seed, config.rounding, control, together=together)
    released = _lay_out(declarations, tables)
    ingestion = None if study is None else Ingestion(study.adds_up, study.blank_rows, study.columns_not_kept,
                                                       study.notes, tuple(study.linkage))
    return Release(policy, released, inputs.published, inputs.checks(), ingestion, about_study(config, study))


def charts_of(declaration: OutputTable, table: pd.DataFrame) -> tuple[Chart, ...]:
    """A table's charts, named by its id (and a number, where it has several)."""
    charts = declaration.figure(table) if declaration.figure is not None else []
    if len(charts) == 1:
        return (replace(charts[0], name=declaration.id),)
    return tuple(replace(chart, name=f"{declaration.id}_{k}") for k, chart in enumerate(charts, start=1))


def _lay_out(declarations: list[OutputTable], tables: dict[str, Protected]) -> dict[str, ReleasedTable]:
    """Each computed table with its charts, sentence and published cells beside it, in registry order."""
    comparisons = [tables[d.id].display() for d in declarations if d.beside and d.id in tables]
    released = {}
    for declaration in declarations:
        if declaration.id not in tables:
            continue
        protected = tables[declaration.id]
        beside, not_replicated = None, ()
        if declaration.published and comparisons:
            cells = pd.concat([c[c["table"].isin(list(declaration.published))] for c in comparisons],
                              ignore_index=True)
            replicated = cells["status"] != NOT_REPLICATED
            beside = cells[replicated].reset_index(drop=True)
            not_replicated = tuple(dict.fromkeys(cells.loc[~replicated, "table"]))
        summary = declaration.summary(protected.values) if declaration.summary and len(protected.values) else ""
        released[declaration.id] = ReleasedTable(declaration, protected, charts_of(declaration, protected.values),
                                                 beside, summary, not_replicated)
    return released
