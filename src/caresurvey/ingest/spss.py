"""SPSS ``.sav`` questionnaires, with value labels and user-missing codes.

Read with pyreadstat and ``user_missing=True``: by default pyreadstat turns user-missing codes
(-9 "Not answered", -8 "Don't know") into plain NaN, losing why an answer is missing. Here they
are kept as missing answers with their label as the reason, for numeric and string variables
alike. A variable with value labels on answers (not only on its missing codes: an age whose only
label is -9 "refused" is a number) is an item (or, in a study, a variable the manifest maps); the
others, free text and numbers, are left out and listed. Answers are their value labels, numeric
or string ("M" is "Male" where labelled so): the codes mean nothing by themselves. Rows are SPSS
case numbers (case 1 is the first respondent).

Dates and times are never answers: they are left out unconverted, so a date SPSS cannot turn into
a calendar date (one out of range) costs nothing. A Qualtrics-to-SPSS export's metadata
(``Status``, ``Finished``, ...) are not items, and its preview, test and spam responses are
quarantined as in a CSV export.

pyreadstat parses the file in C (ReadStat), and a damaged or hostile file can crash it outright
(a segmentation fault, found by ``make fuzz``). So the file is parsed in a child process, which
hands back the data as Parquet and the labels as JSON (formats that cannot run code, even from
a child whose memory a hostile file has corrupted); a crash is one typed error, not the end of
the run.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.ingest.qualtrics import METADATA, not_a_respondent
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
from caresurvey.ingest.tabular import normalise_header

__all__ = ["read_spss", "describe_spss"]


def _is_user_missing(value: float | str, ranges: list[dict]) -> bool:
    """Whether a value is one of its variable's user-missing codes (numeric ranges, or up to three
    string values, which pyreadstat gives as ranges of one)."""
    return any(type(r["lo"]) is type(value) and r["lo"] <= value <= r["hi"] for r in ranges)


#: SPSS formats of dates and times (ADATE10, DATETIME20, QYR8, ...): never answers.
_DATE_FORMATS = re.compile(r"^(DATE|ADATE|EDATE|JDATE|SDATE|QYR|MOYR|WKYR|DATETIME|YMDHMS|TIME|DTIME|MTIME|WKDAY|MONTH)",
                           re.IGNORECASE)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _code_text(value: float | str) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_PARSE_IN_CHILD = """
import json, sys
import pyreadstat
try:
    # dates stay numbers: one out of range would otherwise stop the whole file (OverflowError)
    data, meta = pyreadstat.read_sav(sys.argv[1], user_missing=True, disable_datetime_conversion=True)
except Exception as error:  # pyreadstat raises its own ReadstatError and others for a non-.sav file
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(3)
data.to_parquet(sys.argv[2])
labels = {column: [[code, label] for code, label in codes.items()] for column, codes in meta.variable_value_labels.items()}
with open(sys.argv[3], "w", encoding="utf-8") as stream:
    json.dump({"labels": labels, "questions": meta.column_names_to_labels, "missing": meta.missing_ranges,
               "formats": meta.original_variable_types}, stream)
"""


def _parse_sav(path: Path, file: str):
    """pyreadstat's ``(data, meta)`` for ``path``, parsed in a child process (see the module's notes)."""
    unreadable = "cannot be read as an SPSS .sav file ({}); save it from SPSS again"
    with tempfile.TemporaryDirectory() as folder:
        data_path, meta_path = Path(folder) / "data.parquet", Path(folder) / "meta.json"
        result = subprocess.run([sys.executable, "-c", _PARSE_IN_CHILD, str(path), str(data_path), str(meta_path)],
                                capture_output=True, text=True, timeout=600)
        if result.returncode == 3:
            raise InputError(file, "unreadable-sav", unreadable.format(result.stderr.strip()[-300:]))
        if result.returncode != 0:
            why = f"the SPSS parser stopped with signal {-result.returncode}" if result.returncode < 0 \
                else f"the SPSS parser failed: {result.stderr.strip()[-300:]}"
            raise InputError(file, "unreadable-sav", unreadable.format(why))
        data = pd.read_parquet(data_path)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return data, SimpleNamespace(
        variable_value_labels={column: dict(pairs) for column, pairs in meta["labels"].items()},
        column_names_to_labels=meta["questions"], missing_ranges=meta["missing"], formats=meta["formats"])


def _answer_labels(meta, column: str) -> dict:
    """A variable's value labels on answers: those on its user-missing codes say why there is none."""
    ranges = meta.missing_ranges.get(column, [])
    return {code: label for code, label in meta.variable_value_labels.get(column, {}).items()
            if not _is_user_missing(code, ranges)}


def _is_date(meta, column: str) -> bool:
    return bool(_DATE_FORMATS.match(meta.formats.get(column) or ""))


