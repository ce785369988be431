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

from caresurvey.analysis.stats import (
    NOT_COMPUTED,
    exact_test,
    holm,
    ordinal_logit,
    risk_difference,
    table_test,
    with_wilson,
)
from caresurvey.codes import AGREEMENT_SCALE, FREQUENCY_SCALE, LA_EMPLOYED, SELF_EMPLOYED

__all__ = [
    "independence_answers",
    "IN_FAVOUR",
    "CONTACT_ITEMS",
    "CHALLENGE_ITEMS",
    "INDEPENDENCE_GROUPS",
    "iro_cg_contact",
    "iro_cg_contact_tests",
    "formal_challenge",
    "formal_challenge_tests",
    "independence_attitudes",
    "independence_attitudes_model",
    "contact_cell",
    "challenge_cell",
    "independence_cell",
]

#: Published item -> study item id.
CONTACT_ITEMS = {
    "CG contacts IRO": "cg_contacts_iro",
    "IRO contacts CG": "iro_contacts_cg",
    "IRO and CG discuss care plan at end": "discuss_care_plan",
}
CONTACT_GROUPS = {"IRO": "IRO", "CG": "Children's guardian"}
#: The frequency answers in each published category (answers are matched by their labels).
CONTACT_CATEGORIES = {"Always or mostly": FREQUENCY_SCALE[:2], "Sometimes": FREQUENCY_SCALE[2:3],
                      "Rarely or never": FREQUENCY_SCALE[3:]}

CHALLENGE_ITEMS = {
    "Local dispute resolution": "used_local_dispute_resolution",
    "Independent legal advice": "used_independent_legal_advice",
    "CAFCASS advice line": "used_cafcass_advice_line",
    "Formal referral to CAFCASS": "used_formal_referral_to_cafcass",
}
CHALLENGE_GROUPS = {"Overall": None, "LA-employed IROs": LA_EMPLOYED, "Self-employed IROs": SELF_EMPLOYED}

INDEPENDENCE_ITEM = "separate_iro_service"
#: Published group -> (respondent group, employment or None).
INDEPENDENCE_GROUPS = {
    "Children's guardians": ("Children's guardian", None),
    "Self-employed IROs": ("IRO", SELF_EMPLOYED),
    "LA-employed IROs": ("IRO", LA_EMPLOYED),
    "LAC team managers": ("Team manager", None),
}
IN_FAVOUR = AGREEMENT_SCALE[:2]  # Strongly agree, Agree
#: The group the ordinal model compares the others with, as the published slide does.
MODEL_REFERENCE = "LAC team managers"


def _answered(responses: pd.DataFrame, item: str) -> pd.DataFrame:
    return responses[(responses["item"] == item) & responses["response"].notna()]


def iro_cg_contact(responses: pd.DataFrame) -> pd.DataFrame:
    """How often IROs and guardians contact each other when a case is in proceedings.

    Parameters
    ----------
    responses : pandas.DataFrame
        The ``responses`` table: ``group``, ``item`` and ``response`` (the answer's label on the
        frequency scale, Always to Never).

    Returns
    -------
    pandas.DataFrame
        ``item, group, category, n, denominator, percent, ci_low, ci_high``: for each published item
        and group (IRO, CG), those answering always or mostly, sometimes, rarely or never. Empty
        where no one answered the published contact items.
    """
    rows = []
    if not _any_answers(responses, CONTACT_ITEMS.values()):
        return with_wilson(pd.DataFrame(columns=["item", "group", "category", "count", "n"]))
    for item, item_id in CONTACT_ITEMS.items():
        answers = _answered(responses, item_id)
        for label, group in CONTACT_GROUPS.items():
            answered = answers.loc[answers["group"] == group, "response"]
            for category, labels in CONTACT_CATEGORIES.items():
                rows.append({"item": item, "group": label, "category": category,
                             "count": int(answered.isin(labels).sum()), "n": len(answered)})
    return with_wilson(pd.DataFrame(rows, columns=["item", "group", "category", "count", "n"]))


