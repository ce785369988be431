"""SSDA903 returns, as CSV tables or as XML, into ``children``, ``episodes``, ``reviews`` and the rest.

A CSV file is recognised by its columns, not its name (``LA1 episodes 2014.csv`` is fine). The
XML form (``EXPSSDA903``) holds the same records nested by child; both give the same rows.

Minimisation happens here: the child's id becomes a keyed pseudonym (namespaced by LA, since
ids are only unique within one), the date of birth becomes a birth month, and UPNs, postcodes,
Ofsted URNs, the mother's child's date of birth and social-worker ids never leave the reader.
The other return tables (UASC, OC2, OC3, AD1, missing, placed for adoption, previous
permanence, social-worker episodes) become ``ssda903_<table>`` tables, minimised the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from caresurvey import codes
from caresurvey.errors import InputError
from caresurvey.ingest.common import Source, blank_to_none, check_rows, parse_dates, report_ragged, text_series
from caresurvey.ingest.dates import decide, evidence
from caresurvey.ingest.years import CollectionYear, decide_year
from caresurvey.ingest.ledger import Ledger, PartedProblems, RowProblems
from caresurvey.ingest.tabular import ROW, RawTable, match_columns, normalise_header, read_csv_table
from caresurvey.ingest.untrusted import parse_xml
from caresurvey.pseudonym import child_namespace

__all__ = ["read_ssda903_csv", "read_ssda903_csv_files", "read_ssda903_xml", "table_kind", "OTHER_TABLES"]

_HEADER = {"child": ("CHILD", "CHILDID"), "sex": ("SEX",), "dob": ("DOB",), "ethnic": ("ETHNIC",)}
_EPISODES = {
    "child": ("CHILD", "CHILDID"), "decom": ("DECOM",), "rne": ("RNE",), "ls": ("LS",), "cin": ("CIN",),
    "place": ("PLACE", "PL"), "provider": ("PLACE_PROVIDER",), "dec": ("DEC",), "rec": ("REC",),
    "reason_place_change": ("REASON_PLACE_CHANGE",),
}
_REVIEWS = {"child": ("CHILD", "CHILDID"), "review": ("REVIEW",), "code": ("REVIEW_CODE",)}
#: Each table's columns (wanted, required); the other return tables need only the child.
_COLUMNS = {
    "header": (_HEADER, ("child", "sex", "dob", "ethnic")),
    "episodes": (_EPISODES, ("child", "decom", "ls")),
    "reviews": (_REVIEWS, ("child", "review")),
}
_CHILD_ONLY = ({"child": ("CHILD", "CHILDID")}, ("child",))

#: The other return tables: the column that identifies each.
OTHER_TABLES = {
    "uasc": "DUC",
    "oc2": "SDQ_SCORE",
    "oc3": "IN_TOUCH",
    "ad1": "DATE_INT",
    "missing": "MIS_START",
    "placed_for_adoption": "DATE_PLACED",
    "previous_permanence": "PREV_PERM",
    "sw_episodes": "SW_ID",
    # from 2026-27 (the DfE 903 validator's lac2026_27 rules 700 and 701)
    "deprivation_of_liberty": "DOLO_START",
}
#: Columns that identify a person or a place; dropped from every table. DOB becomes birth_month.
IDENTIFYING = {"upn", "homepost", "plpost", "urn", "mcdob", "swid", "mother"}
#: Columns whose values a quarantine row never repeats: the identifying ones, the child's id and
#: date of birth (the row and column find them in the return).
_WITHHELD = IDENTIFYING | {"child", "childid", "dob"}


def table_kind(table: RawTable, unknown_as_table: bool = False) -> str:
    """Which return table ``table`` is (header, episodes, reviews or another), by its columns.

    With ``unknown_as_table`` (a file its manifest entry declares a return table), a table of
    child records whose layout is not known here (one a later collection year adds) is read as
    ``ssda903_<name>``, its name from its file's (``2027_dolo.csv`` is ``dolo``); never a table
    with a field of the header, episodes or reviews, which is one of those missing a column.

    Raises
    ------
    InputError
        Where its columns match none (and, with ``unknown_as_table``, it has no child column).
    """
    keys = {normalise_header(c) for c in table.columns}
    if {"decom", "ls"} <= keys:
        return "episodes"
    if {"review", "reviewcode"} <= keys:
        return "reviews"
    for name, marker in OTHER_TABLES.items():
        if normalise_header(marker) in keys:
            return name
    if {"sex", "dob", "ethnic"} <= keys:
        return "header"
    known = {normalise_header(spelling) for wanted, _ in _COLUMNS.values() for key, spellings in wanted.items()
             if key not in ("child", "dob") for spelling in spellings}
    if unknown_as_table and keys & {"child", "childid"} and not keys & known:
        return _name_of_unknown_table(table.file)
    raise InputError(
        table.file, "not-ssda903",
        f"is not an SSDA903 table: its columns ({', '.join(table.columns)}) match none of header, "
        "episodes, reviews or the other return tables; check the file and its header row",
    )


def _name_of_unknown_table(file: str) -> str:
    """A return table's name from its file's: years, "903" and punctuation gone, lower case."""
    stem = Path(file.rsplit(" [", 1)[0]).stem
    words = [w for w in re.split(r"[^a-z0-9]+", re.sub(r"(?<!\d)20\d\d(?:[-_]?\d\d)?(?!\d)", " ", stem.lower()))
             if w and w not in ("903", "ssda903")]
    return "_".join(words) or "unknown"


def _columns(kind: str, table: RawTable) -> dict[str, str]:
    wanted, required = _COLUMNS.get(kind, _CHILD_ONLY)
    return match_columns(table, wanted, required, what=f"an SSDA903 {kind} table")


def _require_la(source: Source) -> str:
    if not source.la:
        raise InputError(source.display, "no-la",
                         "SSDA903 child ids are unique only within an LA: give the file's LA "
                         "(la = \"...\" in its [[inputs]] entry, or --la on the command line)")
    return source.la


@dataclass
class _Part:
    """One file's table, read, on its way into a processed table with other files of its kind."""

    source: Source
    table: RawTable
    ledger: Ledger


