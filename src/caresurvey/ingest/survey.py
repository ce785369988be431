"""What the questionnaire readers share: respondents, items, answers, into the ``responses`` table.

Each reader turns its format into a list of respondents (a raw id and a row number) and, per
variable, each respondent's answer: a label, or the reason there is none. This module
pseudonymises the respondents, places each answer on its item's scale by its label (never by
its numeric code: a codebook whose codes run the other way gives the same answers), attaches
their employment (from the item the manifest maps to ``employment``, by what its scale says each
answer means), and checks every row against the ``responses`` schema.

A study maps the variables it analyses to its items (``items = { Q1 = "item_id" }``); its
other variables are left out and listed in ``reconciliation.json``, so free text never reaches
processed data by accident. A label the item's scale does not have stops the run: its meaning
is not certain. Read without a study (``caresurvey ingest --format``), a file keeps the
variables whose answers are all categorical, placed on the built-in scales by label.
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

__all__ = ["Answer", "Item", "Variable", "NOT_ANSWERED", "EMPLOYMENT_ITEM", "is_categorical", "keeps", "check_mapped",
           "build_responses", "respondent_group", "observed_labels"]

NOT_ANSWERED = "not answered"
EMPLOYMENT_ITEM = "employment"

#: Column names that hold a respondent's id, whatever their case and spacing.
ID_COLUMNS = ("responseid", "respondentid", "respondent", "respid", "id", "caseid", "record")


@dataclass(frozen=True)
class Answer:
    """One respondent's answer to one variable: its label, or the reason there is none."""

    response: str | None
    missing_reason: str | None = None


@dataclass(frozen=True)
class Item:
    """A variable of a questionnaire: its name, question, and every respondent's answer."""

    variable: str
    question: str | None
    answers: Sequence[Answer]


@dataclass(frozen=True)
class Variable:
    """A questionnaire variable as ``caresurvey init`` lists it, to be mapped to an item: its name,
    its question, its answer labels in the file's order (a codebook's or value labels' codes, else
    the built-in scale's), those that mean no answer, and a note where it holds no labels."""

    name: str
    question: str | None
    labels: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    note: str = ""


#: Fewest respondents who must give an answer before ``caresurvey init`` lists it as a label
#: seen in a file: a value one respondent wrote may be theirs alone (a name typed as "other").
LISTED_FROM = 2
#: Most distinct answers a variable can have for ``caresurvey init`` to list them as labels.
MOST_LABELS = 20


def observed_labels(name: str, question: str | None, values: Sequence[str]) -> Variable:
    """A variable whose labels are only in its answers (a Qualtrics choice-text export), in the
    order of the built-in scale they belong to, else most given first.

    Only answers given by :data:`LISTED_FROM` respondents or more are listed, and none of a
    variable with more than :data:`MOST_LABELS` distinct answers (free text): the scaffold must
    not copy what one respondent wrote into a configuration file.
    """
    answered = [v for v in values if v != ""]
    if not answered:
        return Variable(name, question, note="no answers in the file")
    chosen = [piece.strip() for v in answered for piece in dict.fromkeys(v.split(","))]
    several = len(chosen) > len(answered) and len(set(chosen)) <= MOST_LABELS
    if several:  # "Ramen,Curry": a multi-select question, whose labels are the pieces
        answered = chosen
    counts = pd.Series(answered).value_counts(sort=True)
    if len(counts) > MOST_LABELS:
        return Variable(name, question, note="free text or many values: not listed")
    shown = [label for label in counts.index if counts[label] >= LISTED_FROM]
    if shown and all(re.fullmatch(r"-?\d+(\.0+)?", label) for label in shown):
        return Variable(name, question, note="numeric codes without labels: export with choice text")
    scale = codes.builtin_scale_of(shown)
    if scale is not None:  # in the scale's order, its missing labels last
        order = {codes.label_key(label): place for place, label in enumerate((*codes.SCALES[scale].labels,
                                                                              *codes.SCALES[scale].missing))}
        shown.sort(key=lambda label: order[codes.label_key(label)])
    rare = len(counts) - len(shown)
    notes = [f"{rare} answer(s) given by fewer than {LISTED_FROM} respondents not listed"] if rare else []
    if several:
        notes.append("answers join labels with commas: a multi-select question? give its scale multiple = true")
    return Variable(name, question, tuple(shown), note="; ".join(notes))


def _builtin(label: str) -> tuple[str, int] | None:
    """A label's place on one of the built-in scales (whichever first has it)."""
    for scale in codes.SCALES.values():
        placed = scale.place(label)
        if isinstance(placed, tuple):
            return placed
    return None


def is_categorical(values: Sequence[str]) -> bool:
    """Whether every non-empty value is a whole number or a label of a built-in scale."""
    answered = [v for v in values if v != ""]
    return all(re.fullmatch(r"-?\d+(\.0+)?", v) or _builtin(v) is not None for v in answered)


def keeps(source: Source, variable: str, categorical: bool) -> bool:
    """Whether a variable becomes an item: one the study maps to an item; read without a study,
    one whose answers are categorical (never free text)."""
    return variable in source.items if source.items else categorical


def check_mapped(source: Source, variables: Sequence[str]) -> None:
    """Refuse a manifest entry that maps a variable the file does not have (a mistyped name
    would otherwise leave its item silently empty).

    Raises
    ------
    InputError
        Naming the variables and the file's own.
    """
    absent = [variable for variable in source.items if variable not in variables]
    if absent:
        raise InputError(source.display, "unknown-variable",
                         f"its [[inputs]] entry maps {', '.join(map(repr, absent))} to items, but the file has no such "
                         f"variable; its variables are {', '.join(variables)}")


