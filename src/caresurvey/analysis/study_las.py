"""The study's local authorities compared with each other.

For each main proportion, a test of whether the LAs differ (exact where expected counts are
small: Fisher-Freeman-Halton by seeded Monte Carlo) with Cramer's V; and per-LA funnels for
review timeliness and participation around a chosen target (by default the study's pooled
proportion, since a handful of LAs has no national figure for these).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.funnel import funnel_table
from caresurvey.analysis.legal_status import ALL_LAS
from caresurvey.analysis.reviews import review_participation, review_timeliness
from caresurvey.analysis.stats import chi_square_check, cramers_v, exact_test, holm

__all__ = ["study_la_heterogeneity", "study_la_funnels"]


def _test_row(measure: str, table: np.ndarray, seed: int) -> dict:
    test = exact_test(table, seed)
    check = chi_square_check(table) if table.sum() and min(table.shape) > 1 else {"valid": False, "min_expected": np.nan}
    return {"measure": measure, "las": int((table.sum(axis=1) > 0).sum()), "n": int(table.sum()), "test": test.method,
            "p_value": test.p_value, "seed": test.seed, "cramers_v": cramers_v(table), "chi2_valid": check["valid"],
            "min_expected": check["min_expected"]}


def study_la_heterogeneity(data: StudyData, seed: int) -> pd.DataFrame:
    """Do the study's LAs differ? One test per main proportion, Holm-adjusted across them.

    Returns
    -------
    pandas.DataFrame
        ``measure, las, n, test, p_value, p_holm, seed, cramers_v, chi2_valid, min_expected`` for the
        legal status at sampling (LA by status), reviews on time (LA by on time / late or not
        held) and views conveyed at reviews of children aged 4+ (LA by conveyed / not).
    """
    rows = []
    cases = data.table("case_files")
    if len(cases):
        status = pd.crosstab(cases["la"], cases["status_at_sampling"]).to_numpy()
        rows.append(_test_row("legal status at sampling", status, seed))
    timeliness = review_timeliness(data)
    per_la = timeliness[(timeliness["review"] == "all") & (timeliness["la"] != ALL_LAS)]
    if len(per_la):
        table = np.column_stack([per_la["on_time"], per_la["due"] - per_la["on_time"]]).astype(int)
        rows.append(_test_row("reviews held on time", table, seed))
    participation = review_participation(data)
    conveyed = participation[(participation["code"] == "views conveyed") & (participation["la"] != ALL_LAS)]
    if len(conveyed):
        table = np.column_stack([conveyed["n"], conveyed["denominator"] - conveyed["n"]]).astype(int)
        rows.append(_test_row("views conveyed at reviews (aged 4+)", table, seed))
    out = pd.DataFrame(rows, columns=["measure", "las", "n", "test", "p_value", "seed", "cramers_v", "chi2_valid",
                                      "min_expected"])
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", holm(out["p_value"]) if len(out) else [])
    return out


def study_la_funnels(data: StudyData, targets: dict[str, float] | None = None, timeliness: pd.DataFrame | None = None,
                      participation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each study LA's review timeliness and participation against a target, with funnel limits.

    Parameters
    ----------
    timeliness, participation : pandas.DataFrame, optional
        The review tables to use (after disclosure control, say); computed from ``data`` if not given.
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
    timeliness = review_timeliness(data) if timeliness is None else timeliness
    participation = review_participation(data) if participation is None else participation
    all_reviews = timeliness[timeliness["review"] == "all"]
    conveyed = participation[participation["code"] == "views conveyed"]
    for measure, frame, numerator, denominator in (
        ("reviews held on time", all_reviews, "on_time", "due"),
        ("views conveyed at reviews (aged 4+)", conveyed, "n", "denominator"),
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
        return pd.DataFrame()
    out = pd.concat(pieces, ignore_index=True)
    return out[["measure", *[c for c in out.columns if c != "measure"]]]
