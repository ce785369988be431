"""What happened to every row read: kept, or quarantined with a reason, and the counts that add up.

A reader records each problem against the row it was found in (the spreadsheet row number, the
column as written in the file, the value, the rule and a message). A row with any problem is
quarantined as a whole, once in the counts however many problems it has; the quarantine file
lists every problem, so a user can fix them all at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from caresurvey.rules import rule
from caresurvey.schemas import QUARANTINE_COLUMNS

__all__ = ["Problem", "Reconciliation", "Ledger", "RowProblems", "PartedProblems", "QUARANTINE_COLUMNS", "WITHHELD"]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one row of one file.

    ``row`` is 1-based as a spreadsheet shows it (the header is row 1); for XML it is the
    1-based position of the record's element (e.g. the 3rd ``CHILD``).
    """

    file: str
    row: int
    column: str
    value: str
    rule: str
    message: str

    def __post_init__(self):
        rule(self.rule)  # every quarantine is under a rule of the one catalogue


@dataclass
class Reconciliation:
    """Rows of one file going into one processed table.

    ``rows_read == rows_kept + rows_quarantined`` always holds; ``blank_rows`` (rows with no
    value at all) are counted apart, as they hold nothing to keep. ``la_rows`` splits the rows
    read and kept by the LA each row names, where the table has an LA column (a case-file
    abstraction of several LAs): ``{la: [read, kept]}``.
    """

    file: str
    table: str
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    blank_rows: int = 0
    la_rows: dict[str, list[int]] = field(default_factory=dict)
    #: Cells left out of rows that were kept (a DfE file's unreadable cell), listed in the quarantine.
    cells_left_out: int = 0

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_kept + self.rows_quarantined:
            raise ValueError(f"{self.file} -> {self.table}: {self.rows_read} read != "
                             f"{self.rows_kept} kept + {self.rows_quarantined} quarantined")


@dataclass
class Ledger:
    """Everything the readers report: problems, row counts, and columns left out on purpose."""

    problems: list[Problem] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: Per file with numeric dates: which way round it writes them (``.dates.Convention`` as a dict).
    date_conventions: dict[str, dict] = field(default_factory=dict)
    #: Per SSDA903 return: its collection year and what said so (``.years.CollectionYear`` as a dict).
    collection_years: dict[str, dict] = field(default_factory=dict)
    #: Per table linked across returns of several years (``.linkage.Linked`` as a dict).
    linkage: list[dict] = field(default_factory=list)

    def date_convention(self, file: str, convention) -> None:
        """Record which way round a file writes numeric dates (a ``.dates.Convention``); for a file
        read as several tables (an XML return), a table that decides outweighs one that does not."""
        known = self.date_conventions.get(file)
        if convention.value is not None and (known is None or (convention.decided and not known["decided"])):
            self.date_conventions[file] = {"convention": convention.value, "decided": convention.decided,
                                           "examples": list(convention.examples)}

    def note(self, file: str, text: str) -> None:
        """Record something a user should know about how a file was read."""
        self.notes.setdefault(file, []).append(text)

    def drop_columns(self, file: str, columns: list[str], why: str) -> None:
        """Record columns that were read but not kept (identifiers, free text), and why."""
        listed = self.dropped_columns.setdefault(file, []) if columns else []
        listed.extend(entry for entry in (f"{c} ({why})" for c in columns) if entry not in listed)

    def extend(self, other: Ledger) -> None:
        """Add another ledger's records (one file's, read apart) to this one."""
        self.problems.extend(other.problems)
        self.reconciliations.extend(other.reconciliations)
        for file, columns in other.dropped_columns.items():
            self.dropped_columns.setdefault(file, []).extend(columns)
        for file, notes in other.notes.items():
            self.notes.setdefault(file, []).extend(notes)
        self.date_conventions.update(other.date_conventions)
        self.collection_years.update(other.collection_years)
        self.linkage.extend(other.linkage)

    def quarantine_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([asdict(p) for p in self.problems], columns=QUARANTINE_COLUMNS)
        return frame.astype({"row": "int64"}) if len(frame) else frame

    def reconciliation_json(self) -> dict:
        entries = [asdict(r) for r in self.reconciliations]
        totals = {
            key: sum(e[key] for e in entries) for key in ("rows_read", "rows_kept", "rows_quarantined", "blank_rows")
        }
        linked = all(entry["rows_from_returns"] - entry["superseded_by_a_later_return"] == entry["rows"]
                     for entry in self.linkage)
        return {
            "files": entries,
            "totals": totals,
            "adds_up": totals["rows_read"] == totals["rows_kept"] + totals["rows_quarantined"] and linked,
            "linkage": self.linkage,
            "columns_not_kept": self.dropped_columns,
            "notes": self.notes,
            "date_conventions": {file: entry["convention"] for file, entry in sorted(self.date_conventions.items())},
            "collection_years": dict(sorted(self.collection_years.items())),
        }


#: What the quarantine shows in place of a value from a column that identifies someone.
WITHHELD = "(withheld: identifier)"
#: Longest value the quarantine repeats; longer ones are cut (a free-text note in the wrong column).
MAX_QUARANTINED_VALUE = 200


