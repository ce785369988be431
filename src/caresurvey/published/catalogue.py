"""The published tables and figures of the seed documents, loaded from their TOML files.

Each file in ``published/tables/`` holds one table or figure exactly as printed: its source
document, title, cells (group, item, category, percentage or count as printed, stated n) with
the verbatim quote each value was taken from, and how its cells share denominators, which the
consistency checker needs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from caresurvey.errors import CaresurveyError
from caresurvey.published.consistency import (
    Cell,
    ConsistencyProblem,
    ItemStructure,
    SumConstraint,
)
from caresurvey.published.ids import TABLES_PACKAGE, table_file, table_ids
from caresurvey.published.rounding import PrintedPercent, Rounding

__all__ = [
    "PublishedCell",
    "ConsistencySpec",
    "PublishedTable",
    "load_table",
    "load_tables",
    "table_ids",
    "table_file",
    "TABLES_PACKAGE",
]

_TABLE_KEYS = {
    "id", "title", "source", "document", "location", "kind", "measure", "notes", "header",
    "values_printed", "consistency", "components", "cells",
}
_REQUIRED_KEYS = {"id", "title", "source", "document", "location", "kind", "measure", "cells"}
_CELL_KEYS = {"group", "item", "category", "percent", "count", "n", "printed", "qualifier", "quote"}
_CONSISTENCY_KEYS = {"denominator", "structure", "sums", "max_n", "max_n_why", "why"}
_DIMENSIONS = ("group", "item", "category")
_KINDS = {"table", "figure", "list", "text"}


@dataclass(frozen=True)
class PublishedCell:
    """One printed value.

    Attributes
    ----------
    group, item : str
        Who the value is about (respondent group, population) and what it measures.
    category : str or None
        The answer category, where a question has several.
    percent : str or None
        The percentage exactly as printed (``"27%"``).
    count : int or None
        The count as printed.
    n : int or None
        The denominator, where the source states it.
    printed : str or None
        How the count is written where that is not a numeral (``"four"``).
    qualifier : str or None
        A word that makes the value approximate (``"About"``).
    quote : str
        The verbatim text of the source the value was taken from.
    """

    group: str
    item: str
    quote: str
    category: str | None = None
    percent: str | None = None
    count: int | None = None
    n: int | None = None
    printed: str | None = None
    qualifier: str | None = None


@dataclass(frozen=True)
class ConsistencySpec:
    """How a table's cells share denominators, for the consistency checker."""

    denominator: tuple[str, ...]
    structure: ItemStructure
    why: str
    sums: tuple[SumConstraint, ...] = ()
    max_n: Mapping[str, int] = field(default_factory=dict)
    max_n_why: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedTable:
    """A published table or figure, as printed in its source document."""

    id: str
    title: str
    source: str
    document: str
    location: str
    kind: str
    measure: str
    cells: tuple[PublishedCell, ...]
    notes: str = ""
    header: str | None = None
    values_printed: bool = True
    consistency: ConsistencySpec | None = None
    components: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """The cells as a long DataFrame.

        Returns
        -------
        pandas.DataFrame
            Columns ``table, group, item, category, percent, count, n, qualifier, quote``;
            ``percent`` is the printed text, ``count`` and ``n`` nullable integers.
        """
        columns = ["table", "group", "item", "category", "percent", "count", "n", "qualifier", "quote"]
        records = [
            {
                "table": self.id,
                "group": c.group,
                "item": c.item,
                "category": c.category,
                "percent": c.percent,
                "count": c.count,
                "n": c.n,
                "qualifier": c.qualifier,
                "quote": c.quote,
            }
            for c in self.cells
        ]
        frame = pd.DataFrame.from_records(records, columns=columns)
        return frame.astype({"count": "Int64", "n": "Int64"})

    def group_label(self, cell: PublishedCell) -> str:
        """The consistency group of a cell: its denominator dimensions joined by ``" | "``."""
        spec = self._spec()
        return " | ".join(str(getattr(cell, dim)) for dim in spec.denominator)

    def item_label(self, cell: PublishedCell) -> str:
        """What tells a cell apart within its consistency group."""
        spec = self._spec()
        rest = [
            getattr(cell, dim)
            for dim in _DIMENSIONS
            if dim not in spec.denominator and getattr(cell, dim) is not None
        ]
        return " | ".join(rest) if rest else cell.item

    def consistency_cells(self) -> list[Cell]:
        """The cells with a printed percentage, as the checker sees them."""
        return [
            Cell(
                group=self.group_label(c),
                item=self.item_label(c),
                percent=PrintedPercent.parse(c.percent),
                n=c.n,
                count=c.count,
            )
            for c in self.cells
            if c.percent is not None
        ]

    def percent_table(self) -> pd.DataFrame:
        """The table in the checker's CSV layout: ``group, item, percent, n, count``."""
        rows = [
            {"group": c.group, "item": c.item, "percent": c.percent.text, "n": c.n, "count": c.count}
            for c in self.consistency_cells()
        ]
        frame = pd.DataFrame(rows, columns=["group", "item", "percent", "n", "count"])
        return frame.astype({"n": "Int64", "count": "Int64"})

    def consistency_problem(self, rounding: Rounding | str = Rounding.EITHER) -> ConsistencyProblem:
        """The checker's problem for this table, with the table's own bounds and sums."""
        spec = self._spec()
        labels = {self.group_label(c): c.group for c in self.cells if c.percent is not None}
        return ConsistencyProblem(
            cells=self.consistency_cells(),
            rounding=Rounding(rounding),
            max_n={label: n for label in labels if (n := self.max_n_of(label)) is not None},
            sums=spec.sums,
            structure={label: spec.structure for label in labels},
        )

    def max_n_of(self, label: str) -> int | None:
        """The search bound of a consistency group: given for its label, or for its cells' group.

        A bound usually comes from the number of respondents in a group (65 IROs), which
        bounds every question that group answered, so it may be given once for the group.
        """
        return self._recorded_for(self._spec().max_n, label)

    def max_n_reason(self, label: str) -> str | None:
        """Why a consistency group's search stops where it does, as recorded with the table."""
        return self._recorded_for(self._spec().max_n_why, label)

    def _recorded_for(self, recorded: Mapping, label: str):
        """The entry for a consistency group's label, else for the group of its first cell."""
        if label in recorded:
            return recorded[label]
        for cell in self.cells:
            if cell.percent is not None and self.group_label(cell) == label:
                return recorded.get(cell.group)
        return None

    @property
    def checkable(self) -> bool:
        """Whether the table has printed percentages to check."""
        return self.consistency is not None and any(c.percent is not None for c in self.cells)

    def _spec(self) -> ConsistencySpec:
        if self.consistency is None:
            raise CaresurveyError(f"published table {self.id!r} has no percentages to check")
        return self.consistency