@dataclass
class _Group:
    """Tables of several files with the same header, read as one frame and checked once.

    Checking each file apart costs a fixed few milliseconds per step (pandera above all), which
    at national scale (hundreds of small files) outweighs the rows; so files whose headers are
    written alike are stacked and each step runs once. Problems still go to each row's own file
    and row (:class:`PartedProblems`), and each file's rows are counted and kept apart.
    """

    parts: list[_Part]
    raw: pd.DataFrame
    problems: PartedProblems
    la: pd.Series
    pseudonyms: dict[str, str]  # "la\x1fid" -> pseudonym, shared by a batch's groups

    @classmethod
    def of(cls, parts: list[_Part], pseudonyms: dict[str, str]) -> _Group:
        sizes = [len(part.table.data) for part in parts]
        raw = pd.concat([part.table.data for part in parts], ignore_index=True)
        own = []
        for part, start, size in zip(parts, np.cumsum([0, *sizes[:-1]]), sizes):
            problems = RowProblems(part.table.file, raw[ROW].iloc[start:start + size], withheld=[
                column for column in part.table.columns if normalise_header(column) in _WITHHELD])
            report_ragged(part.table, problems)
            own.append(problems)
        la = text_series(np.repeat(np.array([part.source.la for part in parts], dtype=object), sizes), raw.index)
        return cls(parts, raw, PartedProblems(own, sizes), la, pseudonyms)

    @property
    def table(self) -> RawTable:
        return self.parts[0].table  # the header, written alike in every part

    def conventions(self, columns: Sequence[str]) -> pd.Series:
        """Each row's date convention: its own file's (:mod:`.dates`), decided from the file's dates in
        ``columns`` or its manifest entry's ``date_format``."""
        columns = [c for c in columns if c in self.raw.columns]
        shown = evidence(self.raw, columns)
        out = pd.Series(None, index=self.raw.index, dtype=object)
        for part, (_, rows) in zip(self.parts, self.problems.slices()):
            own = self.raw.iloc[rows]
            convention = decide(part.table.file, shown.iloc[rows].any().to_dict(), part.source.date_format,
                                lambda kind, own=own: _date_examples(own, columns, kind))
            part.ledger.date_convention(part.table.file, convention)
            out.iloc[rows] = convention.value
        return out

    def years(self, dates: pd.Series | None = None) -> list[CollectionYear | None]:
        """Each part's collection year (:mod:`.years`): its entry's, its path's, else that of its
        latest date in ``dates`` (the frame's event dates); recorded in its ledger."""
        out = []
        for part, (_, rows) in zip(self.parts, self.problems.slices()):
            year = decide_year(part.source.year, part.source.path, None if dates is None else dates.iloc[rows])
            if year is not None:
                part.ledger.collection_years[part.table.file] = year.as_dict()
            out.append(year)
        return out

    def check_years(self, frame: pd.DataFrame, fields: Mapping[str, tuple[str, str]],
                    years: Sequence[CollectionYear | None]) -> None:
        """Quarantine rows whose codes are not valid in their return's collection year
        (:data:`caresurvey.codes.CODE_YEARS`); a return of no known year is checked against
        every year's lists (by its schema) only. ``fields``: code list -> (frame column, column
        as written)."""
        for (problems, rows), year in zip(self.problems.slices(), years):
            if year is None:
                continue
            for field, (column, written) in fields.items():
                limited = codes.CODE_YEARS.get(field, {})
                values = frame[column].iloc[rows]
                for index, code in values[values.isin(list(limited))].items():
                    if not codes.valid_in_year(field, code, year.end):
                        problems.add(index, written, code, "code-year",
                                     f"{code!r} is a valid {field.replace('_', ' ')} code "
                                     f"{codes.code_years_phrase(field, code)}, not in {year.label}, the year of this "
                                     f"return ({year.how}); check the return's year (year = ... in its [[inputs]] entry)")

    def settle(self, frame: pd.DataFrame, table: str) -> list[pd.DataFrame]:
        """Each file's kept rows of ``frame``, its problems and counts recorded in its ledger."""
        return [problems.settle(frame.iloc[rows], table, part.ledger, blank_rows=part.table.blank_rows,
                                extra_read=len(part.table.ragged))
                for part, (problems, rows) in zip(self.parts, self.problems.slices())]


