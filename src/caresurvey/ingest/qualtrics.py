"""Qualtrics CSV exports, in the current layout (three header rows) and the legacy one (V1..V10).

Current layout: row 1 export tags, row 2 question text, row 3 ``{"ImportId": ...}``. Legacy
(before 2017): row 1 ``V1``..``V10`` and question ids, row 2 the metadata names and question text.

Left out: every metadata column (dates, status, IP address, progress, duration, recipient
names and e-mail, external reference, location, channel, language) and every free-text answer
(Qualtrics marks them ``_TEXT``; other columns are kept only if categorical or mapped). Test
responses (Status "Survey Preview", "Survey Test" or spam) are quarantined, not analysed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source, table_problems
from caresurvey.ingest.ledger import Ledger
from caresurvey.ingest.survey import (
    NOT_ANSWERED,
    Answer,
    Item,
    Variable,
    build_responses,
    check_mapped,
    is_categorical,
    keeps,
    observed_labels,
)
from caresurvey.ingest.tabular import ROW, RawTable, apart_by_position, normalise_header, read_csv_table

__all__ = ["read_qualtrics", "describe_qualtrics", "layout", "METADATA", "not_a_respondent"]

#: Qualtrics metadata columns (current and legacy names), none of which is an answer.
METADATA = {normalise_header(c) for c in (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
    "ResponseId", "ResponseID", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "ExternalDataReference", "LocationLatitude", "LocationLongitude", "LocationAccuracy", "DistributionChannel",
    "UserLanguage", "ResponseSet", "Name", "EmailAddress", "Q_RecaptchaScore", "Q_RelevantIDDuplicate",
    "Duration__in_seconds_",  # as a Qualtrics-to-SPSS export names it
)}
#: Metadata that identify a respondent or say where they were.
_PERSONAL = {normalise_header(c) for c in (
    "IPAddress", "ResponseId", "ResponseID", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "ExternalDataReference", "LocationLatitude", "LocationLongitude", "LocationAccuracy", "Name",
    "EmailAddress",
)}
_PREVIEW, _TEST, _SPAM = "a preview made while building the survey", "a test response", "flagged as spam"
# Response types that are not respondents, as choice text and as the codes of a values export or an
# SPSS export (Qualtrics' response types: 0 IP address, 1 survey preview, 2 survey test, 4 imported,
# 8 spam, 9 survey preview spam, 12 imported spam, 16 offline, 17 offline survey preview).
_NOT_RESPONDENTS = {"survey preview": _PREVIEW, "1": _PREVIEW, "offline survey preview": _PREVIEW, "17": _PREVIEW,
                    "survey test": _TEST, "2": _TEST,
                    "spam": _SPAM, "8": _SPAM, "survey preview spam": _SPAM, "9": _SPAM,
                    "imported spam": _SPAM, "12": _SPAM}


def not_a_respondent(status: str) -> str | None:
    """Why a response of this Qualtrics response type (``Status``, as text or code) is no
    respondent's, or None for a real response."""
    key = status.strip().casefold()
    return _NOT_RESPONDENTS.get(key[:-2] if key.endswith(".0") else key)


def _import_id_text(raw: str) -> str | None:
    """The ImportId a third header row's cell names: ``{"ImportId":"QID5_TEXT"}`` (2017 on) or
    ``{'ImportId': 'QID5-TEXT'}`` (the 2016-17 "Insights" exports); None for anything else."""
    try:
        value = json.loads(raw)
    except ValueError:
        found = _PYTHON_IMPORT_ID.match(raw[:_LONGEST_IMPORT_ID])
        return found.group(1) if found else None
    if isinstance(value, dict) and isinstance(value.get("ImportId", ""), str):
        return value.get("ImportId", "")
    return None


# {'ImportId': 'QID1'} as the 2016-17 exports write it (a Python dict, not JSON)
_PYTHON_IMPORT_ID = re.compile(r"^\{\s*'ImportId'\s*:\s*'([^']*)'")
_LONGEST_IMPORT_ID = 500


def layout(table: RawTable) -> str:
    """``current`` (three header rows, the third of import ids: from 2016-17 on) or ``legacy``
    (V1..V10), read from a table read with one header row.

    Raises
    ------
    InputError
        Where the table is neither.
    """
    third = table.data.iloc[1] if len(table.data) > 1 else None
    if [normalise_header(c) for c in table.columns[:2]] == ["v1", "v2"]:
        return "legacy"
    if third is not None and all(v == "" or _import_id_text(str(v)) is not None for v in third[table.columns]):
        return "current"
    raise InputError(table.file, "not-qualtrics",
                     "is not a Qualtrics CSV export: expected three header rows (the third holding each column's "
                     'import id, {"ImportId": ...}) or the legacy V1..V10 layout')


def _apart_by_import_id(header: list[str], headers: list[list[str]]) -> list[str]:
    """A repeated export tag made unique by its column's import id: ``Q6#2_1 [QID6-2-1]`` (the
    position, where a cell holds none)."""
    import_ids = headers[1] if len(headers) > 1 else []
    names = []
    for number, name in enumerate(header, start=1):
        if header.count(name) == 1:
            names.append(name)
            continue
        found = _import_id_text(import_ids[number - 1]) if number <= len(import_ids) else None
        names.append(f"{name} [{found}]" if found else f"{name} [column {number}]")
    return names