def _metadata(columns) -> list[str]:
    """A Qualtrics-to-SPSS export's metadata columns (``Status``, ``Finished``, ``StartDate``...);
    none in a file Qualtrics did not write (one without ``ResponseId``), whose ``Status`` may be
    a question."""
    keys = [normalise_header(c) for c in columns]
    return [c for c, key in zip(columns, keys) if key in METADATA] if "responseid" in keys else []


def describe_spss(source: Source) -> list[Variable]:
    """Every variable of a ``.sav`` file with its label (the question) and value labels in code
    order, those on user-missing codes apart (for ``caresurvey init``); from the file's
    dictionary, never its answers."""
    data, meta = _parse_sav(source.path, source.display)
    id_column = find_id_column(list(data.columns))
    metadata = _metadata(data.columns)
    variables = []
    for column in data.columns:
        question = meta.column_names_to_labels.get(column) or None
        if column == id_column:
            variables.append(Variable(column, question, note="the respondent's id"))
            continue
        if column in metadata:
            variables.append(Variable(column, question, note="Qualtrics metadata"))
            continue
        if _is_date(meta, column):
            variables.append(Variable(column, question, note="a date or time"))
            continue
        value_labels = sorted(meta.variable_value_labels.get(column, {}).items(), key=lambda pair: str(pair[0]))
        if not _answer_labels(meta, column):
            variables.append(Variable(column, question, note="no value labels on answers: free text or a number"))
            continue
        ranges = meta.missing_ranges.get(column, [])
        if all(isinstance(code, float) for code, _ in value_labels):
            value_labels.sort()
        missing = [label for code, label in value_labels if _is_user_missing(code, ranges)]
        variables.append(Variable(column, question, tuple(label for _, label in value_labels if label not in missing),
                                  tuple(missing)))
    return variables


def read_spss(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """An SPSS questionnaire as ``responses`` rows."""
    data, meta = _parse_sav(source.path, source.display)
    data.index = range(1, len(data) + 1)  # SPSS case numbers
    problems = RowProblems(source.display, pd.Series(data.index, index=data.index))
    questions = meta.column_names_to_labels
    id_column = find_id_column(list(data.columns))
    ids = data[id_column].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) \
        if id_column else pd.Series([str(i) for i in data.index], index=data.index)
    metadata = [c for c in _metadata(data.columns) if c != id_column]
    status = next((c for c in metadata if normalise_header(c) == "status"), None)
    if status is not None:
        labels = meta.variable_value_labels.get(status, {})
        for case, value in data[status].items():
            if _is_blank(value):
                continue
            # by its label where the export labels it, else by Qualtrics' code
            shown = labels.get(value, _code_text(value))
            why = not_a_respondent(str(shown)) if labels else not_a_respondent(_code_text(value))
            if why is not None:
                problems.add(case, status, str(shown), "not-a-respondent", f"response type {shown!r}: {why}")
    candidates = [c for c in data.columns if c != id_column and c not in metadata]
    check_mapped(source, candidates)
    dates = [c for c in candidates if _is_date(meta, c)]
    mapped_dates = [c for c in dates if c in source.items]
    if mapped_dates:
        raise InputError(source.display, "date-as-item", f"its [[inputs]] entry maps {', '.join(mapped_dates)} to "
                         "items, but they hold dates or times, not answers; map the questions instead")
    items, dropped = [], []
    for column in candidates:
        value_labels = meta.variable_value_labels.get(column, {})
        if column in dates or not keeps(source, column, bool(_answer_labels(meta, column))):
            dropped.append(column)  # free text, a number with no scale (e.g. years in post), or not the study's
            continue
        ranges = meta.missing_ranges.get(column, [])
        answers = []
        for case, value in data[column].items():
            if _is_blank(value):
                answers.append(Answer(None, NOT_ANSWERED))
            elif _is_user_missing(value, ranges):
                reason = value_labels[value].lower() if value in value_labels \
                    else f"user-missing code {_code_text(value)}"
                answers.append(Answer(None, reason))
            else:
                if value_labels and value not in value_labels:
                    problems.add(case, column, _code_text(value), "unlabelled-answer",
                                 f"{_code_text(value)} has no value label for {column}; its meaning is not certain")
                answers.append(Answer(value_labels.get(value, _code_text(value))))
        items.append(Item(column, questions.get(column), answers))
    ledger.drop_columns(source.display, metadata, "Qualtrics metadata")
    ledger.drop_columns(source.display, dates, "a date or time, not an answer")
    ledger.drop_columns(source.display, [c for c in dropped if c not in dates],
                        "not mapped to an item" if source.items else "no value labels on answers: free text or a number")
    frame = build_responses(source, ledger, problems, ids, items)
    return {"responses": frame}
