"""The questionnaire tables: IRO/guardian contact, formal challenge, support for an independent IRO service.

Items are the study's item ids (the manifest's ``items`` maps each questionnaire's variables
to them). Shares are of those who answered the item; "don't know" and skipped answers are not
in the denominator, as in the published tables.

References
----------
Dickens et al. (2015), UEA presentation (seed 001), slides "Different perceptions ...",
"Formal challenge" and "Independence: different perspectives".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.stats import (
    chi_square_check,
    cramers_v,
    exact_test,
    holm,
    ordinal_logit,
    risk_difference,
    with_wilson,
)
from caresurvey.codes import EMPLOYMENT

__all__ = [
    "CONTACT_ITEMS",
    "CHALLENGE_ITEMS",
    "INDEPENDENCE_GROUPS",
    "iro_cg_contact",
    "iro_cg_contact_tests",
    "formal_challenge",
    "formal_challenge_tests",
    "independence_attitudes",
    "independence_attitudes_model",
]

#: Published item -> study item id.
CONTACT_ITEMS = {
    "CG contacts IRO": "cg_contacts_iro",
    "IRO contacts CG": "iro_contacts_cg",
    "IRO and CG discuss care plan at end": "discuss_care_plan",
}
CONTACT_GROUPS = {"IRO": "IRO", "CG": "Children's guardian"}
#: Frequency-scale positions (1 Always .. 5 Never) in each published category.
CONTACT_CATEGORIES = {"Always or mostly": (1, 2), "Sometimes": (3,), "Rarely or never": (4, 5)}

CHALLENGE_ITEMS = {
    "Local dispute resolution": "used_local_dispute_resolution",
    "Independent legal advice": "used_independent_legal_advice",
    "CAFCASS advice line": "used_cafcass_advice_line",
    "Formal referral to CAFCASS": "used_formal_referral_to_cafcass",
}
CHALLENGE_GROUPS = {"Overall": None, "LA-employed IROs": EMPLOYMENT[0], "Self-employed IROs": EMPLOYMENT[1]}

INDEPENDENCE_ITEM = "separate_iro_service"
#: Published group -> (respondent group, employment or None).
INDEPENDENCE_GROUPS = {
    "Children's guardians": ("Children's guardian", None),
    "Self-employed IROs": ("IRO", EMPLOYMENT[1]),
    "LA-employed IROs": ("IRO", EMPLOYMENT[0]),
    "LAC team managers": ("Team manager", None),
}
IN_FAVOUR = (1, 2)  # Strongly agree, Agree


def _answered(responses: pd.DataFrame, item: str) -> pd.DataFrame:
    return responses[(responses["item"] == item) & responses["response"].notna() & responses["response_code"].notna()]


def iro_cg_contact(data: StudyData) -> pd.DataFrame:
    """How often IROs and guardians contact each other when a case is in proceedings.

    Returns
    -------
    pandas.DataFrame
        ``item, group, category, n, denominator, percent, ci_low, ci_high``: for each published item
        and group (IRO, CG), those answering always or mostly, sometimes, rarely or never.
    """
    responses = data.table("responses")
    rows = []
    for item, item_id in CONTACT_ITEMS.items():
        answers = _answered(responses, item_id)
        for label, group in CONTACT_GROUPS.items():
            codes = answers.loc[answers["group"] == group, "response_code"]
            for category, positions in CONTACT_CATEGORIES.items():
                rows.append({"item": item, "group": label, "category": category,
                             "count": int(codes.isin(positions).sum()), "n": len(codes)})
    return with_wilson(pd.DataFrame(rows, columns=["item", "group", "category", "count", "n"]))


def iro_cg_contact_tests(data: StudyData, seed: int) -> pd.DataFrame:
    """Do IROs and guardians see their contact differently? One test per item.

    Returns
    -------
    pandas.DataFrame
        ``item, n_iro, n_cg, test, p_value, p_holm, seed, cramers_v, chi2_valid, min_expected``.

    Notes
    -----
    The 2 x 3 table (group by always-or-mostly / sometimes / rarely-or-never) is tested with
    Fisher-Freeman-Halton by seeded Monte Carlo; Cramer's V is the effect size; p-values are
    Holm-adjusted over the three items. Chi-square is reported only as its expected-count check.
    """
    shares = iro_cg_contact(data)
    rows = []
    for item in CONTACT_ITEMS:
        part = shares[shares["item"] == item]
        table = np.array([[part[(part["group"] == g) & (part["category"] == c)]["n"].item()
                           for c in CONTACT_CATEGORIES] for g in CONTACT_GROUPS])
        test = exact_test(table, seed)
        check = chi_square_check(table) if table.sum(axis=1).min() > 0 else {"valid": False, "min_expected": np.nan}
        rows.append({"item": item, "n_iro": int(table[0].sum()), "n_cg": int(table[1].sum()), "test": test.method,
                     "p_value": test.p_value, "seed": test.seed, "cramers_v": cramers_v(table),
                     "chi2_valid": check["valid"], "min_expected": check["min_expected"]})
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", holm(out["p_value"]))
    return out


def _challenge_groups(answers: pd.DataFrame) -> dict[str, pd.DataFrame]:
    iros = answers[answers["group"] == "IRO"]
    return {label: iros if employment is None else iros[iros["employment"] == employment]
            for label, employment in CHALLENGE_GROUPS.items()}


def formal_challenge(data: StudyData) -> pd.DataFrame:
    """Formal challenge mechanisms IROs have used, overall and by employment.

    Returns
    -------
    pandas.DataFrame
        ``mechanism, group, n, denominator, percent, ci_low, ci_high``; ``Overall`` is every IRO who
        answered, whatever their employment.
    """
    responses = data.table("responses")
    rows = []
    for mechanism, item_id in CHALLENGE_ITEMS.items():
        for label, frame in _challenge_groups(_answered(responses, item_id)).items():
            rows.append({"mechanism": mechanism, "group": label, "count": int((frame["response"] == "Yes").sum()),
                         "n": len(frame)})
    return with_wilson(pd.DataFrame(rows, columns=["mechanism", "group", "count", "n"]))


def formal_challenge_tests(data: StudyData) -> pd.DataFrame:
    """LA-employed against self-employed IROs, per mechanism.

    Returns
    -------
    pandas.DataFrame
        ``mechanism, difference, ci_low, ci_high`` (LA-employed minus self-employed, as
        proportions, Newcombe hybrid score 95%), ``test, p_value, p_holm`` (Fisher exact 2 x 2,
        Holm over the mechanisms).
    """
    shares = formal_challenge(data).set_index(["mechanism", "group"])
    rows = []
    for mechanism in CHALLENGE_ITEMS:
        la, own = shares.loc[(mechanism, "LA-employed IROs")], shares.loc[(mechanism, "Self-employed IROs")]
        if la["denominator"] == 0 or own["denominator"] == 0:
            rows.append({"mechanism": mechanism, "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "test": "not testable (a group has no answers)", "p_value": np.nan})
            continue
        difference, low, high = risk_difference(int(la["n"]), int(la["denominator"]), int(own["n"]), int(own["denominator"]))
        table = np.array([[la["n"], la["denominator"] - la["n"]], [own["n"], own["denominator"] - own["n"]]], dtype=int)
        test = exact_test(table, seed=0)
        rows.append({"mechanism": mechanism, "difference": difference, "ci_low": low, "ci_high": high,
                     "test": test.method, "p_value": test.p_value})
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p_value"])
    return out


def _independence_frame(data: StudyData) -> pd.DataFrame:
    answers = _answered(data.table("responses"), INDEPENDENCE_ITEM)
    pieces = []
    for label, (group, employment) in INDEPENDENCE_GROUPS.items():
        frame = answers[answers["group"] == group]
        if employment is not None:
            frame = frame[frame["employment"] == employment]
        pieces.append(frame.assign(published_group=label))
    return pd.concat(pieces, ignore_index=True)


def independence_attitudes(data: StudyData) -> pd.DataFrame:
    """In favour or strongly in favour of separating IROs from LAs, by respondent group.

    Returns
    -------
    pandas.DataFrame
        ``group, n, denominator, percent, ci_low, ci_high``; in favour = agree or strongly agree that
        the IRO service should be separated from local authorities.
    """
    frame = _independence_frame(data)
    rows = [{"group": label, "count": int(part["response_code"].isin(IN_FAVOUR).sum()), "n": len(part)}
            for label, part in ((g, frame[frame["published_group"] == g]) for g in INDEPENDENCE_GROUPS)]
    return with_wilson(pd.DataFrame(rows, columns=["group", "count", "n"]))


def independence_attitudes_model(data: StudyData) -> pd.DataFrame:
    """Proportional-odds logistic model of the full 5-point answer on respondent group.

    Returns
    -------
    pandas.DataFrame
        One row per group against team managers (the reference): ``term, coefficient,
        odds_ratio, ci_low, ci_high, p_value, n, converged``. An odds ratio above 1 means the
        group leans further towards separating the IRO service.
    """
    frame = _independence_frame(data)
    if frame["published_group"].nunique() < 2:
        return pd.DataFrame(columns=["term", "coefficient", "odds_ratio", "ci_low", "ci_high", "p_value", "n", "converged"])
    in_favour = 6 - frame["response_code"].astype(int)  # 5 strongly agree .. 1 strongly disagree
    return ordinal_logit(in_favour, frame["published_group"], reference="LAC team managers")
