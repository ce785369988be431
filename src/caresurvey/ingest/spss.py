"""SPSS ``.sav`` questionnaires, with value labels and user-missing codes.

Read with pyreadstat and ``user_missing=True``: by default pyreadstat turns user-missing codes
(-9 "Not answered", -8 "Don't know") into plain NaN, losing why an answer is missing. Here they
are kept as missing answers with their label as the reason. A numeric variable with value
labels is an item; string variables (free text) are left out unless the manifest maps them.
Rows are SPSS case numbers (case 1 is the first respondent).
"""

from __future__ import annotations

import math

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.common import Source
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.ingest.survey import NOT_ANSWERED, Answer, Item, build_responses, find_id_column

__all__ = ["read_spss"]


def _is_user_missing(value: float, ranges: list[dict]) -> bool:
    return any(r["lo"] <= value <= r["hi"] for r in ranges)


def _scale_code(value: float) -> int | None:
    """A value's code on its scale: a whole number a 64-bit column holds (a scale's codes are small)."""
    return int(value) if value.is_integer() and abs(value) < 2**62 else None


def read_spss(source: Source, ledger: Ledger) -> dict[str, pd.DataFrame]:
    """An SPSS questionnaire as ``responses`` rows."""
    import pyreadstat

    try:
        data, meta = pyreadstat.read_sav(str(source.path), user_missing=True)
    except Exception as error:  # pyreadstat raises its own ReadstatError and others for a non-.sav file
        raise InputError(source.display, "unreadable-sav",
                         f"cannot be read as an SPSS .sav file ({type(error).__name__}: {error}); save it from SPSS again") from None
    data.index = range(1, len(data) + 1)  # SPSS case numbers
    problems = RowProblems(source.display, pd.Series(data.index, index=data.index))
    labels = meta.variable_value_labels
    questions = meta.column_names_to_labels
    id_column = find_id_column(list(data.columns))
    ids = data[id_column].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) \
        if id_column else pd.Series([str(i) for i in data.index], index=data.index)
    items, dropped = [], []
    for column in data.columns:
        if column == id_column:
            continue
        mapped = column in source.items
        if column not in labels and not mapped:
            dropped.append(column)  # free text, or a number with no scale (e.g. years in post)
            continue
        value_labels = labels.get(column, {})
        ranges = meta.missing_ranges.get(column, [])
        answers = []
        for case, value in data[column].items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                answers.append(Answer(None, None, NOT_ANSWERED))
            elif isinstance(value, float) and _is_user_missing(value, ranges):
                reason = value_labels.get(value, f"user-missing code {value:g}")
                answers.append(Answer(None, None, reason.lower()))
            elif isinstance(value, float):
                if value_labels and value not in value_labels:
                    problems.add(case, column, f"{value:g}", "value-label",
                                 f"{value:g} has no value label for {column}; its meaning is not certain")
                answers.append(Answer(value_labels.get(value, f"{value:g}"), _scale_code(value)))
            else:
                answers.append(Answer(str(value), None))
        items.append(Item(column, questions.get(column), answers))
    ledger.drop_columns(source.display, dropped, "no value labels: free text or an unscaled number")
    frame = build_responses(source, ledger, problems, ids, items)
    return {"responses": frame}