def _dobs(table: RawTable) -> list[str]:
    """The table's date-of-birth columns: dates too, so they show the file's convention."""
    return [c for c in table.columns if normalise_header(c) == "dob"]


def _date_examples(rows: pd.DataFrame, columns: Sequence[str], kind: str) -> list[str]:
    """A few dates of one kind of evidence (:data:`.dates.EVIDENCE`), for a message; dates of
    birth are named by row, not shown."""
    shown = evidence(rows, columns)
    found = []
    for index in shown.index[shown[kind]][:3]:
        column = next(c for c in columns if evidence(rows.loc[[index]], [c]).at[index, kind])
        value = "(a date of birth, not shown)" if normalise_header(column) in _WITHHELD else repr(rows.at[index, column])
        found.append(f"{column} row {rows.at[index, ROW]}: {value}")
    return found


def _child_ids(group: _Group, column: str) -> pd.Series:
    values = group.raw[column]
    for index in values.index[values == ""]:
        group.problems.add(index, column, "", "required", f"{column} (the child's id) is required")
    # A child has many episodes and reviews, and a header in the same batch: pseudonymise each
    # distinct id of each LA once.
    pairs, distinct = pd.factorize(group.la.astype(object) + "\x1f" + values.astype(object))
    pseudonymise, known = group.parts[0].source.pseudonymise, group.pseudonyms
    for pair in distinct:
        if pair not in known:
            la, value = pair.split("\x1f", 1)
            known[pair] = pseudonymise(child_namespace(la), value) if value != "" else None
    return text_series(np.array([known[pair] for pair in distinct], dtype=object)[pairs], values.index)


