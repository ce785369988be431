"""SPSS ``.sav`` questionnaires, with value labels and user-missing codes.

Read with pyreadstat and ``user_missing=True``: by default pyreadstat turns user-missing codes
(-9 "Not answered", -8 "Don't know") into plain NaN, losing why an answer is missing. Here they
are kept as missing answers with their label as the reason. A numeric variable with value
labels is an item (or, in a study, a variable the manifest maps); the others, string variables
(free text) among them, are left out. Answers are their value labels: the numeric codes mean
nothing by themselves. Rows are SPSS case numbers (case 1 is the first respondent).

pyreadstat parses the file in C (ReadStat), and a damaged or hostile file can crash it outright
(a segmentation fault, found by ``make fuzz``). So the file is parsed in a child process, which
hands back the data as Parquet and the labels as JSON (formats that cannot run code, even from
a child whose memory a hostile file has corrupted); a crash is one typed error, not the end of
the run.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger, RowProblems
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

__all__ = ["read_spss", "describe_spss"]


def _is_user_missing(value: float, ranges: list[dict]) -> bool:
    return any(r["lo"] <= value <= r["hi"] for r in ranges)


_PARSE_IN_CHILD = """
import json, sys
import pyreadstat
try:
    data, meta = pyreadstat.read_sav(sys.argv[1], user_missing=True)
except Exception as error:  # pyreadstat raises its own ReadstatError and others for a non-.sav file
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(3)
data.to_parquet(sys.argv[2])
labels = {column: [[code, label] for code, label in codes.items()] for column, codes in meta.variable_value_labels.items()}
with open(sys.argv[3], "w", encoding="utf-8") as stream:
    json.dump({"labels": labels, "questions": meta.column_names_to_labels, "missing": meta.missing_ranges}, stream)
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
        column_names_to_labels=meta["questions"], missing_ranges=meta["missing"])


def describe_spss(source: Source) -> list[Variable]:
    """Every variable of a ``.sav`` file with its label (the question) and value labels in code
    order, those on user-missing codes apart (for ``caresurvey init``); from the file's
    dictionary, never its answers."""
    data, meta = _parse_sav(source.path, source.display)
    id_column = find_id_column(list(data.columns))
    variables = []
    for column in data.columns:
        question = meta.column_names_to_labels.get(column) or None
        if column == id_column:
            variables.append(Variable(column, question, note="the respondent's id"))
            continue
        value_labels = sorted(meta.variable_value_labels.get(column, {}).items(), key=lambda pair: str(pair[0]))
        if not value_labels:
            variables.append(Variable(column, question, note="no value labels: free text or an unscaled number"))
            continue
        ranges = meta.missing_ranges.get(column, [])
        if all(isinstance(code, float) for code, _ in value_labels):
            value_labels.sort()
        missing = [label for code, label in value_labels if isinstance(code, float) and _is_user_missing(code, ranges)]
        variables.append(Variable(column, question, tuple(label for _, label in value_labels if label not in missing),
                                  tuple(missing)))
    return variables


def read_spss(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """An SPSS questionnaire as ``responses`` rows."""
    data, meta = _parse_sav(source.path, source.display)
    data.index = range(1, len(data) + 1)  # SPSS case numbers
    problems = RowProblems(source.display, pd.Series(data.index, index=data.index))
    labels = meta.variable_value_labels
    questions = meta.column_names_to_labels
    id_column = find_id_column(list(data.columns))
    ids = data[id_column].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) \
        if id_column else pd.Series([str(i) for i in data.index], index=data.index)
    check_mapped(source, [c for c in data.columns if c != id_column])
    items, dropped = [], []
    for column in data.columns:
        if column == id_column:
            continue
        if not keeps(source, column, column in labels):
            dropped.append(column)  # free text, a number with no scale (e.g. years in post), or not the study's
            continue
        value_labels = labels.get(column, {})
        ranges = meta.missing_ranges.get(column, [])
        answers = []
        for case, value in data[column].items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                answers.append(Answer(None, NOT_ANSWERED))
            elif isinstance(value, float) and _is_user_missing(value, ranges):
                reason = value_labels.get(value, f"user-missing code {value:g}")
                answers.append(Answer(None, reason.lower()))
            elif isinstance(value, float):
                if value_labels and value not in value_labels:
                    problems.add(case, column, f"{value:g}", "value-label",
                                 f"{value:g} has no value label for {column}; its meaning is not certain")
                answers.append(Answer(value_labels.get(value, f"{value:g}")))
            else:
                answers.append(Answer(str(value)))
        items.append(Item(column, questions.get(column), answers))
    ledger.drop_columns(source.display, dropped, "not mapped to an item" if source.items
                        else "no value labels: free text or an unscaled number")
    frame = build_responses(source, ledger, problems, ids, items)
    return {"responses": frame}
