"""Every published cell beside the value the study data reproduce, at the printed precision.

A printed percentage is matched when the reproduced count out of the reproduced denominator
prints as the published value under the study's rounding convention (``[consistency]
rounding``); a printed count must be equal. Cells no study data can reproduce (another
study's figure, a chart with no values) are listed with the reason, not counted as matches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from fractions import Fraction

import pandas as pd

from caresurvey.published.catalogue import PublishedTable
from caresurvey.published.rounding import PrintedPercent, Rounding, is_feasible_count

__all__ = ["published_comparison", "NOT_IN_DATA", "NOT_REPLICATED", "INTERVIEWEES", "FOCUS_GROUPS", "COMPOSITION"]

#: The status of a published cell of a table the study does not replicate.
NOT_REPLICATED = "not in this study"

NOT_IN_DATA = {
    "ncb_iro_employment": "a figure of another study (NCB, 2014); the study data hold no NCB questionnaire",
}

#: A published cell's study count and denominator (None where there is none, or it is withheld).
CellReader = Callable[[object], tuple[int | None, int | None]]

# Published labels that name study categories differently.
_CHILDREN_ITEMS = {"Social worker": "importance_social_worker", "IRO": "importance_iro",
                   "Advocate": "importance_advocate", "Guardian in court": "importance_guardian"}
_CHILDREN_CATEGORIES = {"Important or very important": ("Very important", "Important"),
                        "Important": ("Very important", "Important"),
                        "Did not know enough about guardians to have an opinion": ("Don't know enough to say",)}
#: The published table of the sample's composition, and its groups of interviews by role.
COMPOSITION = "sample_composition"
INTERVIEWEES = {"Social workers": "Social worker", "IROs": "IRO", "Parents": "Parent", "Young people": "Young person"}
FOCUS_GROUPS = {"Multi-professional (one in each LA)": "Focus group (multi-professional)",
                 "Young people": "Focus group (young people)"}
_QUESTIONNAIRES = {"IROs": "IRO", "Team managers": "Team manager", "Children's guardians": "Children's guardian"}


def _sample_composition(cases: pd.DataFrame, responses: pd.DataFrame,
                        codings: pd.DataFrame) -> dict[tuple[str, str], int]:
    interviews = codings.groupby("respondent_role")["interview_id"].nunique()
    respondents = responses.groupby("group")["respondent_id"].nunique()
    counts = {("Case file analysis", "Cases"): len(cases),
              ("Case file analysis", "Local authorities"): cases["la"].nunique(),
              ("In-depth interviews", "Cases"): int(cases["interview"].notna().sum())}
    counts.update({("Interviewees", k): int(interviews.get(v, 0)) for k, v in INTERVIEWEES.items()})
    counts.update({("Focus groups", k): int(interviews.get(v, 0)) for k, v in FOCUS_GROUPS.items()})
    counts.update({("Questionnaire respondents", k): int(respondents.get(v, 0)) for k, v in _QUESTIONNAIRES.items()})
    return counts


def _children_views(responses: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    out = {}
    for item, item_id in _CHILDREN_ITEMS.items():
        answered = responses[(responses["item"] == item_id) & responses["response"].notna()]
        for category, labels in _CHILDREN_CATEGORIES.items():
            out[(item, category)] = (int(answered["response"].isin(labels).sum()), len(answered))
    return out


def _own_readers(case_files: pd.DataFrame, responses: pd.DataFrame, codings: pd.DataFrame) -> dict[str, CellReader]:
    """Readers of the published tables no other output table reproduces: the sample's composition
    and the children's survey, counted from the processed tables."""
    composition = _sample_composition(case_files, responses, codings)
    views = _children_views(responses)
    return {
        COMPOSITION: lambda cell: (composition[(cell.group, cell.item)], None),
        "children_views_professionals": lambda cell: views[(cell.item, cell.category)],
    }


def _printed_share(count: int, n: int, printed: PrintedPercent) -> str:
    """``count / n`` as a percentage with the printed number of decimals (half-up)."""
    scaled = Fraction(100 * count, n) * 10**printed.decimals
    whole = int(scaled + Fraction(1, 2))
    text = f"{whole / 10**printed.decimals:.{printed.decimals}f}"
    return f"{text}%"


def published_comparison(published: Mapping[str, PublishedTable], readers: Mapping[str, CellReader],
                         case_files: pd.DataFrame, responses: pd.DataFrame, codings: pd.DataFrame,
                         replicates: Collection[str], rounding: Rounding | str = Rounding.EITHER) -> pd.DataFrame:
    """Published cells against the study data.

    Parameters
    ----------
    published : mapping of str to PublishedTable
        Every published table, by id, in the order to list them.
    readers : mapping of str to callable
        For a published table reproduced by an output table: a function of a published cell
        giving the study's count and denominator in that output table (after disclosure control:
        None where withheld).
    case_files, responses, codings : pandas.DataFrame
        The processed tables (codings from one export) that reproduce the sample's composition
        and the children's survey.
    replicates : collection of str
        The published tables the study replicates; the others' cells are not in this study.
    rounding : Rounding
        How the published percentages were rounded.

    Returns
    -------
    pandas.DataFrame
        ``table, group, item, category, published, reproduced, n, denominator, status, note``: ``published``
        as printed; ``reproduced`` at the printed precision; ``status`` is ``match``,
        ``MISMATCH``, ``not in this study`` (a table the study does not replicate), ``not in the
        data`` (a cell the study has no answers for; the reason in ``note``) or ``suppressed``
        (the study's count is withheld by disclosure control).
    """
    reproducers = {**_own_readers(case_files, responses, codings), **readers}
    rows = []
    for table in published.values():
        for cell in table.cells:
            base = {"table": table.id, "group": cell.group, "item": cell.item, "category": cell.category or ""}
            absent = {**base, "published": cell.printed or cell.percent or cell.count, "reproduced": "", "n": None,
                      "denominator": None}
            if table.id not in replicates:
                rows.append({**absent, "status": NOT_REPLICATED,
                             "note": NOT_IN_DATA.get(table.id, "the study does not replicate this table "
                                                               "([study] replicates)")})
                continue
            try:
                count, n = reproducers[table.id](cell)
            except KeyError:  # no reader for the table, or no row of its output table for the cell
                rows.append({**absent, "status": "not in the data", "note": "no study data for this cell"})
                continue
            published = " ".join(p for p in (str(cell.count) if cell.count is not None else "", cell.percent or "") if p)
            if cell.percent is not None and n == 0:
                rows.append({**absent, "published": published, "status": "not in the data",
                             "note": "no one in the study answered this"})
                continue
            if count is None or (cell.percent is not None and n is None):
                rows.append({**base, "published": published, "reproduced": "", "n": None, "denominator": None,
                             "status": "suppressed",
                             "note": "the study's count is withheld by disclosure control"})
                continue
            checks = []
            shown = []
            if cell.count is not None:
                checks.append(count == cell.count)
                shown.append(str(count))
            if cell.percent is not None:
                printed = PrintedPercent.parse(cell.percent)
                checks.append(n is not None and n > 0 and is_feasible_count(printed, count, n, rounding))
                shown.append(_printed_share(count, n, printed) if n else "")
            rows.append({**base, "published": published, "reproduced": " ".join(shown), "n": count, "denominator": n,
                         "status": "match" if all(checks) else "MISMATCH", "note": ""})
    frame = pd.DataFrame(rows, columns=["table", "group", "item", "category", "published", "reproduced", "n",
                                        "denominator", "status", "note"])
    return frame.astype({"n": "Int64", "denominator": "Int64"})
