"""Legal status of the sampled children: at sampling, and how it changed by file analysis and interview.

References
----------
Dickens et al. (2015), UEA presentation (seed 001), slide "Care planning and change: the children
in the sample" (s. 20 37, ICO 36, CO + PO 49 of 122) and Chart 1 (status at file analysis).
"""

from __future__ import annotations

import pandas as pd

from caresurvey.analysis.stats import with_wilson
from caresurvey.codes import STUDY_LEGAL_STATUS

__all__ = ["legal_status_at_sampling", "legal_status_transitions", "status_at_file_analysis", "sampling_cell",
           "ALL_LAS", "SAMPLED_STATUSES", "FIRST_STEP"]

ALL_LAS = "All LAs"
STATUS_ORDER = list(STUDY_LEGAL_STATUS)
#: The statuses the study sampled by.
SAMPLED_STATUSES = ("s.20", "ICO", "CO", "PO")
#: The ``step`` of the transition table from sampling to file analysis.
FIRST_STEP = "sampling to file analysis"


def legal_status_at_sampling(data: pd.DataFrame, status: str = "status_at_sampling", la: str = "la") -> pd.DataFrame:
    """Children by legal status when sampled, overall and by LA.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled child (the ``case_files`` table).
    status, la : str
        The columns holding the child's study legal status at sampling and its LA.

    Returns
    -------
    pandas.DataFrame
        ``la, status, n, denominator, percent, ci_low, ci_high`` (Wilson 95%, percentages); ``la`` is
        ``"All LAs"`` for the whole sample. ``CO (+ PO)`` adds the two, as the slide prints it.
        Empty for a study without case files.
    """
    rows = []
    for area, group in [(ALL_LAS, data), *sorted(data.groupby(la))] if len(data) else []:
        counts = group[status].value_counts()
        n = len(group)
        for category in SAMPLED_STATUSES:
            rows.append({"la": area, "status": category, "count": int(counts.get(category, 0)), "n": n})
        rows.append({"la": area, "status": "CO (+ PO)", "count": int(counts.get("CO", 0) + counts.get("PO", 0)), "n": n})
    return with_wilson(pd.DataFrame(rows, columns=["la", "status", "count", "n"]))


def legal_status_transitions(data: pd.DataFrame) -> pd.DataFrame:
    """Children moving between statuses: sampling to file analysis, file analysis to interview.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled child (the ``case_files`` table): ``status_at_sampling``,
        ``status_at_file_analysis``, ``status_at_interview`` and ``interview`` (missing for a
        case not followed to interview).

    Returns
    -------
    pandas.DataFrame
        ``step, from_status, to_status, count, from_total, share`` for every pair that occurs.
        Exits (SGO, Returned home, Adopted, Other) are kept as states: a child who left care by
        file analysis appears in the second step only if interviewed, still in that state.
        The second step covers the interviewed cases only.
    """
    cases = data
    steps = [
        (FIRST_STEP, cases, "status_at_sampling", "status_at_file_analysis"),
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


def status_at_file_analysis(data: pd.DataFrame, status: str = "status_at_file_analysis") -> pd.DataFrame:
    """Chart 1 of the UEA presentation: children in each legal status at the time of file analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled child (the ``case_files`` table).
    status : str
        The column holding the status at file analysis (a child without one is left out).

    Returns
    -------
    pandas.DataFrame
        ``status, n, denominator, percent, ci_low, ci_high``, in the study's status order.
    """
    cases = data.dropna(subset=[status])
    counts = cases[status].value_counts()
    frame = pd.DataFrame({"status": STATUS_ORDER, "count": [int(counts.get(s, 0)) for s in STATUS_ORDER]})
    frame["n"] = len(cases)
    return with_wilson(frame)


#: Published labels that name the study's statuses differently.
_PUBLISHED_STATUS = {"s. 20": "s.20"}


def sampling_cell(table: pd.DataFrame, cell) -> tuple[int | None, int | None]:
    """The study's count and denominator of a published cell of legal status at sampling, from
    :func:`legal_status_at_sampling`'s table (all LAs); missing where withheld."""
    row = table[table["la"] == ALL_LAS].set_index("status").loc[_PUBLISHED_STATUS.get(cell.item, cell.item)]
    return tuple(int(v) if pd.notna(v) else None for v in (row["n"], row["denominator"]))