def _answer(text: str) -> Answer:
    """A choice-text answer: its label (a values export's numbers are no labels, and their
    meaning is not known)."""
    return Answer(None, NOT_ANSWERED) if text == "" else Answer(text)


def _import_id(file: str, column: str, raw: str) -> str:
    """The ``ImportId`` of a current export's third header row (``{"ImportId":"QID5_TEXT"}``)."""
    value = _import_id_text(raw)
    if value is None:
        raise InputError(file, "qualtrics-header", 'the third header row should hold {"ImportId": ...} for each '
                         "column; export the responses again as CSV", row=3, column=column, value=raw[:80])
    return value


@dataclass(frozen=True)
class _Export:
    """A Qualtrics export's table, with what its header rows say of each column."""

    table: RawTable
    names: dict[str, str]  # column -> its name (legacy V-columns are named in row 2)
    questions: dict[str, str]
    free_text: set[str]  # text-entry columns, free text whatever their content
    metadata: list[str]


def _export(source: Source) -> _Export:
    probe = read_csv_table(source.path, display=source.display, repeated=apart_by_position)
    if layout(probe) == "current":
        table = read_csv_table(source.path, header_rows=3, display=source.display, repeated=_apart_by_import_id)
        texts, import_ids = table.header_rows
        names = {c: c for c in table.columns}
        questions = dict(zip(table.columns, texts))
        # Text-entry parts of questions carry TEXT in their import id (QID5_TEXT, QID1_3_TEXT,
        # QID2_TEXT_...Topics; QID1-TEXT in 2016-17); they are free text whatever their content.
        free_text = {c for c, raw in zip(table.columns, import_ids)
                     if raw and re.search(r"[-_]TEXT", _import_id(table.file, c, raw).upper())}
    else:
        # a repeated export tag (one tag given to two questions) is told apart by its position
        table = read_csv_table(source.path, header_rows=2, display=source.display, repeated=apart_by_position)
        (second,) = table.header_rows
        # Legacy V-columns are named in row 2; question columns keep their id, with text in row 2.
        names = {c: (second[i] if normalise_header(c).startswith("v") and c[1:].isdigit() else c)
                 for i, c in enumerate(table.columns)}
        questions = {c: second[i] for i, c in enumerate(table.columns)}
        free_text = set()
    metadata = [c for c in table.columns if normalise_header(names[c]) in METADATA]
    return _Export(table, names, questions, free_text, metadata)


def describe_qualtrics(source: Source) -> list[Variable]:
    """Every question column of an export, with its question and the answers given (for
    ``caresurvey init``); text-entry columns are listed without their answers."""
    export = _export(source)
    return [Variable(c, export.questions.get(c) or None, note="text entry: free text") if c in export.free_text
            else observed_labels(c, export.questions.get(c) or None, list(export.table.data[c]))
            for c in export.table.columns if c not in export.metadata]


def read_qualtrics(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """A Qualtrics export as ``responses`` rows."""
    export = _export(source)
    table, names, questions, free_text, metadata = (export.table, export.names, export.questions, export.free_text,
                                                    export.metadata)
    by_name = {normalise_header(names[c]): c for c in table.columns}
    raw = table.data
    problems = table_problems(table, withheld=[c for c in metadata if normalise_header(names[c]) != "status"])
    status_column = by_name.get("status")
    if status_column is not None:
        for index, status in raw[status_column].items():
            why = not_a_respondent(status)
            if why is not None:
                problems.add(index, status_column, status, "not-a-respondent", f"response type {status!r}: {why}")
    id_column = by_name.get("responseid")
    ids = raw[id_column] if id_column is not None else raw[ROW].astype(str)
    candidates = [c for c in table.columns if c not in metadata]
    check_mapped(source, candidates)
    items, dropped = [], []
    respondents = raw.drop(index=list(problems.bad_index))
    for column in candidates:
        if not keeps(source, column, column not in free_text and is_categorical(list(respondents[column]))):
            dropped.append(column)
            continue
        answers = [_answer(v) for v in raw[column]]
        items.append(Item(column, questions.get(column) or None, answers))
    personal = [c for c in metadata if normalise_header(names[c]) in _PERSONAL]
    ledger.drop_columns(table.file, [names[c] for c in personal], "identifier or personal data")
    ledger.drop_columns(table.file, [names[c] for c in metadata if c not in personal], "Qualtrics metadata")
    ledger.drop_columns(table.file, [c for c in dropped if c in free_text], "text entry: free text")
    ledger.drop_columns(table.file, [c for c in dropped if c not in free_text],
                        "not mapped to an item" if source.items else "not categorical: free text or numbers")
    frame = build_responses(source, ledger, problems, ids, items, blank_rows=table.blank_rows,
                            extra_read=len(table.ragged))
    return {"responses": frame}
