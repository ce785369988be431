"""Legal status of the sampled children: at sampling, and how it changed by file analysis and interview.

References
----------
Dickens et al. (2015), UEA presentation (seed 001), slide "Care planning and change: the children
in the sample" (s. 20 37, ICO 36, CO + PO 49 of 122) and Chart 1 (status at file analysis).
"""

from __future__ import annotations

import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.stats import with_wilson
from caresurvey.codes import STUDY_LEGAL_STATUS

__all__ = ["legal_status_at_sampling", "legal_status_transitions", "status_at_file_analysis", "ALL_LAS"]

ALL_LAS = "All LAs"
STATUS_ORDER = list(STUDY_LEGAL_STATUS)


def legal_status_at_sampling(data: StudyData) -> pd.DataFrame:
    """Children by legal status when sampled, overall and by LA.

    Returns
    -------
    pandas.DataFrame
        ``la, status, n, denominator, percent, ci_low, ci_high`` (Wilson 95%, percentages); ``la`` is
        ``"All LAs"`` for the whole sample. ``CO (+ PO)`` adds the two, as the slide prints it.
    """
    cases = data.table("case_files")
    rows = []
    for la, group in [(ALL_LAS, cases), *sorted(cases.groupby("la"))]:
        counts = group["status_at_sampling"].value_counts()
        n = len(group)
        for status in ("s.20", "ICO", "CO", "PO"):
            rows.append({"la": la, "status": status, "count": int(counts.get(status, 0)), "n": n})
        rows.append({"la": la, "status": "CO (+ PO)", "count": int(counts.get("CO", 0) + counts.get("PO", 0)), "n": n})
    return with_wilson(pd.DataFrame(rows, columns=["la", "status", "count", "n"]))


def legal_status_transitions(data: StudyData) -> pd.DataFrame:
    """Children moving between statuses: sampling to file analysis, file analysis to interview.

    Returns
    -------
    pandas.DataFrame
        ``step, from_status, to_status, count, from_total, share`` for every pair that occurs.
        Exits (SGO, Returned home, Adopted, Other) are kept as states: a child who left care by
        file analysis appears in the second step only if interviewed, still in that state.
        The second step covers the interviewed cases only.
    """
    cases = data.table("case_files")
    steps = [
        ("sampling to file analysis", cases, "status_at_sampling", "status_at_file_analysis"),
        ("file analysis to interview", cases[cases["interview"].notna()], "status_at_file_analysis", "status_at_interview"),
    ]
    rows = []
    for step, frame, source, target in steps:
        frame = frame.dropna(subset=[source, target])
        totals = frame[source].value_counts()
        counts = frame.groupby([source, target]).size()
        for (origin, destination), count in counts.items():
            rows.append({"step": step, "from_status": origin, "to_status": destination, "count": int(count),
                         "from_total": int(totals[origin]), "share": count / totals[origin]})
    out = pd.DataFrame(rows, columns=["step", "from_status", "to_status", "count", "from_total", "share"])
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    step_rank = {step: i for i, (step, *_) in enumerate(steps)}
    keys = pd.DataFrame({"s": out["step"].map(step_rank), "f": out["from_status"].map(rank), "t": out["to_status"].map(rank)})
    return out.loc[keys.sort_values(["s", "f", "t"]).index].reset_index(drop=True)


def status_at_file_analysis(data: StudyData) -> pd.DataFrame:
    """Chart 1 of the UEA presentation: children in each legal status at the time of file analysis.

    Returns
    -------
    pandas.DataFrame
        ``status, n, denominator, percent, ci_low, ci_high``, in the study's status order.
    """
    cases = data.table("case_files").dropna(subset=["status_at_file_analysis"])
    counts = cases["status_at_file_analysis"].value_counts()
    frame = pd.DataFrame({"status": STATUS_ORDER, "count": [int(counts.get(s, 0)) for s in STATUS_ORDER]})
    frame["n"] = len(cases)
    return with_wilson(frame)