def respondent_group(source: Source) -> str:
    """The manifest's respondent group for a questionnaire file."""
    if not source.group:
        raise InputError(source.display, "no-group",
                         "a questionnaire needs its respondent group (group = \"...\" in its [[inputs]] entry, or --group)")
    return source.group


Placed = tuple[str | None, int | None, str | None]


def _split_choices(text: str, scale: codes.Scale) -> list[str] | None:
    """The labels a multi-select answer ("Ramen,Curry") chose, as the scale writes them; None
    where the text is not a comma-joined list of the scale's labels. A label holding a comma
    ("Yes, always") is matched whole: the text is split only where its pieces make labels."""
    pieces = text.split(",")
    # best[i]: the labels that pieces[:i] make, where they make labels
    best: list[list[str] | None] = [[]] + [None] * len(pieces)
    for end in range(1, len(pieces) + 1):
        for start in range(end):
            if best[start] is None:
                continue
            placed = scale.place(",".join(pieces[start:end]))
            if isinstance(placed, tuple):
                best[end] = [*best[start], placed[0]]
                break
    chosen = best[-1]
    return list(dict.fromkeys(chosen)) if chosen else None


def _placed(source: Source, item: Item, item_id: str, rows: pd.Series, skipped: set) -> list[list[Placed]]:
    """Each respondent's answers, each as ``(label as the scale writes it, position, why there is
    none)``: one, or for a multi-select item one per label chosen. The answers of ``skipped`` rows
    (quarantined already: not respondents) are not placed.

    Read without the study's scales, a variable's answers are placed on the first built-in scale
    that has every one of them (:func:`caresurvey.codes.builtin_scale_of`), never label by label:
    "Agree" is 2 of 5 on the agreement scale and 2 of 7 on Qualtrics' seven-point one, and one
    variable's answers share one scale.

    Raises
    ------
    InputError
        For a label the item's scale does not have, naming the file, variable, row and labels.
    """
    scale = source.scales.get(item_id)
    if scale is None:
        given = [answer.response for index, answer in zip(rows.index, item.answers)
                 if answer.response is not None and index not in skipped]
        builtin = codes.builtin_scale_of(list(dict.fromkeys(given)))
        positions = {} if builtin is None else {
            codes.label_key(label): (label, place) for place, label in enumerate(codes.SCALES[builtin].labels, 1)}
    out = []
    for index, answer in zip(rows.index, item.answers):
        if answer.response is None:
            out.append([(None, None, answer.missing_reason)])
        elif index in skipped:
            out.append([(answer.response, None, None)])
        elif scale is None:
            label, position = positions.get(codes.label_key(answer.response), (answer.response, None))
            out.append([(label, position, None)])
        else:
            placed = scale.place(answer.response)
            if placed is None and scale.multiple:
                chosen = _split_choices(answer.response, scale)
                if chosen is not None:
                    out.append([(label, scale.labels.index(label) + 1, None) for label in chosen])
                    continue
            if placed is None:
                missing = f"; no answer: {', '.join(scale.missing)}" if scale.missing else ""
                several = " (several chosen are separated by commas)" if scale.multiple else ""
                raise InputError(source.display, "unknown-label",
                                 f"{answer.response!r} is not an answer of item {item_id!r}, whose scale is "
                                 f"{', '.join(scale.labels)}{missing}{several}; add the label to the scale (in "
                                 "[scales]) if it means one of these, or correct the file", row=int(rows.loc[index]),
                                 column=item.variable, value=answer.response[:80])
            out.append([(None, None, placed.lower()) if isinstance(placed, str) else (*placed, None)])
    return out


def _meaning(source: Source, label: str | None) -> str | None:
    """What an employment answer means: as the study's scale says, else by the built-in labels."""
    if label is None:
        return None
    scale = source.scales.get(EMPLOYMENT_ITEM, codes.SCALES["employment"])
    return scale.means.get(label) or codes.SCALES["employment"].means.get(label)


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

    Raises
    ------
    InputError
        For an answer whose label its item's scale does not have.
    """
    group = respondent_group(source)
    namespace = respondent_namespace(group, source.path.name)
    pseudonyms = respondent_ids.map(lambda raw: source.pseudonymise(namespace, str(raw)))
    rows = problems.rows.loc[respondent_ids.index]
    employment = text_series([None] * len(respondent_ids), respondent_ids.index)
    mapped = {item.variable: source.items.get(item.variable, item.variable) for item in items}
    skipped = problems.bad_index
    placed = {item.variable: _placed(source, item, mapped[item.variable], rows, skipped) for item in items}
    for item in items:
        if mapped[item.variable] == EMPLOYMENT_ITEM:
            firsts = [answers[0] for answers in placed[item.variable]]  # employment is a single choice
            meanings = [_meaning(source, label) for label, _, _ in firsts]
            for index, (label, _, _), meaning in zip(respondent_ids.index, firsts, meanings):
                if label is not None and meaning is None:
                    problems.add(index, item.variable, label, "employment",
                                 f"{label!r} is not an employment answer the study knows ({', '.join(codes.EMPLOYMENT)}); "
                                 "declare the employment item with what each answer means")
            employment = text_series(meanings, respondent_ids.index)
    records = []
    for item in items:
        for index, answers in zip(respondent_ids.index, placed[item.variable]):
            records += [{
                "_index": index,
                "respondent_id": pseudonyms.loc[index],
                "group": group,
                "employment": employment.loc[index],
                "item": mapped[item.variable],
                "source_item": item.variable,
                "question": item.question,
                "response": label,
                "response_code": position,
                "missing_reason": reason if label is None else None,
                "source": source.display,
            } for label, position, reason in answers]
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
