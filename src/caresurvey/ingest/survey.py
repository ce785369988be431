"""What the questionnaire readers share: respondents, items, answers, into the ``responses`` table.

Each reader turns its format into a list of respondents (a raw id and a row number) and, per
item, each respondent's answer: a label, a scale position where known, or the reason there is
none. This module pseudonymises the respondents, attaches their employment (from the item the
manifest maps to ``employment``), and checks every row against the ``responses`` schema.

Privacy by default: a column is kept as an item only if the manifest maps it, or if all its
answers are categorical (numbers, or labels of a known response scale). Free-text answers,
which may name people, are left out and listed in ``reconciliation.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from caresurvey import codes
from caresurvey.errors import InputError
from caresurvey.ingest.common import ProblemsByOwner, Source, as_text, check_rows, text_series
from caresurvey.ingest.ledger import Ledger, RowProblems
from caresurvey.pseudonym import respondent_namespace

__all__ = ["Answer", "Item", "NOT_ANSWERED", "scale_position", "is_categorical", "build_responses", "respondent_group"]

NOT_ANSWERED = "not answered"
EMPLOYMENT_ITEM = "employment"

#: The response scales a label can be placed on (1 = first option).
SCALES = (codes.FREQUENCY_SCALE, codes.AGREEMENT_SCALE, codes.YES_NO, codes.EMPLOYMENT)

#: Column names that hold a respondent's id, whatever their case and spacing.
ID_COLUMNS = ("responseid", "respondentid", "respondent", "respid", "id", "caseid", "record")


@dataclass(frozen=True)
class Answer:
    """One respondent's answer to one item: a label and code, or a reason for none."""

    response: str | None
    code: int | None = None
    missing_reason: str | None = None


@dataclass(frozen=True)
class Item:
    """An item of a questionnaire: its variable, question, and every respondent's answer."""

    variable: str
    question: str | None
    answers: Sequence[Answer]


def scale_position(label: str) -> int | None:
    """The 1-based position of a label on a known scale (case and spacing do not matter)."""
    key = " ".join(label.split()).casefold()
    for scale in SCALES:
        for position, option in enumerate(scale, start=1):
            if option.casefold() == key:
                return position
    return None


def is_categorical(values: Sequence[str]) -> bool:
    """Whether every non-empty value is a whole number or a label of a known scale."""
    answered = [v for v in values if v != ""]
    return all(re.fullmatch(r"-?\d+(\.0+)?", v) or scale_position(v) is not None for v in answered)


def employment_label(label: str) -> str | None:
    """A label as one of :data:`caresurvey.codes.EMPLOYMENT`, where it is one of them."""
    key = " ".join(label.split()).casefold()
    for option in codes.EMPLOYMENT:
        if option.casefold() == key:
            return option
    return None


def respondent_group(source: Source) -> str:
    """The manifest's respondent group for a questionnaire file; one of the known groups."""
    if source.group is None:
        raise InputError(source.display, "no-group",
                         f"a questionnaire needs its respondent group (group = \"...\" in its [[inputs]] entry, "
                         f"or --group): one of {', '.join(codes.RESPONDENT_GROUPS)}")
    for group in codes.RESPONDENT_GROUPS:
        if group.casefold() == source.group.casefold():
            return group
    raise InputError(source.display, "unknown-group",
                     f"respondent group {source.group!r} is not one of {', '.join(codes.RESPONDENT_GROUPS)}")


def build_responses(
    source: Source,
    ledger: Ledger,
    problems: RowProblems,
    respondent_ids: pd.Series,
    items: Sequence[Item],
    *,
    blank_rows: int = 0,
    extra_read: int = 0,
) -> pd.DataFrame:
    """The ``responses`` rows of one file; every respondent is one row read.

    Parameters
    ----------
    respondent_ids : pandas.Series
        Raw respondent ids, indexed like the problems' rows; pseudonymised here.
    items : sequence of Item
        Answers aligned with ``respondent_ids``.
    """
    group = respondent_group(source)
    namespace = respondent_namespace(group, source.path.name)
    pseudonyms = respondent_ids.map(lambda raw: source.pseudonymise(namespace, str(raw)))
    employment = text_series([None] * len(respondent_ids), respondent_ids.index)
    mapped = {item.variable: source.items.get(item.variable, item.variable) for item in items}
    for item in items:
        if mapped[item.variable] == EMPLOYMENT_ITEM:
            labels = [employment_label(a.response) if a.response else None for a in item.answers]
            for index, answer, label in zip(respondent_ids.index, item.answers, labels):
                if answer.response and label is None:
                    problems.add(index, item.variable, answer.response, "employment",
                                 f"{answer.response!r} is not one of {', '.join(codes.EMPLOYMENT)}")
            employment = text_series(labels, respondent_ids.index)
    records = []
    for item in items:
        for index, answer in zip(respondent_ids.index, item.answers):
            records.append({
                "_index": index,
                "respondent_id": pseudonyms.loc[index],
                "group": group,
                "employment": employment.loc[index],
                "item": mapped[item.variable],
                "source_item": item.variable,
                "question": item.question,
                "response": answer.response,
                "response_code": answer.code,
                "missing_reason": answer.missing_reason if answer.response is None else None,
                "source": source.display,
            })
    columns = ["_index", "respondent_id", "group", "employment", "item", "source_item", "question", "response",
               "response_code", "missing_reason", "source"]
    frame = pd.DataFrame(records, columns=columns)
    frame["response_code"] = frame["response_code"].astype("Int64")
    as_text(frame, ("respondent_id", "group", "employment", "item", "source_item", "question", "response",
                    "missing_reason", "source"))
    checked = frame[~frame["_index"].isin(problems.bad_index)]
    check_rows(checked.drop(columns="_index"), "responses", ProblemsByOwner(problems, frame["_index"]),
               {"employment": "employment item"})
    respondents = pd.DataFrame(index=respondent_ids.index)
    problems.settle(respondents, "responses", ledger, blank_rows=blank_rows, extra_read=extra_read)
    bad = problems.bad_index
    return frame[~frame["_index"].isin(bad)].drop(columns="_index").reset_index(drop=True)


def find_id_column(columns: Sequence[str]) -> str | None:
    """The column holding respondent ids, by its name."""
    from caresurvey.ingest.tabular import normalise_header

    by_key = {normalise_header(c): c for c in columns}
    for key in ID_COLUMNS:
        if key in by_key:
            return by_key[key]
    return None
