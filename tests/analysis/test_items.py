"""Any study's items by group: answers with Wilson intervals, the exact test, the ordinal model.

The answers are a small study's, written by hand: IROs and social workers asked how often the IRO
is involved in care planning (the frequency scale, "Always" first). Every expected value is a
count of those answers or R's result on them, with the call beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caresurvey.analysis.items import ALL_GROUPS, MODEL_MIN_ANSWERS, item_answers, item_models, item_tests
from caresurvey.analysis.stats import NOT_COMPUTED
from caresurvey.codes import SCALES, Scale

FREQUENCY = SCALES["frequency"]

#: Answers per label, Always .. Never.
IRO_ANSWERS = (4, 4, 2, 1, 0)
SOCIAL_WORKER_ANSWERS = (1, 3, 5, 3, 2)


def _responses(missing: int = 0) -> pd.DataFrame:
    rows = []
    for group, counts in (("IRO", IRO_ANSWERS), ("Social worker", SOCIAL_WORKER_ANSWERS)):
        for position, (label, count) in enumerate(zip(FREQUENCY.labels, counts), 1):
            rows += [{"item": "involved", "group": group, "response": label, "response_code": position}] * count
    rows += [{"item": "involved", "group": "IRO", "response": None, "response_code": np.nan}] * missing
    frame = pd.DataFrame(rows)
    frame.insert(0, "respondent_id", [f"r{k}" for k in range(len(frame))])  # one answer each
    return frame


#: A multi-select question: which advice have you sought? (several may be chosen)
ADVICE = Scale(("Legal advice", "Cafcass advice line", "Advocacy service"), ordered=False, multiple=True)


def test_answers_count_each_label_by_group_and_all_groups_with_wilson_intervals():
    answers = item_answers(_responses(missing=3), {"involved": FREQUENCY})
    iro = answers[answers["group"] == "IRO"].set_index("answer")
    assert list(iro.index) == list(FREQUENCY.labels)
    assert iro["n"].tolist() == list(IRO_ANSWERS)
    assert set(iro["denominator"]) == {11}  # the three who did not answer are not in it
    # R 4.2.2: prop.test(4, 11, correct = FALSE)$conf.int = 0.1516647110 0.6461988255
    assert iro.loc["Always", ["ci_low", "ci_high"]].tolist() == pytest.approx([15.16647110, 64.61988255], abs=1e-6)
    together = answers[answers["group"] == ALL_GROUPS].set_index("answer")
    assert together["n"].tolist() == [5, 7, 7, 4, 2] and set(together["denominator"]) == {25}
    # R 4.2.2: prop.test(5, 25, correct = FALSE)$conf.int = 0.08860584687 0.39130950370
    assert together.loc["Always", ["ci_low", "ci_high"]].tolist() == pytest.approx([8.860584687, 39.13095037], abs=1e-6)


def test_an_item_asked_of_one_group_has_no_all_groups_row_and_no_test():
    one_group = _responses()[lambda d: d["group"] == "IRO"]
    answers = item_answers(one_group, {"involved": FREQUENCY})
    assert set(answers["group"]) == {"IRO"}
    assert item_tests(answers, {"involved": FREQUENCY}, seed=7).empty


def test_the_groups_are_tested_against_r_fisher_test():
    answers = item_answers(_responses(), {"involved": FREQUENCY})
    tests = item_tests(answers, {"involved": FREQUENCY}, seed=20141)
    assert len(tests) == 1 and tests.loc[0, "n"] == 25 and tests.loc[0, "groups"] == 2
    assert tests.loc[0, "test"].startswith("Fisher-Freeman-Halton, Monte Carlo")
    resamples = int(tests.loc[0, "test"].split("(")[1].split()[0])
    # R 4.2.2: fisher.test(matrix(c(4, 4, 2, 1, 0, 1, 3, 5, 3, 2), nrow = 2, byrow = TRUE))$p.value = 0.2645712747
    exact = 0.2645712747
    assert abs(tests.loc[0, "p_value"] - exact) < 4 * math.sqrt(exact * (1 - exact) / resamples)
    assert tests.loc[0, "p_holm"] == tests.loc[0, "p_value"]  # one test: Holm changes nothing
    assert tests.loc[0, "seed"] is not None


def test_an_item_with_a_withheld_count_is_not_tested():
    answers = item_answers(_responses(), {"involved": FREQUENCY})
    answers.loc[(answers["group"] == "IRO") & (answers["answer"] == "Rarely"), "n"] = np.nan
    tests = item_tests(answers, {"involved": FREQUENCY}, seed=1)
    assert tests.loc[0, "test"] == NOT_COMPUTED
    assert np.isnan(tests.loc[0, "p_value"])


def test_a_multi_select_item_counts_respondents_choosing_each_label_of_those_who_answered():
    # by hand: IRO a chose legal advice and the advice line, b legal advice, c nothing (not answered);
    # guardian d chose all three
    rows = [("a", "IRO", "Legal advice"), ("a", "IRO", "Cafcass advice line"), ("b", "IRO", "Legal advice"),
            ("c", "IRO", None), ("d", "Children's guardian", "Legal advice"),
            ("d", "Children's guardian", "Cafcass advice line"), ("d", "Children's guardian", "Advocacy service")]
    responses = pd.DataFrame(rows, columns=["respondent_id", "group", "response"]).assign(item="advice")
    answers = item_answers(responses, {"advice": ADVICE}).set_index(["group", "answer"])
    assert answers.loc["IRO", "n"].tolist() == [2, 1, 0] and set(answers.loc["IRO", "denominator"]) == {2}
    assert answers.loc[ALL_GROUPS, "n"].tolist() == [3, 2, 1] and set(answers.loc[ALL_GROUPS, "denominator"]) == {3}
    # a respondent in several cells breaks a contingency-table test; no order, no ordinal model
    assert item_tests(answers.reset_index(), {"advice": ADVICE}, seed=1).empty
    assert item_models(answers.reset_index(), {"advice": ADVICE}).empty


def test_the_ordinal_model_agrees_with_r_polr():
    models = item_models(item_answers(_responses(missing=2), {"involved": FREQUENCY}), {"involved": FREQUENCY})
    assert len(models) == 1
    row = models.iloc[0]
    # the reference is the group with most answers: 14 social workers against 11 IROs
    assert (row["term"], row["reference"], row["n"]) == ("IRO", "Social worker", 25)
    # R 4.2.2, MASS 7.3: y <- factor(c(rep(1:5, c(4, 4, 2, 1, 0)), rep(1:5, c(1, 3, 5, 3, 2))), ordered = TRUE);
    # g <- factor(rep(c("IRO", "Social worker"), c(11, 14)), levels = c("Social worker", "IRO"));
    # coef(summary(polr(y ~ g, Hess = TRUE)))["gIRO", ] = -1.9138134680 (SE 0.8139229870)
    assert row["coefficient"] == pytest.approx(-1.9138134680, abs=1e-4)
    assert row["odds_ratio"] == pytest.approx(math.exp(-1.9138134680), rel=1e-4)
    # Wald interval exp(b -/+ 1.959964 * SE)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(
        [math.exp(-1.9138134680 - 1.959964 * 0.8139229870), math.exp(-1.9138134680 + 1.959964 * 0.8139229870)], rel=1e-3)


def test_a_group_with_too_few_answers_is_left_out_of_the_model_and_unordered_scales_are_not_modelled():
    few = _responses()
    keep = few["group"] == "Social worker"
    few = pd.concat([few[keep], few[~keep].head(MODEL_MIN_ANSWERS - 1)])
    scales = {"involved": FREQUENCY}
    assert item_models(item_answers(few, scales), scales).empty  # one group left: nothing to compare
    unordered = {"involved": Scale(FREQUENCY.labels, ordered=False)}
    assert item_models(item_answers(_responses(), unordered), unordered).empty


def test_a_model_that_needs_a_withheld_count_is_not_fitted():
    scales = {"involved": FREQUENCY}
    answers = item_answers(_responses(), scales)
    answers.loc[(answers["group"] == "IRO") & (answers["answer"] == "Rarely"), "n"] = np.nan
    models = item_models(answers, scales)
    assert models["term"].tolist() == [NOT_COMPUTED] and models["coefficient"].isna().all()