def _codes(group: _Group, column: str | None) -> pd.Series:
    if column is None:
        return text_series([None] * len(group.raw), group.raw.index)
    return blank_to_none(group.raw[column])


def _birth_months(dob: pd.Series) -> pd.Series:
    """Dates of birth as ``YYYY-MM`` (:func:`caresurvey.pseudonym.birth_month`), missing where missing."""
    return text_series(dob.dt.strftime("%Y-%m"), dob.index)


#: An ethnicity code's group, for the codes that have one.
_ETHNIC_GROUPS = {code: codes.ethnic_group(code) for code in codes.ETHNICITY}


def _header(group: _Group) -> list[pd.DataFrame]:
    cols = _columns("header", group.table)
    raw, problems = group.raw, group.problems
    dob = parse_dates(raw, cols["dob"], cols["dob"], problems, required=False,
                      convention=group.conventions([cols["dob"]]))
    ethnic = _codes(group, cols["ethnic"])
    frame = pd.DataFrame({
        "child_id": _child_ids(group, cols["child"]),
        "la": group.la,
        "sex": _codes(group, cols["sex"]),
        "birth_month": _birth_months(dob),
        "ethnicity": ethnic,
        "ethnic_group": text_series(ethnic.map(_ETHNIC_GROUPS), raw.index),
    })
    written = {"child_id": cols["child"], "sex": cols["sex"], "ethnicity": cols["ethnic"], "birth_month": cols["dob"]}
    group.check_years(frame, {"sex": ("sex", cols["sex"])}, group.years())
    _repeated_children(group, frame["child_id"], [cols[key] for key in ("sex", "dob", "ethnic")], cols["child"])
    check_rows(frame.drop(index=list(problems.bad_index)), "children", problems, written, raw)
    return group.settle(frame, "children")


def _repeated_children(group: _Group, child_ids: pd.Series, fields: list[str], written: str) -> None:
    """Quarantine a child listed more than once in one header: the repeats where every copy is
    written alike, every copy where they differ (which date of birth is right cannot be told)."""
    for problems, rows in group.problems.slices():
        ids = child_ids.iloc[rows]
        repeated = ids.notna() & ids.duplicated(keep=False)
        if not repeated.any():
            continue
        raw = group.raw.iloc[rows]
        for indices in ids.index[repeated].groupby(ids[repeated]).values():
            copies = raw.loc[indices]
            numbers = ", ".join(str(n) for n in copies[ROW])
            if len(copies[fields].drop_duplicates()) == 1:
                for index in indices[1:]:
                    problems.add(index, written, raw.at[index, written], "duplicate-child",
                                 f"the child is listed again in the header (rows {numbers}, written alike): the "
                                 "repeat is left out")
            else:
                for index in indices:
                    problems.add(index, written, raw.at[index, written], "duplicate-child",
                                 f"the child is listed {len(indices)} times in the header (rows {numbers}) with a "
                                 "different sex, date of birth or ethnicity: which is right cannot be told; correct "
                                 "the return")