# --------------------------------------------------------------------------- loading


def _fail(origin: str, message: str) -> CaresurveyError:
    return CaresurveyError(f"{origin}: {message}")


def _check_keys(origin: str, where: str, found: Mapping, allowed: set[str], required: set[str] = frozenset()) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise _fail(origin, f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    missing = sorted(set(required) - set(found))
    if missing:
        raise _fail(origin, f"{where}: missing key(s) {', '.join(missing)}")


def _parse_cell(origin: str, index: int, raw: Mapping) -> PublishedCell:
    where = f"cell {index}"
    _check_keys(origin, where, raw, _CELL_KEYS, {"group", "item", "quote"})
    if raw.get("percent") is None and raw.get("count") is None:
        raise _fail(origin, f"{where}: needs a percent or a count")
    if raw.get("percent") is not None:
        try:
            PrintedPercent.parse(raw["percent"])
        except ValueError as error:
            raise _fail(origin, f"{where}: {error}") from None
    for key in ("count", "n"):
        if raw.get(key) is not None and (not isinstance(raw[key], int) or raw[key] < 0):
            raise _fail(origin, f"{where}: {key} must be a whole number, not {raw[key]!r}")
    return PublishedCell(**{key: raw[key] for key in raw})


def _parse_consistency(origin: str, raw: Mapping) -> ConsistencySpec:
    _check_keys(origin, "[consistency]", raw, _CONSISTENCY_KEYS, {"denominator", "structure", "why"})
    denominator = tuple(raw["denominator"])
    if not denominator or not set(denominator) <= set(_DIMENSIONS):
        raise _fail(origin, f"[consistency] denominator must list some of {', '.join(_DIMENSIONS)}")
    try:
        structure = ItemStructure(raw["structure"])
    except ValueError:
        allowed = ", ".join(s.value for s in ItemStructure)
        raise _fail(origin, f"[consistency] structure {raw['structure']!r} is not one of {allowed}") from None
    max_n = dict(raw.get("max_n", {}))
    why = dict(raw.get("max_n_why", {}))
    if set(max_n) != set(why):
        raise _fail(origin, "[consistency] every max_n needs its reason in max_n_why, and no more")
    return ConsistencySpec(
        denominator=denominator,
        structure=structure,
        why=raw["why"],
        sums=tuple(SumConstraint.parse(text) for text in raw.get("sums", [])),
        max_n=max_n,
        max_n_why=why,
    )


def parse_table(text: str, origin: str) -> PublishedTable:
    """Parse one published table from TOML text; ``origin`` names it in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(origin, f"not valid TOML: {error}") from None
    _check_keys(origin, "table", raw, _TABLE_KEYS, _REQUIRED_KEYS)
    if raw["kind"] not in _KINDS:
        raise _fail(origin, f"kind {raw['kind']!r} is not one of {', '.join(sorted(_KINDS))}")
    cells = tuple(_parse_cell(origin, i, cell) for i, cell in enumerate(raw["cells"], start=1))
    values_printed = raw.get("values_printed", True)
    if values_printed and not cells:
        raise _fail(origin, "has no cells; set values_printed = false if the source prints none")
    consistency = _parse_consistency(origin, raw["consistency"]) if "consistency" in raw else None
    components = {total: tuple(parts) for total, parts in raw.get("components", {}).items()}
    items = {cell.item for cell in cells}
    for total, parts in components.items():
        missing = [name for name in (total, *parts) if name not in items]
        if missing:
            raise _fail(origin, f"[components] names item(s) not in the table: {', '.join(missing)}")
    table = PublishedTable(
        id=raw["id"],
        title=raw["title"],
        source=raw["source"],
        document=raw["document"],
        location=raw["location"],
        kind=raw["kind"],
        measure=raw["measure"],
        cells=cells,
        notes=raw.get("notes", ""),
        header=raw.get("header"),
        values_printed=values_printed,
        consistency=consistency,
        components=components,
    )
    if consistency is not None:
        if not table.checkable:
            raise _fail(origin, "has a [consistency] section but no printed percentages")
        known = {table.group_label(c) for c in cells} | {c.group for c in cells}
        unknown = sorted(set(consistency.max_n) - known)
        if unknown:
            raise _fail(origin, f"[consistency] max_n names unknown group(s): {', '.join(unknown)}")
    return table


def load_table(table_id: str) -> PublishedTable:
    """Load one table shipped with the package by its identifier."""
    path = table_file(table_id)
    if not path.is_file():
        raise CaresurveyError(
            f"no published table {table_id!r}; the tables are: {', '.join(table_ids())}"
        )
    table = parse_table(path.read_text(encoding="utf-8"), f"published/tables/{table_id}.toml")
    if table.id != table_id:
        raise CaresurveyError(f"published/tables/{table_id}.toml declares id {table.id!r}")
    return table


def load_tables(directory: Path | None = None) -> list[PublishedTable]:
    """Every table shipped with the package, or every ``*.toml`` in ``directory``."""
    if directory is None:
        return [load_table(table_id) for table_id in table_ids()]
    paths = sorted(Path(directory).glob("*.toml"))
    if not paths:
        raise CaresurveyError(f"{directory}: no published tables (*.toml) in this folder")
    return [parse_table(path.read_text(encoding="utf-8"), str(path)) for path in paths]

