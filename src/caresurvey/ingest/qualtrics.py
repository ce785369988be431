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
from caresurvey.ingest.tabular import ROW, RawTable, normalise_header, read_csv_table

__all__ = ["read_qualtrics", "describe_qualtrics", "layout", "METADATA"]

#: Qualtrics metadata columns (current and legacy names), none of which is an answer.
METADATA = {normalise_header(c) for c in (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
    "ResponseId", "ResponseID", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "ExternalDataReference", "LocationLatitude", "LocationLongitude", "LocationAccuracy", "DistributionChannel",
    "UserLanguage", "ResponseSet", "Name", "EmailAddress", "Q_RecaptchaScore", "Q_RelevantIDDuplicate",
)}
# Response types that are not respondents: as choice text, and as the numeric codes of a values export.
_NOT_RESPONDENTS = {"survey preview": "a preview made while building the survey", "1": "a preview made while building the survey",
                    "survey test": "a test response", "2": "a test response",
                    "spam": "flagged as spam", "8": "flagged as spam", "9": "flagged as spam"}


def layout(table: RawTable) -> str:
    """``current`` (three header rows) or ``legacy`` (V1..V10), read from a table read with one
    header row.

    Raises
    ------
    InputError
        Where the table is neither.
    """
    third = table.data.iloc[1] if len(table.data) > 1 else None
    if [normalise_header(c) for c in table.columns[:2]] == ["v1", "v2"]:
        return "legacy"
    if third is not None and all(str(v).startswith('{"ImportId"') or v == "" for v in third[table.columns]):
        return "current"
    raise InputError(table.file, "not-qualtrics",
                     "is not a Qualtrics CSV export: expected either three header rows (the third holding "
                     '{"ImportId": ...}) or the legacy V1..V10 layout; export with "Use legacy format" off or on')


def _answer(text: str) -> Answer:
    """A choice-text answer: its label (a values export's numbers are no labels, and their
    meaning is not known)."""
    return Answer(None, NOT_ANSWERED) if text == "" else Answer(text)


def _import_id(file: str, column: str, raw: str) -> str:
    """The ``ImportId`` of a current export's third header row (``{"ImportId":"QID5_TEXT"}``)."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("ImportId", ""), str):
        raise InputError(file, "qualtrics-header", 'the third header row should hold {"ImportId": ...} for each '
                         "column; export the responses again as CSV", row=3, column=column, value=raw[:80])
    return value.get("ImportId", "")


@dataclass(frozen=True)
class _Export:
    """A Qualtrics export's table, with what its header rows say of each column."""

    table: RawTable
    names: dict[str, str]  # column -> its name (legacy V-columns are named in row 2)
    questions: dict[str, str]
    free_text: set[str]  # text-entry columns, free text whatever their content
    metadata: list[str]


def _export(source: Source) -> _Export:
    probe = read_csv_table(source.path, display=source.display)
    if layout(probe) == "current":
        table = read_csv_table(source.path, header_rows=3, display=source.display)
        texts, import_ids = table.header_rows
        names = {c: c for c in table.columns}
        questions = dict(zip(table.columns, texts))
        # Text-entry parts of questions carry _TEXT in their import id (QID5_TEXT, QID1_3_TEXT,
        # QID2_TEXT_...Topics); they are free text whatever their content.
        free_text = {c for c, raw in zip(table.columns, import_ids)
                     if raw and "_TEXT" in _import_id(table.file, c, raw).upper()}
    else:
        table = read_csv_table(source.path, header_rows=2, display=source.display)
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
            why = _NOT_RESPONDENTS.get(status.strip().casefold())
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
    ledger.drop_columns(table.file, [names[c] for c in metadata], "Qualtrics metadata or personal data")
    ledger.drop_columns(table.file, dropped, "not mapped to an item" if source.items else "free text")
    frame = build_responses(source, ledger, problems, ids, items, blank_rows=table.blank_rows,
                            extra_read=len(table.ragged))
    return {"responses": frame}
