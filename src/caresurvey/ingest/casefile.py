"""The study's case-file abstraction (xlsx or CSV), one row per sampled child, into ``case_files``.

Columns are found by name, whatever their case and spacing. The case reference and the LA's
child id become keyed pseudonyms (the child's in the same namespace as the SSDA903 tables, so
the two link); notes and comment columns, and any column the study does not define, stay in the
raw file. Legal statuses are read into the study's categories (``s.20``, ``ICO``, ``CO``,
``PO``, ``SGO``, ``Returned home``, ``Adopted``, ``Other``); a value that is none of their
usual spellings is quarantined rather than guessed.
"""

from __future__ import annotations

import pandas as pd

from caresurvey import codes
from caresurvey.ingest.common import Source, check_rows, parse_dates, read_table_file, table_problems, text_series
from caresurvey.ingest.dates import file_convention
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.ingest.tabular import ROW, RawTable, has_columns, match_columns, normalise_header
from caresurvey.local_authorities import known_la
from caresurvey.ingest.values import parse_whole_number
from caresurvey.pseudonym import CASE_NAMESPACE, child_namespace

__all__ = ["read_case_abstraction", "is_case_abstraction", "STATUS_SPELLINGS"]

_COLUMNS = {
    "case": ("Case ref", "Case reference", "Case", "Case ID", "Case number"),
    "la": ("LA", "Local authority"),
    "child": ("Child ID", "CHILD", "Child"),
    "sampled": ("Date sampled", "Sampling date", "Date of sampling"),
    "status_sampled": ("Legal status at sampling", "Status at sampling"),
    "file_analysis": ("Date of file analysis", "File analysis date"),
    "status_file": ("Legal status at file analysis", "Status at file analysis"),
    "interview": ("Date of interview", "Interview date"),
    "status_interview": ("Legal status at interview", "Status at interview"),
    "age_group": ("Age group at sampling", "Age group"),
    "plan": ("Permanence plan", "Plan"),
    "iros": ("Number of IROs", "IROs", "IRO changes"),
}

_REQUIRED = ("case", "status_sampled")

#: Spellings of each study category, compared without case, spaces, dots or hyphens.
STATUS_SPELLINGS = {
    "s.20": ("s.20", "s20", "section 20", "s. 20", "v2", "accommodated"),
    "ICO": ("ico", "interim care order", "c1"),
    "CO": ("co", "care order", "full care order", "c2"),
    "PO": ("po", "placement order", "e1"),
    "SGO": ("sgo", "special guardianship order", "special guardianship"),
    "Returned home": ("returned home", "return home", "home"),
    "Adopted": ("adopted", "adoption order"),
    "Other": ("other",),
}


def _key(text: str) -> str:
    return normalise_header(text).replace(".", "")


_STATUS = {_key(spelling): category for category, spellings in STATUS_SPELLINGS.items() for spelling in spellings}
_AGE = {_key(label): label for _, label in codes.AGE_GROUPS}
_PLANS = {_key(plan): plan for plan in codes.PERMANENCE_PLANS}


def _category(frame: pd.DataFrame, column: str | None, lookup: dict[str, str], problems: RowProblems,
              what: str, required: bool = False) -> pd.Series:
    out = []
    for index, text in (frame[column].items() if column else ((i, "") for i in frame.index)):
        if text == "":
            if required:
                problems.add(index, column or what, text, "required", f"{what} is required")
            out.append(None)
            continue
        value = lookup.get(_key(text))
        if value is None:
            problems.add(index, column, text, "code",
                         f"{text!r} is not a {what} the study defines ({', '.join(sorted(set(lookup.values())))})")
        out.append(value)
    return text_series(out, frame.index)


def is_case_abstraction(table: RawTable) -> bool:
    """Whether a table has a case-file abstraction's required columns (case, status at sampling)."""
    return has_columns(table, _COLUMNS, _REQUIRED)


def read_case_abstraction(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """The case-file abstraction as ``case_files`` rows."""
    table = read_table_file(source)
    cols = match_columns(table, _COLUMNS, _REQUIRED, what="a case-file abstraction")
    raw = table.data
    problems = table_problems(table, withheld=[cols[key] for key in ("case", "child") if key in cols])
    # an English LA as the DfE names it ("norfolk" is Norfolk); a study's own label as written
    la = raw[cols["la"]].map(lambda v: known_la(v) or v) if "la" in cols else pd.Series(source.la or "", index=raw.index)
    for index in raw.index[la == ""]:
        problems.add(index, cols.get("la", "LA"), "", "required", "the case's LA is required (LA column, or la in the manifest)")

    date_columns = [cols[key] for key in ("sampled", "file_analysis", "interview") if key in cols]
    convention = file_convention(table.file, raw, date_columns, raw[ROW], source.date_format)
    ledger.date_convention(table.file, convention)

    def dates(key: str) -> pd.Series:
        return parse_dates(raw, cols[key], cols[key], problems, required=False, convention=convention.value) \
            if key in cols else pd.Series(pd.NaT, index=raw.index)

    iros = []
    for index, text in (raw[cols["iros"]].items() if "iros" in cols else ((i, "") for i in raw.index)):
        try:
            iros.append(parse_whole_number(text) if text else None)
        except ValueError as error:
            problems.add(index, cols["iros"], text, "whole-number", str(error))
            iros.append(None)
    child = raw[cols["child"]] if "child" in cols else pd.Series("", index=raw.index)
    frame = pd.DataFrame({
        "case_id": text_series(raw[cols["case"]].map(lambda v: source.pseudonymise(CASE_NAMESPACE, v) if v else None)),
        "child_id": text_series([source.pseudonymise(child_namespace(a), c) if c and a else None for a, c in zip(la, child)],
                                raw.index),
        "la": text_series(la),
        "sampled": dates("sampled"),
        "status_at_sampling": _category(raw, cols["status_sampled"], _STATUS, problems, "legal status", required=True),
        "file_analysis": dates("file_analysis"),
        "status_at_file_analysis": _category(raw, cols.get("status_file"), _STATUS, problems, "legal status"),
        "interview": dates("interview"),
        "status_at_interview": _category(raw, cols.get("status_interview"), _STATUS, problems, "legal status"),
        "age_group": _category(raw, cols.get("age_group"), _AGE, problems, "DfE age group"),
        "permanence_plan": _category(raw, cols.get("plan"), _PLANS, problems, "permanence plan"),
        "iro_count": pd.array(iros, dtype="Int64"),
    })
    for index in raw.index[raw[cols["case"]] == ""]:
        problems.add(index, cols["case"], "", "required", "the case reference is required")
    kept_columns = set(cols.values())
    ledger.drop_columns(table.file, [c for c in table.columns if c not in kept_columns],
                        "notes, comments or a column the study does not define")
    written = {"case_id": cols["case"], "child_id": cols.get("child", "Child ID"), "la": cols.get("la", "LA")}
    check_rows(frame.drop(index=list(problems.bad_index)), "case_files", problems, written, raw)
    kept = problems.settle(frame, "case_files", ledger, blank_rows=table.blank_rows, extra_read=len(table.ragged))
    return {"case_files": kept.reset_index(drop=True)}