class RowProblems:
    """Problems found in the rows of one raw table, keyed by the frame's index.

    Values of the ``withheld`` columns (ids, dates of birth, postcodes, as written in the file)
    are never copied into the quarantine: it sits in ``data/processed/``, where no direct
    identifier may go, and the file, row and column find the value in the raw file. Nor are a
    ragged row's extra values when the table has such columns (a shifted value may be one).
    """

    def __init__(self, file: str, rows: pd.Series, withheld=()):
        self.file = file
        self.rows = rows  # index -> spreadsheet row number
        self.withheld = frozenset(withheld)
        self.found: list[tuple[object, Problem]] = []

    def _withheld(self, column: str) -> bool:
        return column in self.withheld or bool(self.withheld and column.startswith("(after "))

    def _shown(self, column: str, value: object) -> str:
        if value is None or value == "":
            return ""
        if self._withheld(column):
            return WITHHELD
        text = str(value)
        if len(text) > MAX_QUARANTINED_VALUE:
            return f"{text[:MAX_QUARANTINED_VALUE]}... ({len(text):,} characters)"
        return text

    def _told(self, column: str, value: object, message: str) -> str:
        """The message, quoting the value only as the quarantine shows it (messages often quote it)."""
        if value is None or value == "":
            return message
        text = str(value)
        if self._withheld(column):
            return message.replace(repr(text), "the value").replace(text, "the value")
        if len(text) > MAX_QUARANTINED_VALUE:
            shown = self._shown(column, value)
            return message.replace(repr(text), repr(shown)).replace(text, shown)
        return message

    def add(self, index: object, column: str, value: object, rule: str, message: str) -> None:
        self.found.append((index, Problem(self.file, int(self.rows.loc[index]), column, self._shown(column, value), rule,
                                          self._told(column, value, message))))

    def row_problem(self, index: object, column: str, value: object, rule: str, message: str) -> Problem:
        """A problem of a row that does not quarantine it (one cell left out of a kept row): the
        caller lists it in the quarantine itself."""
        return Problem(self.file, int(self.rows.loc[index]), column, self._shown(column, value), rule,
                       self._told(column, value, message))

    def add_row(self, row: int, column: str, value: str, rule: str, message: str) -> None:
        """A problem in a row that never reached the frame (e.g. a ragged row)."""
        self.found.append((None, Problem(self.file, row, column, self._shown(column, value), rule,
                                         self._told(column, value, message))))

    @property
    def bad_index(self) -> set:
        return {index for index, _ in self.found if index is not None}

    def settle(self, frame: pd.DataFrame, table: str, ledger: Ledger, *, blank_rows: int = 0, extra_read: int = 0) -> pd.DataFrame:
        """Drop the problem rows from ``frame``, record them and the counts; return the kept rows.

        ``extra_read`` counts rows read that never reached the frame (ragged rows), which are
        among the problems already.
        """
        bad = self.bad_index
        kept = frame.drop(index=[i for i in frame.index if i in bad]) if bad else frame
        ledger.problems.extend(problem for _, problem in self.found)
        ledger.reconciliations.append(Reconciliation(
            file=self.file, table=table, rows_read=len(frame) + extra_read, rows_kept=len(kept),
            rows_quarantined=len(frame) - len(kept) + extra_read, blank_rows=blank_rows,
            la_rows=_la_rows(frame, kept),
        ))
        return kept


def _la_rows(frame: pd.DataFrame, kept: pd.DataFrame) -> dict[str, list[int]]:
    """Rows read and kept by LA, where the rows name theirs (a row whose LA is missing is
    counted under ""). Rows that never reached the frame (ragged rows) name none."""
    if "la" not in frame.columns:
        return {}
    read = frame["la"].fillna("").astype(str).value_counts()
    held = kept["la"].fillna("").astype(str).value_counts()
    return {str(la): [int(read[la]), int(held.get(la, 0))] for la in sorted(read.index)}


class PartedProblems:
    """The problems of one frame made of several files' rows, each recorded against its own file.

    The frame holds the files' rows one file after another under a fresh ``RangeIndex``;
    ``parts`` are the files' own :class:`RowProblems` (their ``rows`` under the same index), so
    that a check run once over the whole frame reports each problem in its file and row.
    """

    def __init__(self, parts: list[RowProblems], sizes: list[int]):
        self.parts = parts
        self.starts = np.cumsum([0, *sizes])

    def part_of(self, index: int) -> int:
        return int(np.searchsorted(self.starts, index, side="right")) - 1

    def add(self, index: object, column: str, value: object, rule: str, message: str) -> None:
        self.parts[self.part_of(int(index))].add(index, column, value, rule, message)

    @property
    def bad_index(self) -> set:
        return set().union(*(part.bad_index for part in self.parts))

    def slices(self):
        """Yield each part's :class:`RowProblems` and the positions of its rows in the frame."""
        for number, part in enumerate(self.parts):
            yield part, slice(int(self.starts[number]), int(self.starts[number + 1]))
