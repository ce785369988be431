"""The study's local authorities compared with each other.

For each main proportion, a test of whether the LAs differ (exact where expected counts are
small: Fisher-Freeman-Halton by seeded Monte Carlo) with Cramer's V; and per-LA funnels for
review timeliness and participation around a chosen target (by default the study's pooled
proportion, since a handful of LAs has no national figure for these).

Both are computed from the tables of the measures (legal status at sampling, review timeliness,
participation) as they are released, so a count withheld there is never used here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caresurvey.analysis.funnel import FUNNEL_COLUMNS, funnel_table
from caresurvey.analysis.legal_status import ALL_LAS, SAMPLED_STATUSES
from caresurvey.analysis.reviews import VIEWS_CONVEYED_CODE
from caresurvey.analysis.stats import holm, table_test

__all__ = ["study_la_heterogeneity", "study_la_funnels", "HETEROGENEITY_COLUMNS", "TIMELINESS_MEASURE",
           "PARTICIPATION_MEASURE"]

#: The measures compared between the study's LAs (the ``measure`` of their tables).
TIMELINESS_MEASURE = "reviews held on time"
PARTICIPATION_MEASURE = "views conveyed at reviews (aged 4+)"

HETEROGENEITY_COLUMNS = ["measure", "las", "n", "test", "p_value", "p_holm", "seed", "cramers_v", "chi2_valid",
                         "min_expected"]


def _test_row(measure: str, cells: np.ndarray, seed: int) -> dict:
    """The test of one LA-by-outcome table (rows LAs); not computed where a count is withheld."""
    withheld = np.isnan(cells).any()
    return {"measure": measure, "las": len(cells) if withheld else int((np.nansum(cells, axis=1) > 0).sum()),
            "n": np.nan if withheld else int(cells.sum()), **table_test(cells, seed, measure)}


def _numbers(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def study_la_heterogeneity(status: pd.DataFrame, timeliness: pd.DataFrame, participation: pd.DataFrame,
                           seed: int) -> pd.DataFrame:
    """Do the study's LAs differ? One test per main proportion, Holm-adjusted across them.

    Parameters
    ----------
    status : pandas.DataFrame
        Children by legal status at sampling, by LA (:mod:`caresurvey.analysis.legal_status`).
    timeliness, participation : pandas.DataFrame
        Reviews held on time and children's participation in reviews, by LA
        (:mod:`caresurvey.analysis.reviews`).
    seed : int
        The table's random stream; each measure's test draws from its own, ``stream_seed(seed, measure)``.

    Returns
    -------
    pandas.DataFrame
        ``measure, las, n, test, p_value, p_holm, seed, cramers_v, chi2_valid, min_expected`` for the
        legal status at sampling (LA by status), reviews on time (LA by on time / late or not
        held) and views conveyed at reviews of children aged 4+ (LA by conveyed / not); a measure
        whose table has a withheld count is not tested (``test`` says so).
    """
    rows = []
    by_la = status[(status["la"] != ALL_LAS) & status["status"].isin(SAMPLED_STATUSES)]
    if len(by_la):
        cells = by_la.assign(n=pd.to_numeric(by_la["n"], errors="coerce")).pivot(
            index="la", columns="status", values="n")[list(SAMPLED_STATUSES)]
        rows.append(_test_row("legal status at sampling", cells.to_numpy(dtype=float), seed))
    per_la = timeliness[(timeliness["review"] == "all") & (timeliness["la"] != ALL_LAS)]
    if len(per_la):
        on_time, due = _numbers(per_la, ["on_time", "due"]).T
        rows.append(_test_row(TIMELINESS_MEASURE, np.column_stack([on_time, due - on_time]), seed))
    conveyed = participation[(participation["code"] == VIEWS_CONVEYED_CODE) & (participation["la"] != ALL_LAS)]
    if len(conveyed):
        n, denominator = _numbers(conveyed, ["n", "denominator"]).T
        rows.append(_test_row(PARTICIPATION_MEASURE, np.column_stack([n, denominator - n]), seed))
    out = pd.DataFrame(rows, columns=[c for c in HETEROGENEITY_COLUMNS if c != "p_holm"])
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", holm(out["p_value"]) if len(out) else [])
    return out


def study_la_funnels(timeliness: pd.DataFrame, participation: pd.DataFrame,
                     targets: dict[str, float] | None = None) -> pd.DataFrame:
    """Each study LA's review timeliness and participation against a target, with funnel limits.

    Parameters
    ----------
    timeliness, participation : pandas.DataFrame
        Reviews held on time and children's participation in reviews, by LA
        (:mod:`caresurvey.analysis.reviews`), after disclosure control: an LA whose count is
        withheld stays in the table with no point.
    targets : dict, optional
        ``{"reviews held on time": 0.9, ...}``; a measure not given is centred on the pooled
        proportion of the study's LAs.

    Returns
    -------
    pandas.DataFrame
        ``measure`` then the funnel columns (:data:`caresurvey.analysis.funnel.FUNNEL_COLUMNS`),
        one row per LA; ``la_code`` and ``la_name`` are the study's LA labels.
    """
    targets = targets or {}
    pieces = []
    all_reviews = timeliness[timeliness["review"] == "all"]
    conveyed = participation[participation["code"] == VIEWS_CONVEYED_CODE]
    for measure, frame, numerator, denominator in (
        (TIMELINESS_MEASURE, all_reviews, "on_time", "due"),
        (PARTICIPATION_MEASURE, conveyed, "n", "denominator"),
    ):
        pooled, frame = frame[frame["la"] == ALL_LAS], frame[frame["la"] != ALL_LAS]
        if frame.empty or pooled.empty or not pooled[denominator].iloc[0] > 0:
            continue
        # the pooled proportion comes from the All LAs row, which stays published when an LA's count is not
        target = targets.get(measure, float(pooled[numerator].iloc[0] / pooled[denominator].iloc[0]))
        units = pd.DataFrame({"la_code": frame["la"], "la_name": frame["la"], "numerator": frame[numerator],
                              "denominator": frame[denominator]}).reset_index(drop=True)
        pieces.append(funnel_table(units, float(target)).assign(measure=measure))
    if not pieces:
        return pd.DataFrame(columns=["measure", *FUNNEL_COLUMNS, "adjustment", "phi", "tau2"])
    out = pd.concat(pieces, ignore_index=True)
    return out[["measure", *[c for c in out.columns if c != "measure"]]]
