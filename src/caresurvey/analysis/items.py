"""Every questionnaire item a study declares, analysed as a survey researcher would: its answers by
respondent group with Wilson intervals, an exact test of whether the groups answer alike, and,
for an ordered scale, an ordinal model of the groups' answers.

These run for any study's items and groups; the published study's own tables (contact,
challenge, independence) are in :mod:`caresurvey.analysis.questionnaires`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from caresurvey.analysis.stats import NOT_COMPUTED, holm, ordinal_logit, table_test, with_wilson
from caresurvey.codes import Scale

__all__ = ["item_answers", "item_tests", "item_models", "ALL_GROUPS", "MODEL_MIN_ANSWERS"]

#: The row of every group together, where an item was asked of more than one.
ALL_GROUPS = "All groups"

#: Answers a group needs for the ordinal model to include it (a model of a handful says little).
MODEL_MIN_ANSWERS = 10


def item_answers(responses: pd.DataFrame, scales: Mapping[str, Scale]) -> pd.DataFrame:
    """Each item's answers by respondent group, every label of its scale in order.

    Parameters
    ----------
    responses : pandas.DataFrame
        The ``responses`` table: ``item``, ``group`` and ``response`` (the answer's label on
        the item's scale; missing where there is none).
    scales : mapping of str to Scale
        The study's items and their scales, in the order to list them.

    Returns
    -------
    pandas.DataFrame
        ``item, group, answer, n, denominator, percent, ci_low, ci_high``: respondents of the
        group who gave the answer, of those who answered the item (Wilson 95%). Groups in the
        order they answer; ``All groups`` adds them where more than one answered. A multi-select
        item's answers add up to more than its respondents.
    """
    rows = []
    answered = responses[responses["response"].notna()]
    for item, scale in scales.items():
        own = answered[answered["item"] == item]
        groups = list(dict.fromkeys(own["group"]))
        for group in [*groups, *([ALL_GROUPS] if len(groups) > 1 else [])]:
            part = own if group == ALL_GROUPS else own[own["group"] == group]
            counts = part["response"].value_counts()
            respondents = part["respondent_id"].nunique()  # not rows: a multi-select answer is a row per label
            rows += [{"item": item, "group": group, "answer": label, "count": int(counts.get(label, 0)),
                      "n": respondents} for label in scale.labels]
    return with_wilson(pd.DataFrame(rows, columns=["item", "group", "answer", "count", "n"]))


def item_tests(answers: pd.DataFrame, scales: Mapping[str, Scale], seed: int) -> pd.DataFrame:
    """Do the groups answer each item alike? One exact test per item asked of two groups or more.

    Parameters
    ----------
    answers : pandas.DataFrame
        The table of :func:`item_answers` (after disclosure control: a withheld count is missing).
    scales : mapping of str to Scale
        The study's items and their scales: a multi-select item is not tested (a respondent may
        be in several of its cells, which a test of a contingency table does not allow).
    seed : int
        The table's random stream; each item's test draws from its own, ``stream_seed(seed, item)``.

    Returns
    -------
    pandas.DataFrame
        ``item, groups, n, test, p_value, p_holm, seed, cramers_v, chi2_valid, min_expected``:
        the groups-by-answers table tested by Fisher's exact test (Freeman-Halton, seeded Monte
        Carlo beyond 2 x 2), Cramer's V, Holm's adjustment over the items. An item whose table
        has a withheld count is not tested (``test`` says so).
    """
    rows = []
    for item, part in answers[answers["group"] != ALL_GROUPS].groupby("item", sort=False):
        if scales[item].multiple:
            continue
        cells = part.pivot(index="group", columns="answer", values="n").reindex(
            index=list(dict.fromkeys(part["group"])), columns=list(dict.fromkeys(part["answer"])))
        cells = cells.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        if len(cells) < 2:
            continue
        total = np.nan if np.isnan(cells).any() else int(cells.sum())
        rows.append({"item": item, "groups": len(cells), "n": total, **table_test(cells, seed, item)})
    out = pd.DataFrame(rows, columns=["item", "groups", "n", "test", "p_value", "seed", "cramers_v", "chi2_valid",
                                      "min_expected"])
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", holm(out["p_value"]) if len(out) else [])
    return out


def item_models(answers: pd.DataFrame, scales: Mapping[str, Scale]) -> pd.DataFrame:
    """Proportional-odds models of each ordered item's answers on respondent group, fitted to
    the table of answers as released.

    An item is modelled where at least two groups gave :data:`MODEL_MIN_ANSWERS` answers or
    more; groups with fewer are left out of its model. The group with most answers is the
    reference (ties: in name order). A model that needs a withheld count is not fitted: its
    one row's ``term`` says so.

    Parameters
    ----------
    answers : pandas.DataFrame
        The table of :func:`item_answers` (after disclosure control: a withheld count is missing);
        each answer's position on its scale is its place among the scale's labels.
    scales : mapping of str to Scale
        The study's items and their scales; only ordered scales are modelled.

    Returns
    -------
    pandas.DataFrame
        ``item, term, reference, coefficient, odds_ratio, ci_low, ci_high, p_value, n, converged``,
        one row per group against the reference: an odds ratio above 1 means the group's answers
        lie further along the scale (towards its last label).
    """
    columns = ["item", "term", "reference", "coefficient", "odds_ratio", "ci_low", "ci_high", "p_value", "n",
               "converged"]
    pieces = []
    for item, scale in scales.items():
        part = answers[(answers["item"] == item) & (answers["group"] != ALL_GROUPS)]
        if not scale.ordered or part.empty:
            continue
        counts = pd.to_numeric(part["n"], errors="coerce")
        sizes = pd.to_numeric(part["denominator"], errors="coerce").groupby(part["group"], sort=False).first()
        enough = sorted(sizes[sizes >= MODEL_MIN_ANSWERS].index, key=lambda g: (-sizes[g], g))
        if len(enough) < 2:
            continue
        modelled = part["group"].isin(enough)
        if counts[modelled].isna().any():
            pieces.append(pd.DataFrame([{"item": item, "term": NOT_COMPUTED}], columns=columns))
            continue
        given = part[modelled & (counts > 0)]
        if given["answer"].nunique() < 2:
            continue
        times = counts[given.index].astype(int).to_numpy()
        position = {label: place for place, label in enumerate(scale.labels, start=1)}
        codes = pd.Series(np.repeat(given["answer"].map(position).to_numpy(), times))
        groups = pd.Series(np.repeat(given["group"].to_numpy(), times))
        pieces.append(ordinal_logit(codes, groups, reference=enough[0]).assign(item=item, reference=enough[0]))
    if not pieces:
        return pd.DataFrame(columns=columns)
    return pd.concat(pieces, ignore_index=True)[columns]