def iro_cg_contact_tests(contact: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Do IROs and guardians see their contact differently? One test per item.

    Parameters
    ----------
    contact : pandas.DataFrame
        The table of :func:`iro_cg_contact` (after disclosure control: a withheld count is missing).
    seed : int
        The table's random stream; each item's test draws from its own, ``stream_seed(seed, item)``.

    Returns
    -------
    pandas.DataFrame
        ``item, n_iro, n_cg, test, p_value, p_holm, seed, cramers_v, chi2_valid, min_expected``;
        ``seed`` is the test's own. An item whose table has a withheld count is not tested
        (``test`` says so; its statistics are missing).

    Notes
    -----
    The 2 x 3 table (group by always-or-mostly / sometimes / rarely-or-never) is tested with
    Fisher-Freeman-Halton by seeded Monte Carlo; Cramer's V is the effect size; p-values are
    Holm-adjusted over the three items. Chi-square is reported only as its expected-count check.
    """
    rows = []
    for item in CONTACT_ITEMS if len(contact) else ():
        part = contact[contact["item"] == item]
        cells = np.array([[part[(part["group"] == g) & (part["category"] == c)]["n"].item()
                           for c in CONTACT_CATEGORIES] for g in CONTACT_GROUPS], dtype=float)
        sizes = (np.nan, np.nan) if np.isnan(cells).any() else (int(cells[0].sum()), int(cells[1].sum()))
        rows.append({"item": item, "n_iro": sizes[0], "n_cg": sizes[1], **table_test(cells, seed, item)})
    out = pd.DataFrame(rows, columns=["item", "n_iro", "n_cg", "test", "p_value", "seed", "cramers_v", "chi2_valid",
                                      "min_expected"])
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", holm(out["p_value"]) if len(out) else [])
    return out


def _any_answers(responses: pd.DataFrame, items) -> bool:
    """Whether anyone answered one of ``items`` (a study without them has no such table)."""
    return bool((responses["item"].isin(list(items)) & responses["response"].notna()).any())


def _challenge_groups(answers: pd.DataFrame) -> dict[str, pd.DataFrame]:
    iros = answers[answers["group"] == "IRO"]
    return {label: iros if employment is None else iros[iros["employment"] == employment]
            for label, employment in CHALLENGE_GROUPS.items()}


def formal_challenge(responses: pd.DataFrame) -> pd.DataFrame:
    """Formal challenge mechanisms IROs have used, overall and by employment.

    Parameters
    ----------
    responses : pandas.DataFrame
        The ``responses`` table: ``group``, ``employment``, ``item``, ``response`` (Yes or No)
        and ``response_code``.

    Returns
    -------
    pandas.DataFrame
        ``mechanism, group, n, denominator, percent, ci_low, ci_high``; ``Overall`` is every IRO who
        answered, whatever their employment. Empty where no one answered the published mechanisms.
    """
    rows = []
    if not _any_answers(responses, CHALLENGE_ITEMS.values()):
        return with_wilson(pd.DataFrame(columns=["mechanism", "group", "count", "n"]))
    for mechanism, item_id in CHALLENGE_ITEMS.items():
        for label, frame in _challenge_groups(_answered(responses, item_id)).items():
            rows.append({"mechanism": mechanism, "group": label, "count": int((frame["response"] == "Yes").sum()),
                         "n": len(frame)})
    return with_wilson(pd.DataFrame(rows, columns=["mechanism", "group", "count", "n"]))


def formal_challenge_tests(challenge: pd.DataFrame) -> pd.DataFrame:
    """LA-employed against self-employed IROs, per mechanism.

    Parameters
    ----------
    challenge : pandas.DataFrame
        The table of :func:`formal_challenge` (after disclosure control: a withheld count is missing).

    Returns
    -------
    pandas.DataFrame
        ``mechanism, difference, ci_low, ci_high`` (LA-employed minus self-employed, as
        proportions, Newcombe hybrid score 95%), ``test, p_value, p_holm`` (Fisher exact 2 x 2,
        Holm over the mechanisms). A mechanism whose counts are withheld is not tested (``test``
        says so; its statistics are missing).
    """
    shares = challenge.set_index(["mechanism", "group"])
    rows = []
    for mechanism in CHALLENGE_ITEMS if len(challenge) else ():
        la, own = shares.loc[(mechanism, "LA-employed IROs")], shares.loc[(mechanism, "Self-employed IROs")]
        if pd.isna([la["n"], la["denominator"], own["n"], own["denominator"]]).any():
            rows.append({"mechanism": mechanism, "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "test": NOT_COMPUTED, "p_value": np.nan})
            continue
        if la["denominator"] == 0 or own["denominator"] == 0:
            rows.append({"mechanism": mechanism, "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "test": "not testable (a group has no answers)", "p_value": np.nan})
            continue
        difference, low, high = risk_difference(int(la["n"]), int(la["denominator"]), int(own["n"]), int(own["denominator"]))
        table = np.array([[la["n"], la["denominator"] - la["n"]], [own["n"], own["denominator"] - own["n"]]], dtype=int)
        test = exact_test(table)
        rows.append({"mechanism": mechanism, "difference": difference, "ci_low": low, "ci_high": high,
                     "test": test.method, "p_value": test.p_value})
    out = pd.DataFrame(rows, columns=["mechanism", "difference", "ci_low", "ci_high", "test", "p_value"])
    out["p_holm"] = holm(out["p_value"]) if len(out) else []
    return out


def _independence_frame(responses: pd.DataFrame) -> pd.DataFrame:
    answers = _answered(responses, INDEPENDENCE_ITEM)
    pieces = []
    for label, (group, employment) in INDEPENDENCE_GROUPS.items():
        frame = answers[answers["group"] == group]
        if employment is not None:
            frame = frame[frame["employment"] == employment]
        pieces.append(frame.assign(published_group=label))
    return pd.concat(pieces, ignore_index=True)


def independence_attitudes(responses: pd.DataFrame) -> pd.DataFrame:
    """In favour or strongly in favour of separating IROs from LAs, by respondent group.

    Parameters
    ----------
    responses : pandas.DataFrame
        The ``responses`` table: ``group``, ``employment`` (what the employment answer means),
        ``item`` and ``response`` (the answer's label on the agreement scale).

    Returns
    -------
    pandas.DataFrame
        ``group, n, denominator, percent, ci_low, ci_high``; in favour = agree or strongly agree that
        the IRO service should be separated from local authorities. Only the published study's
        groups that answered it have a row; empty where none did.
    """
    if not _any_answers(responses, [INDEPENDENCE_ITEM]):
        return with_wilson(pd.DataFrame(columns=["group", "count", "n"]))
    frame = _independence_frame(responses)
    rows = [{"group": label, "count": int(part["response"].isin(IN_FAVOUR).sum()), "n": len(part)}
            for label, part in ((g, frame[frame["published_group"] == g]) for g in INDEPENDENCE_GROUPS) if len(part)]
    return with_wilson(pd.DataFrame(rows, columns=["group", "count", "n"]))


def independence_answers(responses: pd.DataFrame) -> pd.DataFrame:
    """The full five-point answer on separating the IRO service, by the published study's groups.

    Parameters
    ----------
    responses : pandas.DataFrame
        The ``responses`` table, as for :func:`independence_attitudes`.

    Returns
    -------
    pandas.DataFrame
        ``group, answer, n, denominator, percent, ci_low, ci_high``: every label of the agreement
        scale for each group that answered, in the scale's order. The table
        :func:`independence_attitudes_model` is fitted to, once released.
    """
    if not _any_answers(responses, [INDEPENDENCE_ITEM]):
        return with_wilson(pd.DataFrame(columns=["group", "answer", "count", "n"]))
    frame = _independence_frame(responses)
    rows = [{"group": label, "answer": answer, "count": int((part["response"] == answer).sum()), "n": len(part)}
            for label, part in ((g, frame[frame["published_group"] == g]) for g in INDEPENDENCE_GROUPS) if len(part)
            for answer in AGREEMENT_SCALE]
    return with_wilson(pd.DataFrame(rows, columns=["group", "answer", "count", "n"]))


def independence_attitudes_model(answers: pd.DataFrame) -> pd.DataFrame:
    """Proportional-odds logistic model of the full 5-point answer on respondent group.

    Parameters
    ----------
    answers : pandas.DataFrame
        The table of :func:`independence_answers` (after disclosure control: a withheld count is
        missing). A model is a function of the table it is fitted to, so it is fitted to the
        table as released: where a count is withheld, it is not fitted (``term`` says so).

    Returns
    -------
    pandas.DataFrame
        One row per group against team managers (the reference): ``term, coefficient,
        odds_ratio, ci_low, ci_high, p_value, n, converged``. An odds ratio above 1 means the
        group leans further towards separating the IRO service. Empty where the study has no
        team managers' answers, or no other group's.
    """
    columns = ["term", "coefficient", "odds_ratio", "ci_low", "ci_high", "p_value", "n", "converged"]
    groups = set(answers["group"])
    if MODEL_REFERENCE not in groups or len(groups) < 2:
        return pd.DataFrame(columns=columns)
    counts = pd.to_numeric(answers["n"], errors="coerce")
    if counts.isna().any():
        return pd.DataFrame([{"term": NOT_COMPUTED}], columns=columns)
    # 5 strongly agree .. 1 strongly disagree: placed by the answer's label
    in_favour = len(AGREEMENT_SCALE) - answers["answer"].map(AGREEMENT_SCALE.index)
    times = counts.astype(int).to_numpy()
    return ordinal_logit(pd.Series(np.repeat(in_favour.to_numpy(), times)),
                         pd.Series(np.repeat(answers["group"].to_numpy(), times)), reference=MODEL_REFERENCE)[columns]


# --------------------------------------------------------------------------- published cells

#: Published labels that name the study's groups differently.
_CHALLENGE_GROUP = {"LA-employed IROS": "LA-employed IROs"}  # as printed on the slide


def _count_and_n(row: pd.Series) -> tuple[int | None, int | None]:
    return tuple(int(v) if pd.notna(v) else None for v in (row["n"], row["denominator"]))


def contact_cell(contact: pd.DataFrame, cell) -> tuple[int | None, int | None]:
    """The study's count and denominator of a published contact cell, from :func:`iro_cg_contact`'s table."""
    return _count_and_n(contact.set_index(["item", "group", "category"]).loc[(cell.item, cell.group, cell.category)])


def challenge_cell(challenge: pd.DataFrame, cell) -> tuple[int | None, int | None]:
    """The study's count and denominator of a published formal-challenge cell, from :func:`formal_challenge`'s table."""
    group = _CHALLENGE_GROUP.get(cell.group, cell.group)
    return _count_and_n(challenge.set_index(["mechanism", "group"]).loc[(cell.item, group)])


def independence_cell(independence: pd.DataFrame, cell) -> tuple[int | None, int | None]:
    """The study's count and denominator of a published independence cell, from :func:`independence_attitudes`' table."""
    return _count_and_n(independence.set_index("group").loc[cell.group])
