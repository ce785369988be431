"""Questionnaires as plain tables (CSV or xlsx) with a codebook.

The codebook is a sheet named "Codebook" in the same workbook, or a CSV named in the manifest
(``codebook = "..."``), with columns ``variable, question, value, label, missing``: one row per
variable and code (``missing`` = yes for codes that mean no answer, such as "don't know"), or
one row with no value for a variable that is not coded (an id or free text). A code is read as
its label: the label, not the code, says what the answer means. A variable with codes is an
item (or, in a study, a variable the manifest maps, whose answers may also be written as labels);
the others are left out (free text never reaches processed data). A code not in the codebook
cannot be read with certainty, so its respondent's row is quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    find_id_column,
    keeps,
)
from caresurvey.ingest.tabular import (
    ROW,
    RawTable,
    has_columns,
    match_columns,
    read_csv_table,
    read_xlsx_table,
    xlsx_sheet_names,
)
from caresurvey.ingest.values import parse_whole_number

__all__ = ["read_survey_table", "describe_survey_table", "is_codebook", "has_codebook_sheet", "Codebook",
           "read_codebook"]

_CODEBOOK_COLUMNS = {
    "variable": ("variable", "name", "var"),
    "question": ("question", "label text", "variable label", "text"),
    "value": ("value", "code"),
    "label": ("label", "value label"),
    "missing": ("missing", "is missing"),
}


@dataclass
class Codebook:
    """Per variable: question text, code -> label, and the codes that mean no answer."""

    questions: dict[str, str]
    labels: dict[str, dict[int, str]]
    missing: dict[str, set[int]]


def _is_xlsx(source: Source) -> bool:
    return source.path.suffix.lower() in (".xlsx", ".xlsm")


_CODEBOOK_REQUIRED = ("variable", "value", "label")


def is_codebook(table: RawTable) -> bool:
    """Whether a table is a codebook (variable, value, label)."""
    return has_columns(table, _CODEBOOK_COLUMNS, _CODEBOOK_REQUIRED)


def has_codebook_sheet(path: Path, display: str) -> bool:
    """Whether a workbook holds its own codebook (a sheet named Codebook)."""
    return any(sheet.strip().casefold() == "codebook" for sheet in xlsx_sheet_names(path, display))


def read_codebook(table: RawTable) -> Codebook:
    cols = match_columns(table, _CODEBOOK_COLUMNS, _CODEBOOK_REQUIRED, what="a codebook")
    questions: dict[str, str] = {}
    labels: dict[str, dict[int, str]] = {}
    missing: dict[str, set[int]] = {}
    for values in table.data.to_dict("records"):
        variable = values[cols["variable"]]
        if not variable:
            raise InputError(table.file, "codebook-variable", "every codebook row needs a variable name",
                             row=int(values[ROW]), column=cols["variable"])
        if "question" in cols and values[cols["question"]]:
            questions.setdefault(variable, values[cols["question"]])
        code_text = values[cols["value"]]
        if code_text == "":
            continue
        try:
            code = parse_whole_number(code_text)
        except ValueError:
            raise InputError(table.file, "codebook-value", "codebook values must be whole-number codes",
                             row=int(values[ROW]), column=cols["value"], value=code_text) from None
        labels.setdefault(variable, {})[code] = values[cols["label"]]
        if "missing" in cols and values[cols["missing"]].strip().casefold() in ("yes", "y", "true", "1"):
            missing.setdefault(variable, set()).add(code)
    return Codebook(questions=questions, labels=labels, missing=missing)


def _coded(text: str, labels: dict[int, str], missing: set[int], index, column: str, problems) -> Answer:
    """A coded answer as its codebook label; a code the codebook lacks is quarantined."""
    try:
        code = parse_whole_number(text)
    except ValueError:
        code = None
    if code is None or code not in labels:
        problems.add(index, column, text, "unlabelled-answer",
                     f"{text!r} is not a code of {column} in the codebook ({', '.join(map(str, labels))})")
        return Answer(None, NOT_ANSWERED)
    return Answer(None, labels[code].lower()) if code in missing else Answer(labels[code])


def describe_survey_table(source: Source) -> list[Variable]:
    """Every variable of a questionnaire table with its question and labels, from its codebook
    (for ``caresurvey init``); never its answers."""
    table, codebook = _table_and_codebook(source)
    id_column = find_id_column(table.columns)
    variables = []
    for column in table.columns:
        question = codebook.questions.get(column)
        if column == id_column:
            variables.append(Variable(column, question, note="the respondent's id"))
        elif column not in codebook.labels:
            variables.append(Variable(column, question, note="not coded in the codebook: an id or free text"))
        else:
            coded = sorted(codebook.labels[column].items())
            missing = codebook.missing.get(column, set())
            variables.append(Variable(column, question, tuple(label for code, label in coded if code not in missing),
                                      tuple(label for code, label in coded if code in missing)))
    return variables


def _table_and_codebook(source: Source) -> tuple[RawTable, Codebook]:
    """The table of responses and its codebook (a Codebook sheet, or the entry's codebook file)."""
    if _is_xlsx(source):
        sheets = xlsx_sheet_names(source.path, source.display)
        codebook_sheet = next((s for s in sheets if s.strip().casefold() == "codebook"), None)
        data_sheet = next((s for s in sheets if s != codebook_sheet), None)
        if data_sheet is None:
            raise InputError(source.display, "no-data-sheet", "has no sheet of responses besides the codebook")
        table = read_xlsx_table(source.path, data_sheet, display=source.display)
        if codebook_sheet is not None:
            codebook = read_codebook(read_xlsx_table(source.path, codebook_sheet, display=source.display))
        elif source.codebook is not None:
            codebook = read_codebook(read_csv_table(source.codebook))
        else:
            raise InputError(source.display, "no-codebook",
                             "a survey table needs a codebook: a sheet named Codebook, or codebook = \"...\" in its entry")
    else:
        table = read_csv_table(source.path, display=source.display)
        if source.codebook is None:
            raise InputError(source.display, "no-codebook",
                             "a survey table in CSV needs its codebook: codebook = \"...\" in its [[inputs]] entry "
                             "(or --codebook), a table of variable, question, value, label, missing")
        if not source.codebook.is_file():
            raise InputError(str(source.codebook), "no-file", "the codebook named for this survey table was not found")
        loader = read_xlsx_table if source.codebook.suffix.lower() == ".xlsx" else read_csv_table
        codebook = read_codebook(loader(source.codebook))
    return table, codebook


def read_survey_table(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """A questionnaire table and its codebook as ``responses`` rows."""
    table, codebook = _table_and_codebook(source)
    raw = table.data
    problems = table_problems(table)
    id_column = find_id_column(table.columns)
    ids = raw[id_column] if id_column else raw[ROW].astype(str)
    check_mapped(source, [c for c in table.columns if c != id_column])
    items, dropped = [], []
    for column in table.columns:
        if column == id_column:
            continue
        if not keeps(source, column, column in codebook.labels):
            dropped.append(column)
            continue
        labels, missing = codebook.labels.get(column), codebook.missing.get(column, set())
        answers = []
        for index, text in raw[column].items():
            if text == "":
                answers.append(Answer(None, NOT_ANSWERED))
            elif labels is None:  # a mapped variable written as labels, not codes
                answers.append(Answer(text))
            else:
                answers.append(_coded(text, labels, missing, index, column, problems))
        items.append(Item(column, codebook.questions.get(column), answers))
    ledger.drop_columns(table.file, dropped, "not mapped to an item" if source.items
                        else "not coded in the codebook: an id or free text")
    frame = build_responses(source, ledger, problems, ids, items, blank_rows=table.blank_rows,
                            extra_read=len(table.ragged))
    return {"responses": frame}
