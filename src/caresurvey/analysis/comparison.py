"""Every published cell beside the value the study data reproduce, at the printed precision.

A printed percentage is matched when the reproduced count out of the reproduced denominator
prints as the published value under the study's rounding convention (``[consistency]
rounding``); a printed count must be equal. Cells no study data can reproduce (another
study's figure, a chart with no values) are listed with the reason, not counted as matches.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from caresurvey.analysis.data import StudyData
from caresurvey.analysis.legal_status import ALL_LAS, legal_status_at_sampling
from caresurvey.analysis.questionnaires import formal_challenge, independence_attitudes, iro_cg_contact
from caresurvey.published.catalogue import load_tables
from caresurvey.published.rounding import PrintedPercent, Rounding, is_feasible_count

__all__ = ["published_comparison", "NOT_IN_DATA"]

NOT_IN_DATA = {
    "ncb_iro_employment": "a figure of another study (NCB, 2014); the study data hold no NCB questionnaire",
}

# Published labels that name study categories differently.
_STATUS = {"s. 20": "s.20"}
_CHALLENGE_GROUP = {"LA-employed IROS": "LA-employed IROs"}  # as printed on the slide
_CHILDREN_ITEMS = {"Social worker": "importance_social_worker", "IRO": "importance_iro",
                   "Advocate": "importance_advocate", "Guardian in court": "importance_guardian"}
_CHILDREN_CATEGORIES = {"Important or very important": ("Very important", "Important"),
                        "Important": ("Very important", "Important"),
                        "Did not know enough about guardians to have an opinion": ("Don't know enough to say",)}
_INTERVIEWEES = {"Social workers": "Social worker", "IROs": "IRO", "Parents": "Parent", "Young people": "Young person"}
_FOCUS_GROUPS = {"Multi-professional (one in each LA)": "Focus group (multi-professional)",
                 "Young people": "Focus group (young people)"}
_QUESTIONNAIRES = {"IROs": "IRO", "Team managers": "Team manager", "Children's guardians": "Children's guardian"}


def _sample_composition(data: StudyData) -> dict[tuple[str, str], int]:
    cases, responses, codings = data.table("case_files"), data.table("responses"), data.codings
    interviews = codings.groupby("respondent_role")["interview_id"].nunique()
    respondents = responses.groupby("group")["respondent_id"].nunique()
    counts = {("Case file analysis", "Cases"): len(cases),
              ("Case file analysis", "Local authorities"): cases["la"].nunique(),
              ("In-depth interviews", "Cases"): int(cases["interview"].notna().sum())}
    counts.update({("Interviewees", k): int(interviews.get(v, 0)) for k, v in _INTERVIEWEES.items()})
    counts.update({("Focus groups", k): int(interviews.get(v, 0)) for k, v in _FOCUS_GROUPS.items()})
    counts.update({("Questionnaire respondents", k): int(respondents.get(v, 0)) for k, v in _QUESTIONNAIRES.items()})
    return counts


def _children_views(data: StudyData) -> dict[tuple[str, str], tuple[int, int]]:
    responses = data.table("responses")
    out = {}
    for item, item_id in _CHILDREN_ITEMS.items():
        answered = responses[(responses["item"] == item_id) & responses["response"].notna()]
        for category, labels in _CHILDREN_CATEGORIES.items():
            out[(item, category)] = (int(answered["response"].isin(labels).sum()), len(answered))
    return out


def _reproduced(data: StudyData, tables: dict[str, pd.DataFrame] | None = None) -> dict[str, dict]:
    """For each table: (group, item, category) -> (count, n) from the study data (None where suppressed)."""
    tables = tables or {}
    status = tables.get("legal_status_at_sampling", None)
    status = legal_status_at_sampling(data) if status is None else status
    status = status[status["la"] == ALL_LAS].set_index("status")
    contact = (tables["iro_cg_contact"] if "iro_cg_contact" in tables else iro_cg_contact(data)).set_index(
        ["item", "group", "category"])
    challenge = (tables["formal_challenge"] if "formal_challenge" in tables else formal_challenge(data)).set_index(
        ["mechanism", "group"])
    independence = (tables["independence_attitudes"] if "independence_attitudes" in tables
                    else independence_attitudes(data)).set_index("group")

    def pair(row) -> tuple[int | None, int | None]:
        return tuple(int(v) if pd.notna(v) else None for v in (row["n"], row["denominator"]))
    composition = _sample_composition(data)
    views = _children_views(data)

    def legal(cell):
        return pair(status.loc[_STATUS.get(cell.item, cell.item)])

    def contact_cell(cell):
        return pair(contact.loc[(cell.item, cell.group, cell.category)])

    def challenge_cell(cell):
        return pair(challenge.loc[(cell.item, _CHALLENGE_GROUP.get(cell.group, cell.group))])

    def independence_cell(cell):
        return pair(independence.loc[cell.group])

    return {
        "sample_composition": lambda cell: (composition[(cell.group, cell.item)], None),
        "legal_status_at_sampling": legal,
        "iro_cg_contact": contact_cell,
        "formal_challenge": challenge_cell,
        "independence_attitudes": independence_cell,
        "children_views_professionals": lambda cell: views[(cell.item, cell.category)],
    }


def _printed_share(count: int, n: int, printed: PrintedPercent) -> str:
    """``count / n`` as a percentage with the printed number of decimals (half-up)."""
    scaled = Fraction(100 * count, n) * 10**printed.decimals
    whole = int(scaled + Fraction(1, 2))
    text = f"{whole / 10**printed.decimals:.{printed.decimals}f}"
    return f"{text}%"


def published_comparison(data: StudyData, rounding: Rounding | str = Rounding.EITHER,
                         tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Published cells against the study data.

    Returns
    -------
    pandas.DataFrame
        ``table, group, item, category, published, reproduced, n, denominator, status, note``: ``published``
        as printed; ``reproduced`` at the printed precision; ``status`` is ``match``,
        ``MISMATCH``, ``not in the data`` (with the reason in ``note``) or ``suppressed`` (the
        study's count is withheld by disclosure control in ``tables``, the analysis tables
        after control; computed from ``data`` when not given).
    """
    reproducers = _reproduced(data, tables)
    rows = []
    for table in load_tables():
        for cell in table.cells:
            base = {"table": table.id, "group": cell.group, "item": cell.item, "category": cell.category or ""}
            if table.id not in reproducers:
                rows.append({**base, "published": cell.printed or cell.percent or cell.count, "reproduced": "",
                             "n": None, "denominator": None, "status": "not in the data",
                             "note": NOT_IN_DATA.get(table.id, "no study data for this table")})
                continue
            count, n = reproducers[table.id](cell)
            published = " ".join(p for p in (str(cell.count) if cell.count is not None else "", cell.percent or "") if p)
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
