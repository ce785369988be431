"""Interview coding: how often each code comes up by interviewee role, and how far two coders agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from caresurvey.analysis.stats import cohens_kappa, krippendorff_alpha_nominal, with_wilson

__all__ = ["interview_codes", "coding_agreement", "primary_coder", "coders_by_interviews", "one_export"]


def one_export(codings: pd.DataFrame) -> pd.DataFrame:
    """Interview codings from one export: the REFI-QDA project where there is one.

    A study may hold the same codings twice (a project and a coded-segments sheet); counting
    both would double every code, so the richer export (character offsets, case variables) wins.
    """
    if (codings["source_format"] == "refi-qda").any():
        return codings[codings["source_format"] == "refi-qda"].reset_index(drop=True)
    return codings.reset_index(drop=True)


def coders_by_interviews(codings: pd.DataFrame) -> list[str]:
    """Coders from the one who coded the most interviews down (ties in name order)."""
    per_coder = codings.groupby("coder")["interview_id"].nunique()
    return [str(c) for c in per_coder.sort_values(ascending=False, kind="stable").index]


def primary_coder(codings: pd.DataFrame) -> str | None:
    """The coder who coded the most interviews: the one whose codes the frequencies count."""
    coders = coders_by_interviews(codings)
    return coders[0] if coders else None


def interview_codes(codings: pd.DataFrame) -> pd.DataFrame:
    """Interviews mentioning each code, by respondent role (primary coder's coding).

    Parameters
    ----------
    codings : pandas.DataFrame
        The ``codings`` table, from one export (:func:`one_export`).

    Returns
    -------
    pandas.DataFrame
        ``role, code, n, denominator, percent, ci_low, ci_high``: interviews of the role where the
        code was applied at least once, of all the role's interviews.
    """
    coder = primary_coder(codings)
    if coder is None:
        return with_wilson(pd.DataFrame(columns=["role", "code", "count", "n"]))
    codings = codings[codings["coder"] == coder].assign(role=lambda f: f["respondent_role"].fillna("Not recorded"))
    interviews = codings.groupby("role")["interview_id"].nunique()
    mentioned = codings.groupby(["role", "code"])["interview_id"].nunique()
    rows = [{"role": role, "code": code, "count": int(mentioned.get((role, code), 0)), "n": int(interviews[role])}
            for role in interviews.index for code in sorted(codings["code"].unique())]
    return with_wilson(pd.DataFrame(rows, columns=["role", "code", "count", "n"]))


def coding_agreement(codings: pd.DataFrame) -> pd.DataFrame:
    """Agreement between two coders on the interviews both coded, code by code.

    Parameters
    ----------
    codings : pandas.DataFrame
        The ``codings`` table, from one export (:func:`one_export`).

    Returns
    -------
    pandas.DataFrame
        ``code, units, coded_by_first, coded_by_second, both, krippendorff_alpha, cohens_kappa``;
        the first row, ``code = "(any code: which one)"``, treats the code applied to each unit as
        one nominal judgement.

    Notes
    -----
    A unit is a coded segment (interview and position) that either coder coded, in an interview
    both coded. For each code, each coder's judgement on a unit is whether they applied it
    (presence or absence), the usual way to assess agreement per code. Krippendorff's alpha is
    at the nominal level; Cohen's kappa on the same 2 x 2 judgements.
    """
    coders = coders_by_interviews(codings)
    columns = ["code", "units", "coded_by_first", "coded_by_second", "both", "krippendorff_alpha", "cohens_kappa"]
    if len(coders) < 2:
        return pd.DataFrame(columns=columns)
    first, second = coders[0], coders[1]
    both_coded = set(codings.loc[codings["coder"] == first, "interview_id"]) & set(codings.loc[codings["coder"] == second, "interview_id"])
    shared = codings[codings["interview_id"].isin(both_coded)]
    units = shared[["interview_id", "start", "end"]].drop_duplicates().reset_index(drop=True)
    unit_index = {tuple(u): i for i, u in enumerate(units.itertuples(index=False, name=None))}
    applied = {coder: {} for coder in (first, second)}
    for row in shared[shared["coder"].isin([first, second])].itertuples():
        applied[row.coder].setdefault(unit_index[(row.interview_id, row.start, row.end)], set()).add(row.code)
    rows = []
    # Overall: the set of codes applied to a unit as one nominal value.
    labels = [[";".join(sorted(applied[c].get(i, set()))) or "(none)" for i in range(len(units))] for c in (first, second)]
    codes_as_numbers = {label: k for k, label in enumerate(sorted(set(labels[0]) | set(labels[1])))}
    matrix = np.array([[codes_as_numbers[v] for v in labels[0]], [codes_as_numbers[v] for v in labels[1]]], dtype=float)
    rows.append({"code": "(any code: which one)", "units": len(units), "coded_by_first": int(sum(v != "(none)" for v in labels[0])),
                 "coded_by_second": int(sum(v != "(none)" for v in labels[1])),
                 "both": int(sum(a == b != "(none)" for a, b in zip(*labels))),
                 "krippendorff_alpha": krippendorff_alpha_nominal(matrix), "cohens_kappa": cohens_kappa(*labels)})
    for code in sorted(shared["code"].unique()):
        a = [int(code in applied[first].get(i, set())) for i in range(len(units))]
        b = [int(code in applied[second].get(i, set())) for i in range(len(units))]
        rows.append({"code": code, "units": len(units), "coded_by_first": sum(a), "coded_by_second": sum(b),
                     "both": sum(x and y for x, y in zip(a, b)),
                     "krippendorff_alpha": krippendorff_alpha_nominal(np.array([a, b], dtype=float)),
                     "cohens_kappa": cohens_kappa(a, b)})
    return pd.DataFrame(rows, columns=columns)