def _episodes(group: _Group) -> list[pd.DataFrame]:
    cols = _columns("episodes", group.table)
    raw, problems = group.raw, group.problems
    convention = group.conventions([cols["decom"], cols.get("dec", "")])
    frame = pd.DataFrame({
        "child_id": _child_ids(group, cols["child"]),
        "la": group.la,
        "start": parse_dates(raw, cols["decom"], cols["decom"], problems, required=True, convention=convention),
        "end": parse_dates(raw, cols["dec"], cols["dec"], problems, required=False, convention=convention)
        if "dec" in cols else pd.Series(pd.NaT, index=raw.index),
        "reason_new_episode": _codes(group, cols.get("rne")),
        "legal_status": _codes(group, cols["ls"]),
        "category_of_need": _codes(group, cols.get("cin")),
        "placement": _codes(group, cols.get("place")),
        "placement_provider": _codes(group, cols.get("provider")),
        "reason_ceased": _codes(group, cols.get("rec")),
        "reason_place_change": _codes(group, cols.get("reason_place_change")),
    })
    written = {"child_id": cols["child"], "start": cols["decom"], "end": cols.get("dec", "DEC"),
               "reason_new_episode": cols.get("rne", "RNE"), "legal_status": cols["ls"],
               "category_of_need": cols.get("cin", "CIN"), "placement": cols.get("place", "PLACE"),
               "placement_provider": cols.get("provider", "PLACE_PROVIDER"), "reason_ceased": cols.get("rec", "REC"),
               "reason_place_change": cols.get("reason_place_change", "REASON_PLACE_CHANGE")}
    years = group.years(pd.concat([frame["start"], frame["end"]], axis=1).max(axis=1))
    group.check_years(frame, {"placement": ("placement", written["placement"]),
                              "reason_ceased": ("reason_ceased", written["reason_ceased"])}, years)
    check_rows(frame.drop(index=list(problems.bad_index)), "episodes", problems, written, raw)
    return group.settle(frame, "episodes")


def _reviews(group: _Group) -> list[pd.DataFrame]:
    cols = _columns("reviews", group.table)
    raw, problems = group.raw, group.problems
    frame = pd.DataFrame({
        "child_id": _child_ids(group, cols["child"]),
        "la": group.la,
        "review_date": parse_dates(raw, cols["review"], cols["review"], problems, required=True,
                                   convention=group.conventions([cols["review"], *_dobs(group.table)])),
        "participation": _codes(group, cols.get("code")),
    })
    written = {"child_id": cols["child"], "review_date": cols["review"], "participation": cols.get("code", "REVIEW_CODE")}
    group.years(frame["review_date"])
    check_rows(frame.drop(index=list(problems.bad_index)), "reviews", problems, written, raw)
    return group.settle(frame, "reviews")


def _other(name: str, group: _Group) -> list[pd.DataFrame]:
    cols = _columns(name, group.table)
    raw, problems = group.raw, group.problems
    group.years()
    frame = pd.DataFrame({"child_id": _child_ids(group, cols["child"]), "la": group.la})
    for column in group.table.columns:
        key = normalise_header(column)
        if column == cols["child"] or key in IDENTIFYING:
            continue
        if key == "dob":
            frame["birth_month"] = _birth_months(parse_dates(raw, column, column, problems, required=False,
                                                             convention=group.conventions([column])))
        else:
            frame[column.strip().lower()] = blank_to_none(raw[column])
    return group.settle(frame, f"ssda903_{name}")


_PROCESSED_TABLE = {"header": "children", "episodes": "episodes", "reviews": "reviews"}


def _not_kept(kind: str, table: RawTable) -> dict[str, list[str]]:
    """The columns of a return table that reach no processed table, by why: identifiers (a UPN, a
    postcode; a date of birth becomes a birth month) and, in the header, episodes and reviews,
    the fields no analysis uses. The other return tables keep every other field."""
    used = set(_columns(kind, table).values()) if kind in _COLUMNS else None
    out: dict[str, list[str]] = {}
    for column in table.columns:
        why = _why_not_kept(column, kind) or (NOT_USED if used is not None and column not in used else None)
        if why is not None:
            out.setdefault(why, []).append(column)
    return out


#: Why a field of a header, episodes or reviews table is not kept, where it is not an identifier.
NOT_USED = "not used by any analysis"


def _why_not_kept(column: str, kind: str) -> str | None:
    """Why an identifying field is not kept (None for one that is not an identifier)."""
    key = normalise_header(column)
    if key == "dob":
        return "identifier" if kind == "reviews" else "identifier, kept as its month"
    return "identifier" if key in IDENTIFYING else None


def _read_parts(parts: list[tuple[str, _Part]]) -> list[dict[str, pd.DataFrame]]:
    """Each part's processed table, its header's group read at once; in the order of ``parts``.

    Parameters
    ----------
    parts : list of (kind, part)
        Tables already read and recognised (:func:`_kind`), of one or many files.
    """
    for kind, part in parts:
        # a file that cannot be read as the table it seems is refused before any row is read
        _require_la(part.source)
        for why, columns in _not_kept(kind, part.table).items():
            part.ledger.drop_columns(part.table.file, columns, why)
    groups: dict[tuple, list[int]] = {}
    pseudonyms: dict[str, str] = {}
    for position, (kind, part) in enumerate(parts):
        groups.setdefault((kind, tuple(part.table.columns)), []).append(position)
    out: list[dict[str, pd.DataFrame]] = [{} for _ in parts]
    for (kind, _), positions in groups.items():
        group = _Group.of([parts[p][1] for p in positions], pseudonyms)
        if kind == "header":
            kept = _header(group)
        elif kind == "episodes":
            kept = _episodes(group)
        elif kind == "reviews":
            kept = _reviews(group)
        else:
            kept = _other(kind, group)
        table = _PROCESSED_TABLE.get(kind, f"ssda903_{kind}")
        for position, frame in zip(positions, kept):
            out[position][table] = frame.reset_index(drop=True)
    return out


def read_ssda903_csv(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """One SSDA903 CSV table (header, episodes, reviews or another return table)."""
    [(tables, own)] = read_ssda903_csv_files([source])
    ledger.extend(own)
    return tables


def read_ssda903_csv_files(sources: Sequence[Source]) -> list[tuple[dict[str, pd.DataFrame], Ledger]]:
    """Many SSDA903 CSV tables at once: each file's tables and ledger, as if read one by one.

    Raises
    ------
    InputError
        For the first file (in the order given) that cannot be read as an SSDA903 table.
    """
    parts = []
    for source in sources:
        table = read_csv_table(source.path, display=source.display)
        parts.append((table_kind(table, unknown_as_table=True), _Part(source, table, Ledger())))
    return list(zip(_read_parts(parts), (part.ledger for _, part in parts)))


# --------------------------------------------------------------------------- XML

#: Record elements nested in a child's HEADER, by the CSV table they are rows of.
_XML_RECORDS = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "OC2": "oc2",
    "OC3": "oc3",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
    "ADOPTION": "ad1",
    "UASC": "uasc",
}
#: The HEADER's own fields that are the header table's.
_XML_HEADER = ("CHILDID", "SEX", "DOB", "ETHNIC")
#: Records the DfE's layout writes as flat fields of HEADER, as the DfE 903 validator reads them:
#: a UASC record where the child is flagged UASC or has a date UASC ceased, an OC3 record where it
#: has care leaver fields, an AD1 record where it has a date of the decision to adopt. Each
#: record takes the child's sex and date of birth as its CSV table does.
_XML_FLAT_RECORDS = {
    "uasc": (("SEX", "DOB", "DUC"), ("UASC", "DUC")),
    "oc3": (("DOB", "IN_TOUCH", "ACTIV", "ACCOM"), ("IN_TOUCH", "ACTIV", "ACCOM")),
    "ad1": (("DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
            ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")),
}
#: HEADER fields of the return that no table keeps (the identifying ones among them).
_KNOWN_HEADER_FIELDS = {"upn", "mother", "mcdob"}
#: The values of HEADER's UASC field that flag a child as UASC.
_UASC_FLAG = {"1", "true", "yes", "y"}


def _leaf_text(element) -> str:
    return (element.text or "").strip()


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return "" if found is None else _leaf_text(found)


def _flat_records(header, child_id: str, position: int) -> dict[str, dict[str, str]]:
    """The records the DfE's layout writes as HEADER's own fields (UASC, OC3, AD1)."""
    fields = {element.tag: _leaf_text(element) for element in header if not len(element)}
    records = {}
    for kind, (columns, markers) in _XML_FLAT_RECORDS.items():
        present = [fields.get(marker, "") for marker in markers]
        if kind == "uasc":
            flagged = present[0].casefold() in _UASC_FLAG or bool(present[1])
        else:
            flagged = any(present)
        if flagged:
            records[kind] = {ROW: position, "CHILD": child_id, **{column: fields.get(column, "") for column in columns}}
    return records


def read_ssda903_xml(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """An SSDA903 XML return (``EXPSSDA903``): the same tables as the CSV form.

    Both layouts are read: records nested in HEADER (``<UASC><DUC>..</DUC></UASC>``) and the
    DfE's, where UASC, OC3 and AD1 are HEADER's own fields (``<UASC>1</UASC><DUC>..</DUC>``).
    Every element is read or listed: a record element of a kind not known here becomes its own
    ``ssda903_<kind>`` table; a field not read is listed in ``reconciliation.json`` with why.
    Each record's "row" in messages is the 1-based position of its ``CHILD`` element.
    """
    root = parse_xml(source.path, source.display, "the return", "export the return again")
    if root.tag != "EXPSSDA903":
        raise InputError(source.display, "not-ssda903",
                         f"is not an SSDA903 XML return: its root element is <{root.tag}>, not <EXPSSDA903>")
    rows: dict[str, list[dict[str, str]]] = {}
    not_kept: dict[str, str] = {}
    flat_fields = {column for columns, markers in _XML_FLAT_RECORDS.values() for column in (*columns, *markers)}
    for position, child in enumerate(root.iter("CHILD"), start=1):
        header = child.find("HEADER")
        if header is None:
            rows.setdefault("header", []).append({ROW: position, "CHILD": ""})
            continue
        child_id = _text(header, "CHILDID")
        rows.setdefault("header", []).append(
            {ROW: position, "CHILD": child_id, **{tag: _text(header, tag) for tag in _XML_HEADER[1:]}})
        for kind, record in _flat_records(header, child_id, position).items():
            rows.setdefault(kind, []).append(record)
        for element in header:
            if not len(element):  # one of HEADER's own fields
                if element.tag not in _XML_HEADER and element.tag not in flat_fields:
                    not_kept[element.tag] = _why_not_kept(element.tag, "header") or (
                        NOT_USED if normalise_header(element.tag) in _KNOWN_HEADER_FIELDS
                        else "not a field of the return caresurvey reads")
                continue
            kind = _XML_RECORDS.get(element.tag, element.tag.lower())
            values = {ROW: position, "CHILD": child_id, **{sub.tag: _leaf_text(sub) for sub in element}}
            if kind == "reviews" or any(v for k, v in values.items() if k not in (ROW, "CHILD")):
                rows.setdefault(kind, []).append(values)
        for element in child:
            if element.tag == "HEADER":
                continue
            kind = "episodes" if element.tag == "EPISODE" else element.tag.lower()
            values = {ROW: position, "CHILD": child_id}
            values.update({("PLACE" if sub.tag == "PL" else sub.tag): _leaf_text(sub) for sub in element})
            rows.setdefault(kind, []).append(values)
    own = Ledger()
    for tag, why in sorted(not_kept.items()):
        own.drop_columns(source.display, [tag], why)
    parts = [(kind, _Part(source, _table_from_records(source.display, records), own)) for kind, records in rows.items()]
    out: dict[str, pd.DataFrame] = {}
    for tables in _read_parts(parts):
        out.update(tables)
    ledger.extend(own)
    return out


def _table_from_records(file: str, records: list[Mapping[str, object]]) -> RawTable:
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k != ROW and k not in columns)
    data = pd.DataFrame([{c: str(r.get(c, "")) for c in columns} for r in records], columns=columns, dtype=object)
    data[ROW] = [int(r[ROW]) for r in records]
    return RawTable(file=file, columns=columns, data=data)

